import { expect, test } from 'vitest';
import { measureSparseFootprint } from './memory-footprint.ts';

const MiB = 2 ** 20;

test('a 64 GiB DRAM with 10,000 touched granules over both banks costs < 100 MiB', () => {
  const f = measureSparseFootprint(10_000);
  expect(f.granules).toBe(10_000);
  // 10,000 × 4 KiB = 39 MiB of data, in 2 MiB slabs, plus the index.
  expect(f.dram.bytes).toBeLessThan(45 * MiB);
  expect(f.arrayBuffersDeltaBytes).toBeLessThan(100 * MiB);
  expect(f.rssDeltaBytes).toBeLessThan(100 * MiB);
});
