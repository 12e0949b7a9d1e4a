/**
 * Measures what a sparse 64 GiB DRAM costs the process: a fresh FVP-map {@link Dram} with
 * `granules` granules written in full, spread over both banks, and `process.memoryUsage()` before
 * and after. Shared by the footprint test and the DRAM bench (which records it as JSON).
 * @module
 */
import { GRANULE_SIZE, type PhysAddr } from '@islet/arch';
import { Dram, type DramStats } from '../src/dram.ts';

/** The footprint of one measurement. */
export interface Footprint {
  /** The physical address space the DRAM spans (bytes). */
  readonly addressSpaceBytes: number;
  /** Granules written (4 KiB each, every byte). */
  readonly granules: number;
  /** `rss` after minus before. */
  readonly rssDeltaBytes: number;
  /** `arrayBuffers` after minus before. */
  readonly arrayBuffersDeltaBytes: number;
  /** `heapUsed` after minus before. */
  readonly heapUsedDeltaBytes: number;
  /** The DRAM's own accounting. */
  readonly dram: DramStats;
}

/** Multiplier of the granule permutation: a prime, so coprime with every bank's granule count. */
const STRIDE = 2_654_435_761;

/**
 * Writes `granules` distinct granules, alternating banks, at pseudo-random positions.
 * @param granules - how many granules to touch (default 10,000).
 */
export function measureSparseFootprint(granules = 10_000): Footprint {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const dram = new Dram();
  const page = new Uint8Array(GRANULE_SIZE);
  for (let k = 0; k < granules; k++) {
    const bank = dram.banks[k % dram.banks.length]!;
    const n = bank.size / GRANULE_SIZE;
    const j = Math.floor(k / dram.banks.length);
    page.fill((k % 255) + 1);
    dram.write((bank.base + ((j * STRIDE) % n) * GRANULE_SIZE) as PhysAddr, page);
  }
  const after = process.memoryUsage();
  return {
    addressSpaceBytes: 2 ** 36,
    granules: dram.stats().touchedGranules,
    rssDeltaBytes: after.rss - before.rss,
    arrayBuffersDeltaBytes: after.arrayBuffers - before.arrayBuffers,
    heapUsedDeltaBytes: after.heapUsed - before.heapUsed,
    dram: dram.stats(),
  };
}
