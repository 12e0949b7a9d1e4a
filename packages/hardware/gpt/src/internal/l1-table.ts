/**
 * Writes into L1 tables: GPIs of a run of granules (granules descriptors), and the shattering of a
 * contiguous descriptor into granules descriptors before one of its granules changes (TF-A
 * `fill_l1_gran_desc`, `shatter_block`). Callers check that every granule touched is backed.
 * @module
 */
import {
  type Gpi,
  gptL1ContigGpi,
  gptL1ContigSize,
  gptL1Fill,
  gptL1SetGpi,
  type RawMemory,
} from '@islet/abi';
import { GRANULE_SIZE } from '@islet/arch';
import {
  fillDescriptors,
  granuleOf,
  granuleOffset,
  readU32,
  writeDescriptor,
} from './table-memory.ts';

/** Granules one L1 descriptor covers. */
export const GRANULES_PER_L1_ENTRY = 16;

/** Bytes of the blocks a Contig field of 1, 2 and 3 describes (index 0 is reserved). */
const CONTIG_BYTES: readonly number[] = [0, 2 ** 21, 2 ** 25, 2 ** 29];

/**
 * Sets granules `[first, first + count)` of the L1 table at `l1Pa` (granule numbers relative to
 * the table's L0 region) to `gpi`. Entries wholly inside the run are overwritten with a filled
 * granules descriptor; the entries at the ends are read, modified and written. The entries must
 * be granules descriptors (shatter contiguous ones first).
 */
export function setL1Gpis(
  memory: RawMemory,
  l1Pa: number,
  first: number,
  count: number,
  gpi: Gpi,
): void {
  const end = first + count;
  let g = first;
  while (g < end && g % GRANULES_PER_L1_ENTRY !== 0) setOne(memory, l1Pa, g++, gpi);
  const whole = Math.floor((end - g) / GRANULES_PER_L1_ENTRY);
  if (whole > 0) {
    const fill = gptL1Fill(gpi);
    fillDescriptors(memory, l1Pa + (g / GRANULES_PER_L1_ENTRY) * 8, whole, fill.hi, fill.lo);
    g += whole * GRANULES_PER_L1_ENTRY;
  }
  while (g < end) setOne(memory, l1Pa, g++, gpi);
}

function setOne(memory: RawMemory, l1Pa: number, g: number, gpi: Gpi): void {
  const at = l1Pa + Math.floor(g / GRANULES_PER_L1_ENTRY) * 8;
  const view = granuleOf(memory, at)!;
  const off = granuleOffset(at);
  const d = gptL1SetGpi(readU32(view, off + 4), readU32(view, off), g % GRANULES_PER_L1_ENTRY, gpi);
  writeDescriptor(memory, at, d.hi, d.lo);
}

/**
 * The L1 entries `[start, start + count)` that the contiguous descriptor `lo` at entry `entry`
 * belongs to, as `[start, count]`, or `undefined` for Contig 0 (reserved).
 */
export function contigBlock(lo: number, entry: number): readonly [number, number] | undefined {
  const bytes = CONTIG_BYTES[gptL1ContigSize(lo)] ?? 0;
  if (bytes === 0) return undefined;
  const count = bytes / (GRANULE_SIZE * GRANULES_PER_L1_ENTRY);
  return [entry - (entry % count), count];
}

/**
 * Replaces the contiguous block that entry `entry` of the L1 table at `l1Pa` belongs to with
 * granules descriptors of the same GPI, so that the GPIs read the same and one granule can then
 * change. `lo` is the entry's low word (a contiguous descriptor with a valid Contig field).
 */
export function shatterContig(memory: RawMemory, l1Pa: number, entry: number, lo: number): void {
  const block = contigBlock(lo, entry);
  if (block === undefined) return;
  const fill = gptL1Fill(gptL1ContigGpi(lo) as Gpi);
  fillDescriptors(memory, l1Pa + block[0] * 8, block[1], fill.hi, fill.lo);
}
