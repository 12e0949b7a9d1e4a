/**
 * RmiRecParams: the 4 KiB structure in host memory that RMI_REC_CREATE reads, and the MPIDR →
 * REC index rule.
 *
 * The digest's layout (0x1000, read by REC_CREATE):
 *
 * ```text
 * | Offset | Field |
 * |---|---|
 * | 0x000 | flags u64 (bit0 RUNNABLE) |
 * | 0x100 | mpidr u64 (RmiRecMpidr: Aff0[3:0], Aff1[15:8], Aff2[23:16], Aff3[31:24]; all other bits must be 0) |
 * | 0x200 | pc u64 |
 * | 0x300 | gprs[8] u64 (X0..X7), 0x300..0x33F |
 * | 0x800 | num_aux u64 |
 * | 0x808 | aux[16] u64 PAs (0x808..0x887) |
 * ```
 *
 * **What the RMM must check, in TF-RMM order** (rmm-abi.md §2.9): num_aux ≤ 16 (INPUT) and each
 * aux[i < num_aux] (INPUT) — both done by {@link validateRecParams}; then the rec/rd granules,
 * the RD refcount and realm state (REALM); only then the MPIDR ({@link isValidRecMpidr},
 * {@link recIndexFromMpidr}, INPUT) and num_aux == the realm's aux count (INPUT). The MPIDR is
 * deliberately not checked by `validateRecParams`, so that a REALM error keeps its priority.
 * @module
 */
import { type Bytes, GRANULE_SIZE, MAX_ADDRESS, type PhysAddr } from '@islet/arch';
import {
  readSmallU64,
  readU64s,
  structView,
  writeSmallU64,
  writeU64,
  writeU64s,
} from './internal/codec.ts';
import type { Validation } from './validation.ts';

/** Size of RmiRecParams. @see rmm-abi.md §3.2 @since 0.1.0 */
export const REC_PARAMS_SIZE = 0x1000;
/** Number of general-purpose registers in RmiRecParams (X0..X7). @see rmm-abi.md §3.2 @since 0.1.0 */
export const REC_CREATE_NR_GPRS = 8;
/**
 * Most auxiliary granules a REC can have (`MAX_REC_AUX_GRANULES`); TF-RMM's RMI_REC_AUX_COUNT
 * always returns this value.
 * @see rmm-abi.md §2.8, §3.2
 * @since 0.1.0
 */
export const MAX_REC_AUX_GRANULES = 16;

/**
 * Offset and size (bytes) of every field of RmiRecParams.
 * @see rmm-abi.md §3.2
 * @since 0.1.0
 */
export const REC_PARAMS_LAYOUT = {
  flags: { offset: 0x000, size: 8 },
  mpidr: { offset: 0x100, size: 8 },
  pc: { offset: 0x200, size: 8 },
  gprs: { offset: 0x300, size: 0x40 },
  num_aux: { offset: 0x800, size: 8 },
  aux: { offset: 0x808, size: 0x80 },
} as const;

/**
 * RmiRecCreateFlags bits of `flags`.
 * @see rmm-abi.md §3.2
 * @since 0.1.0
 */
export const RmiRecCreateFlag = {
  /** bit 0: `RMI_RUNNABLE` */
  Runnable: 0x1n,
} as const;
/** An RmiRecCreateFlags bit. @see rmm-abi.md §3.2 @since 0.1.0 */
export type RmiRecCreateFlag = (typeof RmiRecCreateFlag)[keyof typeof RmiRecCreateFlag];

/**
 * The bits of an RmiRecMpidr that may be set: Aff0[3:0], Aff1[15:8], Aff2[23:16], Aff3[31:24].
 * @see rmm-abi.md §3.2
 * @since 0.1.0
 */
export const REC_MPIDR_MASK: bigint = 0xffff_ff0fn;

/**
 * RmiRecParams as it is in memory; every field is 64-bit and bigint, except `num_aux`, a count.
 * @see rmm-abi.md §3.2
 * @since 0.1.0
 */
export interface RecParams {
  /** `flags` u64 @ 0x000: RmiRecCreateFlags. */
  readonly flags: bigint;
  /** `mpidr` u64 @ 0x100: RmiRecMpidr (raw). */
  readonly mpidr: bigint;
  /** `pc` u64 @ 0x200. */
  readonly pc: bigint;
  /** `gprs[8]` u64 @ 0x300: X0..X7. */
  readonly gprs: readonly bigint[];
  /** `num_aux` u64 @ 0x800 (beyond 2^53 decodes as Infinity). */
  readonly numAux: number;
  /** `aux[16]` u64 @ 0x808: PAs (raw; all 16 slots, whatever `num_aux` says). */
  readonly aux: readonly bigint[];
}

const L = REC_PARAMS_LAYOUT;

/**
 * Decodes RmiRecParams from a 4 KiB page. Never throws on content.
 * @throws {RangeError} when `page` is not 0x1000 bytes long.
 * @see rmm-abi.md §3.2
 * @since 0.1.0
 */
export function decodeRecParams(page: Uint8Array): RecParams {
  const v = structView(page, REC_PARAMS_SIZE, 'RmiRecParams');
  return {
    flags: v.getBigUint64(L.flags.offset, true),
    mpidr: v.getBigUint64(L.mpidr.offset, true),
    pc: v.getBigUint64(L.pc.offset, true),
    gprs: readU64s(v, L.gprs.offset, REC_CREATE_NR_GPRS),
    numAux: readSmallU64(v, L.num_aux.offset),
    aux: readU64s(v, L.aux.offset, MAX_REC_AUX_GRANULES),
  };
}

/**
 * Writes the fields of RmiRecParams into `out`; reserved bytes are left as they are.
 * @throws {RangeError} when `out` is not 0x1000 bytes, `gprs` is not 8 or `aux` not 16 values,
 * or a value does not fit.
 * @see rmm-abi.md §3.2
 * @since 0.1.0
 */
export function writeRecParams(out: Uint8Array, params: RecParams): void {
  const v = structView(out, REC_PARAMS_SIZE, 'RmiRecParams');
  writeU64(v, L.flags.offset, params.flags, 'flags');
  writeU64(v, L.mpidr.offset, params.mpidr, 'mpidr');
  writeU64(v, L.pc.offset, params.pc, 'pc');
  writeU64s(v, L.gprs.offset, params.gprs, REC_CREATE_NR_GPRS, 'gprs');
  writeSmallU64(v, L.num_aux.offset, params.numAux, 'num_aux');
  writeU64s(v, L.aux.offset, params.aux, MAX_REC_AUX_GRANULES, 'aux');
}

/**
 * Encodes RmiRecParams into a fresh zeroed page.
 * @throws {RangeError} as {@link writeRecParams}.
 * @see rmm-abi.md §3.2
 * @since 0.1.0
 */
export function encodeRecParams(params: RecParams): Bytes {
  const out = new Uint8Array(REC_PARAMS_SIZE);
  writeRecParams(out, params);
  return out;
}

/**
 * Whether an MPIDR is a valid RmiRecMpidr: no bits outside {@link REC_MPIDR_MASK}.
 * @see rmm-abi.md §2.9 step 7, §3.2
 * @since 0.1.0
 */
export function isValidRecMpidr(mpidr: bigint): boolean {
  return (mpidr & ~REC_MPIDR_MASK) === 0n;
}

/**
 * The REC index of an RmiRecMpidr (`rec_idx` in TF-RMM `rec.h`):
 * `Aff0[3:0] | Aff1 << 4 | Aff2 << 12 | Aff3 << 20`. RECs must be created in index order.
 * Bits outside the mask are ignored; check {@link isValidRecMpidr} first.
 * @see rmm-abi.md §2.9
 * @since 0.1.0
 */
export function recIndexFromMpidr(mpidr: bigint): number {
  const m = Number(mpidr & 0xffff_ffffn);
  return (
    ((m & 0xf) | (((m >>> 8) & 0xff) << 4) | (((m >>> 16) & 0xff) << 12) | ((m >>> 24) << 20)) >>> 0
  );
}

/**
 * The REC index a realm names in PSCI (CPU_ON and AFFINITY_INFO `target_cpu`), which is in the
 * MPIDR_EL1 layout with Aff3 at [39:32]: `Aff0[3:0] | Aff1 << 4 | Aff2 << 12 | Aff3 << 20`.
 * Other bits are ignored.
 * @see rmm-abi.md §2.23 step 6, §5.11
 * @since 0.4.0
 */
export function recIndexFromPsciMpidr(mpidr: bigint): number {
  const aff3 = Number((mpidr >> 32n) & 0xffn);
  return recIndexFromMpidr((mpidr & 0xff_ffffn) | (BigInt(aff3) << 24n));
}

/**
 * RmiRecParams after {@link validateRecParams}: flags split out, `num_aux` ≤ 16, and the first
 * `num_aux` aux addresses as 4 KiB-aligned physical addresses below 2^52.
 * @see rmm-abi.md §2.9, §3.2
 * @since 0.1.0
 */
export interface CheckedRecParams {
  /** The full `flags` value (measured as given). */
  readonly flags: bigint;
  /** flags bit 0: the REC starts runnable (and only then is measured). */
  readonly runnable: boolean;
  /** `mpidr`, NOT checked (see the module doc). */
  readonly mpidr: bigint;
  /** `pc`. */
  readonly pc: bigint;
  /** `gprs[8]`. */
  readonly gprs: readonly bigint[];
  /** `num_aux`, ≤ 16; the RMM still checks it equals the realm's aux count. */
  readonly numAux: number;
  /** `aux[0..num_aux)`. */
  readonly aux: readonly PhysAddr[];
}

/**
 * Checks `num_aux` ≤ 16 and that each `aux[i]` with i < num_aux is a 4 KiB-aligned address below
 * 2^52 (TF-RMM steps 2 and 3, both RMI_ERROR_INPUT), and returns the typed view. Granule lookups,
 * the MPIDR and the aux count are left to the RMM (module doc).
 * @see rmm-abi.md §2.9
 * @since 0.1.0
 */
export function validateRecParams(params: RecParams): Validation<CheckedRecParams> {
  const { numAux } = params;
  if (!Number.isInteger(numAux) || numAux > MAX_REC_AUX_GRANULES) {
    return {
      ok: false,
      field: 'num_aux',
      reason: `${numAux} is more than ${MAX_REC_AUX_GRANULES}`,
    };
  }
  const aux: PhysAddr[] = [];
  for (let i = 0; i < numAux; i++) {
    const a = params.aux[i]!;
    if (a >= BigInt(MAX_ADDRESS)) {
      return { ok: false, field: `aux[${i}]`, reason: 'not a physical address below 2^52' };
    }
    const pa = Number(a);
    if (pa % GRANULE_SIZE !== 0) {
      return { ok: false, field: `aux[${i}]`, reason: 'not 4 KiB aligned' };
    }
    aux.push(pa as PhysAddr);
  }
  return {
    ok: true,
    value: {
      flags: params.flags,
      runnable: (params.flags & RmiRecCreateFlag.Runnable) !== 0n,
      mpidr: params.mpidr,
      pc: params.pc,
      gprs: params.gprs,
      numAux,
      aux,
    },
  };
}
