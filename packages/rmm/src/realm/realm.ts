/**
 * Realms: the RMM's record of each Realm Descriptor (TF-RMM `runtime/include/realm.h struct rd`),
 * the realm state machine and the stage-2 geometry rules of REALM_CREATE.
 *
 * **State machine** (rmm-abi.md §4.2):
 *
 * ```text
 * NEW --REALM_ACTIVATE--> ACTIVE --PSCI SYSTEM_OFF / SYSTEM_RESET from any REC--> SYSTEM_OFF.
 * - NEW only: DATA_CREATE, RTT_INIT_RIPAS, REC_CREATE, REALM_ACTIVATE.
 * - REALM_DESTROY allowed in any state if not live (no RECs, no non-root RTTs/assigned at root).
 * - RIM is frozen once ACTIVE (no more RIM-extending commands succeed).
 * ```
 *
 * **Storage**: a `Map<number, Realm>` keyed by the RD's granule index, plus a `Uint8Array`
 * bitmap of the VMIDs in use. TF-RMM keeps the `struct rd` inside the RD granule; here the RD
 * granule's bytes stay zero (so REALM_DESTROY's zeroing is trivially exact) and the record lives
 * in the Map. A Map and not a typed array because a realm is a structured, variable-size record
 * (measurements, RPV, root RTT list), there are few of them, and it is looked up once per RMI
 * call, never per memory access; the per-access hot paths (granule states) stay typed arrays
 * (STYLE.md §6). The key is a granule index (a `number`), never a bigint address.
 *
 * **Invariants** (kept by the RMI handlers, asserted where cheap):
 * - `realms.get(i)` exists ⇔ granule `i` is in state RD;
 * - the RD granule's refcount = number of live RECs of the realm (REC_CREATE +1, REC_DESTROY −1);
 * - `recCount` (the next REC index) only grows; it is not the number of live RECs;
 * - the root RTTs `rttBase + k·4K`, k < `rttNumStart`, are in state RTT while the realm exists;
 * - a VMID is marked in use ⇔ exactly one live realm has it;
 * - `measurements` is five 64-byte slots (RIM, REM0..3); bytes beyond the digest length are 0.
 *
 * **Locking**: none. The model is single-threaded and every RMI call runs to completion, so the
 * handlers check every condition before changing anything (TF-RMM's lock-then-transition is
 * replaced by check-then-commit).
 * @module
 */
import { type RealmState, RTT_MIN_LEVEL, RTT_MIN_LEVEL_LPA2, RTT_PAGE_LEVEL } from '@islet/abi';
import { assert, type PhysAddr } from '@islet/arch';
import {
  MEASUREMENT_SLOT_COUNT,
  MEASUREMENT_SLOT_SIZE,
  type MeasurementHash,
} from '../measurement/measurement.ts';
import type { L3Table } from '../rtt/rtt-walk.ts';

/**
 * One realm (TF-RMM `struct rd`). Mutable fields are changed only by the RMI handlers.
 * @see rmm-abi.md §2.5, §4.2
 * @since 0.2.0
 */
export interface Realm {
  /** Granule index of the RD. */
  readonly rdIdx: number;
  /** Lifecycle state. */
  state: RealmState;
  /** The realm's measurement algorithm bound to the RMM's crypto provider. */
  readonly hash: MeasurementHash;
  /** RIM (slot 0) and REM0..3 (slots 1..4), 64 bytes each. */
  readonly measurements: Uint8Array<ArrayBuffer>;
  /** The Realm Personalization Value (64 bytes). */
  readonly rpv: Uint8Array<ArrayBuffer>;
  /** The full `flags` of RmiRealmParams. */
  readonly flags: bigint;
  /** flags.LPA2. */
  readonly lpa2: boolean;
  /** IPA width. */
  readonly s2sz: number;
  /** `sve_vl` (meaningful when flags.SVE). */
  readonly sveVl: number;
  /** `num_bps`. */
  readonly numBps: number;
  /** `num_wps`. */
  readonly numWps: number;
  /** `pmu_num_ctrs` (meaningful when flags.PMU). */
  readonly pmuNumCtrs: number;
  /** VMID. */
  readonly vmid: number;
  /** PA of the first root RTT. */
  readonly rttBase: PhysAddr;
  /** Starting level of the stage-2 walk. */
  readonly rttLevelStart: number;
  /** Number of concatenated root RTTs. */
  readonly rttNumStart: number;
  /** Granule indices of the root RTTs, in address order. */
  readonly rootRttIdx: readonly number[];
  /** The index the next REC must have (TF-RMM `rd->rec_count`); never decremented. */
  recCount: number;
  /** Aux granules each REC needs (TF-RMM `rd->num_rec_aux`). */
  readonly numRecAux: number;
  /**
   * The level-3 RTT the last level-3 walk reached, so the next page of its 2 MiB block skips the
   * upper levels; dropped by every command that changes a TABLE descriptor (see `rtt-walk.ts`).
   */
  l3Table: L3Table | undefined;
}

/**
 * The RIM slot of a realm (a live view of `measurements[0..64)`).
 * @since 0.2.0
 */
export function rimOf(realm: Realm): Uint8Array<ArrayBuffer> {
  return realm.measurements.subarray(0, MEASUREMENT_SLOT_SIZE);
}

/**
 * A fresh zeroed measurement block: {@link MEASUREMENT_SLOT_COUNT} slots of 64 bytes.
 * @since 0.2.0
 */
export function newMeasurements(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(MEASUREMENT_SLOT_COUNT * MEASUREMENT_SLOT_SIZE);
}

/**
 * The live realms, keyed by RD granule index, and the VMIDs in use.
 * @since 0.2.0
 */
export class RealmTable {
  readonly #realms: Map<number, Realm> = new Map();
  readonly #vmids: Uint8Array = new Uint8Array(1 << 16);

  /** Number of live realms. */
  get size(): number {
    return this.#realms.size;
  }

  /** The realm whose RD is granule `rdIdx`, if any. */
  get(rdIdx: number): Realm | undefined {
    return this.#realms.get(rdIdx);
  }

  /** Whether `vmid` belongs to a live realm. */
  vmidInUse(vmid: number): boolean {
    return this.#vmids[vmid] === 1;
  }

  /**
   * Records a new realm and reserves its VMID.
   * @throws {@link IsletInvariantError} when the RD or the VMID is already taken.
   */
  add(realm: Realm): void {
    assert(!this.#realms.has(realm.rdIdx), () => `RD ${realm.rdIdx} already holds a realm`);
    assert(this.#vmids[realm.vmid] === 0, () => `VMID ${realm.vmid} already in use`);
    this.#vmids[realm.vmid] = 1;
    this.#realms.set(realm.rdIdx, realm);
  }

  /**
   * Forgets a realm and frees its VMID.
   * @throws {@link IsletInvariantError} when there is no realm at `rdIdx`.
   */
  remove(rdIdx: number): void {
    const realm = this.#realms.get(rdIdx);
    assert(realm !== undefined, () => `RD ${rdIdx} holds no realm`);
    this.#vmids[realm.vmid] = 0;
    this.#realms.delete(rdIdx);
  }

  /** Every live realm (for invariant checks). */
  values(): IterableIterator<Realm> {
    return this.#realms.values();
  }
}

/** Bits resolved per level (4 KiB granules), and at level −1. */
const STRIDE = 9;
const STRIDE_LM1 = 4;
const GRANULE_SHIFT = 12;
/** Smallest IPA width. */
export const MIN_IPA_BITS = 32;
/** Largest IPA width without / with LPA2. */
export const MAX_IPA_BITS = 48;
/** Largest IPA width with LPA2. */
export const MAX_IPA_BITS_LPA2 = 52;

/**
 * Whether (s2sz, rtt_level_start) is a stage-2 geometry TF-RMM accepts (rmm-abi.md §4.6):
 *
 * ```text
 * levels = 3 - sl; stride 9 (4 at level -1).
 * - sl_min = levels*9 + 13; sl_max = sl_min + 8 (sl=-1 with LPA2: sl_min+3); +4 if sl>0 or
 *   (sl==0 && LPA2) (concatenation up to 16 tables).
 * - s2sz ∈ [32, 48] (LPA2: [32, 52]); sl ∈ [0 (−1 with LPA2), 3]; sl==0 requires PA width ≥ 44.
 * ```
 * @param paWidth - the platform's PA width (feature register 0 S2SZ).
 * @since 0.2.0
 */
export function isValidS2Geometry(
  s2sz: number,
  sl: number,
  lpa2: boolean,
  paWidth: number,
): boolean {
  const maxBits = lpa2 ? MAX_IPA_BITS_LPA2 : MAX_IPA_BITS;
  if (s2sz < MIN_IPA_BITS || s2sz > maxBits) return false;
  const minSl = lpa2 ? RTT_MIN_LEVEL_LPA2 : RTT_MIN_LEVEL;
  if (!Number.isInteger(sl) || sl < minSl || sl > RTT_PAGE_LEVEL) return false;
  if (sl === 0 && paWidth < 44) return false;
  const levels = RTT_PAGE_LEVEL - sl;
  const slMin = levels * STRIDE + GRANULE_SHIFT + 1;
  let slMax = sl === RTT_MIN_LEVEL_LPA2 ? slMin + STRIDE_LM1 - 1 : slMin + STRIDE - 1;
  if (sl > 0 || (sl === 0 && lpa2)) slMax += STRIDE_LM1;
  return s2sz >= slMin && s2sz <= slMax;
}

/**
 * The number of concatenated root RTTs of a geometry (TF-RMM `s2_num_root_rtts`):
 * `1 if (levels*9+21) ≥ s2sz else 2^(s2sz − (levels*9+21))` (level −1 resolves 4 bits, not 9).
 * Meaningful only for a geometry {@link isValidS2Geometry} accepts.
 * @see rmm-abi.md §4.6
 * @since 0.2.0
 */
export function rootRttCount(s2sz: number, sl: number): number {
  const levels = RTT_PAGE_LEVEL - sl;
  const slBits = sl === RTT_MIN_LEVEL_LPA2 ? STRIDE_LM1 : STRIDE;
  const resolved = levels * STRIDE + GRANULE_SHIFT + slBits;
  return resolved >= s2sz ? 1 : 2 ** (s2sz - resolved);
}
