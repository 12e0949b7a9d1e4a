/**
 * Reading and writing stage-2 descriptors in an RTT granule. A descriptor is 8 bytes,
 * little-endian, and is handled as two u32 words (`lo` = bits [31:0] at byte 8·i, `hi` = bits
 * [63:32] at byte 8·i + 4; STYLE.md §6): nothing here allocates a bigint.
 *
 * The table is the granule's live Realm-PAS view from the `PhysMemory` port (TF-RMM maps an RTT
 * granule into a slot buffer and reads `s2tte` words from it). A view must not be kept across a
 * change of the granule's GPI; handlers take one per RMI call.
 * @module
 */
import type { PhysMemory } from '@islet/abi';
import { World } from '@islet/abi';
import { assert, type PhysAddr } from '@islet/arch';

/**
 * An RTT granule as a `DataView` over its live Realm-PAS bytes.
 * @since 0.3.0
 */
export type RttTable = DataView;

/**
 * The RTT granule at `pa` (4 KiB aligned), through the Realm-PAS view of `memory`.
 * @throws {@link IsletInvariantError} when the memory port will not show it to the Realm world
 * (an RTT granule is always in the Realm PAS).
 * @since 0.3.0
 */
export function rttTableAt(memory: PhysMemory, pa: number): RttTable {
  const view = memory.granule(World.Realm, pa as PhysAddr);
  assert(
    view !== undefined,
    () => `RTT granule 0x${pa.toString(16)} is not accessible in the Realm PAS`,
  );
  return new DataView(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Bits [31:0] of entry `i`.
 * @since 0.3.0
 */
export function entryLo(t: RttTable, i: number): number {
  return t.getUint32(i * 8, true);
}

/**
 * Bits [63:32] of entry `i`.
 * @since 0.3.0
 */
export function entryHi(t: RttTable, i: number): number {
  return t.getUint32(i * 8 + 4, true);
}

/**
 * Writes entry `i` (TF-RMM `s2tte_write`).
 * @since 0.3.0
 */
export function writeEntry(t: RttTable, i: number, hi: number, lo: number): void {
  t.setUint32(i * 8, lo >>> 0, true);
  t.setUint32(i * 8 + 4, hi >>> 0, true);
}
