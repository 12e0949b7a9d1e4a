/**
 * The host's granule allocator: hands out 4 KiB granules of the DRAM it owns, never the same one
 * twice while it is in use. A bump pointer walks the DRAM ranges in order; freed granules go on a
 * free list and are reused first (single granules only: contiguous runs, which concatenated root
 * RTTs need, always come from the bump pointer).
 * @module
 */
import { IsletError } from '@islet/arch';
import { GranuleSet } from './granule-set.ts';
import type { DramRange } from './ports.ts';

const GRANULE = 0x1000n;

/**
 * The granule number of `pa`: an integer for an aligned PA below 2^53 (every PA this allocator
 * hands out), a fraction for an unaligned one, which is then never found.
 */
const granuleNumber = (pa: bigint): number => Number(pa) / 4096;

/** Options of {@link GranuleAllocator}. @since 0.1.0 */
export interface GranuleAllocatorOptions {
  /** Skip this many bytes at the start of the first range (e.g. what the host kernel uses). */
  readonly reserve?: bigint;
}

/**
 * A bump allocator of 4 KiB granules over DRAM ranges, with a free list.
 * @example
 * ```ts
 * const granules = new GranuleAllocator(platform.host.dram);
 * const rd = granules.alloc();
 * granules.free(rd);
 * ```
 * @since 0.1.0
 */
export class GranuleAllocator {
  readonly #ranges: readonly DramRange[];
  #range = 0;
  #next: bigint;
  readonly #free: bigint[] = [];
  /** Allocated granules by granule number (PA / 4 KiB). */
  readonly #used = new GranuleSet();

  /**
   * @throws {RangeError} when a range is not granule-aligned or there is none.
   */
  constructor(dram: readonly DramRange[], options: GranuleAllocatorOptions = {}) {
    if (dram.length === 0) throw new RangeError('the host owns no DRAM');
    for (const r of dram) {
      if (r.base % GRANULE !== 0n || r.size % GRANULE !== 0n || r.size <= 0n) {
        throw new RangeError(`DRAM range 0x${r.base.toString(16)} is not granule-aligned`);
      }
    }
    this.#ranges = dram;
    const reserve = options.reserve ?? 0n;
    if (reserve % GRANULE !== 0n || reserve < 0n) {
      throw new RangeError('the reserve must be a multiple of 4 KiB');
    }
    this.#next = dram[0]!.base + reserve;
  }

  /** How many granules are allocated. */
  get inUse(): number {
    return this.#used.size;
  }

  /** Whether `pa` is allocated. */
  isAllocated(pa: bigint): boolean {
    return this.#used.has(granuleNumber(pa));
  }

  /**
   * One granule: a freed one if any, else the next one.
   * @throws {@link IsletError} `HOST_OUT_OF_MEMORY` when DRAM is exhausted.
   */
  alloc(): bigint {
    const pa = this.#free.pop() ?? this.#bump(1);
    this.#used.add(granuleNumber(pa));
    return pa;
  }

  /**
   * `count` physically contiguous granules aligned to `count` granules; returns the first.
   * @throws {@link IsletError} `HOST_OUT_OF_MEMORY` when DRAM is exhausted.
   */
  allocContiguous(count: number): bigint {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`cannot allocate ${count} granules`);
    const base = this.#bump(count);
    for (let i = 0n; i < BigInt(count); i++) this.#used.add(granuleNumber(base + i * GRANULE));
    return base;
  }

  /**
   * Returns a granule for reuse.
   * @throws {@link IsletError} `HOST_GRANULE_NOT_ALLOCATED` when `pa` is not allocated.
   */
  free(pa: bigint): void {
    if (!this.#used.delete(granuleNumber(pa))) {
      throw new IsletError(
        'HOST_GRANULE_NOT_ALLOCATED',
        'freeing a granule that is not allocated',
        {
          details: `0x${pa.toString(16)}`,
        },
      );
    }
    this.#free.push(pa);
  }

  #bump(count: number): bigint {
    const bytes = BigInt(count) * GRANULE;
    const align = count > 1 ? bytes : GRANULE;
    for (; this.#range < this.#ranges.length; this.#range++) {
      const r = this.#ranges[this.#range]!;
      if (this.#next < r.base) this.#next = r.base;
      const at = ((this.#next + align - 1n) / align) * align;
      if (at + bytes <= r.base + r.size) {
        // Alignment padding goes on the free list rather than being lost.
        for (let g = this.#next; g < at; g += GRANULE) this.#free.push(g);
        this.#next = at + bytes;
        return at;
      }
    }
    throw new IsletError('HOST_OUT_OF_MEMORY', `no ${count} free contiguous granules left in DRAM`);
  }
}
