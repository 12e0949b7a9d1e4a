/**
 * 64-bit helpers on u32 pairs (after noble's `_u64.ts`), for hot paths where a bigint that escapes
 * costs 20 to 30 times a number operation (STYLE.md §6). `hi` is bits [63:32], `lo` bits [31:0],
 * both unsigned 32-bit numbers. Convert to and from bigint only at boundaries.
 *
 * **Gotchas**: JavaScript bitwise operators work on signed 32 bits; every result here is brought back
 * to unsigned with `>>> 0`.
 * @module
 */

const U32 = 0x1_0000_0000;
const MASK64 = (1n << 64n) - 1n;

/** A 64-bit value as two unsigned 32-bit halves. */
export interface U64 {
  readonly hi: number;
  readonly lo: number;
}

/** Splits a bigint (taken mod 2^64) into halves. */
export function fromBig(value: bigint): U64 {
  const v = value & MASK64;
  return { hi: Number(v >> 32n), lo: Number(v & 0xffff_ffffn) };
}

/** Joins halves into a bigint, for boundaries, debugging and printing. */
export function toBig(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Joins halves into a number; exact while the value is below 2^53. */
export function toNumber(hi: number, lo: number): number {
  return (hi >>> 0) * U32 + (lo >>> 0);
}

/** Splits a non-negative safe integer into halves. */
export function fromNumber(value: number): U64 {
  return { hi: Math.floor(value / U32) >>> 0, lo: value >>> 0 };
}

/** Bit `n` (0..63) of a u32 pair, as 0 or 1. */
export function bit(hi: number, lo: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

/**
 * The field of `width` bits (1..32) starting at bit `shift` (0..63), as an unsigned number.
 * A field may straddle the 32-bit boundary.
 */
export function field(hi: number, lo: number, shift: number, width: number): number {
  const mask = width === 32 ? 0xffff_ffff : (1 << width) - 1;
  if (shift >= 32) return ((hi >>> (shift - 32)) & mask) >>> 0;
  if (shift + width <= 32) return ((lo >>> shift) & mask) >>> 0;
  const low = lo >>> shift;
  const high = hi << (32 - shift);
  return ((low | high) & mask) >>> 0;
}

/** Logical right shift of a u32 pair by `n` (0..63). */
export function shr(hi: number, lo: number, n: number): U64 {
  if (n === 0) return { hi: hi >>> 0, lo: lo >>> 0 };
  if (n < 32) return { hi: hi >>> n, lo: ((lo >>> n) | (hi << (32 - n))) >>> 0 };
  return { hi: 0, lo: hi >>> (n - 32) };
}

/** Left shift of a u32 pair by `n` (0..63), truncated to 64 bits. */
export function shl(hi: number, lo: number, n: number): U64 {
  if (n === 0) return { hi: hi >>> 0, lo: lo >>> 0 };
  if (n < 32) return { hi: ((hi << n) | (lo >>> (32 - n))) >>> 0, lo: (lo << n) >>> 0 };
  return { hi: (lo << (n - 32)) >>> 0, lo: 0 };
}

/** Replaces the field of `width` bits at `shift` with `value`. */
export function setField(hi: number, lo: number, shift: number, width: number, value: number): U64 {
  const mask = width === 32 ? 0xffff_ffff : (1 << width) - 1;
  const v = value & mask;
  if (shift >= 32) {
    const s = shift - 32;
    return { hi: ((hi & ~(mask << s)) | (v << s)) >>> 0, lo: lo >>> 0 };
  }
  if (shift + width <= 32) {
    return { hi: hi >>> 0, lo: ((lo & ~(mask << shift)) | (v << shift)) >>> 0 };
  }
  const lowBits = 32 - shift;
  const lowMask = (1 << lowBits) - 1;
  const newLo = ((lo & ~(lowMask << shift)) | ((v & lowMask) << shift)) >>> 0;
  const highWidth = width - lowBits;
  const highMask = (1 << highWidth) - 1;
  const newHi = ((hi & ~highMask) | ((v >>> lowBits) & highMask)) >>> 0;
  return { hi: newHi, lo: newLo };
}

/** Add with carry, truncated to 64 bits. */
export function add(aHi: number, aLo: number, bHi: number, bLo: number): U64 {
  const lo = (aLo >>> 0) + (bLo >>> 0);
  const carry = lo >= U32 ? 1 : 0;
  return { hi: ((aHi >>> 0) + (bHi >>> 0) + carry) >>> 0, lo: lo >>> 0 };
}

/** Reads a little-endian u64 at `offset` of a DataView as halves. */
export function readU64(view: DataView, offset: number): U64 {
  return { hi: view.getUint32(offset + 4, true), lo: view.getUint32(offset, true) };
}

/** Writes halves as a little-endian u64 at `offset` of a DataView. */
export function writeU64(view: DataView, offset: number, hi: number, lo: number): void {
  view.setUint32(offset, lo >>> 0, true);
  view.setUint32(offset + 4, hi >>> 0, true);
}
