/**
 * The real GPT and the real MMU together on the FVP memory map: the GPT's tables live in Root DRAM,
 * delegation flips descriptors in memory, and every access the MMU lets through or refuses agrees
 * with those descriptors.
 * @module
 */
import { test as propTest } from '@fast-check/vitest';
import { Gpi, gpiPermits, RmmEl3Status, World } from '@islet/abi';
import { type GranuleIdx, type PhysAddr, physAddr } from '@islet/arch';
import { createGpt, GpccrPps, type Gpt } from '@islet/gpt';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ARM_DRAM1_BASE,
  ARM_DRAM2_BASE,
  Dram,
  GranuleProtectionFault,
  PhysicalMemory,
} from '../src/index.ts';

/** The GPT tables: 8 MiB at the top of DRAM bank 0 (L0 table and one L1 table per GiB of DRAM). */
const TABLES = { base: 0xff80_0000, size: 0x80_0000 } as const;

/** A 64 GiB platform: both FVP DRAM banks Non-secure and delegable, the tables Root. */
function platform(): { dram: Dram; gpt: Gpt; mem: PhysicalMemory } {
  const dram = new Dram();
  const gpt = createGpt({
    memory: dram,
    pps: GpccrPps.Size64GB,
    tables: TABLES,
    regions: [
      { base: ARM_DRAM1_BASE, size: TABLES.base - ARM_DRAM1_BASE, gpi: Gpi.NonSecure },
      { base: ARM_DRAM2_BASE, size: 0x7_8000_0000, gpi: Gpi.NonSecure },
    ],
  });
  return { dram, gpt, mem: new PhysicalMemory(dram, gpt) };
}

const idx = (pa: number): GranuleIdx => (pa / 4096) as GranuleIdx;
const fault = (f: () => unknown): GranuleProtectionFault | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof GranuleProtectionFault) return e;
    throw e;
  }
  return undefined;
};

describe('GPT and MMU on the FVP map', () => {
  const { gpt, mem } = platform();
  const ns = physAddr(0x9000_0000);
  const granule = physAddr(0x9000_1000);

  test('the GPT tables are Root memory the Normal world cannot touch', () => {
    expect(gpt.gpiOf(physAddr(TABLES.base))).toBe(Gpi.Root);
    const before = mem.root.read(physAddr(TABLES.base), 64);
    const f = fault(() => mem.normal.write(physAddr(TABLES.base), new Uint8Array(64).fill(0xff)));
    expect(f).toMatchObject({
      code: 'GRANULE_PROTECTION_FAULT',
      world: World.Normal,
      gpi: Gpi.Root,
    });
    expect(mem.root.read(physAddr(TABLES.base), 64)).toEqual(before);
    expect(fault(() => mem.normal.read(physAddr(TABLES.base), 8))?.address).toBe(TABLES.base);
  });

  test('a delegated granule faults on Normal-world reads and writes and keeps its bytes', () => {
    mem.normal.write(granule, new Uint8Array(4096).fill(0x5a));
    expect(gpt.delegate(granule)).toBe(RmmEl3Status.Ok);
    expect(gpt.walk(granule).gpi).toBe(Gpi.Realm);
    expect(fault(() => mem.normal.read(granule, 16))).toMatchObject({
      gpi: Gpi.Realm,
      world: World.Normal,
    });
    expect(fault(() => mem.normal.write(granule, new Uint8Array(16)))).toBeDefined();
    // A copy from an NS page that runs into the Realm granule is refused whole.
    mem.normal.write(ns, new Uint8Array(4096).fill(1));
    expect(
      fault(() => mem.normal.write(physAddr(granule - 8), new Uint8Array(16).fill(7))),
    ).toBeDefined();
    expect(mem.normal.read(physAddr(granule - 8), 8)).toEqual(new Uint8Array(8).fill(1));
    expect(mem.realm.read(granule, 4096)).toEqual(new Uint8Array(4096).fill(0x5a));
  });

  test('delegating a non-NS granule and undelegating a non-Realm one fail with the EL3 codes', () => {
    expect(gpt.delegate(granule)).toBe(RmmEl3Status.BadPas);
    expect(gpt.undelegate(ns)).toBe(RmmEl3Status.BadPas);
    expect(gpt.delegate(physAddr(TABLES.base))).toBe(RmmEl3Status.BadPas);
    expect(gpt.delegate(physAddr(granule + 1))).toBe(RmmEl3Status.BadAddr);
    expect(gpt.undelegate(granule)).toBe(RmmEl3Status.Ok);
    expect(mem.normal.read(granule, 4)).toEqual(new Uint8Array(4).fill(0x5a));
  });

  test('bank 1 above 32 GiB is tracked granule by granule too', () => {
    // The last granule below 2^PPS is not delegable (TF-A refuses base + size >= 2^PPS): use the one before.
    const high = physAddr(0xf_ffff_e000);
    expect(gpt.delegate(high)).toBe(RmmEl3Status.Ok);
    expect(fault(() => mem.normal.read(high, 1))?.address).toBe(high);
    expect(gpt.undelegate(high)).toBe(RmmEl3Status.Ok);
  });
});

/** Granules of both banks that the model test uses, including neighbours. */
const GRANULES = [
  0x9000_0000, 0x9000_1000, 0x9000_2000, 0x8_8000_0000, 0x8_8000_1000, 0xf_ffff_e000,
];

type Op =
  | { kind: 'delegate'; g: number }
  | { kind: 'undelegate'; g: number }
  | { kind: 'write'; world: World; g: number; offset: number; length: number; byte: number }
  | { kind: 'read'; world: World; g: number; offset: number; length: number };

const world = fc.constantFrom<World>(World.Normal, World.Realm, World.Root, World.Secure);
const g = fc.nat({ max: GRANULES.length - 1 });
// Offsets and lengths that often run across the end of a granule into its neighbour.
const span = fc.tuple(fc.integer({ min: 4000, max: 4095 }), fc.integer({ min: 1, max: 300 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  g.map((gi) => ({ kind: 'delegate' as const, g: gi })),
  g.map((gi) => ({ kind: 'undelegate' as const, g: gi })),
  fc
    .tuple(world, g, span, fc.integer({ min: 1, max: 255 }))
    .map(([w, gi, [offset, length], byte]) => ({
      kind: 'write' as const,
      world: w,
      g: gi,
      offset,
      length,
      byte,
    })),
  fc.tuple(world, g, span).map(([w, gi, [offset, length]]) => ({
    kind: 'read' as const,
    world: w,
    g: gi,
    offset,
    length,
  })),
);

// Each run builds a 64 GiB platform (4 MiB of L1 tables, a byte of GPT cache per DRAM granule): allow a minute.
describe('model', () => {
  propTest.prop([fc.array(op, { minLength: 1, maxLength: 40 })], { numRuns: 30 })(
    'descriptors in memory, the cached view and every access decision stay consistent',
    (ops) => {
      const { gpt, mem } = platform();
      const gpi = new Map<number, Gpi>();
      const bytes = new Map<number, Uint8Array>();
      const modelGpi = (pa: number): Gpi => gpi.get(pa - (pa % 4096)) ?? Gpi.NonSecure;
      const modelByte = (pa: number): number => bytes.get(pa - (pa % 4096))?.[pa % 4096] ?? 0;
      const allowed = (w: World, pa: number, length: number): boolean => {
        for (let p = pa - (pa % 4096); p < pa + length; p += 4096)
          if (!gpiPermits(modelGpi(p), w)) return false;
        return true;
      };
      for (const o of ops) {
        const base = GRANULES[o.g]!;
        if (o.kind === 'delegate' || o.kind === 'undelegate') {
          const from = o.kind === 'delegate' ? Gpi.NonSecure : Gpi.Realm;
          const status =
            o.kind === 'delegate' ? gpt.delegate(physAddr(base)) : gpt.undelegate(physAddr(base));
          expect(status).toBe(modelGpi(base) === from ? RmmEl3Status.Ok : RmmEl3Status.BadPas);
          if (status === RmmEl3Status.Ok)
            gpi.set(base, o.kind === 'delegate' ? Gpi.Realm : Gpi.NonSecure);
        } else {
          const pa = physAddr(base + o.offset);
          const ok = allowed(o.world, pa, o.length);
          if (o.kind === 'write') {
            const f = fault(() =>
              mem.port(o.world).write(pa, new Uint8Array(o.length).fill(o.byte)),
            );
            expect(f === undefined).toBe(ok);
            if (ok) {
              for (let i = 0; i < o.length; i++) {
                const a = pa + i;
                const gb = a - (a % 4096);
                if (!bytes.has(gb)) bytes.set(gb, new Uint8Array(4096));
                bytes.get(gb)![a % 4096] = o.byte;
              }
            }
          } else {
            let got: Uint8Array | undefined;
            const f = fault(() => {
              got = mem.port(o.world).read(pa, o.length);
            });
            expect(f === undefined).toBe(ok);
            if (ok)
              expect([...got!]).toEqual(
                Array.from({ length: o.length }, (_, i) => modelByte(pa + i)),
              );
          }
        }
        for (const p of [...GRANULES, ...GRANULES.map((x) => x + 4096)]) {
          expect(gpt.walk(physAddr(p)).gpi).toBe(modelGpi(p));
          expect(gpt.gpiOfGranule(idx(p))).toBe(modelGpi(p));
        }
      }
      // Memory, read in each granule's own PAS, equals the model byte for byte.
      for (const [gb, content] of bytes) {
        const owner = modelGpi(gb) === Gpi.Realm ? World.Realm : World.Normal;
        expect(mem.port(owner).read(gb as PhysAddr, 4096)).toEqual(content);
      }
    },
    60_000,
  );
});
