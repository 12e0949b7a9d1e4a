/**
 * DRAM benchmarks: raw (Root-world, unchecked) 4 KiB accesses, reads of never-touched memory, and
 * the sparse-storage footprint of a 64 GiB space with 10,000 touched granules, measured once when
 * this file loads and written to `bench-results/memory.json`.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { PhysAddr } from '@islet/arch';
import { bench, describe } from 'vitest';
import { measureSparseFootprint } from '../test/memory-footprint.ts';
import { ARM_DRAM1_BASE, ARM_DRAM2_BASE, Dram } from './dram.ts';

const footprint = measureSparseFootprint(10_000);
const MiB = 2 ** 20;
const report = {
  date: new Date().toISOString(),
  node: process.version,
  ...footprint,
  rssDeltaMiB: Math.round((footprint.rssDeltaBytes / MiB) * 10) / 10,
  arrayBuffersDeltaMiB: Math.round((footprint.arrayBuffersDeltaBytes / MiB) * 10) / 10,
  dramMiB: Math.round((footprint.dram.bytes / MiB) * 10) / 10,
  targetMiB: 100,
};
const dir = new URL('../bench-results/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('memory.json', dir), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `64 GiB DRAM, ${footprint.granules} granules touched: rss +${report.rssDeltaMiB} MiB, arrayBuffers +${report.arrayBuffersDeltaMiB} MiB (bench-results/memory.json)`,
);

const dram = new Dram();
const A = ARM_DRAM1_BASE as PhysAddr;
const B = ARM_DRAM2_BASE as PhysAddr;
const UNTOUCHED = (ARM_DRAM2_BASE + 0x4000_0000) as PhysAddr;
dram.write(A, new Uint8Array(4096).fill(1));
dram.write(B, new Uint8Array(4096).fill(2));
const buf = new Uint8Array(4096);

describe('mmu: DRAM raw 4 KiB', () => {
  bench('Dram.copy 4 KiB (unchecked)', () => dram.copy(A, B, 4096));
  bench('Dram.readInto 4 KiB', () => dram.readInto(A, buf));
  bench('Dram.readInto 4 KiB never touched', () => dram.readInto(UNTOUCHED, buf));
});
