/**
 * GPT throughput: a delegate + undelegate pair (two descriptor read-modify-writes in Root
 * memory through `RawMemory`, plus the cache updates), and `gpiOfGranule` lookups (the check the
 * MMU runs on every access).
 *
 * Each bench call runs {@link PAIRS} pairs or {@link N} lookups, so the harness overhead (~1 µs a
 * call here) does not hide the cost: ns per pair = 1e9 / (hz × PAIRS), ns per lookup =
 * 1e9 / (hz × N). Bodies are one-line calls; results are consumed.
 * @module
 */
import { Gpi, type RawMemory } from '@islet/abi';
import { GRANULE_SIZE, type GranuleIdx, type PhysAddr } from '@islet/arch';
import { bench, describe } from 'vitest';
import { createGpt } from './create-gpt.ts';
import { GpccrPps } from './gpt-geometry.ts';

/** Lookups per bench call. */
const N = 1024;
const GB = 2 ** 30;

/** DRAM [2 GB, 6 GB) as flat slabs: what @islet/mmu's memory looks like, not a Map. */
function slabMemory(base: number, size: number): RawMemory {
  const slabs: (Uint8Array | undefined)[] = new Array(size / GRANULE_SIZE).fill(undefined);
  return {
    granule(pa: PhysAddr): Uint8Array | undefined {
      if (pa < base || pa >= base + size) return undefined;
      const idx = (pa - base) / GRANULE_SIZE;
      let view = slabs[idx];
      if (view === undefined) {
        view = new Uint8Array(GRANULE_SIZE);
        slabs[idx] = view;
      }
      return view;
    },
  };
}

const gpt = createGpt({
  memory: slabMemory(2 * GB, 4 * GB),
  pps: GpccrPps.Size64GB,
  tables: { base: 2 * GB, size: 0x10_0000 },
  regions: [{ base: 2 * GB + 0x10_0000, size: 4 * GB - 0x10_0000, gpi: Gpi.NonSecure }],
});

/** Granule numbers spread over block, table, NS and out-of-range space. */
const indices = Float64Array.from(
  { length: N },
  (_, k) => ((k * 2_654_435_761) % (7 * 2 ** 18)) as GranuleIdx,
);
let pa = 2 * GB + 0x10_0000;

const sink = { value: 0 };
const use = (n: number): void => {
  sink.value = (sink.value + n) % 0x7fff_ffff;
};

/** Transition pairs per bench call. */
const PAIRS = 64;

/** {@link PAIRS} delegate + undelegate pairs, walking through 1 GB of NS granules. */
function delegatePairs(): number {
  let acc = 0;
  for (let k = 0; k < PAIRS; k++) {
    pa = pa + GRANULE_SIZE >= 3 * GB ? 2 * GB + 0x10_0000 : pa + GRANULE_SIZE;
    acc += gpt.delegate(pa) + gpt.undelegate(pa);
  }
  return acc;
}

/** N cached lookups. */
function lookups(): number {
  let acc = 0;
  for (let k = 0; k < N; k++) acc += gpt.gpiOfGranule(indices[k] as GranuleIdx);
  return acc;
}

/** N walks of the descriptors in memory, for comparison. */
function walks(): number {
  let acc = 0;
  for (let k = 0; k < N; k++) acc += gpt.walk(indices[k]! * GRANULE_SIZE).gpi;
  return acc;
}

describe(`transitions (×${PAIRS} pairs per call)`, () => {
  bench('delegate + undelegate', () => use(delegatePairs()));
});

describe(`lookups (×${N} per call)`, () => {
  bench('gpiOfGranule (cached view)', () => use(lookups()));
  bench('walk (descriptors in memory)', () => use(walks()));
});
