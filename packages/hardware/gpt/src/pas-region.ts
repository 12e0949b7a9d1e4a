/**
 * PAS regions: the boot-time map from physical address ranges to GPIs that the GPT is built from
 * (TF-A `pas_region_t`, `GPT_MAP_REGION_BLOCK` / `GPT_MAP_REGION_GRANULE`).
 *
 * A **block** region is mapped by L0 block descriptors: its base and size are multiples of the L0
 * region size (2^S) and its granules can never change GPI (delegate answers E_RMM_BAD_ADDR). A
 * **granule** region gets L1 tables: its base and size are multiples of 4 KiB and each granule can
 * be transitioned. Regions may not overlap (TF-A `validate_pas_mappings`).
 * @see rmm-abi.md §8.3, §8.4, §8.5
 * @module
 */
import { type Gpi, isGpi } from '@islet/abi';
import { GRANULE_SIZE } from '@islet/arch';
import { GptError } from './gpt-error.ts';
import type { GptGeometry } from './gpt-geometry.ts';

/**
 * How a PAS region is mapped (TF-A `GPT_PAS_ATTR_MAP_TYPE_*`).
 * @see rmm-abi.md §8.3
 * @since 0.1.0
 */
export const GptMapType = {
  /** L0 block descriptors: the whole 2^S region has one fixed GPI. */
  Block: 0,
  /** L0 table descriptors and L1 granules descriptors: a GPI per granule. */
  Granule: 1,
} as const;
/** A PAS region mapping type. @see rmm-abi.md §8.3 @since 0.1.0 */
export type GptMapType = (typeof GptMapType)[keyof typeof GptMapType];

/**
 * A physical address range and its initial GPI.
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export interface PasRegion {
  /** First byte. */
  readonly base: number;
  /** Bytes; `base + size <= 2^T`. */
  readonly size: number;
  /** The GPI every granule of the region starts with. */
  readonly gpi: Gpi;
  /** Block or granule mapping; granule by default. */
  readonly map?: GptMapType;
}

/**
 * Checks a list of PAS regions against a geometry (TF-A `validate_pas_mappings`).
 * @param regions - the regions, in any order.
 * @param geometry - the GPT's geometry.
 * @throws {@link GptError} `GPT_PAS_INVALID` for a malformed region, `GPT_PAS_OVERLAP` when two overlap.
 * @see rmm-abi.md §8.3
 * @since 0.1.0
 */
export function validatePasRegions(regions: readonly PasRegion[], geometry: GptGeometry): void {
  regions.forEach((region, i) => {
    validatePasRegion(region, i, geometry);
  });
  const sorted = [...regions].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (prev.base + prev.size > next.base) {
      throw new GptError('GPT_PAS_OVERLAP', 'PAS regions overlap', {
        details: `${describePasRegion(prev)} overlaps ${describePasRegion(next)}`,
      });
    }
  }
}

function validatePasRegion(region: PasRegion, index: number, geometry: GptGeometry): void {
  const { base, size, gpi } = region;
  const map = region.map ?? GptMapType.Granule;
  const fail = (why: string): never => {
    throw new GptError('GPT_PAS_INVALID', `PAS region ${index} is invalid`, {
      details: `${describePasRegion(region)}: ${why}`,
    });
  };
  if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size <= 0) {
    fail('base and size must be integers, size > 0');
  }
  if (base + size > geometry.protectedSize) fail(`ends beyond the PPS (2^${geometry.t})`);
  if (!isGpi(gpi)) fail(`GPI ${gpi} is reserved`);
  if (map === GptMapType.Block) {
    if (base % geometry.l0RegionSize !== 0 || size % geometry.l0RegionSize !== 0) {
      fail(`a block region must be aligned to the L0 region size 2^${geometry.s}`);
    }
  } else if (map === GptMapType.Granule) {
    if (base % GRANULE_SIZE !== 0 || size % GRANULE_SIZE !== 0) {
      fail('a granule region must be 4 KiB aligned');
    }
  } else {
    fail(`map type ${String(map)} is neither Block nor Granule`);
  }
}

/** `[base, base + size) gpi` for messages. */
export function describePasRegion(region: PasRegion): string {
  const hex = (n: number): string => (Number.isFinite(n) ? `0x${n.toString(16)}` : String(n));
  return `[${hex(region.base)}, ${hex(region.base + region.size)}) GPI ${hex(region.gpi)}`;
}
