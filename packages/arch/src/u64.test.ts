/** Property tests of the u32-pair helpers against a bigint oracle (noble-hashes style). @module */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import * as U64 from './u64.ts';

const MASK64 = (1n << 64n) - 1n;
const u64 = fc.bigInt({ min: 0n, max: MASK64 });
/** Values biased towards edge patterns: all ones, single bits, halves. */
const u64Edge = fc.oneof(
  u64,
  fc.constantFrom(0n, MASK64, 1n << 63n, 0xffff_ffffn, 0xffff_ffffn << 32n, 1n << 31n, 1n << 32n),
  fc.nat({ max: 63 }).map((n) => 1n << BigInt(n)),
);
const shift = fc.nat({ max: 63 });
const width = fc.integer({ min: 1, max: 32 });
const u32 = fc.nat({ max: 0xffff_ffff });

const split = (v: bigint): [number, number] => [Number(v >> 32n), Number(v & 0xffff_ffffn)];
const join = (x: U64.U64): bigint => (BigInt(x.hi) << 32n) | BigInt(x.lo);
const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;

describe('U64 against bigint', () => {
  test.prop([fc.bigInt()])('fromBig takes the value mod 2^64; toBig inverts it', (v) => {
    const x = U64.fromBig(v);
    expect(isU32(x.hi) && isU32(x.lo)).toBe(true);
    expect(U64.toBig(x.hi, x.lo)).toBe(v & MASK64);
  });

  test.prop([u64Edge, fc.nat({ max: 63 })])('bit', (v, n) => {
    const [hi, lo] = split(v);
    expect(U64.bit(hi, lo, n)).toBe(Number((v >> BigInt(n)) & 1n));
  });

  test.prop([u64Edge, shift, width])('field', (v, s, w) => {
    const [hi, lo] = split(v);
    const want = Number((v >> BigInt(s)) & ((1n << BigInt(w)) - 1n));
    expect(U64.field(hi, lo, s, w)).toBe(want);
  });

  test.prop([u64Edge, shift, width, u32])('setField', (v, s, w, value) => {
    fc.pre(s + w <= 64);
    const [hi, lo] = split(v);
    const mask = (1n << BigInt(w)) - 1n;
    const want = ((v & ~(mask << BigInt(s))) | ((BigInt(value) & mask) << BigInt(s))) & MASK64;
    const got = U64.setField(hi, lo, s, w, value);
    expect(isU32(got.hi) && isU32(got.lo)).toBe(true);
    expect(join(got)).toBe(want);
    expect(U64.field(got.hi, got.lo, s, w)).toBe(Number(BigInt(value) & mask));
  });

  test.prop([u64Edge, shift])('shr', (v, n) => {
    const [hi, lo] = split(v);
    const got = U64.shr(hi, lo, n);
    expect(isU32(got.hi) && isU32(got.lo)).toBe(true);
    expect(join(got)).toBe(v >> BigInt(n));
  });

  test.prop([u64Edge, shift])('shl', (v, n) => {
    const [hi, lo] = split(v);
    const got = U64.shl(hi, lo, n);
    expect(isU32(got.hi) && isU32(got.lo)).toBe(true);
    expect(join(got)).toBe((v << BigInt(n)) & MASK64);
  });

  test.prop([u64Edge, u64Edge])('add', (a, b) => {
    const [aHi, aLo] = split(a);
    const [bHi, bLo] = split(b);
    const got = U64.add(aHi, aLo, bHi, bLo);
    expect(isU32(got.hi) && isU32(got.lo)).toBe(true);
    expect(join(got)).toBe((a + b) & MASK64);
  });

  test.prop([fc.maxSafeNat()])('fromNumber and toNumber', (n) => {
    const x = U64.fromNumber(n);
    expect(join(x)).toBe(BigInt(n));
    expect(U64.toNumber(x.hi, x.lo)).toBe(n);
  });

  test.prop([u64Edge, fc.nat({ max: 8 })])('readU64 and writeU64 are little-endian', (v, off) => {
    const view = new DataView(new ArrayBuffer(16));
    const [hi, lo] = split(v);
    U64.writeU64(view, off, hi, lo);
    expect(view.getBigUint64(off, true)).toBe(v);
    const back = U64.readU64(view, off);
    expect(join(back)).toBe(v);
  });

  test.prop([u64Edge])('signed 32-bit inputs (from |, <<) are treated as unsigned', (v) => {
    const [hi, lo] = split(v);
    expect(join(U64.shr(hi | 0, lo | 0, 0))).toBe(v);
    expect(U64.toBig(hi | 0, lo | 0)).toBe(v);
  });
});
