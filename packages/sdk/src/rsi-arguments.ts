/**
 * The arguments every {@link RsiBackend} checks before it reaches an RMM, one set of rules for all
 * backends: a bad argument is `SDK_ARGUMENT_INVALID` wherever the realm is, and only what the RMM
 * itself refuses is `SDK_BACKEND_FAILED`.
 * @module
 */
import { SdkError } from './errors.ts';
import { CHALLENGE_SIZE } from './rsi-dispatcher.ts';

/** The most bytes one RSI_MEASUREMENT_EXTEND takes (X3..X10). */
export const MEASUREMENT_EXTEND_MAX = 64;

/**
 * Asserts a 64-byte RSI challenge.
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` otherwise.
 * @since 0.9.0
 */
export function assertChallenge(challenge: Uint8Array): void {
  if (challenge.length !== CHALLENGE_SIZE) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `a challenge is ${CHALLENGE_SIZE} bytes`, {
      details: `got ${challenge.length}`,
    });
  }
}

/**
 * Asserts a measurement index: 0..4 for a read (0 is the RIM), 1..4 for an extension.
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` otherwise.
 * @since 0.9.0
 */
export function assertMeasurementIndex(index: number, min: 0 | 1): void {
  if (!Number.isInteger(index) || index < min || index > 4) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `measurement index ${index} is not ${min}..4`);
  }
}

/**
 * Asserts the data of one extension: 1..64 bytes.
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` otherwise.
 * @since 0.9.0
 */
export function assertExtension(data: Uint8Array): void {
  if (data.length < 1 || data.length > MEASUREMENT_EXTEND_MAX) {
    throw new SdkError(
      'SDK_ARGUMENT_INVALID',
      `an extension is 1..${MEASUREMENT_EXTEND_MAX} bytes, not ${data.length}`,
    );
  }
}

/**
 * Asserts a 32-bit unsigned integer (sealing key flags, an SVN).
 * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` otherwise.
 * @since 0.9.0
 */
export function assertU32(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `${what} ${n} is not a 32-bit unsigned integer`);
  }
}
