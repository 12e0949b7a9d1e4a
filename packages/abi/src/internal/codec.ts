/**
 * Shared helpers of the structure codecs: sized DataViews and little-endian field access. Every
 * read and write names `littleEndian = true` explicitly (STYLE.md §6).
 * @module
 */

/** A layout entry: byte offset and size of one field. */
export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

/**
 * A DataView over exactly `size` bytes of `bytes`.
 * @throws {RangeError} when `bytes` is not `size` bytes long.
 */
export function structView(bytes: Uint8Array, size: number, name: string): DataView {
  if (bytes.length !== size) {
    throw new RangeError(`${name}: expected ${size} bytes, got ${bytes.length}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, size);
}

/** Reads `count` consecutive little-endian u64s. */
export function readU64s(view: DataView, offset: number, count: number): bigint[] {
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) out[i] = view.getBigUint64(offset + 8 * i, true);
  return out;
}

/**
 * Writes exactly `count` little-endian u64s.
 * @throws {RangeError} when `values` does not have `count` entries or one is not a u64.
 */
export function writeU64s(
  view: DataView,
  offset: number,
  values: readonly bigint[],
  count: number,
  name: string,
): void {
  if (values.length !== count) {
    throw new RangeError(`${name}: expected ${count} values, got ${values.length}`);
  }
  for (let i = 0; i < count; i++) {
    writeU64(view, offset + 8 * i, values[i]!, `${name}[${i}]`);
  }
}

/**
 * Writes one little-endian u64.
 * @throws {RangeError} when `value` is not in [0, 2^64).
 */
export function writeU64(view: DataView, offset: number, value: bigint, name: string): void {
  if (BigInt.asUintN(64, value) !== value) {
    throw new RangeError(`${name}: ${value} is not a u64`);
  }
  view.setBigUint64(offset, value, true);
}

/**
 * Reads a u64 that holds a small number (a count, width or enum): exact when it is a safe
 * integer, else `Infinity`, which every range check rejects.
 */
export function readSmallU64(view: DataView, offset: number): number {
  const hi = view.getUint32(offset + 4, true);
  const lo = view.getUint32(offset, true);
  if (hi > 0x1f_ffff) return Number.POSITIVE_INFINITY;
  return hi * 0x1_0000_0000 + lo;
}

/**
 * Writes a number as a u64.
 * @throws {RangeError} when `value` is not a non-negative safe integer.
 */
export function writeSmallU64(view: DataView, offset: number, value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name}: ${value} is not a non-negative safe integer`);
  }
  view.setUint32(offset, value >>> 0, true);
  view.setUint32(offset + 4, Math.floor(value / 0x1_0000_0000), true);
}

/**
 * Reads an s64 that holds a small number (a level): exact when it is a safe integer, else
 * `-Infinity` or `Infinity`.
 */
export function readSmallS64(view: DataView, offset: number): number {
  const v = view.getBigInt64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.POSITIVE_INFINITY;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.NEGATIVE_INFINITY;
  return Number(v);
}

/**
 * Writes a number as an s64.
 * @throws {RangeError} when `value` is not a safe integer.
 */
export function writeSmallS64(view: DataView, offset: number, value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name}: ${value} is not a safe integer`);
  view.setBigInt64(offset, BigInt(value), true);
}

/**
 * Checks that `value` fits an unsigned field of `bits` bits (8, 16 or 32).
 * @throws {RangeError} otherwise.
 */
export function checkUint(value: number, bits: 8 | 16 | 32, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`${name}: ${value} is not a u${bits}`);
  }
  return value;
}

/**
 * Checks the length of a byte-array field.
 * @throws {RangeError} when `bytes` is not `size` bytes long.
 */
export function checkBytes(bytes: Uint8Array, size: number, name: string): Uint8Array {
  if (bytes.length !== size) {
    throw new RangeError(`${name}: expected ${size} bytes, got ${bytes.length}`);
  }
  return bytes;
}
