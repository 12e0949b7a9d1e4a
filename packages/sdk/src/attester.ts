/**
 * The attester: a CCA token whose realm challenge carries the caller's user data, as Islet's
 * `attest(user_data)` (up to 64 bytes, zero-padded into the RSI challenge).
 * @module
 */
import { SdkError } from './errors.ts';
import { CHALLENGE_SIZE, type RsiBackend } from './rsi-dispatcher.ts';

/**
 * The 64-byte RSI challenge that carries `userData`: the bytes, then zeros.
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for more than 64 bytes.
 * @since 0.8.0
 */
export function challengeOf(userData: Uint8Array): Uint8Array {
  if (userData.length > CHALLENGE_SIZE) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `user data is ${userData.length} bytes`, {
      details: `a realm challenge carries at most ${CHALLENGE_SIZE} bytes`,
    });
  }
  const challenge = new Uint8Array(CHALLENGE_SIZE);
  challenge.set(userData);
  return challenge;
}

/**
 * A CCA token (tag 399) from `backend`'s realm, its realm challenge `userData` zero-padded.
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for more than 64 bytes of user data; whatever
 *   the backend throws (`SDK_BACKEND_FAILED`).
 * @example
 * ```ts
 * const token = attest(backend, new TextEncoder().encode('nonce-42'));
 * ```
 * @since 0.8.0
 */
export function attest(backend: RsiBackend, userData: Uint8Array = new Uint8Array(0)): Uint8Array {
  return backend.attestationToken(challengeOf(userData));
}
