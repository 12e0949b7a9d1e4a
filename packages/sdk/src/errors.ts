/**
 * The SDK's coded errors: one class, `IsletError` subclass, with a code a script can test.
 * @module
 */
import { IsletError } from '@islet/arch';

/**
 * What went wrong, as a stable code.
 * @since 0.8.0
 */
export type SdkErrorCode =
  /** The operation needs something this backend does not have (configfs-tsm has no sealing key). */
  | 'SDK_NOT_SUPPORTED'
  /** An argument is out of range: user data above 64 bytes, a bad measurement index. */
  | 'SDK_ARGUMENT_INVALID'
  /** The backend failed: an RSI error status, an unreadable configfs-tsm file. */
  | 'SDK_BACKEND_FAILED'
  /** A sealed blob is truncated, of an unknown version, or does not authenticate. */
  | 'SDK_SEALED_INVALID'
  /** A token does not verify, or its claims do not match what was expected. */
  | 'SDK_VERIFY_FAILED'
  /** A reference-value document is malformed. */
  | 'SDK_REFERENCE_INVALID';

/**
 * An SDK error.
 * @since 0.8.0
 */
export class SdkError extends IsletError<SdkErrorCode> {
  override readonly name = 'SdkError';
}

/** Every code, so that a code that crossed a boundary as text can be checked. */
const CODES: { readonly [code in SdkErrorCode]: true } = {
  SDK_NOT_SUPPORTED: true,
  SDK_ARGUMENT_INVALID: true,
  SDK_BACKEND_FAILED: true,
  SDK_SEALED_INVALID: true,
  SDK_VERIFY_FAILED: true,
  SDK_REFERENCE_INVALID: true,
};

/**
 * Whether `code` is one of {@link SdkErrorCode}: for an SDK error that arrives as text, from an
 * SDK running in a realm.
 * @since 0.9.0
 */
export function isSdkErrorCode(code: unknown): code is SdkErrorCode {
  return typeof code === 'string' && Object.hasOwn(CODES, code);
}
