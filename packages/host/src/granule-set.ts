/**
 * A set of granule numbers as a sparse bitmap: one bit per granule, in chunks of 2^16 granules
 * (256 MiB of DRAM, 8 KiB of bits) made on first use. The allocator adds one per page a launch
 * delegates and removes it when the realm is torn down; a `Set<number>` costs about ten times
 * as much per pair (hashing, tombstones, rehashing as it grows and shrinks).
 * @module
 */

const CHUNK_GRANULES = 0x1_0000;
const WORDS_PER_CHUNK = CHUNK_GRANULES / 32;

/** Granule numbers: non-negative safe integers (others are never members). */
export class GranuleSet {
  readonly #chunks = new Map<number, Uint32Array>();
  #size = 0;

  /** How many granules are members. */
  get size(): number {
    return this.#size;
  }

  /** Whether granule `g` is a member. */
  has(g: number): boolean {
    const c = this.#chunks.get(Math.floor(g / CHUNK_GRANULES));
    return (
      c !== undefined && Number.isSafeInteger(g) && (c[(g % CHUNK_GRANULES) >>> 5]! & bit(g)) !== 0
    );
  }

  /** Adds granule `g` (a non-negative safe integer); returns whether it was new. */
  add(g: number): boolean {
    const k = Math.floor(g / CHUNK_GRANULES);
    let c = this.#chunks.get(k);
    if (c === undefined) {
      c = new Uint32Array(WORDS_PER_CHUNK);
      this.#chunks.set(k, c);
    }
    const i = (g % CHUNK_GRANULES) >>> 5;
    const b = bit(g);
    if ((c[i]! & b) !== 0) return false;
    c[i] = c[i]! | b;
    this.#size++;
    return true;
  }

  /** Removes granule `g`; returns whether it was a member. */
  delete(g: number): boolean {
    if (!Number.isSafeInteger(g)) return false;
    const c = this.#chunks.get(Math.floor(g / CHUNK_GRANULES));
    if (c === undefined) return false;
    const i = (g % CHUNK_GRANULES) >>> 5;
    const b = bit(g);
    if ((c[i]! & b) === 0) return false;
    c[i] = c[i]! & ~b;
    this.#size--;
    return true;
  }
}

/** The bit of granule `g` in its 32-bit word. */
function bit(g: number): number {
  return 1 << (g % 32);
}
