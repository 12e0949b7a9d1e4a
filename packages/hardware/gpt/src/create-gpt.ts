/**
 * Builds a GPT in Root memory from a list of PAS regions, as TF-A's BL2/BL31 do with
 * `gpt_init_l0_tables`, `gpt_init_pas_l1_tables` and `gpt_enable`:
 *
 * 1. every L0 entry becomes a block descriptor with the unmapped GPI (TF-A: `GPT_GPI_ANY`);
 * 2. each block region writes its L0 block descriptors;
 * 3. each granule region gets, for every L0 region it touches, an L1 table (filled with the
 *    unmapped GPI on first use, then pointed at by an L0 table descriptor), and its granules'
 *    GPI nibbles are written;
 * 4. GPCCR_EL3 and GPTBR_EL3 are computed and a {@link Gpt} attaches to the tables.
 *
 * The tables region itself must be Root: when no region covers it, a granule region
 * `{ ...tables, gpi: Root }` is added; when regions do cover it, they must all be Root.
 * Everything is validated before the first byte is written.
 * @see rmm-abi.md §8.2–§8.4
 * @module
 */
import {
  encodeGpccr,
  encodeGptbr,
  Gpi,
  gptL0Block,
  gptL0Table,
  gptL1Fill,
  isGpi,
  type RawMemory,
} from '@islet/abi';
import { GRANULE_SIZE } from '@islet/arch';
import { Gpt } from './gpt.ts';
import { GptError } from './gpt-error.ts';
import {
  GPCCR_PGS_4KB,
  type GpccrL0gptsz,
  type GpccrPps,
  type GptGeometry,
  gptGeometry,
} from './gpt-geometry.ts';
import { type GptLayout, type GptTablesRegion, planGptLayout } from './gpt-layout.ts';
import { setL1Gpis } from './internal/l1-table.ts';
import { fillDescriptors, isBacked, writeDescriptor } from './internal/table-memory.ts';
import { GptMapType, type PasRegion, validatePasRegions } from './pas-region.ts';

/**
 * GPCCR_EL3.SH inner shareable, and IRGN/ORGN write-back read-allocate write-allocate: the values
 * TF-A's `gpt_enable` programs.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export const GPCCR_TFA_ATTRIBUTES: { readonly sh: 0b11; readonly irgn: 0b01; readonly orgn: 0b01 } =
  { sh: 0b11, irgn: 0b01, orgn: 0b01 };

/**
 * Options of {@link createGpt}.
 * @since 0.1.0
 */
export interface CreateGptOptions {
  /** Physical memory below the protection check; the tables are written through it. */
  readonly memory: RawMemory;
  /** GPCCR_EL3.PPS: the protected space is [0, 2^T). */
  readonly pps: GpccrPps;
  /** GPCCR_EL3.L0GPTSZ; `Size1GB` (S = 30) by default. */
  readonly l0gptsz?: GpccrL0gptsz;
  /** Root memory for the L0 and L1 tables (layout in `gpt-layout.ts`). */
  readonly tables: GptTablesRegion;
  /** The PAS regions; may not overlap. */
  readonly regions: readonly PasRegion[];
  /**
   * The GPI of every address no region covers; `Gpi.Any` by default, as TF-A initialises the L0
   * table (`GPT_L0_BLK_DESC(GPT_GPI_ANY)`) and fresh L1 tables (`GPT_L1_ANY_DESC`). Pass
   * `Gpi.NoAccess` for a fail-closed map.
   */
  readonly unmappedGpi?: Gpi;
}

/**
 * GPCCR_EL3 as TF-A's `gpt_enable` sets it: PPS, PGS 4 KiB, SH inner shareable, IRGN/ORGN WB RA
 * WA, GPC on, plus the L0GPTSZ of the geometry.
 * @see rmm-abi.md §8.2
 * @since 0.1.0
 */
export function gpccrOf(geometry: GptGeometry): number {
  return encodeGpccr({
    pps: geometry.pps,
    pgs: GPCCR_PGS_4KB,
    ...GPCCR_TFA_ATTRIBUTES,
    gpc: true,
    gpcp: false,
    l0gptsz: geometry.l0gptsz,
  });
}

/**
 * The regions the tables are built from: `regions`, plus the tables region as Root when no
 * region covers it.
 * @throws {@link GptError} `GPT_TABLES_NOT_ROOT` when regions cover only part of the tables
 *   region, or cover it with a GPI other than Root.
 * @since 0.1.0
 */
export function withTablesRegion(
  regions: readonly PasRegion[],
  tables: GptTablesRegion,
): readonly PasRegion[] {
  const end = tables.base + tables.size;
  const over = regions
    .filter((r) => r.base < end && r.base + r.size > tables.base)
    .sort((a, b) => a.base - b.base);
  if (over.length === 0) {
    return [...regions, { base: tables.base, size: tables.size, gpi: Gpi.Root }];
  }
  let covered = tables.base;
  for (const r of over) {
    if (r.gpi !== Gpi.Root || r.base > covered) {
      throw new GptError('GPT_TABLES_NOT_ROOT', 'the GPT tables region must be Root', {
        details: `regions overlapping [0x${tables.base.toString(16)}, 0x${end.toString(16)}) must all be Root and cover it`,
      });
    }
    covered = Math.max(covered, r.base + r.size);
  }
  if (covered < end) {
    throw new GptError('GPT_TABLES_NOT_ROOT', 'the GPT tables region must be Root', {
      details: `regions cover it only up to 0x${covered.toString(16)}`,
    });
  }
  return regions;
}

/**
 * Builds the GPT in Root memory and returns it, attached and enabled.
 * @param options - memory, PPS, L0GPTSZ, the tables region and the PAS regions.
 * @returns the GPT; its `gpccr`/`gptbr` are the values EL3 programs.
 * @throws {@link GptError} `GPT_CONFIG_INVALID`, `GPT_PAS_INVALID`, `GPT_PAS_OVERLAP`,
 *   `GPT_TABLES_INVALID`, `GPT_TABLES_TOO_SMALL`, `GPT_TABLES_UNBACKED` or
 *   `GPT_TABLES_NOT_ROOT`; nothing is written to memory when it throws.
 * @see rmm-abi.md §8
 * @since 0.1.0
 */
export function createGpt(options: CreateGptOptions): Gpt {
  const geometry = gptGeometry(options.pps, options.l0gptsz ?? 0);
  const unmapped = options.unmappedGpi ?? Gpi.Any;
  if (!isGpi(unmapped)) {
    throw new GptError('GPT_CONFIG_INVALID', 'the unmapped GPI is reserved', {
      details: `unmappedGpi = ${unmapped}`,
    });
  }
  validatePasRegions(options.regions, geometry);
  // Validates the tables region before it becomes a PAS region.
  planGptLayout(geometry, options.tables, []);
  const regions = withTablesRegion(options.regions, options.tables);
  validatePasRegions(regions, geometry);
  const layout = planGptLayout(geometry, options.tables, regions);
  if (!isBacked(options.memory, layout.l0Base, layout.end - layout.l0Base)) {
    throw new GptError('GPT_TABLES_UNBACKED', 'no memory backs part of the GPT tables', {
      details: `[0x${layout.l0Base.toString(16)}, 0x${layout.end.toString(16)})`,
    });
  }
  writeTables(options.memory, geometry, layout, regions, unmapped);
  return new Gpt({
    memory: options.memory,
    gpccr: gpccrOf(geometry),
    gptbr: encodeGptbr(layout.l0Base),
  });
}

function writeTables(
  memory: RawMemory,
  geometry: GptGeometry,
  layout: GptLayout,
  regions: readonly PasRegion[],
  unmapped: Gpi,
): void {
  const { l0Base } = layout;
  const { l0RegionSize, granulesPerL0, l1Entries } = geometry;
  const block = gptL0Block(unmapped);
  fillDescriptors(memory, l0Base, geometry.l0Entries, block.hi, block.lo);
  const l1Of = new Map(layout.l1Tables.map((t) => [t.l0Index, t.pa]));
  const initialised = new Set<number>();
  for (const r of regions) {
    const first = Math.floor(r.base / l0RegionSize);
    const last = Math.floor((r.base + r.size - 1) / l0RegionSize);
    if ((r.map ?? GptMapType.Granule) === GptMapType.Block) {
      const d = gptL0Block(r.gpi);
      fillDescriptors(memory, l0Base + first * 8, last - first + 1, d.hi, d.lo);
      continue;
    }
    for (let l0 = first; l0 <= last; l0++) {
      const l1Pa = l1Of.get(l0)!;
      if (!initialised.has(l0)) {
        const fill = gptL1Fill(unmapped);
        fillDescriptors(memory, l1Pa, l1Entries, fill.hi, fill.lo);
        const d = gptL0Table(l1Pa);
        writeDescriptor(memory, l0Base + l0 * 8, d.hi, d.lo);
        initialised.add(l0);
      }
      const regionStart = l0 * granulesPerL0;
      const from = Math.max(r.base / GRANULE_SIZE, regionStart) - regionStart;
      const to =
        Math.min((r.base + r.size) / GRANULE_SIZE, regionStart + granulesPerL0) - regionStart;
      setL1Gpis(memory, l1Pa, from, to - from, r.gpi);
    }
  }
}
