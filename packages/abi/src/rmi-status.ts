/**
 * RMI return codes: the status enum and the packing of `{ status, index }` into X0.
 *
 * ```text
 * X0 = status | (index << 8); status = bits[7:0], index = bits[15:8], all other bits 0.
 * | status | value | index meaning |
 * |---|---|---|
 * | RMI_SUCCESS | 0 | 0 |
 * | RMI_ERROR_INPUT | 1 | 0 |
 * | RMI_ERROR_REALM | 2 | 0, except REC_ENTER: 0 = realm NEW, **1 = realm SYSTEM_OFF** |
 * | RMI_ERROR_REC | 3 | 0 |
 * | RMI_ERROR_RTT | 4 | RTT level at which the walk terminated / the level of the offending RTTE (level -1 encodes as 0xFF via `(unsigned char)`) |
 * (1.1 adds 5 DEVICE, 6 NOT_SUPPORTED, 7 RTT_AUX — not used in 1.0; see ACS `val/common/inc/val_rmm.h`.)
 * ```
 *
 * RMI handlers return these as values and never throw on host input (STYLE.md §5).
 * @module
 */

/**
 * RmiStatus of RMM 1.0.
 * @see rmm-abi.md §1.2
 * @since 0.1.0
 */
export const RmiStatus = {
  /** `RMI_SUCCESS` */
  Success: 0,
  /** `RMI_ERROR_INPUT` */
  ErrorInput: 1,
  /** `RMI_ERROR_REALM` */
  ErrorRealm: 2,
  /** `RMI_ERROR_REC` */
  ErrorRec: 3,
  /** `RMI_ERROR_RTT` */
  ErrorRtt: 4,
} as const;
/** An RMI status. @see rmm-abi.md §1.2 @since 0.1.0 */
export type RmiStatus = (typeof RmiStatus)[keyof typeof RmiStatus];

/** Position of the index in X0, bits [15:8] (`STATUS_INDEX_SHIFT`). @see rmm-abi.md §1.2 @since 0.1.0 */
export const RMI_RETURN_INDEX_SHIFT = 8;

/**
 * An RMI result as a value: TF-RMM's `return_code_t`.
 * @see rmm-abi.md §1.2
 * @since 0.1.0
 */
export interface RmiReturnCode {
  /** The status. */
  readonly status: RmiStatus;
  /** The index, 0..255 (an RTT level of -1 is 255). */
  readonly index: number;
}

/** Whether `value` is an RmiStatus of RMM 1.0. @see rmm-abi.md §1.2 @since 0.1.0 */
export function isRmiStatus(value: number): value is RmiStatus {
  return Number.isInteger(value) && value >= RmiStatus.Success && value <= RmiStatus.ErrorRtt;
}

/** X0 values already made, by code: every RMI call returns one, so each is made once. */
const PACKED: bigint[] = [];

/**
 * Packs a status and index into X0: `status | (index << 8)`. The index is truncated to 8 bits
 * like TF-RMM's `(unsigned char)` cast, so RTT level -1 encodes as 0xFF.
 * @param status - the status.
 * @param index - 0..255, or -1 for an RTT level of -1; defaults to 0.
 * @returns X0 as a 64-bit register value.
 * @throws {RangeError} when `index` is not an integer in -1..255 or `status` is not an RmiStatus.
 * @see rmm-abi.md §1.2
 * @since 0.1.0
 */
export function packReturnCode(status: RmiStatus, index = 0): bigint {
  if (!isRmiStatus(status)) throw new RangeError(`${status} is not an RmiStatus`);
  if (!Number.isInteger(index) || index < -1 || index > 0xff) {
    throw new RangeError(`return code index ${index} is not in -1..255`);
  }
  const code = status | ((index & 0xff) << RMI_RETURN_INDEX_SHIFT);
  let x0 = PACKED[code];
  if (x0 === undefined) {
    x0 = BigInt(code);
    PACKED[code] = x0;
  }
  return x0;
}

/**
 * Unpacks X0 into a status and index. Returns `undefined` when X0 is not an RMM 1.0 return code:
 * bits above 15 set (e.g. `SMC_UNKNOWN`) or a status that 1.0 does not define.
 * @see rmm-abi.md §1.2
 * @since 0.1.0
 */
export function unpackReturnCode(x0: bigint): RmiReturnCode | undefined {
  if (x0 < 0n || x0 > 0xffffn) return undefined;
  const v = Number(x0);
  const status = v & 0xff;
  if (!isRmiStatus(status)) return undefined;
  return { status, index: v >>> RMI_RETURN_INDEX_SHIFT };
}

/**
 * The RTT level carried in the index of an RMI_ERROR_RTT: 0..3, or -1 for 0xFF.
 * @see rmm-abi.md §1.2
 * @since 0.1.0
 */
export function rttLevelFromIndex(index: number): number {
  return index === 0xff ? -1 : index;
}
