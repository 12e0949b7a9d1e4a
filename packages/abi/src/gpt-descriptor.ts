/**
 * The Granule Protection Table format (TF-A `gpt_rme`): GPI values, the GPCCR_EL3 and GPTBR_EL3
 * fields, and the level-0 (block/table) and level-1 (granules/contiguous) descriptor encodings.
 *
 * The digest's definitions (rmm-abi.md §8.1–§8.4):
 *
 * ```text
 * | GPI | Meaning |
 * |---|---|
 * | 0b0000 (0x0) | No access |
 * | 0b1000 (0x8) | Secure PAS only |
 * | 0b1001 (0x9) | Non-secure PAS only |
 * | 0b1010 (0xA) | Root PAS only |
 * | 0b1011 (0xB) | Realm PAS only |
 * | 0b1111 (0xF) | All access (any PAS) |
 * Other values reserved (TF-A: `GPT_GPI_*`).
 * Access rule: an access to PAS X is permitted iff GPI(granule) == X-only or All-access; otherwise Granule Protection Fault (GPF).
 *
 * GPCCR_EL3: PPS[2:0] (0:4GB/T=32, 1:64GB/36, 2:1TB/40, 3:4TB/42, 4:16TB/44, 5:256TB/48, 6:4PB/52), IRGN[9:8], ORGN[11:10], SH[13:12], PGS[15:14] (0b00 4KB P=12, 0b01 64KB P=16, 0b10 16KB P=14), GPC[16] enable, GPCP[17], L0GPTSZ[23:20] (RO: 0→S=30 (1GB), 4→34 (16GB), 6→36 (64GB), 9→39 (512GB); S = 30 + L0GPTSZ).
 * GPTBR_EL3: BADDR[39:0] = PA[51:12] of the L0 table.
 *
 * Level-0: Entry count = 2^(T−S) if T > S else 1; index = PA >> S; 8-byte entries.
 * L0 descriptor type bits[3:0]: 0b0000 invalid; 0b0001 block: GPI in bits[7:4]; 0b0011 table: bits[51:12] = PA of L1 table.
 * Encoders: block = `0x1 | gpi<<4`; table = `0x3 | (l1_pa & 0x000F_FFFF_FFFF_F000)`.
 *
 * Level-1: entry index = (PA >> (P+4)) & (2^(S−P−4) − 1); GPI nibble g = (PA >> P) & 0xF located at bits [4g+3:4g]. Entry count = 2^(S−P−4).
 * Contiguous descriptor: bits[3:0] = 0b0001, GPI bits[7:4], Contig bits[9:8] (1 = 2 MB, 2 = 32 MB, 3 = 512 MB).
 * ```
 *
 * Descriptors are u32 pairs (`hi`, `lo`) on the hot path; addresses are numbers built with
 * arithmetic.
 * @module
 */
import type { U64 } from '@islet/arch';
import type { World } from './world.ts';

/**
 * Granule Protection Information values.
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export const Gpi = {
  /** `GPT_GPI_NO_ACCESS` */
  NoAccess: 0x0,
  /** `GPT_GPI_SECURE` */
  Secure: 0x8,
  /** `GPT_GPI_NS` */
  NonSecure: 0x9,
  /** `GPT_GPI_ROOT` */
  Root: 0xa,
  /** `GPT_GPI_REALM` */
  Realm: 0xb,
  /** `GPT_GPI_ANY` */
  Any: 0xf,
} as const;
/** A GPI value. @see rmm-abi.md §8.1 @since 0.1.0 */
export type Gpi = (typeof Gpi)[keyof typeof Gpi];

/** Whether `value` is a defined (non-reserved) GPI. @see rmm-abi.md §8.1 @since 0.1.0 */
export function isGpi(value: number): value is Gpi {
  return value === 0 || value === 0xf || (value >= 0x8 && value <= 0xb);
}

/** The "only this PAS" GPI of each world. @see rmm-abi.md §8.1 @since 0.1.0 */
export function gpiOfWorld(world: World): Gpi {
  return (0x8 | world) as Gpi;
}

/**
 * The access rule: whether an access to the PAS of `world` is permitted on a granule with `gpi`
 * (GPI is that PAS only, or any). Otherwise the access takes a granule protection fault.
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export function gpiPermits(gpi: number, world: World): boolean {
  return gpi === Gpi.Any || gpi === (0x8 | world);
}

/**
 * Shift and width of the GPCCR_EL3 fields.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export const GPCCR_FIELDS = {
  PPS: { shift: 0, width: 3 },
  IRGN: { shift: 8, width: 2 },
  ORGN: { shift: 10, width: 2 },
  SH: { shift: 12, width: 2 },
  PGS: { shift: 14, width: 2 },
  GPC: { shift: 16, width: 1 },
  GPCP: { shift: 17, width: 1 },
  L0GPTSZ: { shift: 20, width: 4 },
} as const;

/**
 * GPCCR_EL3, field by field. All fields lie in bits [23:0], so the register is a number.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export interface Gpccr {
  /** PPS[2:0]: protected physical address size. */
  readonly pps: number;
  /** IRGN[9:8]. */
  readonly irgn: number;
  /** ORGN[11:10]. */
  readonly orgn: number;
  /** SH[13:12]. */
  readonly sh: number;
  /** PGS[15:14]: physical granule size. */
  readonly pgs: number;
  /** GPC[16]: granule protection checks enabled. */
  readonly gpc: boolean;
  /** GPCP[17]. */
  readonly gpcp: boolean;
  /** L0GPTSZ[23:20] (read-only). */
  readonly l0gptsz: number;
}

/** Decodes GPCCR_EL3 (the low 32 bits). @see rmm-abi.md §8.2 @since 0.1.0 */
export function decodeGpccr(value: number): Gpccr {
  const f = (x: { readonly shift: number; readonly width: number }): number =>
    (value >>> x.shift) & ((1 << x.width) - 1);
  return {
    pps: f(GPCCR_FIELDS.PPS),
    irgn: f(GPCCR_FIELDS.IRGN),
    orgn: f(GPCCR_FIELDS.ORGN),
    sh: f(GPCCR_FIELDS.SH),
    pgs: f(GPCCR_FIELDS.PGS),
    gpc: f(GPCCR_FIELDS.GPC) === 1,
    gpcp: f(GPCCR_FIELDS.GPCP) === 1,
    l0gptsz: f(GPCCR_FIELDS.L0GPTSZ),
  };
}

/**
 * Encodes GPCCR_EL3.
 * @throws {RangeError} when a field does not fit its width.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function encodeGpccr(gpccr: Gpccr): number {
  let v = 0;
  const put = (name: keyof typeof GPCCR_FIELDS, value: number | boolean): void => {
    const x = GPCCR_FIELDS[name];
    const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    if (!Number.isInteger(n) || n < 0 || n >= 1 << x.width) {
      throw new RangeError(`GPCCR_EL3.${name} = ${n} does not fit ${x.width} bits`);
    }
    v |= n << x.shift;
  };
  put('PPS', gpccr.pps);
  put('IRGN', gpccr.irgn);
  put('ORGN', gpccr.orgn);
  put('SH', gpccr.sh);
  put('PGS', gpccr.pgs);
  put('GPC', gpccr.gpc);
  put('GPCP', gpccr.gpcp);
  put('L0GPTSZ', gpccr.l0gptsz);
  return v >>> 0;
}

const PPS_BITS: readonly number[] = [32, 36, 40, 42, 44, 48, 52];
const PGS_BITS: readonly (number | undefined)[] = [12, 16, 14];

/**
 * T, the protected physical address width, for a PPS value; `undefined` if reserved.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function gpccrPpsBits(pps: number): number | undefined {
  return PPS_BITS[pps];
}

/**
 * P, log2 of the physical granule size, for a PGS value; `undefined` if reserved (0b11).
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function gpccrPgsBits(pgs: number): number | undefined {
  return PGS_BITS[pgs];
}

/**
 * S, log2 of the region one L0 entry covers: 30 + L0GPTSZ.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function gpccrL0gptszBits(l0gptsz: number): number {
  return 30 + l0gptsz;
}

/**
 * The L0 table base address in GPTBR_EL3: BADDR[39:0] × 4096.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function gptbrBaseAddress(hi: number, lo: number): number {
  return (hi & 0xff) * 2 ** 44 + (lo >>> 0) * 4096;
}

/**
 * GPTBR_EL3 for an L0 table at `pa`.
 * @throws {RangeError} when `pa` is not 4 KiB aligned or not below 2^52.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function encodeGptbr(pa: number): U64.U64 {
  if (!Number.isSafeInteger(pa) || pa < 0 || pa >= 2 ** 52 || pa % 4096 !== 0) {
    throw new RangeError(`GPT base ${pa} is not a 4 KiB aligned address below 2^52`);
  }
  const baddr = pa / 4096; // < 2^40
  return { hi: Math.floor(baddr / 0x1_0000_0000), lo: baddr >>> 0 };
}

/**
 * L0 descriptor types, bits [3:0].
 * @see rmm-abi.md §8.3
 * @since 0.1.0
 */
export const GptL0Type = {
  /** `GPT_L0_TYPE_INVALID` (also any undefined type value) */
  Invalid: 0b0000,
  /** `GPT_L0_TYPE_BLK_DESC` */
  Block: 0b0001,
  /** `GPT_L0_TYPE_TBL_DESC` */
  Table: 0b0011,
} as const;
/** An L0 descriptor type. @see rmm-abi.md §8.3 @since 0.1.0 */
export type GptL0Type = (typeof GptL0Type)[keyof typeof GptL0Type];

/** The type of an L0 descriptor; undefined type values read as Invalid. @see rmm-abi.md §8.3 @since 0.1.0 */
export function gptL0Type(lo: number): GptL0Type {
  const t = lo & 0xf;
  return t === GptL0Type.Block || t === GptL0Type.Table ? t : GptL0Type.Invalid;
}

/** The GPI of an L0 block descriptor, bits [7:4]. @see rmm-abi.md §8.3 @since 0.1.0 */
export function gptL0BlockGpi(lo: number): number {
  return (lo >>> 4) & 0xf;
}

/** The L1 table address of an L0 table descriptor, bits [51:12]. @see rmm-abi.md §8.3 @since 0.1.0 */
export function gptL0TableAddress(hi: number, lo: number): number {
  return (hi & 0xf_ffff) * 0x1_0000_0000 + ((lo & 0xffff_f000) >>> 0);
}

/** An L0 block descriptor: `0x1 | gpi << 4`. @see rmm-abi.md §8.3 @since 0.1.0 */
export function gptL0Block(gpi: Gpi): U64.U64 {
  return { hi: 0, lo: GptL0Type.Block | (gpi << 4) };
}

/**
 * An L0 table descriptor: `0x3 | (l1_pa & 0x000F_FFFF_FFFF_F000)`.
 * @throws {RangeError} when `l1Pa` is not 4 KiB aligned or not below 2^52.
 * @see rmm-abi.md §8.3
 * @since 0.1.0
 */
export function gptL0Table(l1Pa: number): U64.U64 {
  if (!Number.isSafeInteger(l1Pa) || l1Pa < 0 || l1Pa >= 2 ** 52 || l1Pa % 4096 !== 0) {
    throw new RangeError(`L1 table ${l1Pa} is not a 4 KiB aligned address below 2^52`);
  }
  return { hi: Math.floor(l1Pa / 0x1_0000_0000), lo: ((l1Pa >>> 0) | GptL0Type.Table) >>> 0 };
}

/** Number of L0 entries: 2^(T−S) if T > S, else 1. @see rmm-abi.md §8.3 @since 0.1.0 */
export function gptL0Entries(t: number, s: number): number {
  return t > s ? 2 ** (t - s) : 1;
}

/** The L0 index of `pa`: PA >> S. @see rmm-abi.md §8.3 @since 0.1.0 */
export function gptL0Index(pa: number, s: number): number {
  return Math.floor(pa / 2 ** s);
}

/** Number of entries in one L1 table: 2^(S−P−4). @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1Entries(s: number, p: number): number {
  return 2 ** (s - p - 4);
}

/** The L1 index of `pa`: (PA >> (P+4)) & (2^(S−P−4) − 1). @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1Index(pa: number, s: number, p: number): number {
  return Math.floor(pa / 2 ** (p + 4)) % 2 ** (s - p - 4);
}

/** Which GPI nibble of an L1 granules descriptor covers `pa`: (PA >> P) & 0xF. @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1GpiIndex(pa: number, p: number): number {
  return Math.floor(pa / 2 ** p) % 16;
}

/** GPI nibble `g` (0..15) of an L1 granules descriptor, bits [4g+3:4g]. @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1Gpi(hi: number, lo: number, g: number): number {
  return g < 8 ? (lo >>> (4 * g)) & 0xf : (hi >>> (4 * (g - 8))) & 0xf;
}

/** An L1 granules descriptor with GPI nibble `g` replaced by `gpi`. @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1SetGpi(hi: number, lo: number, g: number, gpi: Gpi): U64.U64 {
  return g < 8
    ? { hi: hi >>> 0, lo: gptL1SetGpiHalf(lo, g, gpi) }
    : { hi: gptL1SetGpiHalf(hi, g - 8, gpi), lo: lo >>> 0 };
}

/**
 * One 32-bit half of an L1 granules descriptor (its nibbles `0..7`) with nibble `n` replaced by
 * `gpi`: what a granule transition rewrites, without building the whole descriptor.
 * @see rmm-abi.md §8.4
 * @since 0.9.0
 */
export function gptL1SetGpiHalf(half: number, n: number, gpi: Gpi): number {
  const s = 4 * n;
  return ((half & ~(0xf << s)) | (gpi << s)) >>> 0;
}

/**
 * An L1 granules descriptor with all 16 granules at `gpi` (e.g. all-NS 0x9999_9999_9999_9999).
 * @see rmm-abi.md §8.4
 * @since 0.1.0
 */
export function gptL1Fill(gpi: Gpi): U64.U64 {
  const w = (gpi * 0x1111_1111) >>> 0;
  return { hi: w, lo: w };
}

/** Contig field values of an L1 contiguous descriptor. @see rmm-abi.md §8.4 @since 0.1.0 */
export const GptL1Contig = {
  /** 2 MB */
  Size2M: 1,
  /** 32 MB */
  Size32M: 2,
  /** 512 MB */
  Size512M: 3,
} as const;
/** A Contig field value. @see rmm-abi.md §8.4 @since 0.1.0 */
export type GptL1Contig = (typeof GptL1Contig)[keyof typeof GptL1Contig];

/**
 * Whether an L1 descriptor is a contiguous descriptor (bits [3:0] = 0b0001; 0b0001 is not a
 * valid GPI, so it never is a granules descriptor).
 * @see rmm-abi.md §8.4
 * @since 0.1.0
 */
export function isGptL1Contig(lo: number): boolean {
  return (lo & 0xf) === 0b0001;
}

/** An L1 contiguous descriptor: 0b0001 | gpi << 4 | contig << 8. @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1ContigDesc(gpi: Gpi, contig: GptL1Contig): U64.U64 {
  return { hi: 0, lo: 0b0001 | (gpi << 4) | (contig << 8) };
}

/** The GPI of an L1 contiguous descriptor, bits [7:4]. @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1ContigGpi(lo: number): number {
  return (lo >>> 4) & 0xf;
}

/** The Contig field of an L1 contiguous descriptor, bits [9:8]. @see rmm-abi.md §8.4 @since 0.1.0 */
export function gptL1ContigSize(lo: number): number {
  return (lo >>> 8) & 0b11;
}

/** The World whose PAS a GPI grants exclusively, or undefined (no access, any, reserved). @see rmm-abi.md §8.1 @since 0.1.0 */
export function worldOfGpi(gpi: number): World | undefined {
  return gpi >= 0x8 && gpi <= 0xb ? ((gpi & 0x3) as World) : undefined;
}
