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
 * below 2^52, descriptors are read as two little-endian u32 words, and next-level addresses come
 * from `s2tteOutputAddress`. No locks: the model is single-threaded.
 *
 * **The last level-3 RTT.** A walk to level 3 that reaches a level-3 RTT leaves it in
 * `realm.l3Table` (its 2 MiB block, granule, view), and the next walk to level 3 inside that block
 * reads its entry straight from it: loading an image is one DATA_CREATE per page, 512 to a block.
 * Only a change of a TABLE descriptor can move or remove the RTT under a block, and the commands
 * that make one (RTT_CREATE, RTT_DESTROY, RTT_FOLD) call {@link forgetL3Table}; a realm's RTTs
 * are its own, and the RD goes with them (REALM_DESTROY).
 *
 * **Performance** (every DATA_CREATE, DATA_DESTROY and RTT command walks): the tables the walk
 * passes through are read straight from their granule bytes; only the RTT where it stops gets the
 * `DataView` ({@link RttTable}) the caller writes through, built once per granule view. Invariant messages are functions, formatted
 * only when they fail: a template literal formatted on every call cost more than the walk.
 * @module
 */

import type { PhysMemory } from '@islet/abi';
import {
  GranuleState,
  RTT_MIN_LEVEL_LPA2,
  RTT_PAGE_LEVEL,
  rttLevelBlockSize,
  S2TTES_PER_S2TT,
  S2TTES_PER_S2TT_LM1,
  s2tteIsTable,
  s2tteOutputAddress,
  World,
} from '@islet/abi';
import { assert, type PhysAddr } from '@islet/arch';
import { type GranuleTable, NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import type { RttTable } from './rtt-table.ts';

/** The bytes of the RTT granule at `pa` (its Realm-PAS view); as `rttTableAt`, without a view. */
function rttBytesAt(memory: PhysMemory, pa: number): Uint8Array {
  const view = memory.granule(World.Realm, pa as PhysAddr);
  assert(
    view !== undefined,
    () => `RTT granule 0x${pa.toString(16)} is not accessible in the Realm PAS`,
  );
  return view;
}

/**
 * The {@link RttTable} over each RTT granule view a walk has stopped at, keyed by the view the
 * memory port returned. Building a `DataView` costs V8 ~0.2 µs, more than the rest of a walk;
 * the DRAM model hands out one stable view per granule, so each RTT gets its `DataView` once. A
 * port that returns fresh views only misses the cache. Weak: it holds nothing alive.
 */
const tables = new WeakMap<Uint8Array, RttTable>();

/** The cached {@link RttTable} over `bytes`. */
function tableOver(bytes: Uint8Array): RttTable {
  let table = tables.get(bytes);
  if (table === undefined) {
    table = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    tables.set(bytes, table);
  }
  return table;
}

/** The little-endian u32 at byte `o` of `b` (what `DataView.getUint32(o, true)` reads). */
function u32At(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

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
 * A level-3 RTT and the 2 MiB block of IPAs it maps (`realm.l3Table`).
 * @since 0.7.0
 */
export interface L3Table {
  /** The first IPA of the block. */
  readonly base: number;
  readonly tablePa: number;
  readonly tableIdx: number;
  readonly bytes: Uint8Array;
  readonly table: RttTable;
}

/** IPAs one level-3 RTT maps. */
const L3_SPAN = rttLevelBlockSize(RTT_PAGE_LEVEL - 1);
/** Bytes one level-3 entry maps. */
const PAGE_SPAN = rttLevelBlockSize(RTT_PAGE_LEVEL);

/**
 * Drops `realm`'s cached level-3 RTT: to be called by every command that writes or removes a
 * TABLE descriptor of the realm.
 * @since 0.7.0
 */
export function forgetL3Table(realm: Realm): void {
  realm.l3Table = undefined;
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
  assert(targetLevel >= sl && targetLevel <= RTT_PAGE_LEVEL, () => `walk to level ${targetLevel}`);
  const last = realm.l3Table;
  if (targetLevel === RTT_PAGE_LEVEL && last !== undefined) {
    const offset = ipa - last.base;
    if (offset >= 0 && offset < L3_SPAN) {
      const index = Math.floor(offset / PAGE_SPAN);
      const b = last.bytes;
      const { tablePa, tableIdx, table } = last;
      const lo = u32At(b, index * 8);
      return {
        level: RTT_PAGE_LEVEL,
        tablePa,
        tableIdx,
        table,
        index,
        hi: u32At(b, index * 8 + 4),
        lo,
      };
    }
  }
  const slIndex = Math.floor(ipa / rttLevelBlockSize(sl));
  const per = rttEntriesPerTable(sl);
  const rootIdx = realm.rootRttIdx[Math.floor(slIndex / per)];
  assert(rootIdx !== undefined, () => `IPA 0x${ipa.toString(16)} is outside the root RTTs`);
  let level = sl;
  let tableIdx = rootIdx;
  let tablePa: number = granules.address(rootIdx);
  let bytes = rttBytesAt(memory, tablePa);
  let index = slIndex % per;
  for (;;) {
    const lo = u32At(bytes, index * 8);
    const hi = u32At(bytes, index * 8 + 4);
    if (level === targetLevel || !s2tteIsTable(lo, level)) {
      const table = tableOver(bytes);
      if (level === RTT_PAGE_LEVEL) {
        realm.l3Table = { base: ipa - (ipa % L3_SPAN), tablePa, tableIdx, bytes, table };
      }
      return { level, tablePa, tableIdx, table, index, hi, lo };
    }
    tablePa = s2tteOutputAddress(hi, lo, RTT_PAGE_LEVEL, realm.lpa2);
    tableIdx = granules.find(tablePa);
    assert(
      tableIdx !== NO_GRANULE && granules.states[tableIdx] === GranuleState.Rtt,
      () => `TABLE entry at level ${level} points at 0x${tablePa.toString(16)}, not an RTT`,
    );
    bytes = rttBytesAt(memory, tablePa);
    level++;
    // rttEntryIndex(ipa, level); levels below the start level have 512 entries.
    index = Math.floor(ipa / rttLevelBlockSize(level)) % S2TTES_PER_S2TT;
  }
}
