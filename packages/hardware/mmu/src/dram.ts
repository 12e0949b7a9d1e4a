/**
 * DRAM: the physical memory of an FVP-like platform, below the granule protection check.
 *
 * The default map is the Arm FVP Base RevC's (TF-A `plat/arm/board/fvp`, `include/plat/arm/
 * common/arm_def.h`): bank 0 is `ARM_DRAM1` (2 GiB at 0x8000_0000), bank 1 is `ARM_DRAM2`
 * (30 GiB at 0x8_8000_0000, `PLAT_ARM_DRAM2_SIZE = 0x7_8000_0000`), so DRAM ends at 64 GiB,
 * the physical address space of GPCCR_EL3.PPS = 0b001 (36 bits).
 *
 * **Storage.** Memory is 4 KiB granules. A granule gets storage on its first write (or a
 * {@link Dram.granule} view), in a *slot* of a large slab (`slabGranules` × 4 KiB, default
 * 2 MiB, one `ArrayBuffer` each). Granule → slot goes through two `Int32Array` levels indexed by
 * the granule's dense DRAM index (banks laid end to end): `leafOf[d >> 6]` names a leaf of 64
 * slot numbers. Leaf 0 is all zeroes, and slot 0 is a shared page of zeroes, so a lookup of a
 * never-touched granule needs no branch and reads zeroes without allocating. A 64 GiB space costs
 * 512 KiB of index plus 4 KiB per touched granule (and 256 bytes per touched 256 KiB region).
 *
 * **Known-zero granules.** Each slot carries a bit saying its 4 KiB are all zero: set when the slot
 * is allocated (new slabs are zero) and when {@link Dram.zero} clears the whole granule; cleared by
 * every write, copy and descriptor store into it, and whenever a live view of it is handed out
 * (its holder may write through it). `zero` skips the fill of a granule with the bit set, so an
 * RMM that scrubs a granule on DATA_DESTROY and zeroes it again on the next DELEGATE (TF-RMM and
 * Islet both do) pays for one fill, not two. The bit is conservative: it may be clear on a zero
 * granule, never set on a non-zero one, provided no view is written after a `zero` of its granule
 * (views are not to be kept across calls anyway).
 *
 * **Invariants.** A slot, once given to a granule, stays its storage for the life of the Dram
 * (live views never alias another granule); slot 0 is never written; every access lies inside
 * one bank (banks are sorted, disjoint and granule aligned).
 *
 * **Gotchas**: addresses go above bit 31; they are split with `/` and `%`, never `>>`. Dense
 * granule indices stay below 2^31, so those use bitwise operators.
 * @see rmm-abi.md §1.5, §8.2
 * @module
 */
import { MemoryAccess, type RawMemory } from '@islet/abi';
import {
  GRANULE_SIZE as ARCH_GRANULE_SIZE,
  MAX_ADDRESS as ARCH_MAX_ADDRESS,
  type PhysAddr,
} from '@islet/arch';
import { ExternalAbortError, MemoryArgumentError } from './errors.ts';
import {
  checkAccess as checkAccessImport,
  checkAligned as checkAlignedImport,
} from './internal/access.ts';

// Module-local aliases of what the hot paths use: under vitest's module runner every imported
// binding is a getter on a namespace object, which costs more than the 4 KiB copy itself.
const GRANULE_SIZE = ARCH_GRANULE_SIZE;
const MAX_ADDRESS = ARCH_MAX_ADDRESS;
const OK: MemoryAccess = MemoryAccess.Ok;
const EXTERNAL_ABORT: MemoryAccess = MemoryAccess.ExternalAbort;
const checkAccess = checkAccessImport;
const checkAligned = checkAlignedImport;

/** Base of FVP DRAM bank 0 (TF-A `ARM_DRAM1_BASE`). @see rmm-abi.md §1.5 @since 0.1.0 */
export const ARM_DRAM1_BASE = 0x8000_0000;
/** Size of FVP DRAM bank 0, 2 GiB (TF-A `ARM_DRAM1_SIZE`). @see rmm-abi.md §1.5 @since 0.1.0 */
export const ARM_DRAM1_SIZE = 0x8000_0000;
/** Base of FVP DRAM bank 1 (TF-A `PLAT_ARM_DRAM2_BASE`). @see rmm-abi.md §1.5 @since 0.1.0 */
export const ARM_DRAM2_BASE = 0x8_8000_0000;
/**
 * Size of FVP DRAM bank 1, 30 GiB (TF-A FVP `PLAT_ARM_DRAM2_SIZE`): it ends at 64 GiB.
 * @see rmm-abi.md §1.5
 * @since 0.1.0
 */
export const ARM_DRAM2_SIZE = 0x7_8000_0000;
/**
 * Width of the FVP's protected physical address space: 36 bits, 64 GiB (GPCCR_EL3.PPS = 0b001).
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export const FVP_PPS_BITS = 36;

/**
 * One DRAM bank: `size` bytes from `base`, both granule aligned.
 * @see rmm-abi.md §1.5
 * @since 0.1.0
 */
export interface DramBank {
  /** The first address of the bank. */
  readonly base: PhysAddr;
  /** The size of the bank in bytes. */
  readonly size: number;
}

/**
 * The FVP Base RevC DRAM banks: 2 GiB at 0x8000_0000 and 30 GiB at 0x8_8000_0000.
 * @see rmm-abi.md §1.5
 * @since 0.1.0
 */
export const FVP_DRAM_BANKS: readonly DramBank[] = Object.freeze([
  Object.freeze({ base: ARM_DRAM1_BASE as PhysAddr, size: ARM_DRAM1_SIZE }),
  Object.freeze({ base: ARM_DRAM2_BASE as PhysAddr, size: ARM_DRAM2_SIZE }),
]);

/**
 * Options of {@link Dram}.
 * @since 0.1.0
 */
export interface DramOptions {
  /** The banks, sorted and disjoint; default {@link FVP_DRAM_BANKS}. */
  readonly banks?: readonly DramBank[];
  /** Granules per storage slab, a power of two from 1 to 4096; default 512 (2 MiB slabs). */
  readonly slabGranules?: number;
  /**
   * Back the slabs with `SharedArrayBuffer`s, so a granule view can be read by a worker thread
   * in place (default false).
   */
  readonly shared?: boolean;
}

/**
 * How much storage a {@link Dram} holds.
 * @since 0.1.0
 */
export interface DramStats {
  /** Granules that have storage (written, or handed out as a live view). */
  readonly touchedGranules: number;
  /** Slabs allocated. */
  readonly slabs: number;
  /** Bytes of `ArrayBuffer` held: slabs, the zero page and the index. */
  readonly bytes: number;
}

/**
 * The largest `read(pa, length)` that allocates its result: 1 GiB. Use `readInto` beyond.
 * @since 0.1.0
 */
export const MAX_READ_SIZE: number = 2 ** 30;

function checkReadSize(length: number): void {
  if (length > MAX_READ_SIZE) {
    throw new MemoryArgumentError('MMU_LENGTH_INVALID', 'read too large to allocate', {
      details: `${length} bytes; read at most 2^30 at a time, or use readInto`,
    });
  }
}

const LEAF_SHIFT = 6;
const LEAF_SIZE = 1 << LEAF_SHIFT;
const LEAF_MASK = LEAF_SIZE - 1;
const WORDS_PER_GRANULE = GRANULE_SIZE / 4;
const MAX_DENSE_GRANULES = 2 ** 31;

function configError(details: string): MemoryArgumentError {
  return new MemoryArgumentError('DRAM_CONFIG_INVALID', 'invalid DRAM configuration', { details });
}

function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
}

/**
 * Sparse physical DRAM: banks of 4 KiB granules with storage allocated on first touch. It
 * implements the {@link RawMemory} port (the GPT keeps its tables through it) and offers raw,
 * unchecked accesses for Root-world code; every other world goes through a
 * {@link PhysicalMemory} port.
 *
 * @example
 * ```ts
 * const dram = new Dram(); // FVP Base RevC: 2 GiB + 30 GiB, 64 GiB address space
 * dram.write(physAddr(0x8800_0000), new Uint8Array([1, 2, 3]));
 * dram.read(physAddr(0x8800_0001), 2); // Uint8Array [2, 3]
 * dram.read(physAddr(0x9_0000_0000), 4); // zeroes; nothing allocated
 * dram.stats().touchedGranules; // 1
 * ```
 * @see rmm-abi.md §1.5, §8
 * @since 0.1.0
 */
export class Dram implements RawMemory {
  /** The banks, in address order. */
  readonly banks: readonly DramBank[];
  /** Total DRAM size in bytes. */
  readonly size: number;
  /** Total DRAM granules. */
  readonly granules: number;

  readonly #base: Float64Array;
  readonly #size: Float64Array;
  readonly #first: Float64Array;
  readonly #bankCount: number;
  readonly #slabShift: number;
  readonly #slabMask: number;
  readonly #slabBytes: number;
  /** Dense granule index >> 6 → leaf number (0: the all-untouched leaf). */
  readonly #leafOf: Int32Array;
  /** Leaf n holds the slot numbers of 64 granules at [n * 64, n * 64 + 64). */
  #leaves: Int32Array;
  #leafCount = 1;
  /** Slot s ≥ 1 lives in slab (s - 1) >> slabShift. */
  readonly #slabs: Uint8Array[] = [];
  readonly #shared: boolean;
  readonly #slabWords: Uint32Array[] = [];
  /** Slot → live 4 KiB view; slot 0 is the shared page of zeroes. */
  readonly #views: Uint8Array[] = [new Uint8Array(GRANULE_SIZE)];
  /** Slot → 1 when its granule is known to be all zero (see the module doc). */
  #zeroes = new Uint8Array(1024).fill(1, 0, 1);
  #slots = 1;

  /**
   * @param options - banks and slab size; the default is the FVP Base RevC map.
   * @throws {@link MemoryArgumentError} `DRAM_CONFIG_INVALID` when banks are unaligned, empty,
   * unsorted, overlapping, beyond 2^52 or larger than 2^31 granules in total, or the slab size is
   * not a power of two in 1..4096 granules.
   */
  constructor(options: DramOptions = {}) {
    if (!isLittleEndianHost()) throw configError('the host must be little-endian');
    const banks = options.banks ?? FVP_DRAM_BANKS;
    const slabGranules = options.slabGranules ?? 512;
    this.#shared = options.shared ?? false;
    if (
      !Number.isInteger(slabGranules) ||
      slabGranules < 1 ||
      slabGranules > 4096 ||
      (slabGranules & (slabGranules - 1)) !== 0
    ) {
      throw configError(`slabGranules ${slabGranules} is not a power of two in 1..4096`);
    }
    if (banks.length === 0) throw configError('no DRAM banks');
    this.#bankCount = banks.length;
    this.#base = new Float64Array(banks.length);
    this.#size = new Float64Array(banks.length);
    this.#first = new Float64Array(banks.length);
    let granules = 0;
    let previousEnd = 0;
    for (let b = 0; b < banks.length; b++) {
      const { base, size } = banks[b]!;
      if (
        !Number.isSafeInteger(base) ||
        !Number.isSafeInteger(size) ||
        base < previousEnd ||
        size <= 0 ||
        base % GRANULE_SIZE !== 0 ||
        size % GRANULE_SIZE !== 0 ||
        base + size > MAX_ADDRESS
      ) {
        throw configError(
          `bank ${b} (base ${String(base)}, size ${String(size)}) must be granule aligned, non-empty, below 2^52 and above the previous bank`,
        );
      }
      this.#base[b] = base;
      this.#size[b] = size;
      this.#first[b] = granules;
      granules += size / GRANULE_SIZE;
      previousEnd = base + size;
    }
    if (granules > MAX_DENSE_GRANULES) throw configError(`${granules} granules exceed 2^31`);
    this.banks = Object.freeze(banks.map((b) => Object.freeze({ base: b.base, size: b.size })));
    this.granules = granules;
    this.size = granules * GRANULE_SIZE;
    this.#slabShift = Math.log2(slabGranules);
    this.#slabMask = slabGranules - 1;
    this.#slabBytes = slabGranules * GRANULE_SIZE;
    this.#leafOf = new Int32Array(Math.ceil(granules / LEAF_SIZE));
    this.#leaves = new Int32Array(LEAF_SIZE * 64);
  }

  /**
   * Whether DRAM backs every byte of [pa, pa + length) inside one bank. Never throws.
   * @param pa - the first address.
   * @param length - bytes (default 1); a zero-length range is contained when `pa` is valid.
   */
  contains(pa: number, length = 1): boolean {
    if (!Number.isSafeInteger(pa) || !Number.isSafeInteger(length) || pa < 0 || length < 0) {
      return false;
    }
    return length === 0 ? pa < MAX_ADDRESS : this.#locate(pa, length) >= 0;
  }

  /**
   * The granule at the aligned `pa` as a live view, allocated on first touch; `undefined` when
   * no DRAM backs it. Implements {@link RawMemory.granule}.
   * @throws {@link MemoryArgumentError} `MMU_ADDRESS_INVALID`, `MMU_UNALIGNED`.
   */
  granule(pa: PhysAddr): Uint8Array | undefined {
    // An aligned address below 2^52 is an integer: checkAligned cannot throw on it.
    if (!(pa % GRANULE_SIZE === 0 && pa >= 0 && pa < MAX_ADDRESS)) checkAligned(pa, GRANULE_SIZE);
    const d = this.#locate(pa, GRANULE_SIZE);
    if (d < 0) return undefined;
    let s = this.#slotOf(d);
    if (s === 0) s = this.#allocate(d);
    // The holder of a live view may write through it.
    this.#zeroes[s] = 0;
    return this.#views[s];
  }

  /**
   * Reads `length` bytes at `pa` into a fresh array. Never-touched granules read as zeroes and
   * stay unallocated.
   * @throws {@link MemoryArgumentError} on a bad address or a length above 2^30;
   * {@link ExternalAbortError} when the range leaves DRAM.
   */
  read(pa: PhysAddr, length: number): Uint8Array<ArrayBuffer> {
    checkAccess(pa, length);
    checkReadSize(length);
    const out = new Uint8Array(length);
    if (length > 0) this.#readK(this.#mustLocate(pa, length), pa % GRANULE_SIZE, out, length);
    return out;
  }

  /**
   * Reads `dst.length` bytes at `pa` into `dst`.
   * @throws {@link MemoryArgumentError}, {@link ExternalAbortError} as {@link Dram.read}; `dst`
   * is untouched when it throws.
   */
  readInto(pa: PhysAddr, dst: Uint8Array): void {
    checkAccess(pa, dst.length);
    if (dst.length > 0) {
      this.#readK(this.#mustLocate(pa, dst.length), pa % GRANULE_SIZE, dst, dst.length);
    }
  }

  /**
   * Writes `bytes` at `pa`, allocating granules on first touch.
   * @throws {@link MemoryArgumentError}, {@link ExternalAbortError}; nothing is written then.
   */
  write(pa: PhysAddr, bytes: Uint8Array): void {
    checkAccess(pa, bytes.length);
    if (bytes.length > 0) {
      this.#writeK(this.#mustLocate(pa, bytes.length), pa % GRANULE_SIZE, bytes);
    }
  }

  /**
   * Zeroes `length` bytes at `pa`. Never-touched granules stay unallocated, and whole granules
   * known to be zero are not written again (see the module doc).
   * @throws {@link MemoryArgumentError}, {@link ExternalAbortError}; nothing is changed then.
   */
  zero(pa: PhysAddr, length: number): void {
    checkAccess(pa, length);
    if (length > 0) this.#zeroK(this.#mustLocate(pa, length), pa % GRANULE_SIZE, length);
  }

  /**
   * Copies `length` bytes from `src` to `dst`, as `memmove` does (overlap allowed).
   * @throws {@link MemoryArgumentError}, {@link ExternalAbortError}; nothing is changed then.
   */
  copy(src: PhysAddr, dst: PhysAddr, length: number): void {
    // The hot case, one whole aligned granule (x % 4096 === 0 also means an integer).
    if (length === GRANULE_SIZE && src % GRANULE_SIZE === 0 && dst % GRANULE_SIZE === 0) {
      const ds = src >= 0 ? this.#locate(src, GRANULE_SIZE) : -1;
      const dd = dst >= 0 ? this.#locate(dst, GRANULE_SIZE) : -1;
      if (ds >= 0 && dd >= 0) {
        if (ds !== dd) this.#copyGranule(ds, dd);
        return;
      }
    }
    checkAccess(src, length);
    checkAccess(dst, length);
    if (length === 0) return;
    const ds = this.#mustLocate(src, length);
    const dd = this.#mustLocate(dst, length);
    if (src === dst) return;
    if (src < dst + length && dst < src + length) {
      const tmp = new Uint8Array(length);
      this.#readK(ds, src % GRANULE_SIZE, tmp, length);
      this.#writeK(dd, dst % GRANULE_SIZE, tmp);
      return;
    }
    this.#copyK(ds, src % GRANULE_SIZE, dd, dst % GRANULE_SIZE, length);
  }

  /**
   * Reads the little-endian 64-bit word at the 8-byte aligned `pa` as `out[0]` = bits [31:0],
   * `out[1]` = bits [63:32], without allocating. For stage-2 walks.
   * @returns `MemoryAccess.Ok`, or `ExternalAbort` when no DRAM backs `pa` (`out` unchanged).
   * @throws {@link MemoryArgumentError} `MMU_ADDRESS_INVALID`, `MMU_UNALIGNED`.
   */
  readDescriptor(pa: PhysAddr, out: Uint32Array): MemoryAccess {
    if (pa % 8 !== 0 || !(pa >= 0 && pa < MAX_ADDRESS)) checkAligned(pa, 8);
    const d = this.#locate(pa, 8);
    if (d < 0) return EXTERNAL_ABORT;
    const s = this.#slotOf(d);
    if (s === 0) {
      out[0] = 0;
      out[1] = 0;
      return OK;
    }
    const t = s - 1;
    const words = this.#slabWords[t >>> this.#slabShift]!;
    const i = (t & this.#slabMask) * WORDS_PER_GRANULE + (pa % GRANULE_SIZE) / 4;
    out[0] = words[i]!;
    out[1] = words[i + 1]!;
    return OK;
  }

  /**
   * Writes the little-endian 64-bit word `hi:lo` at the 8-byte aligned `pa`.
   * @throws {@link MemoryArgumentError}, {@link ExternalAbortError}.
   */
  writeDescriptor(pa: PhysAddr, hi: number, lo: number): void {
    checkAligned(pa, 8);
    const d = this.#mustLocate(pa, 8);
    let s = this.#slotOf(d);
    if (s === 0) s = this.#allocate(d);
    this.#zeroes[s] = 0;
    const t = s - 1;
    const words = this.#slabWords[t >>> this.#slabShift]!;
    const i = (t & this.#slabMask) * WORDS_PER_GRANULE + (pa % GRANULE_SIZE) / 4;
    words[i] = lo;
    words[i + 1] = hi;
  }

  /** Whether the granule containing `pa` has storage (has been written or viewed). Never throws. */
  isTouched(pa: number): boolean {
    if (!this.contains(pa)) return false;
    return this.#slotOf(this.#locate(pa, 1)) !== 0;
  }

  /** The storage held: touched granules, slabs and bytes. */
  stats(): DramStats {
    return {
      touchedGranules: this.#slots - 1,
      slabs: this.#slabs.length,
      bytes:
        this.#slabs.length * this.#slabBytes +
        GRANULE_SIZE +
        this.#leaves.byteLength +
        this.#leafOf.byteLength,
    };
  }

  /** The dense index of the granule of `pa` if [pa, pa + length) lies in one bank, else -1. */
  #locate(pa: number, length: number): number {
    for (let b = 0; b < this.#bankCount; b++) {
      const rel = pa - this.#base[b]!;
      if (rel >= 0 && rel + length <= this.#size[b]!) {
        return this.#first[b]! + Math.floor(rel / GRANULE_SIZE);
      }
    }
    return -1;
  }

  #mustLocate(pa: number, length: number): number {
    const d = this.#locate(pa, length);
    if (d < 0) throw new ExternalAbortError(this.#firstOutside(pa, length) as PhysAddr, length);
    return d;
  }

  /** The first address of [pa, pa + length) that no bank backs, for error reports. */
  #firstOutside(pa: number, length: number): number {
    for (let b = 0; b < this.#bankCount; b++) {
      const base = this.#base[b]!;
      const end = base + this.#size[b]!;
      if (pa >= base && pa < end) return end < pa + length ? end : pa;
    }
    return pa;
  }

  #slotOf(d: number): number {
    return this.#leaves[this.#leafOf[d >>> LEAF_SHIFT]! * LEAF_SIZE + (d & LEAF_MASK)]!;
  }

  #allocate(d: number): number {
    let leaf = this.#leafOf[d >>> LEAF_SHIFT]!;
    if (leaf === 0) {
      leaf = this.#leafCount++;
      if (this.#leafCount * LEAF_SIZE > this.#leaves.length) {
        const grown = new Int32Array(this.#leaves.length * 2);
        grown.set(this.#leaves);
        this.#leaves = grown;
      }
      this.#leafOf[d >>> LEAF_SHIFT] = leaf;
    }
    const s = this.#slots++;
    const t = s - 1;
    const slab = t >>> this.#slabShift;
    if (slab === this.#slabs.length) {
      const bytes = new Uint8Array(
        this.#shared ? new SharedArrayBuffer(this.#slabBytes) : new ArrayBuffer(this.#slabBytes),
      );
      this.#slabs.push(bytes);
      this.#slabWords.push(new Uint32Array(bytes.buffer));
    }
    const off = (t & this.#slabMask) * GRANULE_SIZE;
    this.#views[s] = this.#slabs[slab]!.subarray(off, off + GRANULE_SIZE);
    if (s === this.#zeroes.length) {
      const grown = new Uint8Array(s * 2);
      grown.set(this.#zeroes);
      this.#zeroes = grown;
    }
    // A new slab is zero, and a slot is never handed to a second granule.
    this.#zeroes[s] = 1;
    this.#leaves[leaf * LEAF_SIZE + (d & LEAF_MASK)] = s;
    return s;
  }

  #readK(d: number, off: number, dst: Uint8Array, length: number): void {
    let pos = 0;
    while (pos < length) {
      const n = Math.min(length - pos, GRANULE_SIZE - off);
      const s = this.#slotOf(d);
      if (s === 0) dst.fill(0, pos, pos + n);
      else {
        const v = this.#views[s]!;
        const src = n === GRANULE_SIZE ? v : v.subarray(off, off + n);
        // `set` with a variable offset costs V8 ~50 ns more than without one.
        if (pos === 0) dst.set(src);
        else dst.set(src, pos);
      }
      pos += n;
      off = 0;
      d++;
    }
  }

  #writeK(d: number, off: number, src: Uint8Array): void {
    const length = src.length;
    let pos = 0;
    while (pos < length) {
      const n = Math.min(length - pos, GRANULE_SIZE - off);
      let s = this.#slotOf(d);
      if (s === 0) s = this.#allocate(d);
      if (n === GRANULE_SIZE && length - pos >= 2 * GRANULE_SIZE) {
        // Whole granules whose slots follow each other in one slab (granules first touched in
        // order, e.g. a staging buffer) take one copy, not one per granule.
        const run = this.#slotRun(d, s, (length - pos) / GRANULE_SIZE);
        if (run > 1) {
          const t = s - 1;
          this.#zeroes.fill(0, s, s + run);
          this.#slabs[t >>> this.#slabShift]!.set(
            src.subarray(pos, pos + run * GRANULE_SIZE),
            (t & this.#slabMask) * GRANULE_SIZE,
          );
          pos += run * GRANULE_SIZE;
          d += run;
          continue;
        }
      }
      this.#zeroes[s] = 0;
      const v = this.#views[s]!;
      const part = n === length ? src : src.subarray(pos, pos + n);
      if (off === 0) v.set(part);
      else v.set(part, off);
      pos += n;
      off = 0;
      d++;
    }
  }

  /**
   * How many granules from dense index `d` (slot `s`), at most `max`, have the slots `s`, `s + 1`,
   * … in the slab of `s`.
   */
  #slotRun(d: number, s: number, max: number): number {
    const slab = (s - 1) >>> this.#slabShift;
    let run = 1;
    while (
      run < max &&
      this.#slotOf(d + run) === s + run &&
      (s + run - 1) >>> this.#slabShift === slab
    ) {
      run++;
    }
    return run;
  }

  #zeroK(d: number, off: number, length: number): void {
    let pos = 0;
    while (pos < length) {
      const n = Math.min(length - pos, GRANULE_SIZE - off);
      const s = this.#slotOf(d);
      if (s !== 0 && this.#zeroes[s] === 0) {
        if (n === GRANULE_SIZE) {
          // Through 32-bit words: a byte-wise fill of a shared slab is about five times slower.
          const t = s - 1;
          const at = (t & this.#slabMask) * WORDS_PER_GRANULE;
          this.#slabWords[t >>> this.#slabShift]!.fill(0, at, at + WORDS_PER_GRANULE);
          this.#zeroes[s] = 1;
        } else {
          this.#views[s]!.fill(0, off, off + n);
        }
      }
      pos += n;
      off = 0;
      d++;
    }
  }

  /** Copies one whole granule to another. */
  #copyGranule(ds: number, dd: number): void {
    const ss = this.#slotOf(ds);
    let sd = this.#slotOf(dd);
    if (ss === 0) {
      if (sd !== 0) this.#zeroK(dd, 0, GRANULE_SIZE);
      return;
    }
    if (sd === 0) sd = this.#allocate(dd);
    this.#views[sd]!.set(this.#views[ss]!);
    this.#zeroes[sd] = this.#zeroes[ss]!;
  }

  /** Copies between two non-overlapping ranges. */
  #copyK(ds: number, so: number, dd: number, doff: number, length: number): void {
    while (length > 0) {
      const n = Math.min(length, GRANULE_SIZE - so, GRANULE_SIZE - doff);
      const ss = this.#slotOf(ds);
      let sd = this.#slotOf(dd);
      if (ss === 0) {
        if (sd !== 0) this.#views[sd]!.fill(0, doff, doff + n);
      } else {
        if (sd === 0) sd = this.#allocate(dd);
        this.#zeroes[sd] = 0;
        const v = this.#views[ss]!;
        const src = n === GRANULE_SIZE ? v : v.subarray(so, so + n);
        if (doff === 0) this.#views[sd]!.set(src);
        else this.#views[sd]!.set(src, doff);
      }
      length -= n;
      so += n;
      doff += n;
      if (so === GRANULE_SIZE) {
        so = 0;
        ds++;
      }
      if (doff === GRANULE_SIZE) {
        doff = 0;
        dd++;
      }
    }
  }
}
