/**
 * The shape of a GPT: T (protected physical address width, from GPCCR_EL3.PPS), S (the region one
 * L0 entry covers, from L0GPTSZ) and P (the granule size, from PGS; 4 KiB only), and the table
 * sizes they imply.
 *
 * ```text
 * GPCCR_EL3: PPS[2:0] (0:4GB/T=32, 1:64GB/36, 2:1TB/40, 3:4TB/42, 4:16TB/44, 5:256TB/48, 6:4PB/52),
 * PGS[15:14] (0b00 4KB P=12, ...), L0GPTSZ[23:20] (RO: 0→S=30 (1GB), 4→34 (16GB), 6→36 (64GB),
 * 9→39 (512GB); S = 30 + L0GPTSZ).
 * L0: entry count = 2^(T−S) if T > S else 1; 8-byte entries.
 * L1: entry count = 2^(S−P−4) per table (each entry: 16 granules); e.g. P=12, S=30: 16384 entries (128 KiB).
 * ```
 * @see rmm-abi.md §8.2, §8.3, §8.4
 * @module
 */
import {
  gpccrL0gptszBits,
  gpccrPgsBits,
  gpccrPpsBits,
  gptL0Entries,
  gptL1Entries,
} from '@islet/abi';
import { GRANULE_SHIFT } from '@islet/arch';
import { GptError } from './gpt-error.ts';

/**
 * GPCCR_EL3.PPS encodings by protected size.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export const GpccrPps = {
  /** 4 GB, T = 32. */
  Size4GB: 0,
  /** 64 GB, T = 36. */
  Size64GB: 1,
  /** 1 TB, T = 40. */
  Size1TB: 2,
  /** 4 TB, T = 42. */
  Size4TB: 3,
  /** 16 TB, T = 44. */
  Size16TB: 4,
  /** 256 TB, T = 48. */
  Size256TB: 5,
  /** 4 PB, T = 52. */
  Size4PB: 6,
} as const;
/** A GPCCR_EL3.PPS value. @see rmm-abi.md §8.2 @since 0.1.0 */
export type GpccrPps = (typeof GpccrPps)[keyof typeof GpccrPps];

/**
 * The GPCCR_EL3.L0GPTSZ values the architecture defines (the field is read-only on hardware: the
 * platform fixes it; here the caller chooses it).
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export const GpccrL0gptsz = {
  /** Each L0 entry covers 1 GB, S = 30 (the FVP's value). */
  Size1GB: 0,
  /** 16 GB, S = 34. */
  Size16GB: 4,
  /** 64 GB, S = 36. */
  Size64GB: 6,
  /** 512 GB, S = 39. */
  Size512GB: 9,
} as const;
/** A GPCCR_EL3.L0GPTSZ value. @see rmm-abi.md §8.2 @since 0.1.0 */
export type GpccrL0gptsz = (typeof GpccrL0gptsz)[keyof typeof GpccrL0gptsz];

/**
 * GPCCR_EL3.PGS for 4 KiB granules, the only size CCA uses (and this model supports).
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export const GPCCR_PGS_4KB = 0b00;

/**
 * The geometry of a GPT, every size a number of bytes or entries.
 * @see rmm-abi.md §8.2–§8.4
 * @since 0.1.0
 */
export interface GptGeometry {
  /** GPCCR_EL3.PPS. */
  readonly pps: GpccrPps;
  /** T: the protected physical address space is [0, 2^T). */
  readonly t: number;
  /** GPCCR_EL3.L0GPTSZ. */
  readonly l0gptsz: GpccrL0gptsz;
  /** S: one L0 entry covers 2^S bytes. */
  readonly s: number;
  /** P: log2 of the granule size (12). */
  readonly p: number;
  /** 2^T. */
  readonly protectedSize: number;
  /** 2^S. */
  readonly l0RegionSize: number;
  /** Granules in the protected space: 2^(T−P). */
  readonly granules: number;
  /** Granules under one L0 entry: 2^(S−P). */
  readonly granulesPerL0: number;
  /** Entries in the L0 table. */
  readonly l0Entries: number;
  /** Bytes of the L0 table (entries × 8). */
  readonly l0TableSize: number;
  /** Entries in one L1 table. */
  readonly l1Entries: number;
  /** Bytes of one L1 table (entries × 8); L1 tables are aligned to it, as TF-A requires. */
  readonly l1TableSize: number;
}

const L0GPTSZ_VALUES: readonly number[] = Object.values(GpccrL0gptsz);

/**
 * The geometry for a PPS and an L0GPTSZ, with 4 KiB granules.
 * @param pps - GPCCR_EL3.PPS (0..6).
 * @param l0gptsz - GPCCR_EL3.L0GPTSZ (0, 4, 6 or 9).
 * @throws {@link GptError} `GPT_CONFIG_INVALID` for a reserved value.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function gptGeometry(pps: number, l0gptsz: number): GptGeometry {
  const t = Number.isInteger(pps) ? gpccrPpsBits(pps) : undefined;
  if (t === undefined) {
    throw new GptError('GPT_CONFIG_INVALID', 'reserved GPCCR_EL3.PPS', { details: `PPS = ${pps}` });
  }
  if (!L0GPTSZ_VALUES.includes(l0gptsz)) {
    throw new GptError('GPT_CONFIG_INVALID', 'reserved GPCCR_EL3.L0GPTSZ', {
      details: `L0GPTSZ = ${l0gptsz}; defined values are 0, 4, 6 and 9`,
    });
  }
  const s = gpccrL0gptszBits(l0gptsz);
  const p = gpccrPgsBits(GPCCR_PGS_4KB) ?? GRANULE_SHIFT;
  const l0Entries = gptL0Entries(t, s);
  const l1Entries = gptL1Entries(s, p);
  return {
    pps: pps as GpccrPps,
    t,
    l0gptsz: l0gptsz as GpccrL0gptsz,
    s,
    p,
    protectedSize: 2 ** t,
    l0RegionSize: 2 ** s,
    granules: 2 ** (t - p),
    granulesPerL0: 2 ** (s - p),
    l0Entries,
    l0TableSize: l0Entries * 8,
    l1Entries,
    l1TableSize: l1Entries * 8,
  };
}
