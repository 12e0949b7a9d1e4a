/**
 * The realm's side of this project's host services (`@islet/abi` realm-services.ts): the console,
 * the exit status, the relying party's challenge and the bytes sent to it, as RSI_HOST_CALLs
 * through the shim.
 * @module
 */
import { CONSOLE_WRITE_MAX, packConsoleWrite, RealmHostCall, unpackConsoleWrite } from '@islet/abi';
import { type Bytes, concatBytes, IsletError, regsToBytes } from '@islet/arch';
import type { RsiShim } from '../rsi/shim.ts';

const encoder = new TextEncoder();

/** Whether `byte` continues a UTF-8 sequence (10xxxxxx). */
const isContinuation = (byte: number): boolean => (byte & 0xc0) === 0x80;

/**
 * Writes `text` (UTF-8) to the host console in ConsoleWrite calls of at most 232 bytes, cut
 * between characters where a character allows it. A host that takes fewer bytes than offered
 * gets the rest in the next call.
 * @throws {@link IsletError} `GUEST_CONSOLE_REFUSED` when the host answers a length that is not
 *   1..the bytes offered (e.g. -1: it has no console); what {@link RsiShim.hostCall} throws.
 * @since 0.1.0
 */
export function consoleWrite(rsi: Pick<RsiShim, 'hostCall'>, text: string): void {
  writeStream(rsi, RealmHostCall.ConsoleWrite, encoder.encode(text), true);
}

/**
 * Sends `bytes` to the relying party through the host (the Send host call), in calls of at most
 * 232 bytes.
 * @throws {@link IsletError} `GUEST_SEND_REFUSED` when the host does not take them.
 * @since 0.1.0
 */
export function sendHostCall(rsi: Pick<RsiShim, 'hostCall'>, bytes: Uint8Array): void {
  writeStream(rsi, RealmHostCall.Send, bytes, false);
}

/**
 * Receives the relying party's bytes waiting at the host (Receive host calls of up to 232 bytes,
 * until the host has none): an empty array when nothing is waiting.
 * @throws {@link IsletError} `GUEST_RECEIVE_INVALID` when the host answers a length above 232.
 * @since 0.1.0
 */
export function receiveHostCall(rsi: Pick<RsiShim, 'hostCall'>): Bytes {
  const parts: Uint8Array[] = [];
  for (;;) {
    const gprs = rsi.hostCall(RealmHostCall.Receive, []);
    const n = gprs[0] ?? 0n;
    if (n === 0n) break;
    const bytes = unpackConsoleWrite(gprs);
    if (bytes === undefined) {
      throw new IsletError(
        'GUEST_RECEIVE_INVALID',
        'the host answered a Receive with a bad length',
        {
          details: `0x${n.toString(16)}`,
        },
      );
    }
    parts.push(bytes);
  }
  return concatBytes(...parts);
}

/**
 * Asks the host for the relying party's challenge (the Challenge host call): 64 bytes.
 * @since 0.1.0
 */
export function challengeHostCall(rsi: Pick<RsiShim, 'hostCall'>): Bytes {
  return regsToBytes(rsi.hostCall(RealmHostCall.Challenge, []), 64);
}

/** Writes `bytes` in host calls `imm` of at most 232 bytes (cut between UTF-8 characters for text). */
function writeStream(
  rsi: Pick<RsiShim, 'hostCall'>,
  imm: typeof RealmHostCall.ConsoleWrite | typeof RealmHostCall.Send,
  bytes: Uint8Array,
  text: boolean,
): void {
  let at = 0;
  while (at < bytes.length) {
    let end = Math.min(bytes.length, at + CONSOLE_WRITE_MAX);
    if (text && end < bytes.length) {
      let cut = end;
      while (cut > at && isContinuation(bytes[cut]!)) cut--;
      if (cut > at) end = cut;
    }
    const chunk = bytes.subarray(at, end);
    const taken = rsi.hostCall(imm, packConsoleWrite(chunk))[0] ?? 0n;
    if (taken < 1n || taken > BigInt(chunk.length)) {
      const [code, what] = text
        ? (['GUEST_CONSOLE_REFUSED', 'the console output'] as const)
        : (['GUEST_SEND_REFUSED', 'the bytes sent'] as const);
      throw new IsletError(code, `the host did not take ${what}`, {
        details: `offered ${chunk.length} bytes, the host answered 0x${taken.toString(16)}`,
      });
    }
    at += Number(taken);
  }
}

/**
 * Tells the host the program's exit status (the Exit host call; the realm then calls SYSTEM_OFF).
 * @since 0.1.0
 */
export function exitHostCall(rsi: Pick<RsiShim, 'hostCall'>, status: number): void {
  rsi.hostCall(RealmHostCall.Exit, [BigInt.asUintN(64, BigInt(status))]);
}
