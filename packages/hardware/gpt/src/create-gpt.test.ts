import { decodeGpccr, Gpi } from '@islet/abi';
import { describe, expect, it } from 'vitest';
import {
  DRAM,
  FIRMWARE,
  fixture,
  fixtureOptions,
  GB,
  L1_TABLES,
  NS_DRAM,
  REGIONS,
  TABLES,
} from '../test/fixture.ts';
import { MapRawMemory } from '../test/raw-memory.ts';
import { createGpt, GPCCR_TFA_ATTRIBUTES, withTablesRegion } from './create-gpt.ts';
import { GpccrL0gptsz, GpccrPps } from './gpt-geometry.ts';
import { planGptLayout } from './gpt-layout.ts';
import { GptMapType } from './pas-region.ts';

describe('createGpt: descriptors in memory', () => {
  it('writes the L0 table: blocks for block regions, table descriptors to the planned L1 tables', () => {
    const { memory } = fixture();
    expect(memory.u64(TABLES.base + 0)).toBe(0xf1n); // block, GPI Any
    expect(memory.u64(TABLES.base + 8)).toBe(0x81n); // block, GPI Secure
    expect(memory.u64(TABLES.base + 16)).toBe(BigInt(L1_TABLES[0]) | 0b11n); // table
    expect(memory.u64(TABLES.base + 24)).toBe(BigInt(L1_TABLES[1]) | 0b11n);
  });

  it('writes L1 granules descriptors with the GPI nibbles in place', () => {
    const { memory } = fixture();
    const l1 = L1_TABLES[0];
    // Tables [0x8000_0000, 0x8006_0000): 96 granules = entries 0..5, all Root.
    for (let e = 0; e < 6; e++) expect(memory.u64(l1 + e * 8)).toBe(0xaaaa_aaaa_aaaa_aaaan);
    // Firmware [0x8006_0000, 0x8008_0000): 32 granules = entries 6, 7.
    expect(memory.u64(l1 + 6 * 8)).toBe(0xaaaa_aaaa_aaaa_aaaan);
    // Secure [0x8008_0000, 0x8010_0000): entries 8..15.
    expect(memory.u64(l1 + 8 * 8)).toBe(0x8888_8888_8888_8888n);
    expect(memory.u64(l1 + 15 * 8)).toBe(0x8888_8888_8888_8888n);
    // NS from entry 16 to the end of both tables.
    expect(memory.u64(l1 + 16 * 8)).toBe(0x9999_9999_9999_9999n);
    expect(memory.u64(l1 + 16383 * 8)).toBe(0x9999_9999_9999_9999n);
    expect(memory.u64(L1_TABLES[1])).toBe(0x9999_9999_9999_9999n);
  });

  it('mixes GPIs inside one L1 entry when a region boundary falls inside it', () => {
    const memory = new MapRawMemory([DRAM]);
    createGpt({
      ...fixtureOptions(memory),
      regions: [
        { base: 0x8006_0000, size: 0x3000, gpi: Gpi.Root },
        { base: 0x8006_3000, size: 0x9_d000, gpi: Gpi.NonSecure },
      ],
    });
    // Entry 6: granules 0..2 Root, 3..15 NS; nibble g at bits [4g+3:4g].
    expect(memory.u64(L1_TABLES[0] + 6 * 8)).toBe(0x9999_9999_9999_9aaan);
    // Beyond the regions the fresh table reads Any (TF-A GPT_L1_ANY_DESC).
    expect(memory.u64(L1_TABLES[0] + 16 * 8)).toBe(0xffff_ffff_ffff_ffffn);
    // No granule region in the top GB: its L0 entry stays a block of Any.
    expect(memory.u64(TABLES.base + 24)).toBe(0xf1n);
  });

  it('exposes the GPCCR_EL3 and GPTBR_EL3 TF-A programs', () => {
    const { gpt } = fixture();
    // PPS 0 | IRGN 01 << 8 | ORGN 01 << 10 | SH 11 << 12 | PGS 00 << 14 | GPC << 16 | L0GPTSZ 0 << 20
    expect(gpt.gpccr).toBe(0x0001_3500);
    expect(decodeGpccr(gpt.gpccr)).toMatchObject({
      pps: 0,
      pgs: 0,
      gpc: true,
      ...GPCCR_TFA_ATTRIBUTES,
    });
    expect(gpt.gptbr).toEqual({ hi: 0, lo: 0x8_0000 }); // BADDR = PA[51:12]
    expect(gpt.l0Base).toBe(TABLES.base);
  });

  it('encodes GPTBR above 2^44 and L0GPTSZ for a large PPS', () => {
    const base = 2 ** 45;
    const memory = new MapRawMemory([{ base, size: 2 ** 30 }]);
    const gpt = createGpt({
      memory,
      pps: GpccrPps.Size256TB,
      l0gptsz: GpccrL0gptsz.Size16GB,
      tables: { base, size: 0x40_0000 },
      regions: [{ base: base + 0x40_0000, size: 0x1000, gpi: Gpi.NonSecure }],
    });
    expect(gpt.gptbr).toEqual({ hi: 2, lo: 0 }); // BADDR = 2^33
    expect(decodeGpccr(gpt.gpccr)).toMatchObject({ pps: 5, l0gptsz: 4 });
    expect(gpt.geometry).toMatchObject({ t: 48, s: 34, l0Entries: 2 ** 14, l1TableSize: 2 ** 21 });
    // The L1 table is placed at the first 2 MiB boundary after the 128 KiB L0 table.
    expect(memory.u64(base + (base / 2 ** 34) * 8)).toBe(BigInt(base + 0x20_0000) | 0b11n);
    expect(gpt.gpiOf(base + 0x40_0000)).toBe(Gpi.NonSecure);
    expect(gpt.gpiOf(base + 0x40_1000)).toBe(Gpi.Any);
    expect(gpt.gpiOf(base + 0x20_0000)).toBe(Gpi.Root);
  });
});

describe('createGpt: set-up errors, nothing written', () => {
  const cases: readonly [string, (m: MapRawMemory) => Parameters<typeof createGpt>[0], string][] = [
    ['reserved PPS', (m) => ({ ...fixtureOptions(m), pps: 7 as GpccrPps }), 'GPT_CONFIG_INVALID'],
    [
      'reserved L0GPTSZ',
      (m) => ({ ...fixtureOptions(m), l0gptsz: 1 as GpccrL0gptsz }),
      'GPT_CONFIG_INVALID',
    ],
    [
      'reserved unmapped GPI',
      (m) => ({ ...fixtureOptions(m), unmappedGpi: 3 as Gpi }),
      'GPT_CONFIG_INVALID',
    ],
    [
      'overlapping regions',
      (m) => ({
        ...fixtureOptions(m),
        regions: [...REGIONS, { base: NS_DRAM.base, size: 0x1000, gpi: Gpi.Realm }],
      }),
      'GPT_PAS_OVERLAP',
    ],
    [
      'unaligned block region',
      (m) => ({
        ...fixtureOptions(m),
        regions: [{ base: GB / 2, size: GB, gpi: Gpi.Any, map: GptMapType.Block }],
      }),
      'GPT_PAS_INVALID',
    ],
    [
      'region beyond the PPS',
      (m) => ({
        ...fixtureOptions(m),
        regions: [{ base: 4 * GB - 0x1000, size: 0x2000, gpi: Gpi.NonSecure }],
      }),
      'GPT_PAS_INVALID',
    ],
    [
      'reserved region GPI',
      (m) => ({
        ...fixtureOptions(m),
        regions: [{ base: NS_DRAM.base, size: 0x1000, gpi: 0xc as Gpi }],
      }),
      'GPT_PAS_INVALID',
    ],
    [
      'unknown map type',
      (m) => ({
        ...fixtureOptions(m),
        regions: [{ base: NS_DRAM.base, size: 0x1000, gpi: Gpi.NonSecure, map: 2 as GptMapType }],
      }),
      'GPT_PAS_INVALID',
    ],
    [
      'NaN region',
      (m) => ({
        ...fixtureOptions(m),
        regions: [{ base: Number.NaN, size: 0x1000, gpi: Gpi.NonSecure }],
      }),
      'GPT_PAS_INVALID',
    ],
    [
      'tables at 0',
      (m) => ({ ...fixtureOptions(m), tables: { base: 0, size: 0x6_0000 } }),
      'GPT_TABLES_INVALID',
    ],
    [
      'tables too small for two L1 tables',
      (m) => ({ ...fixtureOptions(m), tables: { base: TABLES.base, size: 0x4_0000 } }),
      'GPT_TABLES_TOO_SMALL',
    ],
    [
      'tables outside DRAM',
      (m) => ({
        ...fixtureOptions(m),
        regions: [{ ...NS_DRAM, gpi: Gpi.NonSecure }],
        tables: { base: 0x7ff0_0000, size: 0x8_0000 }, // needs a third L1 table for itself
      }),
      'GPT_TABLES_UNBACKED',
    ],
    [
      'tables covered by a Non-secure region',
      (m) => ({
        ...fixtureOptions(m),
        regions: [{ base: DRAM.base, size: DRAM.size, gpi: Gpi.NonSecure }],
      }),
      'GPT_TABLES_NOT_ROOT',
    ],
  ];
  it.each(cases)('%s', (_, options, code) => {
    const memory = new MapRawMemory([DRAM]);
    expect(() => createGpt(options(memory))).toThrow(
      expect.objectContaining({ code, name: 'Gpt.GptError' }),
    );
    expect(memory.granules.size).toBe(0);
  });

  it('accepts Root regions that cover the tables, and refuses a partial cover', () => {
    const root = { base: DRAM.base, size: 0x8_0000, gpi: Gpi.Root } as const;
    expect(withTablesRegion([root], TABLES)).toEqual([root]);
    expect(() => withTablesRegion([{ ...root, size: 0x3_0000 }], TABLES)).toThrow(
      expect.objectContaining({ code: 'GPT_TABLES_NOT_ROOT' }),
    );
    expect(() =>
      withTablesRegion([{ ...root, base: TABLES.base + 0x1000, size: 0x10_0000 }], TABLES),
    ).toThrow(expect.objectContaining({ code: 'GPT_TABLES_NOT_ROOT' }));
    expect(withTablesRegion([], TABLES)).toEqual([{ ...TABLES, gpi: Gpi.Root }]);
  });

  it('plans the fixture layout', () => {
    const { gpt } = fixture();
    const layout = planGptLayout(gpt.geometry, TABLES, withTablesRegion(REGIONS, TABLES));
    expect(layout).toEqual({
      l0Base: TABLES.base,
      l1Base: L1_TABLES[0],
      l1Tables: [
        { l0Index: 2, pa: L1_TABLES[0] },
        { l0Index: 3, pa: L1_TABLES[1] },
      ],
      end: TABLES.base + TABLES.size,
    });
    expect(FIRMWARE.base).toBe(layout.end);
  });
});
