/**
 * RMI feature register 0: what RMI_FEATURES(0) returns in X1, and what REALM_CREATE compares
 * RmiRealmParams against.
 *
 * The digest's layout (rel0, `smc-rmi.h`, `runtime/rmi/feature.c`):
 *
 * ```text
 * | Bits | Field | TF-RMM value |
 * |---|---|---|
 * | [7:0] | S2SZ | PA width from ID_AA64MMFR0.PARange (32/36/40/42/44/48/52) |
 * | [8] | LPA2 | 1 if FEAT_LPA2 for both stage 1 & 2 with 4K |
 * | [9] | SVE_EN | |
 * | [13:10] | SVE_VL | max VQ-1, i.e. (maxVL/128)-1 |
 * | [19:14] | NUM_BPS | ID_AA64DFR0.BRPs (=#bps-1; if 15 use ID_AA64DFR1.BRPs unless 0) |
 * | [25:20] | NUM_WPS | ID_AA64DFR0.WRPs (same rule) |
 * | [26] | PMU_EN | always 1 (PMUv3p7 assumed) |
 * | [31:27] | PMU_NUM_CTRS | PMCR_EL0.N |
 * | [32] | HASH_SHA_256 | 1 |
 * | [33] | HASH_SHA_512 | 1 |
 * | [37:34] | GICV3_NUM_LRS | ICH_VTR_EL2.ListRegs (#LRs-1) |
 * | [41:38] | MAX_RECS_ORDER | 10 (GRN_REFCOUNT_WIDTH; max RECs = 2^10-1 = 1023) |
 * EAC5 layout differs: NUM_BPS[17:14], NUM_WPS[21:18], PMU_EN[22], PMU_NUM_CTRS[27:23], SHA256[28], SHA512[29], no GICV3_NUM_LRS/MAX_RECS_ORDER.
 * ```
 *
 * NUM_BPS, NUM_WPS, SVE_VL and GICV3_NUM_LRS hold "count minus one" values; REALM_CREATE compares
 * the raw params against them (rmm-abi.md §3.6 note). This module encodes the fields as they are.
 * @module
 */
import { U64 } from '@islet/arch';

/**
 * Shift and width of every field of feature register 0 (rel0 layout).
 * @see rmm-abi.md §3.6
 * @since 0.1.0
 */
export const RMI_FEATURE_REGISTER_0_FIELDS = {
  S2SZ: { shift: 0, width: 8 },
  LPA2: { shift: 8, width: 1 },
  SVE_EN: { shift: 9, width: 1 },
  SVE_VL: { shift: 10, width: 4 },
  NUM_BPS: { shift: 14, width: 6 },
  NUM_WPS: { shift: 20, width: 6 },
  PMU_EN: { shift: 26, width: 1 },
  PMU_NUM_CTRS: { shift: 27, width: 5 },
  HASH_SHA_256: { shift: 32, width: 1 },
  HASH_SHA_512: { shift: 33, width: 1 },
  GICV3_NUM_LRS: { shift: 34, width: 4 },
  MAX_RECS_ORDER: { shift: 38, width: 4 },
} as const;

/**
 * RmiFeature: the value of a one-bit feature field.
 * @see rmm-abi.md §3.7
 * @since 0.1.0
 */
export const RmiFeature = {
  /** `RMI_FEATURE_FALSE` */
  False: 0,
  /** `RMI_FEATURE_TRUE` */
  True: 1,
} as const;
/** An RmiFeature. @see rmm-abi.md §3.7 @since 0.1.0 */
export type RmiFeature = (typeof RmiFeature)[keyof typeof RmiFeature];

/**
 * Feature register 0, field by field. One-bit fields are booleans.
 * @see rmm-abi.md §3.6
 * @since 0.1.0
 */
export interface FeatureRegister0 {
  /** [7:0] S2SZ: the largest IPA width. */
  readonly s2sz: number;
  /** [8] LPA2. */
  readonly lpa2: boolean;
  /** [9] SVE_EN. */
  readonly sveEn: boolean;
  /** [13:10] SVE_VL: (maxVL/128)-1. */
  readonly sveVl: number;
  /** [19:14] NUM_BPS: breakpoints minus one. */
  readonly numBps: number;
  /** [25:20] NUM_WPS: watchpoints minus one. */
  readonly numWps: number;
  /** [26] PMU_EN. */
  readonly pmuEn: boolean;
  /** [31:27] PMU_NUM_CTRS. */
  readonly pmuNumCtrs: number;
  /** [32] HASH_SHA_256. */
  readonly hashSha256: boolean;
  /** [33] HASH_SHA_512. */
  readonly hashSha512: boolean;
  /** [37:34] GICV3_NUM_LRS: list registers minus one. */
  readonly gicv3NumLrs: number;
  /** [41:38] MAX_RECS_ORDER. */
  readonly maxRecsOrder: number;
}

const F = RMI_FEATURE_REGISTER_0_FIELDS;

/**
 * Decodes feature register 0 from X1 of RMI_FEATURES(0). Reserved bits [63:42] are ignored.
 * @see rmm-abi.md §3.6
 * @since 0.1.0
 */
export function decodeFeatureRegister0(value: bigint): FeatureRegister0 {
  const { hi, lo } = U64.fromBig(value);
  const get = (f: { readonly shift: number; readonly width: number }): number =>
    U64.field(hi, lo, f.shift, f.width);
  return {
    s2sz: get(F.S2SZ),
    lpa2: get(F.LPA2) === 1,
    sveEn: get(F.SVE_EN) === 1,
    sveVl: get(F.SVE_VL),
    numBps: get(F.NUM_BPS),
    numWps: get(F.NUM_WPS),
    pmuEn: get(F.PMU_EN) === 1,
    pmuNumCtrs: get(F.PMU_NUM_CTRS),
    hashSha256: get(F.HASH_SHA_256) === 1,
    hashSha512: get(F.HASH_SHA_512) === 1,
    gicv3NumLrs: get(F.GICV3_NUM_LRS),
    maxRecsOrder: get(F.MAX_RECS_ORDER),
  };
}

/**
 * Encodes feature register 0; reserved bits are zero.
 * @throws {RangeError} when a field does not fit its width.
 * @see rmm-abi.md §3.6
 * @since 0.1.0
 */
export function encodeFeatureRegister0(features: FeatureRegister0): bigint {
  let hi = 0;
  let lo = 0;
  const set = (name: keyof typeof F, value: number | boolean): void => {
    const f = F[name];
    const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    if (!Number.isInteger(n) || n < 0 || n >= 2 ** f.width) {
      throw new RangeError(`feature register 0: ${name} = ${n} does not fit ${f.width} bits`);
    }
    ({ hi, lo } = U64.setField(hi, lo, f.shift, f.width, n));
  };
  set('S2SZ', features.s2sz);
  set('LPA2', features.lpa2);
  set('SVE_EN', features.sveEn);
  set('SVE_VL', features.sveVl);
  set('NUM_BPS', features.numBps);
  set('NUM_WPS', features.numWps);
  set('PMU_EN', features.pmuEn);
  set('PMU_NUM_CTRS', features.pmuNumCtrs);
  set('HASH_SHA_256', features.hashSha256);
  set('HASH_SHA_512', features.hashSha512);
  set('GICV3_NUM_LRS', features.gicv3NumLrs);
  set('MAX_RECS_ORDER', features.maxRecsOrder);
  return U64.toBig(hi, lo);
}
