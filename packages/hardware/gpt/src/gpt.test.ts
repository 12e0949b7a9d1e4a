import { Gpi, gpiPermits, RmmEl3Status, World } from '@islet/abi';
import { equalBytes, type GranuleIdx, U64 } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import {
  DRAM,
  FIRMWARE,
  fixture,
  fixtureOptions,
  GB,
  L1_TABLES,
  NS_DRAM,
  SECURE,
  TABLES,
} from '../test/fixture.ts';
import { MapRawMemory } from '../test/raw-memory.ts';
import { createGpt } from './create-gpt.ts';
import { Gpt } from './gpt.ts';
import { GptFault } from './gpt-walk.ts';

const WORLDS = [World.Secure, World.Normal, World.Root, World.Realm] as const;
const PA = 0x8010_5000; // L0 index 2, granule 0x105 of its GB: L1 entry 16, nibble 5
const PA_HI = 0x8010_c000; // granule 0x10c: L1 entry 16, nibble 12 (bits [51:48])
const entryOf = (pa: number): number => L1_TABLES[0] + Math.floor((pa - 2 * GB) / 0x1_0000) * 8;
const tableBytes = (memory: MapRawMemory): Uint8Array => memory.snapshot(TABLES.base, TABLES.size);

describe('delegate and undelegate', () => {
  it('delegate turns an NS granule Realm, writing only its GPI nibble', () => {
    const { gpt, memory } = fixture();
    expect(gpt.delegate(PA)).toBe(RmmEl3Status.Ok);
    expect(memory.u64(entryOf(PA))).toBe(0x9999_9999_99b9_9999n); // nibble 5 = bits [23:20]
    expect(gpt.gpiOf(PA)).toBe(Gpi.Realm);
    expect(gpt.walk(PA)).toEqual({ gpi: Gpi.Realm, level: 1, fault: GptFault.None });
    expect(gpt.gpiOf(PA + 0x1000)).toBe(Gpi.NonSecure);
    expect(gpt.permits(World.Realm, (PA / 4096) as GranuleIdx)).toBe(true);
    expect(gpt.permits(World.Normal, (PA / 4096) as GranuleIdx)).toBe(false);
    expect(gpt.delegate(PA_HI)).toBe(RmmEl3Status.Ok);
    expect(memory.u64(entryOf(PA))).toBe(0x999b_9999_99b9_9999n); // nibble 12 = bits [51:48]
  });

  it('undelegate restores NS and the exact descriptor', () => {
    const { gpt, memory } = fixture();
    const before = tableBytes(memory);
    expect(gpt.delegate(PA)).toBe(RmmEl3Status.Ok);
    expect(gpt.undelegate(PA)).toBe(RmmEl3Status.Ok);
    expect(gpt.gpiOf(PA)).toBe(Gpi.NonSecure);
    expect(equalBytes(tableBytes(memory), before)).toBe(true);
  });

  it('works in the second L1 table and at the last granule TF-A accepts', () => {
    const { gpt, memory } = fixture();
    const pa = 4 * GB - 0x2000;
    expect(gpt.delegate(pa)).toBe(RmmEl3Status.Ok);
    // Granule 0x3fffe of the top GB: entry 0x3fff, nibble 14 = bits [59:56].
    expect(memory.u64(L1_TABLES[1] + 0x3fff * 8)).toBe(0x9b99_9999_9999_9999n);
  });

  const failures: readonly [string, (gpt: Gpt) => RmmEl3Status, RmmEl3Status][] = [
    ['delegate of a Realm granule', (g) => g.delegate(NS_DRAM.base), RmmEl3Status.BadPas],
    ['undelegate of an NS granule', (g) => g.undelegate(PA), RmmEl3Status.BadPas],
    ['delegate of a Secure granule', (g) => g.delegate(SECURE.base), RmmEl3Status.BadPas],
    ['delegate of a Root granule', (g) => g.delegate(FIRMWARE.base), RmmEl3Status.BadPas],
    ['delegate of a GPT table granule', (g) => g.delegate(L1_TABLES[1]), RmmEl3Status.BadPas],
    ['undelegate of a Secure granule', (g) => g.undelegate(SECURE.base), RmmEl3Status.BadPas],
    ['delegate of an unaligned PA', (g) => g.delegate(PA + 8), RmmEl3Status.BadAddr],
    ['undelegate of an unaligned PA', (g) => g.undelegate(PA + 0x800), RmmEl3Status.BadAddr],
    ['delegate in an L0 block (Any)', (g) => g.delegate(0x1000), RmmEl3Status.BadAddr],
    ['delegate in an L0 block (Secure)', (g) => g.delegate(GB), RmmEl3Status.BadAddr],
    [
      'delegate of the last granule (TF-A: base + size >= 2^T)',
      (g) => g.delegate(4 * GB - 0x1000),
      RmmEl3Status.BadAddr,
    ],
    ['delegate at 2^T', (g) => g.delegate(4 * GB), RmmEl3Status.BadAddr],
    ['delegate beyond 2^52', (g) => g.delegate(2 ** 53), RmmEl3Status.BadAddr],
    ['delegate of a negative PA', (g) => g.delegate(-4096), RmmEl3Status.BadAddr],
    ['delegate of NaN', (g) => g.delegate(Number.NaN), RmmEl3Status.BadAddr],
    ['delegate of Infinity', (g) => g.delegate(Number.POSITIVE_INFINITY), RmmEl3Status.BadAddr],
    ['delegate of a fraction', (g) => g.delegate(PA + 0.5), RmmEl3Status.BadAddr],
    ['undelegate of NaN', (g) => g.undelegate(Number.NaN), RmmEl3Status.BadAddr],
  ];
  it.each(failures)('%s fails and changes nothing', (_name, call, status) => {
    const { gpt, memory } = fixture();
    expect(gpt.delegate(NS_DRAM.base)).toBe(RmmEl3Status.Ok); // a Realm granule
    const before = tableBytes(memory);
    const view = [PA, NS_DRAM.base, SECURE.base].map((pa) => gpt.gpiOf(pa));
    const result = call(gpt);
    expect(result).toBe(status);
    expect(equalBytes(tableBytes(memory), before)).toBe(true);
    expect([PA, NS_DRAM.base, SECURE.base].map((pa) => gpt.gpiOf(pa))).toEqual(view);
  });

  it('a second delegate of the same granule changes nothing', () => {
    const { gpt, memory } = fixture();
    gpt.delegate(PA);
    const before = tableBytes(memory);
    expect(gpt.delegate(PA)).toBe(RmmEl3Status.BadPas);
    expect(equalBytes(tableBytes(memory), before)).toBe(true);
  });
});

describe('the cached view and the check', () => {
  it('agrees with the walk across every region and beyond the PPS', () => {
    const { gpt } = fixture();
    const probes = [
      0,
      GB - 0x1000,
      GB,
      2 * GB,
      FIRMWARE.base,
      SECURE.base,
      NS_DRAM.base,
      4 * GB - 0x1000,
    ];
    for (const pa of probes) expect(gpt.gpiOf(pa)).toBe(gpt.walk(pa).gpi);
    expect(gpt.walk(0)).toEqual({ gpi: Gpi.Any, level: 0, fault: GptFault.None });
    expect(gpt.walk(4 * GB)).toEqual({ gpi: Gpi.NoAccess, level: 0, fault: GptFault.AddressSize });
  });

  it('answers No access for hostile granule numbers without touching memory', () => {
    const { gpt, memory } = fixture();
    memory.calls = 0;
    for (const idx of [
      -1,
      2 ** 20,
      2 ** 40,
      Number.NaN,
      0.5,
      2 ** 19 + 0.5,
      Number.POSITIVE_INFINITY,
    ]) {
      expect(gpt.gpiOfGranule(idx as GranuleIdx)).toBe(Gpi.NoAccess);
      for (const w of WORLDS) expect(gpt.permits(w, idx as GranuleIdx)).toBe(false);
    }
    expect(gpt.gpiOfGranule(1 as GranuleIdx)).toBe(Gpi.Any);
    expect(memory.calls).toBe(0);
  });

  it('permits follows gpiPermits for all four worlds', () => {
    const { gpt } = fixture();
    gpt.delegate(PA);
    for (const pa of [0, GB, FIRMWARE.base, SECURE.base, PA, NS_DRAM.base]) {
      const idx = (pa / 4096) as GranuleIdx;
      for (const w of WORLDS) expect(gpt.permits(w, idx)).toBe(gpiPermits(gpt.gpiOf(pa), w));
    }
  });

  it('reads No access everywhere a fail-closed map leaves unmapped', () => {
    const memory = new MapRawMemory([DRAM]);
    const gpt = createGpt({
      ...fixtureOptions(memory),
      regions: [{ ...NS_DRAM, size: 0x1_0000, gpi: Gpi.NonSecure }],
      unmappedGpi: Gpi.NoAccess,
    });
    expect(gpt.gpiOf(0)).toBe(Gpi.NoAccess);
    expect(gpt.gpiOf(NS_DRAM.base + 0x1_0000)).toBe(Gpi.NoAccess);
    expect(gpt.gpiOf(NS_DRAM.base)).toBe(Gpi.NonSecure);
    expect(gpt.gpiOf(TABLES.base)).toBe(Gpi.Root);
    expect(memory.u64(TABLES.base)).toBe(0x01n); // block, GPI No access
  });
});

describe('setGpi', () => {
  it('sets a range across both L1 tables, all-or-nothing', () => {
    const { gpt, memory } = fixture();
    const base = 3 * GB - 0x3000;
    expect(gpt.setGpi(base, Gpi.Realm, 0x2_0000)).toBe(RmmEl3Status.Ok);
    for (let pa = base; pa < base + 0x2_0000; pa += 0x1000) expect(gpt.gpiOf(pa)).toBe(Gpi.Realm);
    expect(gpt.gpiOf(base - 0x1000)).toBe(Gpi.NonSecure);
    expect(gpt.gpiOf(base + 0x2_0000)).toBe(Gpi.NonSecure);
    expect(memory.u64(L1_TABLES[0] + 16383 * 8)).toBe(0xbbb9_9999_9999_9999n);
    expect(memory.u64(L1_TABLES[1])).toBe(0xbbbb_bbbb_bbbb_bbbbn);
    expect(gpt.undelegate(base)).toBe(RmmEl3Status.Ok);
  });

  it('refuses reserved GPIs and ranges not tracked at granule level, changing nothing', () => {
    const { gpt, memory } = fixture();
    const before = tableBytes(memory);
    expect(gpt.setGpi(PA, 0x3 as Gpi)).toBe(RmmEl3Status.Inval);
    expect(gpt.setGpi(PA + 1, Gpi.Root)).toBe(RmmEl3Status.BadAddr);
    expect(gpt.setGpi(PA, Gpi.Root, 0)).toBe(RmmEl3Status.BadAddr);
    expect(gpt.setGpi(PA, Gpi.Root, 100)).toBe(RmmEl3Status.BadAddr);
    expect(gpt.setGpi(2 * GB - 0x1000, Gpi.Root, 0x2000)).toBe(RmmEl3Status.BadAddr); // half in a block
    expect(gpt.setGpi(4 * GB - 0x1000, Gpi.Root, 0x2000)).toBe(RmmEl3Status.BadAddr); // past 2^T
    expect(gpt.setGpi(Number.NaN, Gpi.Root)).toBe(RmmEl3Status.BadAddr);
    expect(equalBytes(tableBytes(memory), before)).toBe(true);
    expect(gpt.setGpi(4 * GB - 0x1000, Gpi.Root)).toBe(RmmEl3Status.Ok); // the last granule is fine here
  });
});

describe('contiguous descriptors, resync and attach', () => {
  it('walks a 2 MB contiguous descriptor written behind the GPT, and delegate shatters it', () => {
    const { gpt, memory } = fixture();
    const block = 2 * GB + 0x20_0000; // 2 MB aligned, NS; L1 entries 32..63
    // Contig 2MB (bits[9:8] = 1), GPI NS (bits[7:4]), type 0b0001.
    for (let e = 32; e < 64; e++) memory.setU64(L1_TABLES[0] + e * 8, 0x191n);
    gpt.resync();
    expect(gpt.walk(block + 0x1f_f000)).toEqual({
      gpi: Gpi.NonSecure,
      level: 1,
      fault: GptFault.None,
    });
    expect(gpt.delegate(block + 0x1000)).toBe(RmmEl3Status.Ok);
    expect(memory.u64(L1_TABLES[0] + 32 * 8)).toBe(0x9999_9999_9999_99b9n);
    for (let e = 33; e < 64; e++)
      expect(memory.u64(L1_TABLES[0] + e * 8)).toBe(0x9999_9999_9999_9999n);
    for (let pa = block; pa < block + 0x20_0000; pa += 0x1000) {
      expect(gpt.gpiOf(pa)).toBe(gpt.walk(pa).gpi);
    }
  });

  it('setGpi shatters contiguous blocks it cuts into', () => {
    const { gpt, memory } = fixture();
    for (let e = 32; e < 64; e++) memory.setU64(L1_TABLES[0] + e * 8, 0x181n); // 2 MB Secure
    gpt.resync();
    expect(gpt.setGpi(2 * GB + 0x3f_f000, Gpi.Root, 0x2000)).toBe(RmmEl3Status.Ok);
    expect(memory.u64(L1_TABLES[0] + 63 * 8)).toBe(0xa888_8888_8888_8888n);
    expect(memory.u64(L1_TABLES[0] + 64 * 8)).toBe(0x9999_9999_9999_999an);
    expect(gpt.gpiOf(2 * GB + 0x20_0000)).toBe(Gpi.Secure);
  });

  it('reports walk faults: invalid L0, reserved GPIs, Contig 0, unbacked L1', () => {
    const { gpt, memory } = fixture();
    memory.setU64(L1_TABLES[0] + 16 * 8, 0x9999_9999_9999_9c99n); // granule 2 reserved (0xC)
    memory.setU64(L1_TABLES[0] + 17 * 8, 0x091n); // contiguous, Contig 0
    memory.setU64(TABLES.base + 8, 0x0n); // L0[1] invalid
    memory.setU64(TABLES.base, 0x31n); // L0[0] block with reserved GPI 3
    memory.setU64(TABLES.base + 24, 0x3n); // L0[3] table at PA 0: no DRAM there
    gpt.resync();
    const cases: readonly [number, 0 | 1, GptFault][] = [
      [NS_DRAM.base + 0x2000, 1, GptFault.InvalidDescriptor],
      [NS_DRAM.base + 0x1_0000, 1, GptFault.InvalidDescriptor],
      [GB, 0, GptFault.InvalidDescriptor],
      [0, 0, GptFault.InvalidDescriptor],
      [3 * GB, 1, GptFault.ExternalAbort],
    ];
    for (const [pa, level, fault] of cases) {
      expect(gpt.walk(pa)).toEqual({ gpi: Gpi.NoAccess, level, fault });
      expect(gpt.gpiOf(pa)).toBe(Gpi.NoAccess);
    }
    expect(gpt.gpiOf(NS_DRAM.base + 0x1000)).toBe(Gpi.NonSecure);
    expect(gpt.delegate(NS_DRAM.base + 0x2000)).toBe(RmmEl3Status.BadPas);
    expect(gpt.delegate(NS_DRAM.base + 0x1_0000)).toBe(RmmEl3Status.BadPas);
    expect(gpt.delegate(3 * GB)).toBe(RmmEl3Status.BadAddr);
    expect(gpt.setGpi(3 * GB, Gpi.Root)).toBe(RmmEl3Status.BadAddr);
    // setGpi over Contig 0 keeps the other 15 granules No access, as they read.
    expect(gpt.setGpi(NS_DRAM.base + 0x1_0000, Gpi.NonSecure)).toBe(RmmEl3Status.Ok);
    expect(memory.u64(L1_TABLES[0] + 17 * 8)).toBe(0x9n);
    for (let pa = NS_DRAM.base; pa < NS_DRAM.base + 0x2_0000; pa += 0x1000) {
      expect(gpt.gpiOf(pa)).toBe(gpt.walk(pa).gpi);
    }
  });

  it('resyncs by itself when a transition finds the cache behind memory', () => {
    const { gpt, memory } = fixture();
    // Root code turns L0[3] from table into a block behind the GPT's back, then back.
    memory.setU64(TABLES.base + 24, 0x91n);
    gpt.resync();
    memory.setU64(TABLES.base + 24, BigInt(L1_TABLES[1]) | 3n);
    expect(gpt.delegate(3 * GB)).toBe(RmmEl3Status.Ok);
    expect(gpt.gpiOf(3 * GB)).toBe(Gpi.Realm);
    expect(gpt.gpiOf(3 * GB + 0x1000)).toBe(Gpi.NonSecure);
    memory.setU64(TABLES.base + 24, 0x91n);
    gpt.resync();
    memory.setU64(TABLES.base + 24, BigInt(L1_TABLES[1]) | 3n);
    expect(gpt.setGpi(3 * GB + 0x1000, Gpi.Root)).toBe(RmmEl3Status.Ok);
    expect(gpt.gpiOf(3 * GB + 0x1000)).toBe(Gpi.Root);
  });

  it('attaches to tables already in memory from GPCCR_EL3 and GPTBR_EL3', () => {
    const { gpt, memory } = fixture();
    gpt.delegate(PA);
    const again = new Gpt({ memory, gpccr: gpt.gpccr, gptbr: gpt.gptbr });
    for (const pa of [0, GB, FIRMWARE.base, SECURE.base, PA, NS_DRAM.base]) {
      expect(again.gpiOf(pa)).toBe(gpt.gpiOf(pa));
    }
    expect(again.undelegate(PA)).toBe(RmmEl3Status.Ok);
  });

  it('refuses registers it cannot model', () => {
    const { gpt, memory } = fixture();
    const attach =
      (gpccr: number, gptbr: U64.U64 = gpt.gptbr) =>
      () =>
        new Gpt({ memory, gpccr, gptbr });
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(attach(gpt.gpccr & ~0x1_0000)).toThrow(code('GPT_CONFIG_INVALID')); // GPC off
    expect(attach(gpt.gpccr | 0x4000)).toThrow(code('GPT_CONFIG_INVALID')); // PGS 64 KiB
    expect(attach(gpt.gpccr | 0x7)).toThrow(code('GPT_CONFIG_INVALID')); // PPS 7
    expect(attach(gpt.gpccr | 0x10_0000)).toThrow(code('GPT_CONFIG_INVALID')); // L0GPTSZ 1
    expect(attach(gpt.gpccr, U64.fromNumber(0x10))).toThrow(code('GPT_TABLES_UNBACKED'));
  });
});
