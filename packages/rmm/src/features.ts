/**
 * This RMM's capabilities as RMI feature register 0 reports them: the platform's fields (what
 * TF-RMM reads from the CPU's ID registers) plus the fields the RMM fixes.
 *
 * The digest's layout (rmm-abi.md §3.6, rel0) and where each value comes from:
 *
 * ```text
 * | Bits | Field | TF-RMM value |
 * | [7:0] | S2SZ | PA width from ID_AA64MMFR0.PARange (32/36/40/42/44/48/52) |
 * | [8] | LPA2 | 1 if FEAT_LPA2 for both stage 1 & 2 with 4K |
 * | [9] | SVE_EN | |
 * | [13:10] | SVE_VL | max VQ-1, i.e. (maxVL/128)-1 |
 * | [19:14] | NUM_BPS | ID_AA64DFR0.BRPs (=#bps-1) |
 * | [25:20] | NUM_WPS | ID_AA64DFR0.WRPs (same rule) |
 * | [26] | PMU_EN | always 1 (PMUv3p7 assumed) |
 * | [31:27] | PMU_NUM_CTRS | PMCR_EL0.N |
 * | [32] | HASH_SHA_256 | 1 |
 * | [33] | HASH_SHA_512 | 1 |
 * | [37:34] | GICV3_NUM_LRS | ICH_VTR_EL2.ListRegs (#LRs-1) |
 * | [41:38] | MAX_RECS_ORDER | 10 (GRN_REFCOUNT_WIDTH; max RECs = 2^10-1 = 1023) |
 * ```
 *
 * PMU_EN, both hash bits and MAX_RECS_ORDER are fixed by the RMM; the rest is platform input
 * ({@link RmmPlatformFeatures}), with FVP-like defaults.
 * @module
 */
import { encodeFeatureRegister0, type FeatureRegister0 } from '@islet/abi';

/**
 * The platform's side of feature register 0, in the register's own encodings ("minus one" for
 * NUM_BPS, NUM_WPS, SVE_VL and GICV3_NUM_LRS): the fields of abi's `FeatureRegister0` the platform decides.
 * @see rmm-abi.md §3.6
 * @since 0.1.0
 */
export type RmmPlatformFeatures = Pick<
  FeatureRegister0,
  'sveVl' | 's2sz' | 'lpa2' | 'sveEn' | 'numBps' | 'numWps' | 'pmuNumCtrs' | 'gicv3NumLrs'
>;

/**
 * FVP-like defaults: 48-bit PA, no LPA2, no SVE, 6 breakpoints, 4 watchpoints, 31 PMU counters
 * and 16 GIC list registers.
 * @since 0.1.0
 */
export const DEFAULT_PLATFORM_FEATURES: RmmPlatformFeatures = {
  s2sz: 48,
  lpa2: false,
  sveEn: false,
  sveVl: 0,
  numBps: 5,
  numWps: 3,
  pmuNumCtrs: 31,
  gicv3NumLrs: 15,
};

/** MAX_RECS_ORDER of this RMM: 10-bit granule refcounts. @see rmm-abi.md §3.6 @since 0.1.0 */
export const MAX_RECS_ORDER = 10;

const PA_WIDTHS: readonly number[] = [32, 36, 40, 42, 44, 48, 52];

/**
 * Feature register 0 of this RMM on a platform with `features`.
 * @example
 * ```ts
 * featureRegister0(DEFAULT_PLATFORM_FEATURES) & 0xffn; // 48n
 * ```
 * @throws {RangeError} when S2SZ is not a PA width (or is 52 without LPA2), or a field does not
 * fit its width.
 * @see rmm-abi.md §2.2, §3.6
 * @since 0.1.0
 */
export function featureRegister0(features: RmmPlatformFeatures): bigint {
  if (!PA_WIDTHS.includes(features.s2sz) || (features.s2sz === 52 && !features.lpa2)) {
    throw new RangeError(`S2SZ ${features.s2sz} is not a supported PA width`);
  }
  return encodeFeatureRegister0({
    ...features,
    pmuEn: true,
    hashSha256: true,
    hashSha512: true,
    maxRecsOrder: MAX_RECS_ORDER,
  });
}
