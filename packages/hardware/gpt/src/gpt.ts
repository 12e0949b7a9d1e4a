/**
 * The Granule Protection Table as EL3 owns it: descriptors in Root memory (the truth), a cached
 * GPI per granule for the granule protection check on every access, and the granule transitions
 * EL3 performs for the RMM (RMM_GTSI_DELEGATE / RMM_GTSI_UNDELEGATE).
 *
 * **Invariants.**
 * - The cached view equals {@link walkGpt} over the descriptors in memory for every granule of the
 *   protected space, after every public call. Transitions write the descriptor first, then the
 *   cache. Code that writes the tables behind this object's back (through `RawMemory`) calls
 *   {@link Gpt.resync}.
 * - A transition that returns a status other than `Ok` has written nothing.
 * - Lookups never allocate and never touch bigint: a granule number → (L0 index, offset) → a byte.
 *
 * **Cache layout.** `l0Gpi[l0]` holds the GPI of an L0 block (No access for an invalid one) or
 * `TABLE`; `l1Gpi` holds one byte per granule for each L0 region that has an L1 table,
 * `slotBase[l0]` giving where that region starts in it. Memory: one byte per granule tracked at
 * granule level (256 KiB per GB), plus 9 bytes per L0 entry.
 *
 * **Single-threaded.** TF-A takes a spinlock (or a bitlock per 512 MB) around each transition;
 * JavaScript runs one call at a time, so each call here is atomic without one.
 * @see rmm-abi.md §8
 * @module
 */
import {
  decodeGpccr,
  Gpi,
  GptL0Type,
  gpiPermits,
  gptbrBaseAddress,
  gptL0BlockGpi,
  gptL0TableAddress,
  gptL0Type,
  gptL1SetGpiHalf,
  isGpi,
  isGptL1Contig,
  type RawMemory,
  RmmEl3Status,
  type World,
} from '@islet/abi';
import { GRANULE_SIZE, type GranuleIdx, type U64 } from '@islet/arch';
import { GptError } from './gpt-error.ts';
import { GPCCR_PGS_4KB, type GptGeometry, gptGeometry } from './gpt-geometry.ts';
import { type GptWalk, INVALID_GPI, l1DescriptorGpi, walkGpt } from './gpt-walk.ts';
import type { GranuleProtectionCheck } from './granule-protection-check.ts';
import {
  contigBlock,
  GRANULES_PER_L1_ENTRY,
  setL1Gpis,
  shatterContig,
} from './internal/l1-table.ts';
import {
  granuleOf,
  granuleOffset,
  isBacked,
  readU32,
  writeDescriptor,
  writeU32,
} from './internal/table-memory.ts';

/** `l0Gpi` marker: the L0 entry is a table descriptor (not a GPI value: those are ≤ 0xF). */
const TABLE = 0xff;

/** The GPI a granules-descriptor nibble reads as: itself, or No access for a reserved value. */
const NIBBLE_GPI: Uint8Array = Uint8Array.from({ length: 16 }, (_, n) =>
  isGpi(n) ? n : Gpi.NoAccess,
);

/**
 * GPCCR_EL3 and GPTBR_EL3 as EL3 programs them.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export interface GptRegisters {
  /** GPCCR_EL3 (all fields lie in bits [23:0]). */
  readonly gpccr: number;
  /** GPTBR_EL3 as a u32 pair: BADDR[39:0] = PA[51:12] of the L0 table. */
  readonly gptbr: U64.U64;
}

/**
 * What {@link Gpt} attaches to: Root memory that already holds the tables, and the registers that
 * point at them (TF-A `gpt_runtime_init`).
 * @since 0.1.0
 */
export interface AttachGptOptions extends GptRegisters {
  /** Physical memory below the protection check, where the tables live. */
  readonly memory: RawMemory;
}

/**
 * A Granule Protection Table in Root memory, and the granule protection check on top of it.
 *
 * Build one with `createGpt`, or attach to tables already in memory with `new Gpt(...)`.
 *
 * @example
 * ```ts
 * const gpt = createGpt({ memory, pps: GpccrPps.Size4GB, tables: { base: 0x8000_0000, size: 0x6_0000 },
 *   regions: [{ base: 0x8010_0000, size: 0x1000_0000, gpi: Gpi.NonSecure }] });
 * gpt.delegate(0x8010_0000); // RmmEl3Status.Ok
 * gpt.permits(World.Normal, granuleIndex(physAddr(0x8010_0000))); // false
 * ```
 * @see rmm-abi.md §8
 * @since 0.1.0
 */
export class Gpt implements GranuleProtectionCheck {
  /** T, S, P and the table sizes. */
  readonly geometry: GptGeometry;
  /** GPCCR_EL3. */
  readonly gpccr: number;
  /** GPTBR_EL3. */
  readonly gptbr: U64.U64;
  /** PA of the L0 table. */
  readonly l0Base: number;

  readonly #memory: RawMemory;
  /** Granules in the protected space (2^(T−P)). */
  readonly #granules: number;
  /** Granules under one L0 entry (2^(S−P)). */
  readonly #granulesPerL0: number;
  #l0Gpi: Uint8Array;
  #slotBase: Float64Array;
  #l1Gpi: Uint8Array;

  /**
   * Attaches to the tables `gptbr` points at and loads the cached view from them.
   * @throws {@link GptError} `GPT_CONFIG_INVALID` when GPCCR_EL3 has GPC off, a PGS other than
   *   4 KiB, or a reserved PPS or L0GPTSZ, or GPTBR_EL3 is not aligned to the L0 table;
   *   `GPT_TABLES_UNBACKED` when no memory backs the L0 table.
   */
  constructor(options: AttachGptOptions) {
    const gpccr = decodeGpccr(options.gpccr >>> 0);
    if (!gpccr.gpc || gpccr.pgs !== GPCCR_PGS_4KB) {
      throw new GptError('GPT_CONFIG_INVALID', 'GPCCR_EL3 must enable GPC with 4 KiB granules', {
        details: `GPC = ${gpccr.gpc}, PGS = ${gpccr.pgs}`,
      });
    }
    const geometry = gptGeometry(gpccr.pps, gpccr.l0gptsz);
    const l0Base = gptbrBaseAddress(options.gptbr.hi, options.gptbr.lo);
    if (l0Base % Math.max(GRANULE_SIZE, geometry.l0TableSize) !== 0) {
      throw new GptError('GPT_CONFIG_INVALID', 'GPTBR_EL3 is not aligned to the L0 table size', {
        details: `L0 table at 0x${l0Base.toString(16)}, ${geometry.l0TableSize} bytes`,
      });
    }
    if (!isBacked(options.memory, l0Base, geometry.l0TableSize)) {
      throw new GptError('GPT_TABLES_UNBACKED', 'no memory backs the L0 table', {
        details: `L0 table at 0x${l0Base.toString(16)}`,
      });
    }
    this.geometry = geometry;
    this.gpccr = options.gpccr >>> 0;
    this.gptbr = { hi: options.gptbr.hi >>> 0, lo: options.gptbr.lo >>> 0 };
    this.l0Base = l0Base;
    this.#memory = options.memory;
    this.#granules = geometry.granules;
    this.#granulesPerL0 = geometry.granulesPerL0;
    this.#l0Gpi = new Uint8Array(0);
    this.#slotBase = new Float64Array(0);
    this.#l1Gpi = new Uint8Array(0);
    this.resync();
  }

  /**
   * The GPI of granule `idx` from the cached view; No access outside the protected space (and for
   * anything that is not a granule number).
   * @see rmm-abi.md §8.1
   */
  gpiOfGranule(idx: GranuleIdx): Gpi {
    if (!(idx >= 0 && idx < this.#granules && Number.isInteger(idx))) return Gpi.NoAccess;
    const l0 = Math.floor(idx / this.#granulesPerL0);
    const g = this.#l0Gpi[l0]!;
    if (g !== TABLE) return g as Gpi;
    return this.#l1Gpi[this.#slotBase[l0]! + idx - l0 * this.#granulesPerL0]! as Gpi;
  }

  /**
   * Whether an access from `world` (to its PAS) to granule `idx` passes the check.
   * @see rmm-abi.md §8.1
   */
  permits(world: World, idx: GranuleIdx): boolean {
    return gpiPermits(this.gpiOfGranule(idx), world);
  }

  /**
   * The GPI of the granule holding address `pa`, from the cached view.
   * @param pa - any number; outside [0, 2^T) reads No access.
   */
  gpiOf(pa: number): Gpi {
    return this.gpiOfGranule(Math.floor(pa / GRANULE_SIZE) as GranuleIdx);
  }

  /**
   * Walks the descriptors in memory for `pa` (the hardware's view; slower than {@link gpiOf}).
   * @see rmm-abi.md §8.3, §8.4
   */
  walk(pa: number): GptWalk {
    return walkGpt(this.#memory, this.geometry, this.l0Base, pa);
  }

  /**
   * RMM_GTSI_DELEGATE from the Realm world (TF-A `gpt_delegate_pas`): the granule at `pa` goes
   * from Non-secure to Realm.
   *
   * Checks, in TF-A's order: `pa` granule aligned and `pa + 4096 < 2^T`, the L0 entry a table
   * descriptor → else `BadAddr` (-EINVAL); the current GPI Non-secure → else `BadPas` (-EPERM).
   * A contiguous descriptor is shattered first. Cache maintenance to the PoPA and TLBI have no
   * model. The granule's data is untouched: TF-RMM zeroes a granule after delegating it.
   * @param pa - any number (hostile input gets `BadAddr`).
   * @returns `Ok`, `BadAddr` or `BadPas`; on failure nothing changed.
   * @see rmm-abi.md §7.4, §8.5
   */
  delegate(pa: number): RmmEl3Status {
    return this.#transition(pa, Gpi.NonSecure, Gpi.Realm);
  }

  /**
   * RMM_GTSI_UNDELEGATE from the Realm world (TF-A `gpt_undelegate_pas`): the granule at `pa`
   * goes from Realm to Non-secure.
   *
   * Same address checks as {@link delegate}; the current GPI must be Realm (else `BadPas`).
   * TF-A writes No access, cleans and invalidates the Realm and NS aliases to the PoPA, then
   * writes NS; with no caches to model, the intermediate No access is never observable and one
   * write stands for both. Data is not zeroed here: by TF-RMM's invariant a DELEGATED granule is
   * already zero when the RMM undelegates it.
   * @param pa - any number (hostile input gets `BadAddr`).
   * @returns `Ok`, `BadAddr` or `BadPas`; on failure nothing changed.
   * @see rmm-abi.md §7.4, §8.5
   */
  undelegate(pa: number): RmmEl3Status {
    return this.#transition(pa, Gpi.Realm, Gpi.NonSecure);
  }

  /**
   * Sets the GPI of every granule in `[pa, pa + size)`: Root-world set-up, e.g. carving firmware
   * or a realm pool out of DRAM after the tables are built. Unlike a transition there is no check
   * on the current GPI. All-or-nothing: every granule must lie in an L0 region that has an L1
   * table backed by memory.
   * @param pa - first byte, granule aligned.
   * @param gpi - the new GPI (a defined value).
   * @param size - bytes, a non-zero multiple of 4 KiB; one granule by default.
   * @returns `Ok`; `Inval` for a reserved GPI; `BadAddr` when the range is malformed, beyond
   *   2^T, or not all tracked at granule level. On failure nothing changed.
   * @see rmm-abi.md §8.4
   */
  setGpi(pa: number, gpi: Gpi, size: number = GRANULE_SIZE): RmmEl3Status {
    if (!isGpi(gpi)) return RmmEl3Status.Inval;
    const { protectedSize, granulesPerL0, l1TableSize, l0RegionSize } = this.geometry;
    if (
      !(Number.isSafeInteger(pa) && Number.isSafeInteger(size) && pa >= 0 && size > 0) ||
      pa % GRANULE_SIZE !== 0 ||
      size % GRANULE_SIZE !== 0 ||
      pa + size > protectedSize
    ) {
      return RmmEl3Status.BadAddr;
    }
    const firstL0 = Math.floor(pa / l0RegionSize);
    const lastL0 = Math.floor((pa + size - 1) / l0RegionSize);
    const tables: number[] = [];
    for (let l0 = firstL0; l0 <= lastL0; l0++) {
      const l1Pa = this.#l1TableOf(l0);
      if (l1Pa < 0 || !isBacked(this.#memory, l1Pa, l1TableSize)) return RmmEl3Status.BadAddr;
      tables.push(l1Pa);
    }
    let resync = false;
    for (let l0 = firstL0; l0 <= lastL0; l0++) {
      const l1Pa = tables[l0 - firstL0]!;
      const regionStart = l0 * granulesPerL0;
      const first = Math.max(pa / GRANULE_SIZE, regionStart) - regionStart;
      const end = Math.min((pa + size) / GRANULE_SIZE, regionStart + granulesPerL0) - regionStart;
      this.#shatterRange(l1Pa, first, end);
      setL1Gpis(this.#memory, l1Pa, first, end - first, gpi);
      if (this.#l0Gpi[l0] === TABLE) {
        const base = this.#slotBase[l0]!;
        this.#l1Gpi.fill(gpi, base + first, base + end);
      } else {
        resync = true;
      }
    }
    if (resync) this.resync();
    return RmmEl3Status.Ok;
  }

  /**
   * Reloads the cached view from the descriptors in memory. Needed only after Root code wrote the
   * tables directly through `RawMemory`; the transitions keep the view in step themselves.
   */
  resync(): void {
    const { l0Entries, granulesPerL0, l1Entries } = this.geometry;
    const memory = this.#memory;
    const l0Gpi = new Uint8Array(l0Entries);
    const slotBase = new Float64Array(l0Entries).fill(-1);
    const l1Tables: number[] = [];
    for (let l0 = 0; l0 < l0Entries; l0++) {
      const at = this.l0Base + l0 * 8;
      const view = granuleOf(memory, at)!;
      const lo = readU32(view, granuleOffset(at));
      const type = gptL0Type(lo);
      if (type === GptL0Type.Block) {
        const gpi = gptL0BlockGpi(lo);
        l0Gpi[l0] = isGpi(gpi) ? gpi : Gpi.NoAccess;
      } else if (type === GptL0Type.Table) {
        l0Gpi[l0] = TABLE;
        slotBase[l0] = l1Tables.length * granulesPerL0;
        l1Tables.push(gptL0TableAddress(readU32(view, granuleOffset(at) + 4), lo));
      } else {
        l0Gpi[l0] = Gpi.NoAccess;
      }
    }
    const l1Gpi = new Uint8Array(l1Tables.length * granulesPerL0);
    l1Tables.forEach((l1Pa, slot) => {
      let out = slot * granulesPerL0;
      for (let entry = 0; entry < l1Entries; ) {
        const at = l1Pa + entry * 8;
        const view = granuleOf(memory, at);
        const inGranule = Math.min(l1Entries - entry, (GRANULE_SIZE - granuleOffset(at)) / 8);
        if (view === undefined) {
          out += inGranule * GRANULES_PER_L1_ENTRY; // unbacked: external abort, No access (0)
          entry += inGranule;
          continue;
        }
        for (let k = 0, off = granuleOffset(at); k < inGranule; k++, off += 8) {
          const lo = readU32(view, off);
          const hi = readU32(view, off + 4);
          if (isGptL1Contig(lo)) {
            const gpi = l1DescriptorGpi(hi, lo, 0);
            l1Gpi.fill(gpi === INVALID_GPI ? Gpi.NoAccess : gpi, out, out + 16);
            out += 16;
            continue;
          }
          for (let sh = 0; sh < 32; sh += 4) l1Gpi[out++] = NIBBLE_GPI[(lo >>> sh) & 0xf]!;
          for (let sh = 0; sh < 32; sh += 4) l1Gpi[out++] = NIBBLE_GPI[(hi >>> sh) & 0xf]!;
        }
        entry += inGranule;
      }
    });
    this.#l0Gpi = l0Gpi;
    this.#slotBase = slotBase;
    this.#l1Gpi = l1Gpi;
  }

  /**
   * A delegate or undelegate: `from` → `to` for the granule at `pa`. The index arithmetic uses
   * the precomputed geometry (no `**`, no floating `%`: both are calls into libm); `walkGpt` does
   * the same decode with the `@islet/abi` helpers, and the tests compare the two.
   */
  #transition(pa: number, from: Gpi, to: Gpi): RmmEl3Status {
    const idx = pa / GRANULE_SIZE;
    // TF-A: base aligned, size one granule, (base + size) >= 2^T is refused.
    if (!(pa >= 0 && Number.isInteger(idx) && pa + GRANULE_SIZE < this.geometry.protectedSize)) {
      return RmmEl3Status.BadAddr;
    }
    const l0 = Math.floor(idx / this.#granulesPerL0);
    const l1Pa = this.#l1TableOf(l0);
    if (l1Pa < 0) return RmmEl3Status.BadAddr;
    const offset = idx - l0 * this.#granulesPerL0; // < 2^27: bitwise is exact
    const entry = offset >>> 4;
    const g = offset & 0xf;
    const at = l1Pa + entry * 8;
    const view = granuleOf(this.#memory, at);
    if (view === undefined) return RmmEl3Status.BadAddr;
    const off = granuleOffset(at);
    let lo = readU32(view, off);
    let hi = readU32(view, off + 4);
    if (l1DescriptorGpi(hi, lo, g) !== from) return RmmEl3Status.BadPas;
    if (isGptL1Contig(lo)) {
      const block = contigBlock(lo, entry)!;
      if (!isBacked(this.#memory, l1Pa + block[0] * 8, block[1] * 8)) {
        return RmmEl3Status.BadAddr;
      }
      shatterContig(this.#memory, l1Pa, entry, lo);
      lo = readU32(view, off);
      hi = readU32(view, off + 4);
    }
    // Only the half holding the granule's nibble changes.
    if (g < 8) writeU32(view, off, gptL1SetGpiHalf(lo, g, to));
    else writeU32(view, off + 4, gptL1SetGpiHalf(hi, g - 8, to));
    if (this.#l0Gpi[l0] === TABLE) {
      this.#l1Gpi[this.#slotBase[l0]! + offset] = to;
    } else {
      this.resync();
    }
    return RmmEl3Status.Ok;
  }

  /** The L1 table address of L0 entry `l0` read from memory, or -1 if it is not a table descriptor. */
  #l1TableOf(l0: number): number {
    const at = this.l0Base + l0 * 8;
    const view = granuleOf(this.#memory, at);
    if (view === undefined) return -1;
    const off = granuleOffset(at);
    const lo = readU32(view, off);
    if (gptL0Type(lo) !== GptL0Type.Table) return -1;
    return gptL0TableAddress(readU32(view, off + 4), lo);
  }

  /** Shatters every contiguous descriptor that covers granules `[first, end)` of an L1 table. */
  #shatterRange(l1Pa: number, first: number, end: number): void {
    const lastEntry = Math.floor((end - 1) / GRANULES_PER_L1_ENTRY);
    for (let entry = Math.floor(first / GRANULES_PER_L1_ENTRY); entry <= lastEntry; entry++) {
      const at = l1Pa + entry * 8;
      const lo = readU32(granuleOf(this.#memory, at)!, granuleOffset(at));
      if (!isGptL1Contig(lo)) continue;
      const block = contigBlock(lo, entry);
      if (block === undefined) {
        // Contig 0 is reserved: all 16 granules read No access; keep that, as granules.
        writeDescriptor(this.#memory, at, 0, 0);
        continue;
      }
      shatterContig(this.#memory, l1Pa, entry, lo);
      entry = block[0] + block[1] - 1;
    }
  }
}
