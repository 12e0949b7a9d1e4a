/**
 * A granule protection check test double: one GPI per granule of a 36-bit (64 GiB) physical
 * address space in a `Uint8Array`, injected into {@link PhysicalMemory} in place of `@islet/gpt`.
 * @module
 */
import { Gpi, gpiPermits, type World } from '@islet/abi';
import { GRANULE_SIZE, type GranuleIdx } from '@islet/arch';
import type { GranuleProtectionCheck } from '@islet/gpt';

// A module-local alias: under vitest's module runner an imported binding is a namespace getter.
const permits = gpiPermits;
const NO_ACCESS: Gpi = Gpi.NoAccess;

/** GPIs in a flat table; granules beyond it read as `Gpi.NoAccess`. */
export class GpiTable implements GranuleProtectionCheck {
  /** GPI per granule index. */
  readonly gpis: Uint8Array;

  /**
   * @param ppsBits - the protected physical address space width (default 36: 64 GiB).
   * @param fill - the initial GPI of every granule (default Non-secure).
   */
  constructor(ppsBits = 36, fill: Gpi = Gpi.NonSecure) {
    this.gpis = new Uint8Array(2 ** (ppsBits - 12)).fill(fill);
  }

  gpiOfGranule(idx: GranuleIdx): Gpi {
    return (this.gpis[idx] ?? NO_ACCESS) as Gpi;
  }

  permits(world: World, idx: GranuleIdx): boolean {
    return permits(this.gpis[idx] ?? NO_ACCESS, world);
  }

  /** Sets the GPI of the granules of [pa, pa + size). */
  set(pa: number, size: number, gpi: Gpi): this {
    this.gpis.fill(gpi, Math.floor(pa / GRANULE_SIZE), Math.ceil((pa + size) / GRANULE_SIZE));
    return this;
  }
}
