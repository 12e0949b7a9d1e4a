/**
 * PSA status codes, the return values of the HES services (measured boot, delegated attestation,
 * VHUK) as Islet's host app puts them on the wire (`islet_hes_error_to_ret_val`,
 * `comms_error_to_ret_val`). They are values, never exceptions: a bad slot index or a
 * wrong-sized challenge ends in one of them.
 * @see islet-reference.md §3 (PSA errors); PSA Certified Status code API (`psa/error.h`)
 * @module
 */

/** PSA status codes used by HES. */
export const PsaStatus = {
  /** `PSA_SUCCESS`. */
  Success: 0,
  /** `PSA_ERROR_PROGRAMMER_ERROR`. */
  ProgrammerError: -129,
  /** `PSA_ERROR_GENERIC_ERROR`: none of the others applies. */
  GenericError: -132,
  /** `PSA_ERROR_NOT_PERMITTED`: extending a slot with another signer ID or algorithm. */
  NotPermitted: -133,
  /** `PSA_ERROR_NOT_SUPPORTED`: e.g. a P-521 delegated key. */
  NotSupported: -134,
  /** `PSA_ERROR_INVALID_ARGUMENT`: slot out of range, a field of the wrong size, a wrong challenge. */
  InvalidArgument: -135,
  /** `PSA_ERROR_BAD_STATE`: extending a locked slot. */
  BadState: -137,
  /** `PSA_ERROR_BUFFER_TOO_SMALL`. */
  BufferTooSmall: -138,
  /** `PSA_ERROR_DOES_NOT_EXIST`: reading an empty slot. */
  DoesNotExist: -140,
} as const;

/** One of the {@link PsaStatus} values. */
export type PsaStatus = (typeof PsaStatus)[keyof typeof PsaStatus];

/** A PSA status other than success. */
export type PsaErrorStatus = Exclude<PsaStatus, typeof PsaStatus.Success>;
