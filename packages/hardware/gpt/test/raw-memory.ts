/**
 * A test double of the `RawMemory` port: granules in a Map, allocated on first touch, backed only
 * inside the given DRAM ranges. Injected through the port; production memory lives in @islet/mmu.
 * @module
 */
import type { RawMemory } from '@islet/abi';
import { GRANULE_SIZE, type PhysAddr } from '@islet/arch';

/** A DRAM bank. */
export interface Bank {
  readonly base: number;
  readonly size: number;
}

/** RawMemory over a Map of granule index → 4 KiB. */
export class MapRawMemory implements RawMemory {
  readonly granules: Map<number, Uint8Array> = new Map();
  readonly banks: readonly Bank[];
  /** Number of `granule` calls, to check that lookups never reach memory. */
  calls = 0;

  constructor(banks: readonly Bank[]) {
    this.banks = banks;
  }

  granule(pa: PhysAddr): Uint8Array | undefined {
    this.calls++;
    if (pa % GRANULE_SIZE !== 0) throw new RangeError(`unaligned granule ${pa}`);
    if (!this.banks.some((b) => pa >= b.base && pa < b.base + b.size)) return undefined;
    const idx = pa / GRANULE_SIZE;
    let view = this.granules.get(idx);
    if (view === undefined) {
      view = new Uint8Array(GRANULE_SIZE);
      this.granules.set(idx, view);
    }
    return view;
  }

  /** A copy of `[base, base + size)`, zeros where untouched. */
  snapshot(base: number, size: number): Uint8Array {
    const out = new Uint8Array(size);
    for (let at = base; at < base + size; at += GRANULE_SIZE) {
      const view = this.granules.get(at / GRANULE_SIZE);
      if (view) out.set(view, at - base);
    }
    return out;
  }

  /** The 64-bit little-endian word at `pa` as a bigint (tests only). */
  u64(pa: number): bigint {
    const view = this.granules.get(Math.floor(pa / GRANULE_SIZE));
    if (!view) return 0n;
    return new DataView(view.buffer, view.byteOffset).getBigUint64(pa % GRANULE_SIZE, true);
  }

  /** Writes a 64-bit little-endian word at `pa` (tests only: corrupting tables behind the GPT's back). */
  setU64(pa: number, value: bigint): void {
    const view = this.granule((pa - (pa % GRANULE_SIZE)) as PhysAddr)!;
    new DataView(view.buffer, view.byteOffset).setBigUint64(pa % GRANULE_SIZE, value, true);
  }
}
