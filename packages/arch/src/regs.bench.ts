/**
 * bigint vs u32-pair register arithmetic (STYLE.md §6): re-measure whenever the Node engine
 * changes. Descriptor bit test at bit 54, output-address extraction, and a 64-bit little-endian
 * read.
 *
 * Each bench call runs one kernel over {@link N} descriptors, so the harness overhead (~100 ns a
 * call) does not hide differences of a few nanoseconds: ns per operation = 1e9 / (hz × N).
 * Bodies are one-line calls; every result is consumed.
 * @module
 */
import { bench, describe } from 'vitest';
import * as U64 from './u64.ts';

/** Descriptors per bench call. */
const N = 1024;
const words = new Uint32Array(2 * N);
for (let k = 0; k < words.length; k++) words[k] = (Math.random() * 2 ** 32) >>> 0;
const view = new DataView(words.buffer);
const big = new BigUint64Array(words.buffer);

const OA_MASK = 0x0000_ffff_ffff_f000n;

/** Where results go, so that no engine can drop a call. */
const sink = { value: 0 };
const use = (n: number): void => {
  sink.value = (sink.value + n) % 0x7fff_ffff;
};

/** `(d >> 54n) & 1n` used as a condition: the bigint escapes. */
function bit54Big(): number {
  let count = 0;
  for (let k = 0; k < N; k++) count += (big[k]! >> 54n) & 1n ? 1 : 0;
  return count;
}

/** The same bit from the high word. */
function bit54Pair(): number {
  let count = 0;
  for (let k = 0; k < N; k++) count += U64.bit(words[2 * k + 1]!, words[2 * k]!, 54);
  return count;
}

/** Output address bits [47:12] as a number, through bigint. */
function oaBig(): number {
  let acc = 0;
  for (let k = 0; k < N; k++) acc += Number(big[k]! & OA_MASK);
  return acc;
}

/** Output address bits [47:12] from the halves, with float arithmetic above bit 31. */
function oaPair(): number {
  let acc = 0;
  for (let k = 0; k < N; k++) {
    acc += (words[2 * k + 1]! & 0xffff) * 2 ** 32 + ((words[2 * k]! & 0xffff_f000) >>> 0);
  }
  return acc;
}

/** 64-bit LE read with getBigUint64 (the bigint escapes into the xor). */
function readBig(): number {
  let acc = 0n;
  for (let k = 0; k < N; k++) acc ^= view.getBigUint64(8 * k, true);
  return Number(acc & 0xffffn);
}

/** 64-bit LE read as two getUint32. */
function readPair(): number {
  let acc = 0;
  for (let k = 0; k < N; k++) {
    const x = U64.readU64(view, 8 * k);
    acc ^= x.hi ^ x.lo;
  }
  return acc & 0xffff;
}

describe(`descriptor bit 54 (×${N})`, () => {
  bench('bigint', () => use(bit54Big()));
  bench('u32 pair', () => use(bit54Pair()));
});

describe(`output address [47:12] → number (×${N})`, () => {
  bench('bigint', () => use(oaBig()));
  bench('u32 pair', () => use(oaPair()));
});

describe(`read 64-bit LE from memory (×${N})`, () => {
  bench('getBigUint64', () => use(readBig()));
  bench('2 × getUint32', () => use(readPair()));
});
