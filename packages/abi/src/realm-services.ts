/**
 * The services a realm of this stack gets from its host, and how it boots: this project's
 * conventions on top of the RMM ABI (what kvmtool's device tree and virtio devices are to a Linux
 * realm). The guest runtime (`@islet/guest`) and the host's vCPU loop (`@islet/host`) both follow
 * them, so they live here.
 *
 * ```text
 * Boot      REC 0 starts at the image's first byte with X0 = image length in bytes and
 *           X1 = protected memory size. A secondary started by PSCI CPU_ON starts at the entry the
 *           realm gave, with X0 = the context id it gave.
 * Host call RSI_HOST_CALL with imm =
 *   ConsoleWrite (1)  gprs[0] = n (1..232), gprs[1..29] = the n bytes, 8 per register,
 *                     little-endian; the host answers gprs[0] = n.
 *   Exit (2)          gprs[0] = the program's exit status (the realm then calls SYSTEM_OFF).
 *   Challenge (3)     the host answers gprs[0..7] = a 64-byte challenge from the relying party
 *                     (little-endian, as RSI_ATTESTATION_TOKEN_INIT takes it), fresh per call.
 *   Send (4)          bytes for the relying party, packed as ConsoleWrite (evidence, results);
 *                     the host answers gprs[0] = n.
 *   Receive (5)       the next bytes from the relying party: the host answers packed as
 *                     ConsoleWrite (gprs[0] = n, 1..232), or gprs[0] = 0 when it has none.
 * ```
 * @module
 */
import { bytesToRegs, regsToBytes } from '@islet/arch';

/**
 * The immediates of RSI_HOST_CALL that this project's hosts serve.
 * @since 0.7.0
 */
export const RealmHostCall: {
  readonly ConsoleWrite: 1;
  readonly Exit: 2;
  readonly Challenge: 3;
  readonly Send: 4;
  readonly Receive: 5;
} = Object.freeze({
  ConsoleWrite: 1,
  Exit: 2,
  Challenge: 3,
  Send: 4,
  Receive: 5,
} as const);
/** @since 0.7.0 */
export type RealmHostCall = (typeof RealmHostCall)[keyof typeof RealmHostCall];

/** Registers of RsiHostCall that carry console bytes (gprs[1..29]). @since 0.7.0 */
const CONSOLE_REGS = 29;
/** The most bytes one ConsoleWrite carries. @since 0.7.0 */
export const CONSOLE_WRITE_MAX: number = CONSOLE_REGS * 8;

/**
 * The 31 host-call registers of a ConsoleWrite (or Send) of `bytes` (1..{@link CONSOLE_WRITE_MAX}).
 * @throws {RangeError} when `bytes` is empty or longer than {@link CONSOLE_WRITE_MAX}.
 * @since 0.7.0
 */
export function packConsoleWrite(bytes: Uint8Array): bigint[] {
  if (bytes.length === 0 || bytes.length > CONSOLE_WRITE_MAX) {
    throw new RangeError(
      `a console write carries 1..${CONSOLE_WRITE_MAX} bytes, not ${bytes.length}`,
    );
  }
  return [BigInt(bytes.length), ...bytesToRegs(bytes, CONSOLE_REGS), 0n];
}

/**
 * The bytes of a ConsoleWrite from its registers, or `undefined` when gprs[0] is not a valid
 * length (a hostile realm's registers are any values).
 * @since 0.7.0
 */
export function unpackConsoleWrite(gprs: readonly bigint[]): Uint8Array | undefined {
  const n = gprs[0] ?? 0n;
  if (n < 1n || n > BigInt(CONSOLE_WRITE_MAX)) return undefined;
  return regsToBytes(gprs.slice(1), Number(n));
}
