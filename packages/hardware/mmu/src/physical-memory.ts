/**
 * Physical memory as the worlds see it: a {@link Dram} behind the granule protection check.
 *
 * Every access names the PAS it targets (a {@link World} value is its PAS). Before anything is
 * read or changed, every granule the access touches is checked against the GPT; then the range
 * must lie in DRAM. A denied access throws {@link GranuleProtectionFault} (or, through the
 * status-returning {@link PhysMemory} adapter, returns `MemoryAccess.GranuleProtectionFault`) and
 * changes nothing, also when only a later granule of a multi-granule access is forbidden.
 *
 * The check order is the hardware's: the GPC (on the physical address, after any stage-2
 * translation) first, then the interconnect's external abort for an address no DRAM backs.
 *
 * **Invariants.** A world port never writes a granule it has not checked in the same call; the
 * {@link PhysMemory} adapter and the throwing ports run the same check and the same DRAM
 * kernels. Views from `granule()` are live: like TF-RMM's slot-buffer mappings, do not keep one
 * across a change of the granule's GPI.
 * @see rmm-abi.md §8.1, §1.5
 * @module
 */
import { type Gpi, MemoryAccess, type PhysMemory, World } from '@islet/abi';
import {
  GRANULE_SIZE as ARCH_GRANULE_SIZE,
  MAX_ADDRESS as ARCH_MAX_ADDRESS,
  type GranuleIdx,
  type PhysAddr,
} from '@islet/arch';
import type { GranuleProtectionCheck } from '@islet/gpt';
import type { Dram } from './dram.ts';
import { ExternalAbortError, GranuleProtectionFault, MemoryArgumentError } from './errors.ts';
import {
  checkAccess as checkAccessImport,
  checkAligned as checkAlignedImport,
} from './internal/access.ts';

// Module-local aliases for the hot paths (see dram.ts: imported bindings are getters under
// vitest's module runner).
const GRANULE_SIZE = ARCH_GRANULE_SIZE;
const MAX_ADDRESS = ARCH_MAX_ADDRESS;
const OK: MemoryAccess = MemoryAccess.Ok;
const GPF: MemoryAccess = MemoryAccess.GranuleProtectionFault;
const EXTERNAL_ABORT: MemoryAccess = MemoryAccess.ExternalAbort;
const checkAccess = checkAccessImport;
const checkAligned = checkAlignedImport;

function isWorld(world: World): boolean {
  return world === 0 || world === 1 || world === 2 || world === 3;
}

function checkWorld(world: World): void {
  if (!isWorld(world)) {
    throw new MemoryArgumentError('MMU_WORLD_INVALID', 'not a world', {
      details: `${String(world)} is not World.Secure, Normal, Root or Realm`,
    });
  }
}

/**
 * DRAM behind the granule protection check, with one {@link MemoryPort} per world and the
 * status-returning {@link PhysMemory} port of `@islet/abi`.
 *
 * @example
 * ```ts
 * const mem = new PhysicalMemory(new Dram(), gpt); // gpt: any GranuleProtectionCheck
 * mem.realm.copy(src, dst, 4096);         // both granules must be Realm PAS
 * mem.copy(World.Normal, hostPage, World.Realm, granule, 4096); // RMM: NS page → Realm granule
 * mem.normal.read(realmGranule, 8);       // throws GranuleProtectionFault
 * mem.physMemory.read(World.Normal, realmGranule, buf); // MemoryAccess.GranuleProtectionFault
 * ```
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export class PhysicalMemory {
  /** The DRAM below the check (Root-world code may use it directly). */
  readonly dram: Dram;
  /** The granule protection check every access goes through. */
  readonly gpc: GranuleProtectionCheck;
  /** Accesses to the Non-secure PAS: the host, and the RMM reading host buffers. */
  readonly normal: MemoryPort;
  /** Accesses to the Realm PAS: the RMM and realms. */
  readonly realm: MemoryPort;
  /** Accesses to the Root PAS: EL3 firmware (GPT, RMM-EL3 shared state). */
  readonly root: MemoryPort;
  /** Accesses to the Secure PAS. */
  readonly secure: MemoryPort;
  /** The same memory as `@islet/abi`'s status-returning {@link PhysMemory} port. */
  readonly physMemory: PhysMemory;

  #faultAddress = 0;
  #faultWorld: World = World.Normal;
  #faultGpi: Gpi = 0;

  /**
   * @param dram - the DRAM.
   * @param gpc - the GPT's check (injected: `@islet/gpt`, or a test double).
   */
  constructor(dram: Dram, gpc: GranuleProtectionCheck) {
    this.dram = dram;
    this.gpc = gpc;
    this.secure = new MemoryPort(this, World.Secure);
    this.normal = new MemoryPort(this, World.Normal);
    this.root = new MemoryPort(this, World.Root);
    this.realm = new MemoryPort(this, World.Realm);
    this.physMemory = physMemoryAdapter(this);
  }

  /**
   * The port of `world`.
   * @throws {@link MemoryArgumentError} `MMU_WORLD_INVALID`.
   */
  port(world: World): MemoryPort {
    checkWorld(world);
    return [this.secure, this.normal, this.root, this.realm][world]!;
  }

  /**
   * Whether an access of `length` bytes at `pa` to `world`'s PAS would complete, without
   * touching memory: the GPC check of every granule, then DRAM.
   * @returns `MemoryAccess.Ok`, `GranuleProtectionFault` or `ExternalAbort`.
   * @throws {@link MemoryArgumentError} on a bad world, address or length.
   */
  check(world: World, pa: PhysAddr, length: number): MemoryAccess {
    checkWorld(world);
    checkAccess(pa, length);
    if (!this.#permits(world, pa, length)) return GPF;
    return length === 0 || this.dram.contains(pa, length) ? OK : EXTERNAL_ABORT;
  }

  /**
   * {@link PhysicalMemory.check} for a copy: the GPC check of the source, then of the
   * destination, then DRAM for both (the order {@link PhysicalMemory.copy} throws in).
   * @returns `MemoryAccess.Ok`, `GranuleProtectionFault` or `ExternalAbort`.
   * @throws {@link MemoryArgumentError} on a bad world, address or length.
   */
  checkCopy(
    srcWorld: World,
    src: PhysAddr,
    dstWorld: World,
    dst: PhysAddr,
    length: number,
  ): MemoryAccess {
    checkWorld(srcWorld);
    checkWorld(dstWorld);
    checkAccess(src, length);
    checkAccess(dst, length);
    if (!this.#permits(srcWorld, src, length) || !this.#permits(dstWorld, dst, length)) {
      return GPF;
    }
    return length === 0 || (this.dram.contains(src, length) && this.dram.contains(dst, length))
      ? OK
      : EXTERNAL_ABORT;
  }

  /**
   * Reads `length` bytes at `pa` from `world`'s PAS into a fresh array.
   * @throws {@link GranuleProtectionFault}, {@link ExternalAbortError},
   * {@link MemoryArgumentError} (also for a length above 2^30).
   */
  read(world: World, pa: PhysAddr, length: number): Uint8Array<ArrayBuffer> {
    this.#enforce(world, pa, length);
    return this.dram.read(pa, length);
  }

  /**
   * Reads `dst.length` bytes at `pa` from `world`'s PAS into `dst`; `dst` is unchanged on error.
   * @throws {@link GranuleProtectionFault}, {@link ExternalAbortError}, {@link MemoryArgumentError}.
   */
  readInto(world: World, pa: PhysAddr, dst: Uint8Array): void {
    this.#enforce(world, pa, dst.length);
    this.dram.readInto(pa, dst);
  }

  /**
   * Writes `bytes` at `pa` in `world`'s PAS; nothing is written on error.
   * @throws {@link GranuleProtectionFault}, {@link ExternalAbortError}, {@link MemoryArgumentError}.
   */
  write(world: World, pa: PhysAddr, bytes: Uint8Array): void {
    this.#enforce(world, pa, bytes.length);
    this.dram.write(pa, bytes);
  }

  /**
   * Zeroes `length` bytes at `pa` in `world`'s PAS; nothing is changed on error.
   * @throws {@link GranuleProtectionFault}, {@link ExternalAbortError}, {@link MemoryArgumentError}.
   */
  zero(world: World, pa: PhysAddr, length: number): void {
    this.#enforce(world, pa, length);
    this.dram.zero(pa, length);
  }

  /**
   * Copies `length` bytes from `src` in `srcWorld`'s PAS to `dst` in `dstWorld`'s PAS (overlap
   * allowed, as `memmove`). Both ranges are checked before anything is written.
   * @throws {@link GranuleProtectionFault} (source checked first), {@link ExternalAbortError},
   * {@link MemoryArgumentError}.
   */
  copy(srcWorld: World, src: PhysAddr, dstWorld: World, dst: PhysAddr, length: number): void {
    // The hot case, one whole aligned granule each side: the same checks, fewer steps.
    if (
      length === GRANULE_SIZE &&
      src % GRANULE_SIZE === 0 &&
      dst % GRANULE_SIZE === 0 &&
      src >= 0 &&
      dst >= 0 &&
      src < MAX_ADDRESS &&
      dst < MAX_ADDRESS &&
      isWorld(srcWorld) &&
      isWorld(dstWorld)
    ) {
      if (!this.gpc.permits(srcWorld, (src / GRANULE_SIZE) as GranuleIdx)) {
        throw this.#fault(srcWorld, src);
      }
      if (!this.gpc.permits(dstWorld, (dst / GRANULE_SIZE) as GranuleIdx)) {
        throw this.#fault(dstWorld, dst);
      }
      this.dram.copy(src, dst, GRANULE_SIZE);
      return;
    }
    this.#enforce(srcWorld, src, length);
    this.#enforce(dstWorld, dst, length);
    this.dram.copy(src, dst, length);
  }

  /**
   * The granule at the aligned `pa`, checked for `world`, as a live view (allocated on first
   * touch). Do not keep it across a change of the granule's GPI.
   * @throws {@link GranuleProtectionFault}, {@link ExternalAbortError}, {@link MemoryArgumentError}.
   */
  granule(world: World, pa: PhysAddr): Uint8Array {
    // The hot case (every RTT walk step, every DATA_CREATE): an aligned address below 2^52 (so an
    // integer) and a valid world; the same checks in fewer steps, as in `copy`.
    if (pa % GRANULE_SIZE === 0 && pa >= 0 && pa < MAX_ADDRESS && isWorld(world)) {
      if (!this.gpc.permits(world, (pa / GRANULE_SIZE) as GranuleIdx)) throw this.#fault(world, pa);
      const view = this.dram.granule(pa);
      if (view === undefined) throw new ExternalAbortError(pa, GRANULE_SIZE);
      return view;
    }
    checkAligned(pa, GRANULE_SIZE);
    this.#enforce(world, pa, GRANULE_SIZE);
    const view = this.dram.granule(pa);
    if (view === undefined) throw new ExternalAbortError(pa, GRANULE_SIZE);
    return view;
  }

  /**
   * Reads the 64-bit descriptor at the 8-byte aligned `pa` in `world`'s PAS as `out[0]` = bits
   * [31:0], `out[1]` = bits [63:32], without allocating (stage-2 walks).
   * @returns `MemoryAccess.Ok`, `GranuleProtectionFault` or `ExternalAbort` (`out` unchanged).
   * @throws {@link MemoryArgumentError} on a bad world or an unaligned address.
   */
  readDescriptor(world: World, pa: PhysAddr, out: Uint32Array): MemoryAccess {
    checkWorld(world);
    checkAligned(pa, 8);
    if (!this.#permits(world, pa, 8)) return GPF;
    return this.dram.readDescriptor(pa, out);
  }

  /**
   * Writes the 64-bit descriptor `hi:lo` at the 8-byte aligned `pa` in `world`'s PAS.
   * @throws {@link GranuleProtectionFault}, {@link ExternalAbortError}, {@link MemoryArgumentError}.
   */
  writeDescriptor(world: World, pa: PhysAddr, hi: number, lo: number): void {
    checkAligned(pa, 8);
    this.#enforce(world, pa, 8);
    this.dram.writeDescriptor(pa, hi, lo);
  }

  /** Checks arguments and the GPC; throws the fault. */
  #enforce(world: World, pa: number, length: number): void {
    checkWorld(world);
    checkAccess(pa, length);
    if (!this.#permits(world, pa, length)) {
      throw new GranuleProtectionFault(
        this.#faultAddress as PhysAddr,
        this.#faultWorld,
        this.#faultGpi,
      );
    }
  }

  /** The fault of `world`'s access at `pa` (its granule's GPI). */
  #fault(world: World, pa: number): GranuleProtectionFault {
    const gpi = this.gpc.gpiOfGranule(Math.floor(pa / GRANULE_SIZE) as GranuleIdx);
    return new GranuleProtectionFault(pa as PhysAddr, world, gpi);
  }

  /** The GPC check of every granule of [pa, pa + length); records the first fault. */
  #permits(world: World, pa: number, length: number): boolean {
    if (length === 0) return true;
    const first = Math.floor(pa / GRANULE_SIZE);
    const last = Math.floor((pa + length - 1) / GRANULE_SIZE);
    const gpc = this.gpc;
    for (let g = first; g <= last; g++) {
      if (!gpc.permits(world, g as GranuleIdx)) {
        this.#faultAddress = g === first ? pa : g * GRANULE_SIZE;
        this.#faultWorld = world;
        this.#faultGpi = gpc.gpiOfGranule(g as GranuleIdx);
        return false;
      }
    }
    return true;
  }
}

/**
 * The accesses of one world to its PAS: {@link PhysicalMemory}'s methods with the world bound.
 * Also a stage-2 descriptor reader (`readDescriptor`), so a walk through `mem.realm` takes a
 * granule protection fault on an RTT that is not in Realm memory.
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export class MemoryPort {
  /** The world (and PAS) of every access through this port. */
  readonly world: World;
  readonly #memory: PhysicalMemory;

  /**
   * @param memory - the checked memory.
   * @param world - the world this port accesses.
   * @throws {@link MemoryArgumentError} `MMU_WORLD_INVALID`.
   */
  constructor(memory: PhysicalMemory, world: World) {
    checkWorld(world);
    this.#memory = memory;
    this.world = world;
  }

  /** {@link PhysicalMemory.check} for this world. */
  check(pa: PhysAddr, length: number): MemoryAccess {
    return this.#memory.check(this.world, pa, length);
  }

  /** {@link PhysicalMemory.read} for this world. */
  read(pa: PhysAddr, length: number): Uint8Array<ArrayBuffer> {
    return this.#memory.read(this.world, pa, length);
  }

  /** {@link PhysicalMemory.readInto} for this world. */
  readInto(pa: PhysAddr, dst: Uint8Array): void {
    this.#memory.readInto(this.world, pa, dst);
  }

  /** {@link PhysicalMemory.write} for this world. */
  write(pa: PhysAddr, bytes: Uint8Array): void {
    this.#memory.write(this.world, pa, bytes);
  }

  /** {@link PhysicalMemory.zero} for this world. */
  zero(pa: PhysAddr, length: number): void {
    this.#memory.zero(this.world, pa, length);
  }

  /** {@link PhysicalMemory.copy} within this world's PAS. */
  copy(src: PhysAddr, dst: PhysAddr, length: number): void {
    this.#memory.copy(this.world, src, this.world, dst, length);
  }

  /** {@link PhysicalMemory.granule} for this world. */
  granule(pa: PhysAddr): Uint8Array {
    return this.#memory.granule(this.world, pa);
  }

  /** {@link PhysicalMemory.readDescriptor} for this world. */
  readDescriptor(pa: PhysAddr, out: Uint32Array): MemoryAccess {
    return this.#memory.readDescriptor(this.world, pa, out);
  }

  /** {@link PhysicalMemory.writeDescriptor} for this world. */
  writeDescriptor(pa: PhysAddr, hi: number, lo: number): void {
    this.#memory.writeDescriptor(this.world, pa, hi, lo);
  }
}

/** The status of a fault the ports throw; anything else (argument errors, bugs) propagates. */
function statusOf(err: unknown): MemoryAccess {
  if (err instanceof GranuleProtectionFault) return GPF;
  if (err instanceof ExternalAbortError) return EXTERNAL_ABORT;
  throw err;
}

/**
 * The status-returning {@link PhysMemory} port: the throwing methods of `memory` (same checks,
 * same fast paths, same DRAM kernels), with {@link GranuleProtectionFault} and
 * {@link ExternalAbortError} turned into `MemoryAccess` values. Nothing is changed on a fault.
 * Bad arguments (not an address, an unaligned granule) still throw {@link MemoryArgumentError}:
 * the RMM validates addresses before it touches memory.
 */
function physMemoryAdapter(memory: PhysicalMemory): PhysMemory {
  return {
    read(world, pa, dst) {
      try {
        memory.readInto(world, pa, dst);
        return OK;
      } catch (err) {
        return statusOf(err);
      }
    },
    write(world, pa, src) {
      try {
        memory.write(world, pa, src);
        return OK;
      } catch (err) {
        return statusOf(err);
      }
    },
    zero(world, pa, length) {
      try {
        memory.zero(world, pa, length);
        return OK;
      } catch (err) {
        return statusOf(err);
      }
    },
    copy(srcWorld, src, dstWorld, dst, length) {
      try {
        memory.copy(srcWorld, src, dstWorld, dst, length);
        return OK;
      } catch (err) {
        return statusOf(err);
      }
    },
    granule(world, pa) {
      try {
        return memory.granule(world, pa);
      } catch (err) {
        statusOf(err);
        return undefined;
      }
    },
  };
}
