/**
 * The measurement hash algorithm of a realm (RmiHashAlgorithm in RmiRealmParams.hash_algo,
 * RsiHashAlgorithm in RsiRealmConfig.hash_algo).
 *
 * ```text
 * RsiHashAlgorithm / RmiHashAlgorithm: SHA-256 = 0, SHA-512 = 1.
 * ```
 * @module
 */

/**
 * RmiHashAlgorithm.
 * @see rmm-abi.md §1.3, §3.1
 * @since 0.1.0
 */
export const RmiHashAlgorithm = {
  /** `RMI_HASH_SHA_256` */
  Sha256: 0,
  /** `RMI_HASH_SHA_512` */
  Sha512: 1,
} as const;
/** An RMI hash algorithm. @see rmm-abi.md §1.3 @since 0.1.0 */
export type RmiHashAlgorithm = (typeof RmiHashAlgorithm)[keyof typeof RmiHashAlgorithm];

/**
 * RsiHashAlgorithm (same values as {@link RmiHashAlgorithm}).
 * @see rmm-abi.md §1.3, §3.4
 * @since 0.1.0
 */
export const RsiHashAlgorithm = {
  /** `RSI_HASH_SHA_256` */
  Sha256: 0,
  /** `RSI_HASH_SHA_512` */
  Sha512: 1,
} as const;
/** An RSI hash algorithm. @see rmm-abi.md §1.3 @since 0.1.0 */
export type RsiHashAlgorithm = (typeof RsiHashAlgorithm)[keyof typeof RsiHashAlgorithm];

/**
 * Whether `value` is a defined hash algorithm (0 or 1). REALM_CREATE rejects any other
 * `hash_algo` with RMI_ERROR_INPUT.
 * @see rmm-abi.md §2.5 (check h)
 * @since 0.1.0
 */
export function isHashAlgorithm(value: number): value is RmiHashAlgorithm {
  return value === RmiHashAlgorithm.Sha256 || value === RmiHashAlgorithm.Sha512;
}

/**
 * The digest length in bytes of a hash algorithm: 32 for SHA-256, 64 for SHA-512. A measurement
 * slot is 64 bytes; the unused tail stays zero.
 * @see rmm-abi.md §6.1
 * @since 0.1.0
 */
export function hashDigestLength(algo: RmiHashAlgorithm): 32 | 64 {
  return algo === RmiHashAlgorithm.Sha256 ? 32 : 64;
}
