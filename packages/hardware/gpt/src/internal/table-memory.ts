/**
 * 64-bit little-endian descriptors in Root memory as u32 pairs, read and written through
 * {@link RawMemory} granule views without allocating (STYLE.md §6: no bigint on the GPT path).
 * @module
 */
import type { RawMemory } from '@islet/abi';
import { GRANULE_SIZE, type PhysAddr } from '@islet/arch';

/** The little-endian u32 at byte `off` of `bytes`. */
export function readU32(bytes: Uint8Array, off: number): number {
  return (
    (bytes[off]! | (bytes[off + 1]! << 8) | (bytes[off + 2]! << 16) | (bytes[off + 3]! << 24)) >>> 0
  );
}

/** Writes `value` as a little-endian u32 at byte `off` of `bytes`. */
export function writeU32(bytes: Uint8Array, off: number, value: number): void {
  bytes[off] = value & 0xff;
  bytes[off + 1] = (value >>> 8) & 0xff;
  bytes[off + 2] = (value >>> 16) & 0xff;
  bytes[off + 3] = (value >>> 24) & 0xff;
}

/**
 * `pa mod 4096` for a non-negative integer address. Floating `%` compiles to a call to `fmod`
 * (tens of ns); a floor of the exact division by a power of two does not.
 */
export function granuleOffset(pa: number): number {
  return pa - Math.floor(pa / GRANULE_SIZE) * GRANULE_SIZE;
}

/** The granule view that holds the 8-byte descriptor at `pa`, or `undefined` if unbacked. */
export function granuleOf(memory: RawMemory, pa: number): Uint8Array | undefined {
  const view = memory.granule((Math.floor(pa / GRANULE_SIZE) * GRANULE_SIZE) as PhysAddr);
  return view !== undefined && view.length >= GRANULE_SIZE ? view : undefined;
}

/** Writes the descriptor `hi:lo` at `pa` (8-byte aligned, in a backed granule). */
export function writeDescriptor(memory: RawMemory, pa: number, hi: number, lo: number): void {
  const view = granuleOf(memory, pa)!;
  const off = granuleOffset(pa);
  writeU32(view, off, lo);
  writeU32(view, off + 4, hi);
}

/**
 * Fills `count` descriptors from `pa` (8-byte aligned, every granule backed) with `hi:lo`.
 */
export function fillDescriptors(
  memory: RawMemory,
  pa: number,
  count: number,
  hi: number,
  lo: number,
): void {
  let at = pa;
  let left = count;
  while (left > 0) {
    const view = granuleOf(memory, at)!;
    let off = granuleOffset(at);
    const n = Math.min(left, (GRANULE_SIZE - off) / 8);
    for (let k = 0; k < n; k++, off += 8) {
      writeU32(view, off, lo);
      writeU32(view, off + 4, hi);
    }
    at += n * 8;
    left -= n;
  }
}

/** Whether every granule of `[pa, pa + size)` is backed by memory. */
export function isBacked(memory: RawMemory, pa: number, size: number): boolean {
  for (let at = pa - (pa % GRANULE_SIZE); at < pa + size; at += GRANULE_SIZE) {
    if (granuleOf(memory, at) === undefined) return false;
  }
  return true;
}
