/**
 * The SDK realm runtime: what an emulated realm links, as an Islet realm app statically links the
 * SDK. `scripts/bundle-sdk-realm.mjs` bundles this module with `@islet/sdk` and `@islet/arch`'s
 * pure-JavaScript noble provider into one script (`dist/sdk-realm-runtime.iife.js`) that defines
 * the global `IsletSdkRealm` and needs nothing a realm program lacks: no imports, no `require`,
 * no `process`, no `globalThis.crypto`, no `TextEncoder`.
 *
 * Randomness (the sealer's IVs) comes from the guest API's `random`, the vCPU's own CSPRNG, given
 * to the sealer through its crypto provider: the sandbox has no `crypto.getRandomValues`, and a
 * realm takes no randomness from the host.
 *
 * The requests it serves, in `service-realm.ts`'s framing:
 *
 * ```text
 * 1 attest   user data, 0..64 bytes          → the CCA token
 * 3 read     u8 index (0..4)                  → the measurement
 * 4 extend   u8 index (1..4), 1..64 bytes     → nothing
 * 5 seal     the data                         → the sealed blob
 * 6 unseal   the blob                         → the data
 * ```
 *
 * There is no request for a sealing key: the key is derived, used and kept in the realm.
 * @module
 */
import { type Bytes, type CryptoProvider, nobleCrypto } from '@islet/arch';
import { type GuestRsi, guestBackend, realmSdk, SdkError } from '@islet/sdk';

/**
 * The requests of the emulated realm. The numbers the simulated realm also has (read, extend)
 * mean the same.
 * @since 0.9.0
 */
export const SdkRealmOp = { Attest: 1, Read: 3, Extend: 4, Seal: 5, Unseal: 6 } as const;

/** The guest API the runtime uses. @since 0.9.0 */
export interface SdkRealmGuest {
  readonly rsi: GuestRsi;
  /** The guest API's `random(length)`: at most {@link GUEST_RANDOM_MAX} bytes a call. */
  readonly random: (length: number) => Bytes;
}

/** The most bytes one guest `random` call gives. */
const GUEST_RANDOM_MAX = 65536;

/**
 * The request handler of a realm that runs the SDK: give it to `serve`.
 * @since 0.9.0
 */
export function sdkRealmHandler(guest: SdkRealmGuest): (request: Uint8Array) => Uint8Array {
  const crypto: CryptoProvider = {
    ...nobleCrypto,
    name: 'noble, guest random',
    randomBytes: (length) => guestRandom(guest, length),
  };
  const sdk = realmSdk(guestBackend(guest.rsi), { crypto });
  return (request) => {
    const body = request.subarray(1);
    switch (request[0]) {
      case SdkRealmOp.Attest:
        return sdk.attest(body);
      case SdkRealmOp.Read:
        if (body.length !== 1) throw malformed('read', body.length);
        return sdk.measurementRead(body[0]!);
      case SdkRealmOp.Extend:
        if (body.length < 1) throw malformed('extend', body.length);
        sdk.measurementExtend(body[0]!, body.subarray(1));
        return new Uint8Array(0);
      case SdkRealmOp.Seal:
        return sdk.seal(body);
      case SdkRealmOp.Unseal:
        return sdk.unseal(body);
      default:
        throw new SdkError('SDK_ARGUMENT_INVALID', `unknown request ${request[0]}`);
    }
  };
}

/** `length` random bytes from the guest, in calls it allows. */
function guestRandom(guest: SdkRealmGuest, length: number): Bytes {
  if (length <= GUEST_RANDOM_MAX) return draw(guest, length);
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += GUEST_RANDOM_MAX) {
    out.set(draw(guest, Math.min(GUEST_RANDOM_MAX, length - at)), at);
  }
  return out;
}

function draw(guest: SdkRealmGuest, length: number): Bytes {
  const bytes = guest.random(length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new SdkError('SDK_BACKEND_FAILED', `the guest's random(${length}) gave something else`);
  }
  return bytes;
}

function malformed(op: string, length: number): SdkError {
  return new SdkError('SDK_ARGUMENT_INVALID', `a ${op} request of ${length} bytes is malformed`);
}
