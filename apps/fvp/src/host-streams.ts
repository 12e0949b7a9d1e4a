/**
 * The host's side of a realm's Receive and Send host calls (`@islet/abi` realm-services.ts): the
 * bytes waiting for the realm go in, the bytes it sends come out, 232 bytes a call. Both
 * `runRealmApp` (a relying party's bytes) and `ServiceRealm` (requests and responses) serve them.
 * @module
 */
import { CONSOLE_WRITE_MAX, packConsoleWrite, RealmHostCall, unpackConsoleWrite } from '@islet/abi';

/** A `runRealm` host-call handler: the answer's registers, or `undefined` for calls it does not serve. */
export type HostCallHandler = (
  imm: number,
  gprs: readonly bigint[],
) => readonly bigint[] | undefined;

/**
 * A handler of Receive (from `inbound`, then "nothing waiting": length 0) and Send (each chunk to
 * `onSend`; malformed registers are left unanswered, as for any call it does not serve).
 * @since 0.9.0
 */
export function hostStreams(
  inbound: Uint8Array,
  onSend: (bytes: Uint8Array) => void,
): HostCallHandler {
  let given = 0;
  return (imm, gprs) => {
    if (imm === RealmHostCall.Receive) {
      if (given === inbound.length) return [0n];
      const chunk = inbound.subarray(given, given + CONSOLE_WRITE_MAX);
      given += chunk.length;
      return packConsoleWrite(chunk);
    }
    if (imm === RealmHostCall.Send) {
      const bytes = unpackConsoleWrite(gprs);
      if (bytes === undefined) return undefined;
      onSend(bytes);
      return [BigInt(bytes.length)];
    }
    return undefined;
  };
}
