/**
 * RSI return codes and the small enumerations RSI commands take and return (RsiResponse,
 * RsiRipasChangeDestroyed, RsiRipas).
 *
 * ```text
 * RSI_SUCCESS 0, RSI_ERROR_INPUT 1, RSI_ERROR_STATE 2, RSI_INCOMPLETE 3, RSI_ERROR_UNKNOWN 4 (rel0 only; absent in EAC5).
 * RsiResponse: RSI_ACCEPT 0, RSI_REJECT 1. RsiRipasChangeDestroyed: RSI_NO_CHANGE_DESTROYED 0, RSI_CHANGE_DESTROYED 1.
 * ```
 * @module
 */

/**
 * RsiStatus, returned to the realm in X0.
 * @see rmm-abi.md §1.3
 * @since 0.1.0
 */
export const RsiStatus = {
  /** `RSI_SUCCESS` */
  Success: 0,
  /** `RSI_ERROR_INPUT` */
  ErrorInput: 1,
  /** `RSI_ERROR_STATE` */
  ErrorState: 2,
  /** `RSI_INCOMPLETE` */
  Incomplete: 3,
  /** `RSI_ERROR_UNKNOWN` (rel0 only; absent in EAC5). */
  ErrorUnknown: 4,
} as const;
/** An RSI status. @see rmm-abi.md §1.3 @since 0.1.0 */
export type RsiStatus = (typeof RsiStatus)[keyof typeof RsiStatus];

/**
 * RsiResponse: the host's answer to a RIPAS change, returned in X2 of RSI_IPA_STATE_SET.
 * @see rmm-abi.md §1.3, §5.8
 * @since 0.1.0
 */
export const RsiResponse = {
  /** `RSI_ACCEPT` */
  Accept: 0,
  /** `RSI_REJECT` */
  Reject: 1,
} as const;
/** An RSI response. @see rmm-abi.md §1.3 @since 0.1.0 */
export type RsiResponse = (typeof RsiResponse)[keyof typeof RsiResponse];

/**
 * RsiRipasChangeDestroyed: X4 (flags) of RSI_IPA_STATE_SET. TF-RMM treats X4 as a whole value:
 * only X4 == 1 means CHANGE_DESTROYED.
 * @see rmm-abi.md §1.3, §5.8
 * @since 0.1.0
 */
export const RsiRipasChangeDestroyed = {
  /** `RSI_NO_CHANGE_DESTROYED` */
  NoChangeDestroyed: 0,
  /** `RSI_CHANGE_DESTROYED` */
  ChangeDestroyed: 1,
} as const;
/** An RsiRipasChangeDestroyed value. @see rmm-abi.md §1.3 @since 0.1.0 */
export type RsiRipasChangeDestroyed =
  (typeof RsiRipasChangeDestroyed)[keyof typeof RsiRipasChangeDestroyed];

/**
 * RsiRipas: the RIPAS a realm sees (RSI_IPA_STATE_GET X2); RSI_IPA_STATE_SET accepts only EMPTY
 * and RAM (X3 > 1 is RSI_ERROR_INPUT).
 * @see rmm-abi.md §5.8, §5.9
 * @since 0.1.0
 */
export const RsiRipas = {
  /** `RSI_RIPAS_EMPTY` */
  Empty: 0,
  /** `RSI_RIPAS_RAM` */
  Ram: 1,
  /** `RSI_RIPAS_DESTROYED` */
  Destroyed: 2,
} as const;
/** An RSI RIPAS value. @see rmm-abi.md §5.9 @since 0.1.0 */
export type RsiRipas = (typeof RsiRipas)[keyof typeof RsiRipas];
