/**
 * The error codes of `@islet/hes`. PSA service calls ({@link Hes} methods, {@link MeasuredBoot})
 * return {@link PsaStatus} values and never throw on caller input; the pure derivation functions
 * throw {@link HesError} with one of these codes for malformed arguments, and a broken
 * provisioning configuration throws at construction.
 * @module
 */
import { IsletError, type IsletErrorOptions } from '@islet/arch';

/** Stable codes, one per reason a HES operation is refused. */
export const HesErrorCode = {
  /** The provisioning configuration is malformed: a key of the wrong size, a bad boot measurement. */
  ProvisioningInvalid: 'HES_PROVISIONING_INVALID',
  /** An argument of a derivation function has the wrong type or size. */
  ArgumentInvalid: 'HES_ARGUMENT_INVALID',
  /**
   * HKDF produced a candidate scalar above `n − 2`. Islet's loop would recompute the same value
   * forever; this model reports it instead (probability about 2^-190 on P-384, 2^-32 on P-256).
   */
  KeyDerivationFailed: 'HES_KEY_DERIVATION_FAILED',
  /** A sealing key asked for an SVN above the one in the realm metadata. */
  SealingSvnInvalid: 'HES_SEALING_SVN_INVALID',
} as const;

/** One of the {@link HesErrorCode} values. */
export type HesErrorCode = (typeof HesErrorCode)[keyof typeof HesErrorCode];

/**
 * The error thrown by `@islet/hes` derivation functions and constructors.
 *
 * @example
 * ```ts
 * try { deriveSeed(new Uint8Array(3), 'VHUK_A', new Uint8Array(0), crypto); } catch (e) {
 *   if (e instanceof HesError && e.code === 'HES_ARGUMENT_INVALID') { ... }
 * }
 * ```
 * @since 0.1.0
 */
export class HesError extends IsletError<HesErrorCode> {
  override name = 'Hes.HesError';
  constructor(code: HesErrorCode, shortMessage: string, options?: IsletErrorOptions) {
    super(code, shortMessage, options);
  }
}
