/**
 * Where the tables go in the Root memory the caller supplies (modelled on TF-A, which takes an L0
 * memory range and an L1 memory range; here both come from one region):
 *
 * ```text
 * tables.base ─┬─ L0 table: l0Entries × 8 bytes, at tables.base (aligned to max(4 KiB, L0 size))
 *              │  padding up to the next multiple of the L1 table size
 * l1Base ──────┼─ L1 table for the lowest L0 index that has a granule-mapped region
 *              ├─ L1 table for the next such L0 index (ascending L0 index order)
 *              │  ...
 * end ─────────┴─ (rest of the tables region unused)
 * ```
 *
 * L1 tables are aligned to their size (128 KiB for S = 30), as TF-A's `validate_l1_params`
 * requires. L0 regions without a granule-mapped region get no L1 table: their L0 entry is a block
 * descriptor.
 * @see rmm-abi.md §8.3, §8.4
 * @module
 */
import { alignUp, GRANULE_SIZE } from '@islet/arch';
import { GptError } from './gpt-error.ts';
import type { GptGeometry } from './gpt-geometry.ts';
import { GptMapType, type PasRegion } from './pas-region.ts';

/**
 * A physical address range in Root memory reserved for the GPT.
 * @since 0.1.0
 */
export interface GptTablesRegion {
  /** First byte; aligned to max(4 KiB, L0 table size). */
  readonly base: number;
  /** Bytes; a multiple of 4 KiB. */
  readonly size: number;
}

/**
 * One L1 table and the L0 entry that points at it.
 * @since 0.1.0
 */
export interface GptL1Placement {
  /** The L0 index whose region the table tracks. */
  readonly l0Index: number;
  /** The table's physical address. */
  readonly pa: number;
}

/**
 * The addresses of the tables.
 * @see rmm-abi.md §8.2–§8.4
 * @since 0.1.0
 */
export interface GptLayout {
  /** PA of the L0 table (GPTBR_EL3.BADDR × 4096). */
  readonly l0Base: number;
  /** PA of the first L1 table (= `end` when there is none). */
  readonly l1Base: number;
  /** The L1 tables, in ascending L0 index. */
  readonly l1Tables: readonly GptL1Placement[];
  /** One past the last byte the tables use. */
  readonly end: number;
}

/**
 * The L0 indices that need an L1 table: those a granule-mapped region touches, ascending.
 * @since 0.1.0
 */
export function l0IndicesNeedingL1(
  regions: readonly PasRegion[],
  geometry: GptGeometry,
): readonly number[] {
  const set = new Set<number>();
  for (const r of regions) {
    if ((r.map ?? GptMapType.Granule) !== GptMapType.Granule) continue;
    const first = Math.floor(r.base / geometry.l0RegionSize);
    const last = Math.floor((r.base + r.size - 1) / geometry.l0RegionSize);
    for (let i = first; i <= last; i++) set.add(i);
  }
  return [...set].sort((a, b) => a - b);
}

/**
 * Places the L0 table and the L1 tables the (already validated) regions need.
 * @param geometry - the GPT's geometry.
 * @param tables - the Root memory reserved for the tables.
 * @param regions - PAS regions, validated with `validatePasRegions`.
 * @throws {@link GptError} `GPT_TABLES_INVALID` for a malformed or misaligned tables region,
 *   `GPT_TABLES_TOO_SMALL` when the tables do not fit.
 * @see rmm-abi.md §8.3, §8.4
 * @since 0.1.0
 */
export function planGptLayout(
  geometry: GptGeometry,
  tables: GptTablesRegion,
  regions: readonly PasRegion[],
): GptLayout {
  const { base, size } = tables;
  const l0Align = Math.max(GRANULE_SIZE, geometry.l0TableSize);
  if (
    !Number.isSafeInteger(base) ||
    !Number.isSafeInteger(size) ||
    base <= 0 ||
    size <= 0 ||
    base % l0Align !== 0 ||
    size % GRANULE_SIZE !== 0 ||
    base + size > geometry.protectedSize
  ) {
    throw new GptError('GPT_TABLES_INVALID', 'invalid GPT tables region', {
      details: `base ${base}, size ${size}: base must be non-zero and aligned to ${l0Align}, size a multiple of 4 KiB, and the region inside the PPS`,
    });
  }
  const l0End = base + alignUp(geometry.l0TableSize, GRANULE_SIZE);
  const indices = l0IndicesNeedingL1(regions, geometry);
  const l1Base = indices.length === 0 ? l0End : alignUp(l0End, geometry.l1TableSize);
  const l1Tables = indices.map((l0Index, k) => ({
    l0Index,
    pa: l1Base + k * geometry.l1TableSize,
  }));
  const end = l1Base + indices.length * geometry.l1TableSize;
  if (end > base + size) {
    throw new GptError('GPT_TABLES_TOO_SMALL', 'the GPT tables region is too small', {
      details: `need ${end - base} bytes (L0 table, alignment padding, ${indices.length} L1 tables of ${geometry.l1TableSize}), got ${size}`,
    });
  }
  return { l0Base: base, l1Base, l1Tables, end };
}
