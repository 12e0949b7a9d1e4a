/**
 * The granule table: the RMM's state of every 4 KiB granule of the DRAM it was told about, as
 * TF-RMM keeps it (`lib/granule/include/granule_types.h`, `lib/granule/src/granule.c`,
 * `plat/arm/src/arm_granule.c`).
 *
 * **Representation** (STYLE.md §6): a `Uint8Array` of {@link GranuleState} indexed by granule
 * number, plus a parallel `Uint16Array` of refcounts. Granule numbers are dense over the DRAM
 * banks, in bank order (TF-RMM's `plat_granule_addr_to_idx`): bank 0's granules first, then bank
 * 1's. Never a `Map` keyed by address.
 *
 * **Lookup** ({@link GranuleTable.find}, TF-RMM `find_granule`, rmm-abi.md §1.5): an address has a
 * granule only if it is 4 KiB aligned ("*_align") and inside a DRAM bank ("*_bound": device/MMIO
 * memory and PAs beyond DRAM fail here). {@link GranuleTable.findInState} adds the state check of
 * `find_lock_granule` ("*_state").
 *
 * **Invariants** (checked with `assert`, i.e. a violation is a bug, STYLE.md §5 tier 3):
 * - every DELEGATED granule is all zero: zeroed on GRANULE_DELEGATE and on every return to
 *   DELEGATED (the table does not hold contents; the RMI handlers keep this one, and
 *   GRANULE_UNDELEGATE asserts it);
 * - a granule enters or leaves a state only through {@link GranuleTable.transition}, which
 *   asserts the state it leaves;
 * - refcounts stay in [0, {@link GRANULE_REFCOUNT_MAX}]; a granule becomes UNDELEGATED or
 *   DELEGATED only with refcount 0;
 * - refcount meaning by state: RD = number of RECs of the realm; REC = 1 while it runs in
 *   REC_ENTER; RTT = TABLE entries + protected ASSIGNED entries (ASSIGNED_NS not counted).
 *
 * **Locking**: TF-RMM locks granules (a lock bit in the 16-bit descriptor) and takes two locks
 * in address order (`find_lock_two_granules`). This model is single-threaded and every RMI call
 * runs to completion, so no lock is held across calls and the table has no lock array; the
 * address-order rule, and the rule that identical addresses fail, are kept by the handlers that
 * look up two granules.
 * @module
 */

import { GRANULE_REFCOUNT_MAX, GranuleState } from '@islet/abi';
import {
  assert,
  GRANULE_SIZE,
  IsletError,
  IsletInvariantError,
  MAX_ADDRESS,
  type PhysAddr,
} from '@islet/arch';

/**
 * A range of DRAM the RMM tracks (a bank of the boot manifest's `plat_dram`).
 * @see rmm-abi.md §1.5, §7.4
 * @since 0.1.0
 */
export interface DramBank {
  /** First byte, 4 KiB aligned. */
  readonly base: number;
  /** Size in bytes, a non-zero multiple of 4 KiB. */
  readonly size: number;
}

/**
 * What {@link GranuleTable.find} returns for an address without a granule (TF-RMM's NULL).
 * @since 0.1.0
 */
export const NO_GRANULE = -1;

/** One bank with the number of its first granule. */
interface IndexedBank {
  readonly base: number;
  readonly end: number;
  readonly firstIdx: number;
}

/**
 * The state table of every granule of the RMM's DRAM banks; all start UNDELEGATED (NS) with
 * refcount 0, as at boot.
 * @example
 * ```ts
 * const table = new GranuleTable([{ base: 0x8000_0000, size: 0x10_0000 }]);
 * const idx = table.find(0x8000_1000); // 1
 * table.state(idx); // GranuleState.Undelegated
 * table.find(0x8000_1001); // NO_GRANULE (unaligned)
 * ```
 * @see rmm-abi.md §1.5, §4.1
 * @since 0.1.0
 */
export class GranuleTable {
  /** Number of granules tracked. */
  readonly count: number;
  /** GranuleState of granule `idx`. Read freely; write only through {@link transition}. */
  readonly states: Uint8Array;
  /** Refcount of granule `idx`. Read freely; write through the refcount methods. */
  readonly refcounts: Uint16Array;
  readonly #banks: readonly IndexedBank[];

  /**
   * @param banks - the DRAM banks, each 4 KiB aligned with a non-zero size that is a multiple of
   * 4 KiB, in ascending address order and not overlapping.
   * @throws {@link IsletError} `RMM_DRAM_BANKS_INVALID` when the banks break these rules.
   */
  constructor(banks: readonly DramBank[]) {
    const indexed: IndexedBank[] = [];
    let count = 0;
    let prevEnd = 0;
    for (const [i, b] of banks.entries()) {
      const end = b.base + b.size;
      const ok =
        Number.isSafeInteger(b.base) &&
        Number.isSafeInteger(b.size) &&
        b.base >= prevEnd &&
        b.size > 0 &&
        b.base % GRANULE_SIZE === 0 &&
        b.size % GRANULE_SIZE === 0 &&
        end <= MAX_ADDRESS;
      if (!ok) {
        throw new IsletError('RMM_DRAM_BANKS_INVALID', `DRAM bank ${i} is invalid`, {
          details:
            'banks must be 4 KiB aligned, non-empty multiples of 4 KiB below 2^52, ascending and disjoint',
          metaMessages: [`base: 0x${b.base.toString(16)}`, `size: 0x${b.size.toString(16)}`],
        });
      }
      indexed.push({ base: b.base, end, firstIdx: count });
      count += b.size / GRANULE_SIZE;
      prevEnd = end;
    }
    this.#banks = indexed;
    this.count = count;
    this.states = new Uint8Array(count);
    this.refcounts = new Uint16Array(count);
  }

  /**
   * TF-RMM `find_granule`: the granule of `addr`, or {@link NO_GRANULE} when `addr` is not 4 KiB
   * aligned or not inside a DRAM bank. Accepts any number (never throws).
   * @see rmm-abi.md §1.5
   * @since 0.1.0
   */
  find(addr: number): number {
    if (!(addr >= 0) || addr % GRANULE_SIZE !== 0) return NO_GRANULE;
    for (const b of this.#banks) {
      if (addr < b.base) return NO_GRANULE;
      if (addr < b.end) return b.firstIdx + (addr - b.base) / GRANULE_SIZE;
    }
    return NO_GRANULE;
  }

  /**
   * {@link find} of a 64-bit register value: values at or above 2^52 have no granule.
   * @see rmm-abi.md §1.5
   * @since 0.1.0
   */
  findFromRegister(x: bigint): number {
    // In numbers: rounding is monotonic, so every value at or above 2^52 stays at or above it.
    const n = Number(x);
    return n >= 0 && n < MAX_ADDRESS ? this.find(n) : NO_GRANULE;
  }

  /**
   * TF-RMM `find_lock_granule` without the lock: the granule of `addr` if it exists and is in
   * `state`, else {@link NO_GRANULE}.
   * @see rmm-abi.md §1.5
   * @since 0.1.0
   */
  findInState(addr: number, state: GranuleState): number {
    const idx = this.find(addr);
    return idx !== NO_GRANULE && this.states[idx] === state ? idx : NO_GRANULE;
  }

  /**
   * The state of granule `idx`.
   * @throws {@link IsletInvariantError} when `idx` is not a granule number.
   * @since 0.1.0
   */
  state(idx: number): GranuleState {
    this.#checkIdx(idx);
    return this.states[idx] as GranuleState;
  }

  /**
   * The refcount of granule `idx`.
   * @throws {@link IsletInvariantError} when `idx` is not a granule number.
   * @since 0.1.0
   */
  refcount(idx: number): number {
    this.#checkIdx(idx);
    return this.refcounts[idx]!;
  }

  /**
   * The physical address of granule `idx` (inverse of {@link find}).
   * @throws {@link IsletInvariantError} when `idx` is not a granule number.
   * @since 0.1.0
   */
  address(idx: number): PhysAddr {
    this.#checkIdx(idx);
    for (let i = this.#banks.length - 1; i >= 0; i--) {
      const b = this.#banks[i]!;
      if (idx >= b.firstIdx) return (b.base + (idx - b.firstIdx) * GRANULE_SIZE) as PhysAddr;
    }
    // Unreachable: #checkIdx passed, so bank 0 (firstIdx 0) matches.
    throw new IsletInvariantError('granule index without a bank');
  }

  /**
   * Moves granule `idx` from state `from` to `to` (TF-RMM `granule_unlock_transition`).
   * @throws {@link IsletInvariantError} when the granule is not in `from`, or would become
   * UNDELEGATED or DELEGATED with a non-zero refcount.
   * @see rmm-abi.md §4.1
   * @since 0.1.0
   */
  transition(idx: number, from: GranuleState, to: GranuleState): void {
    this.#checkIdx(idx);
    assert(
      this.states[idx] === from,
      () => `granule ${idx}: transition ${from} -> ${to} from state ${this.states[idx]}`,
    );
    assert(
      (to !== GranuleState.Undelegated && to !== GranuleState.Delegated) ||
        this.refcounts[idx] === 0,
      () => `granule ${idx}: becomes ${to} with refcount ${this.refcounts[idx]}`,
    );
    this.states[idx] = to;
  }

  /**
   * Adds `n` (default 1) to the refcount of granule `idx`.
   * @throws {@link IsletInvariantError} when the result exceeds {@link GRANULE_REFCOUNT_MAX}.
   * @since 0.1.0
   */
  refcountInc(idx: number, n = 1): void {
    const r = this.refcount(idx) + n;
    assert(n >= 0 && r <= GRANULE_REFCOUNT_MAX, () => `granule ${idx}: refcount ${r} out of range`);
    this.refcounts[idx] = r;
  }

  /**
   * Subtracts `n` (default 1) from the refcount of granule `idx`.
   * @throws {@link IsletInvariantError} when the result is negative.
   * @since 0.1.0
   */
  refcountDec(idx: number, n = 1): void {
    const r = this.refcount(idx) - n;
    assert(n >= 0 && r >= 0, () => `granule ${idx}: refcount ${r} out of range`);
    this.refcounts[idx] = r;
  }

  /** Number of granules in each state, indexed by GranuleState (for reports and tests). */
  census(): number[] {
    const out = [0, 0, 0, 0, 0, 0, 0];
    for (const s of this.states) out[s] = (out[s] ?? 0) + 1;
    return out;
  }

  #checkIdx(idx: number): void {
    assert(
      Number.isInteger(idx) && idx >= 0 && idx < this.count,
      () => `${idx} is not a granule index`,
    );
  }
}

/**
 * Whether a granule view is all zero (the DELEGATED invariant). Word-at-a-time when aligned.
 * @since 0.1.0
 */
export function isZeroGranule(view: Uint8Array): boolean {
  if (view.byteOffset % 4 === 0 && view.length % 4 === 0) {
    const words = new Uint32Array(view.buffer, view.byteOffset, view.length / 4);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < view.length; i++) if (view[i] !== 0) return false;
  return true;
}
