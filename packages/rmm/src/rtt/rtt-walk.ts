/**
 * The stage-2 RTT walk (TF-RMM `s2tt_walk_lock_unlock`) over the real descriptors stored in the
 * realm's RTT granules.
 *
 * ```text
 * Start at the realm's rtt_level_start in the root RTT that covers the IPA: the root RTTs are
 * rtt_num_start contiguous granules (concatenated, §4.6); the start-level index across them is
 * ipa >> shift(sl), the granule is index / 512 (16 at level −1) and the entry index % 512.
 * At each level: stop if the level is the target or the entry is not a TABLE; else follow the
 * TABLE's next-level RTT address to level + 1.
 * Result: the last level reached, the RTT at that level, the entry index in it and the entry.
 * ```
 *
 * The loop works on numbers and u32 descriptor halves only (STYLE.md §6): the IPA is a number
 * below 2^52, descriptors are read as two `getUint32` words, and next-level addresses come from
 * `s2tteOutputAddress`. No locks: the model is single-threaded.
 * @module
 */

import type { PhysMemory } from '@islet/abi';
import {
  GranuleState,
  RTT_MIN_LEVEL_LPA2,
  RTT_PAGE_LEVEL,
  rttEntryIndex,
  rttLevelBlockSize,
  S2TTES_PER_S2TT,
  S2TTES_PER_S2TT_LM1,
  s2tteIsTable,
  s2tteOutputAddress,
} from '@islet/abi';
import { assert } from '@islet/arch';
import { type GranuleTable, NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import { entryHi, entryLo, type RttTable, rttTableAt } from './rtt-table.ts';

/**
 * Where a walk stopped (TF-RMM `struct s2tt_walk` plus the entry it reads).
 * @since 0.3.0
 */
export interface RttWalk {
  /** The last level reached (`wi.last_level`). */
  readonly level: number;
  /** PA of the RTT at {@link level}. */
  readonly tablePa: number;
  /** Granule index of that RTT (`wi.g_llt`). */
  readonly tableIdx: number;
  /** The RTT's live view. */
  readonly table: RttTable;
  /** Index of the entry for the IPA in that RTT (`wi.index`). */
  readonly index: number;
  /** Bits [63:32] of the entry. */
  readonly hi: number;
  /** Bits [31:0] of the entry. */
  readonly lo: number;
}

/**
 * Entries in one RTT at `level`: 512, or 16 at level −1.
 * @since 0.3.0
 */
export function rttEntriesPerTable(level: number): number {
  return level === RTT_MIN_LEVEL_LPA2 ? S2TTES_PER_S2TT_LM1 : S2TTES_PER_S2TT;
}

/**
 * Walks the realm's stage 2 for `ipa` towards `targetLevel`.
 * @param ipa - an IPA below 2^s2sz (callers validate it first, `validate_map_addr`).
 * @param targetLevel - in [rtt_level_start, 3].
 * @throws {@link IsletInvariantError} on broken invariants only: an IPA outside the root RTTs, or a
 * TABLE entry that does not point at an RTT granule.
 * @see rmm-abi.md §4.4, §4.6
 * @since 0.3.0
 */
export function rttWalk(
  granules: GranuleTable,
  memory: PhysMemory,
  realm: Realm,
  ipa: number,
  targetLevel: number,
): RttWalk {
  const sl = realm.rttLevelStart;
  assert(targetLevel >= sl && targetLevel <= RTT_PAGE_LEVEL, `walk to level ${targetLevel}`);
  const slIndex = Math.floor(ipa / rttLevelBlockSize(sl));
  const per = rttEntriesPerTable(sl);
  const rootIdx = realm.rootRttIdx[Math.floor(slIndex / per)];
  assert(rootIdx !== undefined, `IPA 0x${ipa.toString(16)} is outside the root RTTs`);
  let level = sl;
  let tableIdx = rootIdx;
  let tablePa: number = granules.address(rootIdx);
  let table = rttTableAt(memory, tablePa);
  let index = slIndex % per;
  for (;;) {
    const lo = entryLo(table, index);
    const hi = entryHi(table, index);
    if (level === targetLevel || !s2tteIsTable(lo, level)) {
      return { level, tablePa, tableIdx, table, index, hi, lo };
    }
    tablePa = s2tteOutputAddress(hi, lo, RTT_PAGE_LEVEL, realm.lpa2);
    tableIdx = granules.find(tablePa);
    assert(
      tableIdx !== NO_GRANULE && granules.states[tableIdx] === GranuleState.Rtt,
      `TABLE entry at level ${level} points at 0x${tablePa.toString(16)}, not an RTT`,
    );
    table = rttTableAt(memory, tablePa);
    level++;
    index = rttEntryIndex(ipa, level);
  }
}
