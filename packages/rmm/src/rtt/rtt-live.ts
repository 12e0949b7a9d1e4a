/**
 * Live RTT entries and the returned `top` of RTT_DESTROY / RTT_UNMAP_UNPROTECTED (TF-RMM
 * `s2tt_skip_non_live_entries`):
 *
 * ```text
 * In the table where the walk stopped, if the entry at the walk index is live (has an OA: any
 * valid descriptor, TABLE, assigned_empty, assigned_destroyed — NB assigned_ns counts as live
 * here) return the input ipa unchanged; else align ipa down to the walk level's block size and
 * scan forward within the same table for the first live entry; return its base, or the end of
 * that table.
 * ```
 * @module
 */
import {
  rttLevelBlockSize,
  S2TTE_HIPAS_ASSIGNED,
  s2tteHipas,
  s2tteIsNs,
  s2tteIsValid,
} from '@islet/abi';
import { entryHi, entryLo } from './rtt-table.ts';
import { type RttWalk, rttEntriesPerTable } from './rtt-walk.ts';

/**
 * Whether a descriptor is live (TF-RMM `s2tte_is_live`): valid (assigned_ram, assigned_ns,
 * TABLE) or an invalid assigned entry (assigned_empty, assigned_destroyed).
 * @see rmm-abi.md §4.4
 * @since 0.3.0
 */
export function isLiveEntry(hi: number, lo: number): boolean {
  return s2tteIsValid(lo) || (!s2tteIsNs(hi) && s2tteHipas(lo) === S2TTE_HIPAS_ASSIGNED);
}

/**
 * `s2tt_skip_non_live_entries(ipa, table, walk)`, reading the table as it is now (so a handler
 * calls it after its own write). The scan stays inside the table the walk stopped in (16 entries
 * at level −1, 512 otherwise).
 * @see rmm-abi.md §2.13, §2.16, §4.4
 * @since 0.3.0
 */
export function skipNonLiveEntries(w: RttWalk, ipa: number): number {
  const { table, index, level } = w;
  if (isLiveEntry(entryHi(table, index), entryLo(table, index))) return ipa;
  const size = rttLevelBlockSize(level);
  let addr = ipa - (ipa % size);
  const per = rttEntriesPerTable(level);
  for (let i = index + 1; i < per; i++) {
    addr += size;
    if (isLiveEntry(entryHi(table, i), entryLo(table, i))) return addr;
  }
  return addr + size;
}
