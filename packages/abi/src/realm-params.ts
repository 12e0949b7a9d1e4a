/**
 * RmiRealmParams: the 4 KiB structure in host (Normal-world) memory that RMI_REALM_CREATE reads.
 *
 * The digest's layout (0x1000 bytes, host NS memory, read by REALM_CREATE):
 *
 * ```text
 * | Offset | Field | TF-RMM type read | Spec width | Notes |
 * |---|---|---|---|---|
 * | 0x000 | flags | u64 | 64 | bit0 LPA2, bit1 SVE, bit2 PMU (RmiRealmFlags) |
 * | 0x008 | s2sz | u32 | 8 | IPA width |
 * | 0x010 | sve_vl | u32 | 8 | encoded (VL/128)-1 |
 * | 0x018 | num_bps | u32 | 8 | |
 * | 0x020 | num_wps | u32 | 8 | |
 * | 0x028 | pmu_num_ctrs | u32 | 8 | |
 * | 0x030 | hash_algo | u8 | 8 | 0 SHA-256, 1 SHA-512 |
 * | 0x400 | rpv[64] | 64 bytes | 512 | Realm Personalization Value |
 * | 0x800 | vmid | u16 | 16 | |
 * | 0x808 | rtt_base | u64 | 64 | PA of first root RTT |
 * | 0x810 | rtt_level_start | s64 | 64 | |
 * | 0x818 | rtt_num_start | u32 | 32 | |
 * ```
 *
 * Fields are decoded at TF-RMM's read widths (u32 for the spec's 8-bit fields), because TF-RMM
 * measures those widths (rmm-abi.md §6.2, §11.3). All other bytes are reserved and ignored.
 *
 * **What the RMM must still check** (all RMI_ERROR_INPUT, rmm-abi.md §2.5): everything that
 * depends on the platform's feature register 0 (LPA2, s2sz range, num_bps/num_wps, SVE, PMU),
 * the (s2sz, rtt_level_start) geometry and rtt_num_start (§4.6), VMID range and uniqueness, rd and
 * root-RTT aliasing and granule states. {@link validateRealmParams} checks only what needs no
 * platform or RMM state.
 * @module
 */
import { type Bytes, GRANULE_SIZE, MAX_ADDRESS, type PhysAddr } from '@islet/arch';
import { isHashAlgorithm, type RmiHashAlgorithm } from './hash-algorithm.ts';
import {
  checkBytes,
  checkUint,
  readSmallS64,
  structView,
  writeSmallS64,
  writeU64,
} from './internal/codec.ts';
import type { Validation } from './validation.ts';

/** Size of RmiRealmParams. @see rmm-abi.md §3.1 @since 0.1.0 */
export const REALM_PARAMS_SIZE = 0x1000;
/** Size of the Realm Personalization Value. @see rmm-abi.md §3.1 @since 0.1.0 */
export const RPV_SIZE = 64;

/**
 * Offset and size (bytes, at TF-RMM's read width) of every field of RmiRealmParams.
 * @see rmm-abi.md §3.1
 * @since 0.1.0
 */
export const REALM_PARAMS_LAYOUT = {
  flags: { offset: 0x000, size: 8 },
  s2sz: { offset: 0x008, size: 4 },
  sve_vl: { offset: 0x010, size: 4 },
  num_bps: { offset: 0x018, size: 4 },
  num_wps: { offset: 0x020, size: 4 },
  pmu_num_ctrs: { offset: 0x028, size: 4 },
  hash_algo: { offset: 0x030, size: 1 },
  rpv: { offset: 0x400, size: 64 },
  vmid: { offset: 0x800, size: 2 },
  rtt_base: { offset: 0x808, size: 8 },
  rtt_level_start: { offset: 0x810, size: 8 },
  rtt_num_start: { offset: 0x818, size: 4 },
} as const;

/**
 * RmiRealmFlags bits of `flags`.
 * @see rmm-abi.md §3.1
 * @since 0.1.0
 */
export const RmiRealmFlag = {
  /** bit 0: `RMI_REALM_FLAGS_LPA2` */
  Lpa2: 0x1n,
  /** bit 1: `RMI_REALM_FLAGS_SVE` */
  Sve: 0x2n,
  /** bit 2: `RMI_REALM_FLAGS_PMU` */
  Pmu: 0x4n,
} as const;
/** An RmiRealmFlags bit. @see rmm-abi.md §3.1 @since 0.1.0 */
export type RmiRealmFlag = (typeof RmiRealmFlag)[keyof typeof RmiRealmFlag];

/**
 * RmiRealmParams as it is in memory: 64-bit fields are bigint (any value the host writes), the
 * narrower fields numbers at TF-RMM's read width. Field names are the spec's in camelCase.
 * @see rmm-abi.md §3.1
 * @since 0.1.0
 */
export interface RealmParams {
  /** `flags` u64 @ 0x000: RmiRealmFlags (measured in full). */
  readonly flags: bigint;
  /** `s2sz` u32 @ 0x008: IPA width. */
  readonly s2sz: number;
  /** `sve_vl` u32 @ 0x010: (VL/128)-1. */
  readonly sveVl: number;
  /** `num_bps` u32 @ 0x018. */
  readonly numBps: number;
  /** `num_wps` u32 @ 0x020. */
  readonly numWps: number;
  /** `pmu_num_ctrs` u32 @ 0x028. */
  readonly pmuNumCtrs: number;
  /** `hash_algo` u8 @ 0x030 (raw; see {@link validateRealmParams}). */
  readonly hashAlgo: number;
  /** `rpv[64]` @ 0x400: Realm Personalization Value. */
  readonly rpv: Bytes;
  /** `vmid` u16 @ 0x800. */
  readonly vmid: number;
  /** `rtt_base` u64 @ 0x808: PA of the first root RTT (raw). */
  readonly rttBase: bigint;
  /** `rtt_level_start` s64 @ 0x810 (a value beyond ±2^53 decodes as ±Infinity). */
  readonly rttLevelStart: number;
  /** `rtt_num_start` u32 @ 0x818. */
  readonly rttNumStart: number;
}

const L = REALM_PARAMS_LAYOUT;

/**
 * Decodes RmiRealmParams from a 4 KiB page. Never throws on content: every bit pattern decodes.
 * The RPV is copied out of `page`.
 * @param page - the 0x1000 bytes copied in from host memory.
 * @throws {RangeError} when `page` is not 0x1000 bytes long.
 * @see rmm-abi.md §3.1
 * @since 0.1.0
 */
export function decodeRealmParams(page: Uint8Array): RealmParams {
  const v = structView(page, REALM_PARAMS_SIZE, 'RmiRealmParams');
  return {
    flags: v.getBigUint64(L.flags.offset, true),
    s2sz: v.getUint32(L.s2sz.offset, true),
    sveVl: v.getUint32(L.sve_vl.offset, true),
    numBps: v.getUint32(L.num_bps.offset, true),
    numWps: v.getUint32(L.num_wps.offset, true),
    pmuNumCtrs: v.getUint32(L.pmu_num_ctrs.offset, true),
    hashAlgo: v.getUint8(L.hash_algo.offset),
    rpv: page.slice(L.rpv.offset, L.rpv.offset + RPV_SIZE),
    vmid: v.getUint16(L.vmid.offset, true),
    rttBase: v.getBigUint64(L.rtt_base.offset, true),
    rttLevelStart: readSmallS64(v, L.rtt_level_start.offset),
    rttNumStart: v.getUint32(L.rtt_num_start.offset, true),
  };
}

/**
 * Writes the fields of RmiRealmParams into `out`; reserved bytes are left as they are.
 * @throws {RangeError} when `out` is not 0x1000 bytes or a field does not fit its width.
 * @see rmm-abi.md §3.1
 * @since 0.1.0
 */
export function writeRealmParams(out: Uint8Array, params: RealmParams): void {
  const v = structView(out, REALM_PARAMS_SIZE, 'RmiRealmParams');
  writeU64(v, L.flags.offset, params.flags, 'flags');
  v.setUint32(L.s2sz.offset, checkUint(params.s2sz, 32, 's2sz'), true);
  v.setUint32(L.sve_vl.offset, checkUint(params.sveVl, 32, 'sve_vl'), true);
  v.setUint32(L.num_bps.offset, checkUint(params.numBps, 32, 'num_bps'), true);
  v.setUint32(L.num_wps.offset, checkUint(params.numWps, 32, 'num_wps'), true);
  v.setUint32(L.pmu_num_ctrs.offset, checkUint(params.pmuNumCtrs, 32, 'pmu_num_ctrs'), true);
  v.setUint8(L.hash_algo.offset, checkUint(params.hashAlgo, 8, 'hash_algo'));
  out.set(checkBytes(params.rpv, RPV_SIZE, 'rpv'), L.rpv.offset);
  v.setUint16(L.vmid.offset, checkUint(params.vmid, 16, 'vmid'), true);
  writeU64(v, L.rtt_base.offset, params.rttBase, 'rtt_base');
  writeSmallS64(v, L.rtt_level_start.offset, params.rttLevelStart, 'rtt_level_start');
  v.setUint32(L.rtt_num_start.offset, checkUint(params.rttNumStart, 32, 'rtt_num_start'), true);
}

/**
 * Encodes RmiRealmParams into a fresh zeroed page.
 * @throws {RangeError} when a field does not fit its width.
 * @see rmm-abi.md §3.1
 * @since 0.1.0
 */
export function encodeRealmParams(params: RealmParams): Bytes {
  const out = new Uint8Array(REALM_PARAMS_SIZE);
  writeRealmParams(out, params);
  return out;
}

/**
 * RmiRealmParams after {@link validateRealmParams}: flags split out, typed hash algorithm, rtt_base
 * as a granule-aligned physical address and rtt_level_start in [-1, 3].
 * @see rmm-abi.md §3.1, §2.5
 * @since 0.1.0
 */
export interface CheckedRealmParams {
  /** The full `flags` value (measured as given). */
  readonly flags: bigint;
  /** flags bit 0. */
  readonly lpa2: boolean;
  /** flags bit 1. */
  readonly sve: boolean;
  /** flags bit 2. */
  readonly pmu: boolean;
  /** `s2sz`, unchecked against the platform. */
  readonly s2sz: number;
  /** `sve_vl`, unchecked (only meaningful when `sve`). */
  readonly sveVl: number;
  /** `num_bps`, unchecked. */
  readonly numBps: number;
  /** `num_wps`, unchecked. */
  readonly numWps: number;
  /** `pmu_num_ctrs`, unchecked (only meaningful when `pmu`). */
  readonly pmuNumCtrs: number;
  /** `hash_algo`, one of the defined algorithms. */
  readonly hashAlgo: RmiHashAlgorithm;
  /** `rpv`. */
  readonly rpv: Bytes;
  /** `vmid`, unchecked against the VMID width and the VMIDs in use. */
  readonly vmid: number;
  /** `rtt_base`, below 2^52 and 4 KiB aligned. */
  readonly rttBase: PhysAddr;
  /** `rtt_level_start`, in [-1, 3] (−1 needs LPA2; the RMM checks the geometry). */
  readonly rttLevelStart: number;
  /** `rtt_num_start`, unchecked against the geometry. */
  readonly rttNumStart: number;
}

/**
 * Checks the constraints on RmiRealmParams that need no platform or RMM state, and returns the
 * typed view. A failure is RMI_ERROR_INPUT for REALM_CREATE (every REALM_CREATE failure is INPUT,
 * so checking these first does not change the status the host sees).
 *
 * Checked: `hash_algo` ∈ {0, 1} (§2.5 h); `rtt_level_start` ∈ [-1, 3] (§4.6); `rtt_base` < 2^52
 * and 4 KiB aligned (§2.5 step 4: the root RTT granules must be findable).
 * Not checked (reserved bits of `flags` are measured, not rejected, by TF-RMM): see the module doc.
 * @see rmm-abi.md §2.5, §3.1
 * @since 0.1.0
 */
export function validateRealmParams(params: RealmParams): Validation<CheckedRealmParams> {
  const { hashAlgo, rttLevelStart, rttBase } = params;
  if (!isHashAlgorithm(hashAlgo)) {
    return {
      ok: false,
      field: 'hash_algo',
      reason: `${hashAlgo} is not SHA-256 (0) or SHA-512 (1)`,
    };
  }
  if (!Number.isInteger(rttLevelStart) || rttLevelStart < -1 || rttLevelStart > 3) {
    return { ok: false, field: 'rtt_level_start', reason: `${rttLevelStart} is not in [-1, 3]` };
  }
  if (rttBase >= BigInt(MAX_ADDRESS)) {
    return { ok: false, field: 'rtt_base', reason: 'not a physical address below 2^52' };
  }
  const base = Number(rttBase);
  if (base % GRANULE_SIZE !== 0) {
    return { ok: false, field: 'rtt_base', reason: 'not 4 KiB aligned' };
  }
  const f = params.flags;
  return {
    ok: true,
    value: {
      flags: f,
      lpa2: (f & RmiRealmFlag.Lpa2) !== 0n,
      sve: (f & RmiRealmFlag.Sve) !== 0n,
      pmu: (f & RmiRealmFlag.Pmu) !== 0n,
      s2sz: params.s2sz,
      sveVl: params.sveVl,
      numBps: params.numBps,
      numWps: params.numWps,
      pmuNumCtrs: params.pmuNumCtrs,
      hashAlgo,
      rpv: params.rpv,
      vmid: params.vmid,
      rttBase: base as PhysAddr,
      rttLevelStart,
      rttNumStart: params.rttNumStart,
    },
  };
}
