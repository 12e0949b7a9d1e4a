import {
  encodeS2tte,
  Gpi,
  rttLevelBlockSize,
  S2TTE_MEMATTR_FWB_NORMAL_WB,
  S2TTE_S2AP_RW,
  S2TTE_SH_IS,
  S2TTE_XN_VALUE,
  S2tteType,
  s2tteFromOutputAddress,
} from '@islet/abi';
import { isIsletError, type PhysAddr } from '@islet/arch';
import { beforeEach, describe, expect, it } from 'vitest';
import { GpiTable } from '../test/gpi-table.ts';
import { ARM_DRAM1_BASE, ARM_DRAM1_SIZE, ARM_DRAM2_BASE, Dram } from './dram.ts';
import { PhysicalMemory } from './physical-memory.ts';
import {
  rttCreateTables,
  rttEntryAddress,
  rttWriteDescriptor,
  rttWriteEntry,
} from './rtt-builder.ts';
import {
  rttRootTableCount,
  type Stage2Fault,
  Stage2FaultKind,
  Stage2Geometry,
  type Stage2Root,
  type Stage2Translation,
  stage2Walk,
} from './stage2-walk.ts';

const pa = (n: number): PhysAddr => n as PhysAddr;
const G = 4096;
const RAM = (oa: number) => ({ type: S2tteType.AssignedRam, oa, nsAttrs: 0 });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isIsletError(e) ? e.code : `uncoded ${String(e)}`;
  }
  return undefined;
}

let dram: Dram;
let next: number;
const alloc = (): PhysAddr => {
  const p = next;
  next += G;
  return pa(p);
};

function geometry(root: Omit<Stage2Root, 'rootPa'>): Stage2Geometry {
  const tables = rttRootTableCount(root.startLevel, root.ipaWidth);
  next = Math.ceil(next / (tables * G)) * tables * G;
  const rootPa = next;
  next += tables * G;
  return new Stage2Geometry({ ...root, rootPa: pa(rootPa) });
}

function ok(r: ReturnType<typeof stage2Walk>): Stage2Translation {
  if (!r.ok) throw new Error(`walk faulted: ${r.kind} at level ${r.level}`);
  return r;
}

function ko(r: ReturnType<typeof stage2Walk>): Stage2Fault {
  if (r.ok) throw new Error(`walk translated to ${r.pa}`);
  return r;
}

beforeEach(() => {
  dram = new Dram();
  next = ARM_DRAM2_BASE + 0x100_0000;
});

describe('geometry (rmm-abi.md §4.6)', () => {
  it('counts concatenated root tables as rtt_num_start', () => {
    expect(rttRootTableCount(1, 40)).toBe(2);
    expect(rttRootTableCount(1, 43)).toBe(16);
    expect(rttRootTableCount(0, 48)).toBe(1);
    expect(rttRootTableCount(2, 34)).toBe(16);
    expect(rttRootTableCount(-1, 52)).toBe(1);
    expect(rttRootTableCount(0, 52)).toBe(16);
  });

  it("accepts exactly the digest's non-LPA2 and LPA2 s2sz ranges from 32 bits up", () => {
    const accepted = (sl: number, w: number, lpa2: boolean): boolean =>
      codeOf(() => new Stage2Geometry({ rootPa: pa(0), startLevel: sl, ipaWidth: w, lpa2 })) ===
      undefined;
    const digest = (sl: number, w: number, lpa2: boolean): boolean => {
      if (lpa2)
        return (
          (sl === -1 && w >= 49) ||
          (sl === 0 && w >= 40) ||
          (sl === 1 && w <= 43) ||
          (sl === 2 && w <= 34)
        );
      return (sl === 0 && w >= 40) || (sl === 1 && w <= 43) || (sl === 2 && w <= 34);
    };
    for (const lpa2 of [false, true]) {
      for (let sl = lpa2 ? -1 : 0; sl <= 3; sl++) {
        for (let w = 32; w <= (lpa2 ? 52 : 48); w++) {
          expect(accepted(sl, w, lpa2), `sl ${sl} s2sz ${w} lpa2 ${lpa2}`).toBe(
            digest(sl, w, lpa2),
          );
        }
      }
    }
  });

  it('rejects inconsistent roots with a coded error', () => {
    const bad: Stage2Root[] = [
      { rootPa: pa(0), startLevel: -1, ipaWidth: 52 }, // level -1 needs LPA2
      { rootPa: pa(0), startLevel: 4, ipaWidth: 16 },
      { rootPa: pa(0), startLevel: 0.5, ipaWidth: 40 },
      { rootPa: pa(0), startLevel: 0, ipaWidth: 39 },
      { rootPa: pa(0), startLevel: 0, ipaWidth: 49 },
      { rootPa: pa(0), startLevel: 3, ipaWidth: 26 },
      { rootPa: pa(0), startLevel: 3, ipaWidth: 12 },
      { rootPa: pa(0x1008), startLevel: 0, ipaWidth: 40 },
      { rootPa: pa(0), startLevel: 0, ipaWidth: 40, paWidth: 49 },
      { rootPa: pa(0), startLevel: 0, ipaWidth: 40, paWidth: 31 },
      { rootPa: pa(2 ** 40 - G), startLevel: 1, ipaWidth: 40, paWidth: 40 }, // 2 tables overflow
    ];
    for (const root of bad) {
      expect(
        codeOf(() => new Stage2Geometry(root)),
        JSON.stringify(root),
      ).toBe('S2_GEOMETRY_INVALID');
    }
    const g = new Stage2Geometry({ rootPa: pa(0x8800_0000), startLevel: 1, ipaWidth: 40 });
    expect(g).toMatchObject({ rootTables: 2, rootEntries: 1024, lpa2: false, paWidth: 48 });
  });
});

describe('walks at every start level', () => {
  const cases: [sl: number, ipaWidth: number, lpa2: boolean][] = [
    [-1, 49, true],
    [-1, 52, true],
    [0, 40, false],
    [0, 48, false],
    [0, 52, true], // 16 concatenated level-0 tables
    [1, 32, false],
    [1, 39, false],
    [1, 40, false], // 2 concatenated level-1 tables
    [1, 43, false], // 16
    [2, 30, false],
    [2, 34, false], // 16
    [3, 21, false],
    [3, 25, false], // 16
  ];
  for (const [sl, ipaWidth, lpa2] of cases) {
    it(`start level ${sl}, ${ipaWidth}-bit IPA${lpa2 ? ', LPA2' : ''}`, () => {
      const g = geometry({ startLevel: sl, ipaWidth, lpa2 });
      const top = g.ipaLimit - G;
      const targets = [
        [0, ARM_DRAM1_BASE],
        [top, ARM_DRAM2_BASE + 0x7000_0000],
        [Math.floor(g.ipaLimit / 3 / G) * G, lpa2 ? 2 ** 50 + 0x5000 : 0x1234_5000],
      ] as const;
      for (const [ipa, out] of targets) {
        rttCreateTables(dram, g, ipa, 3, alloc);
        rttWriteEntry(dram, g, ipa, 3, RAM(out));
      }
      for (const [ipa, out] of targets) {
        const r = ok(stage2Walk(dram, g, ipa + 0xabc));
        expect(r.pa).toBe(out + 0xabc);
        expect(r.level).toBe(3);
        expect(r.blockSize).toBe(G);
        expect(r.entryPa).toBe(rttEntryAddress(dram, g, ipa, 3));
      }
      // The top IPA's root entry lies in the last concatenated table.
      const rootEntry = rttEntryAddress(dram, g, top, sl)!;
      expect(rootEntry).toBe(g.rootPa + (g.rootEntries - 1) * 8);
      expect(Math.floor((rootEntry - g.rootPa) / G)).toBe(g.rootTables - 1);
      // A neighbouring page that is not mapped faults at level 3 (its table exists) ...
      if (sl < 3)
        expect(ko(stage2Walk(dram, g, top - G))).toMatchObject({ kind: 'translation', level: 3 });
      // ... and the first IPA out of range faults at level 0.
      expect(ko(stage2Walk(dram, g, g.ipaLimit))).toMatchObject({
        kind: Stage2FaultKind.Translation,
        level: 0,
        outOfRange: true,
        entryPa: undefined,
      });
    });
  }
});

describe('leaves, attributes and faults', () => {
  it('maps 1 GiB and 2 MiB blocks and 4 KiB pages', () => {
    const g = geometry({ startLevel: 0, ipaWidth: 40 });
    const GiB = 2 ** 30;
    rttCreateTables(dram, g, 3 * GiB, 1, alloc);
    rttWriteEntry(dram, g, 3 * GiB, 1, RAM(5 * GiB));
    rttCreateTables(dram, g, 4 * GiB + 0x40_0000, 2, alloc);
    rttWriteEntry(dram, g, 4 * GiB + 0x40_0000, 2, RAM(0x8_8020_0000));
    const b1 = ok(stage2Walk(dram, g, 3 * GiB + 0x1234_5678));
    expect(b1).toMatchObject({ pa: 5 * GiB + 0x1234_5678, level: 1, blockSize: GiB });
    const b2 = ok(stage2Walk(dram, g, 4 * GiB + 0x40_0000 + 0x1_2345));
    expect(b2).toMatchObject({ pa: 0x8_8020_0000 + 0x1_2345, level: 2, blockSize: 2 ** 21 });
    expect(b2).toMatchObject({
      memAttr: S2TTE_MEMATTR_FWB_NORMAL_WB,
      s2ap: S2TTE_S2AP_RW,
      sh: S2TTE_SH_IS,
      af: true,
      xn: 0,
      ns: false,
    });
    // The rest of the level-2 table is unassigned: a fault at level 2.
    expect(ko(stage2Walk(dram, g, 4 * GiB))).toMatchObject({ kind: 'translation', level: 2 });
    // Nothing below the root: a fault at level 0; a level-1 table without that entry: level 1.
    expect(ko(stage2Walk(dram, g, 600 * GiB))).toMatchObject({ kind: 'translation', level: 0 });
    expect(ko(stage2Walk(dram, g, 7 * GiB))).toMatchObject({ kind: 'translation', level: 1 });
  });

  it('reports the unprotected (NS) attributes the host chose', () => {
    const g = geometry({ startLevel: 1, ipaWidth: 33 });
    const ipa = 2 ** 32 + 0x5000; // the unprotected half
    rttCreateTables(dram, g, ipa, 3, alloc);
    const entry = { type: S2tteType.AssignedNs, oa: 0x8000_3000, nsAttrs: (0b101 << 2) | (1 << 6) };
    rttWriteEntry(dram, g, ipa, 3, entry);
    const r = ok(stage2Walk(dram, g, ipa + 8));
    expect(r).toMatchObject({
      pa: 0x8000_3008,
      ns: true,
      xn: S2TTE_XN_VALUE,
      memAttr: 0b101,
      s2ap: 1,
      af: true,
    });
    const d = encodeS2tte(entry, 3, false);
    expect([r.hi, r.lo]).toEqual([d.hi, d.lo]);
  });

  it('faults on invalid descriptors at their level, whatever their software bits', () => {
    const g = geometry({ startLevel: 0, ipaWidth: 40 });
    const ipa = 0x12_3456_7000;
    rttCreateTables(dram, g, ipa, 3, alloc);
    for (const type of [
      S2tteType.UnassignedRam,
      S2tteType.UnassignedDestroyed,
      S2tteType.AssignedEmpty,
      S2tteType.AssignedDestroyed,
      S2tteType.UnassignedNs,
    ]) {
      const oa =
        type === S2tteType.AssignedEmpty || type === S2tteType.AssignedDestroyed ? 0x8000_0000 : 0;
      rttWriteEntry(dram, g, ipa, 3, { type, oa, nsAttrs: 0 });
      const f = ko(stage2Walk(dram, g, ipa));
      expect(f).toMatchObject({ kind: 'translation', level: 3, outOfRange: false });
      expect(f.entryPa).toBe(rttEntryAddress(dram, g, ipa, 3));
      const d = encodeS2tte({ type, oa, nsAttrs: 0 }, 3, false);
      expect([f.hi, f.lo]).toEqual([d.hi, d.lo]);
    }
  });

  it('faults on blocks where the architecture allows none', () => {
    // 0b01 at level 3 is reserved.
    const g = geometry({ startLevel: 0, ipaWidth: 40 });
    rttCreateTables(dram, g, 0x1000, 3, alloc);
    rttWriteDescriptor(dram, g, 0x1000, 3, 0, (0x8000_0000 | 0x401) >>> 0);
    expect(ko(stage2Walk(dram, g, 0x1000))).toMatchObject({ kind: 'translation', level: 3 });
    // A level-0 block needs LPA2 (4 KiB granule, DS=1).
    rttWriteDescriptor(dram, g, 2 ** 39, 0, 0, 0x401);
    expect(ko(stage2Walk(dram, g, 2 ** 39 + 5))).toMatchObject({ kind: 'translation', level: 0 });
    const g2 = geometry({ startLevel: 0, ipaWidth: 48, lpa2: true });
    const oa = s2tteFromOutputAddress(2 ** 39 * 3, 0, true);
    rttWriteDescriptor(dram, g2, 2 ** 39, 0, oa.hi, (oa.lo | 0x401) >>> 0);
    expect(ok(stage2Walk(dram, g2, 2 ** 39 + 0x12_3456_789a))).toMatchObject({
      pa: 2 ** 39 * 3 + 0x12_3456_789a,
      level: 0,
      blockSize: 2 ** 39,
      sh: undefined,
    });
    // Never at level -1.
    const g3 = geometry({ startLevel: -1, ipaWidth: 52, lpa2: true });
    rttWriteDescriptor(dram, g3, 2 ** 48, -1, 0, 0x401);
    expect(ko(stage2Walk(dram, g3, 2 ** 48))).toMatchObject({ kind: 'translation', level: -1 });
  });

  it('reports address size faults against the PA width', () => {
    const g = geometry({ startLevel: 1, ipaWidth: 39, paWidth: 40 });
    rttCreateTables(dram, g, 0, 2, alloc);
    rttWriteEntry(dram, g, 0, 2, RAM(2 ** 40)); // a leaf beyond 2^40
    expect(ko(stage2Walk(dram, g, 0x10))).toMatchObject({ kind: 'address-size', level: 2 });
    const t = encodeS2tte({ type: S2tteType.Table, oa: 2 ** 41, nsAttrs: 0 }, 1, false);
    rttWriteDescriptor(dram, g, 2 ** 30, 1, t.hi, t.lo); // a table beyond 2^40
    expect(ko(stage2Walk(dram, g, 2 ** 30))).toMatchObject({ kind: 'address-size', level: 1 });
  });

  it('rejects hostile IPAs and unchecked geometries with coded errors', () => {
    const g = geometry({ startLevel: 0, ipaWidth: 40 });
    expect(codeOf(() => stage2Walk(dram, g, -1))).toBe('MMU_ADDRESS_INVALID');
    expect(codeOf(() => stage2Walk(dram, g, Number.NaN))).toBe('MMU_ADDRESS_INVALID');
    expect(codeOf(() => stage2Walk(dram, g, 2 ** 53))).toBe('MMU_ADDRESS_INVALID');
    expect(ko(stage2Walk(dram, g, 2 ** 52))).toMatchObject({ outOfRange: true, level: 0 });
    const fake = { ...g } as unknown as Stage2Geometry;
    expect(codeOf(() => stage2Walk(dram, fake, 0))).toBe('S2_GEOMETRY_INVALID');
  });
});

describe('walks through the Realm port', () => {
  it('translates when the RTTs are Realm PAS, and faults the walk otherwise', () => {
    const gpt = new GpiTable();
    const mem = new PhysicalMemory(dram, gpt);
    const g = geometry({ startLevel: 0, ipaWidth: 40 });
    const ipa = 0x40_1234_5000;
    rttCreateTables(dram, g, ipa, 3, alloc);
    rttWriteEntry(dram, g, ipa, 3, RAM(0x8_8800_0000));
    // The root and the three tables below it.
    const tables = [
      g.rootPa,
      ...[1, 2, 3].map((l) => Math.floor(rttEntryAddress(dram, g, ipa, l)! / G) * G),
    ];
    // Still Non-secure: the Realm port cannot read the root.
    expect(ko(stage2Walk(mem.realm, g, ipa))).toMatchObject({
      kind: 'granule-protection',
      level: 0,
      entryPa: rttEntryAddress(dram, g, ipa, 0),
    });
    for (const t of tables) gpt.set(t, G, Gpi.Realm);
    expect(ok(stage2Walk(mem.realm, g, ipa + 1)).pa).toBe(0x8_8800_0001);
    // The Normal world cannot walk a realm's tables.
    expect(ko(stage2Walk(mem.normal, g, ipa))).toMatchObject({
      kind: 'granule-protection',
      level: 0,
    });
    // A level-2 table in Root memory faults the walk at level 2.
    gpt.set(tables[2]!, G, Gpi.Root);
    expect(ko(stage2Walk(mem.realm, g, ipa))).toMatchObject({
      kind: 'granule-protection',
      level: 2,
    });
    // The raw DRAM reads below the check.
    expect(ok(stage2Walk(dram, g, ipa)).level).toBe(3);
    // A table in a hole of the memory map: an external abort on the walk.
    const hole = ARM_DRAM1_BASE + ARM_DRAM1_SIZE;
    gpt.set(hole, G, Gpi.Realm);
    const t = encodeS2tte({ type: S2tteType.Table, oa: hole, nsAttrs: 0 }, 2, false);
    rttWriteDescriptor(dram, g, ipa, 2, t.hi, t.lo);
    gpt.set(tables[2]!, G, Gpi.Realm);
    expect(ko(stage2Walk(mem.realm, g, ipa))).toMatchObject({ kind: 'external-abort', level: 3 });
  });
});

describe('the RTT builder', () => {
  it('refuses to write below missing tables, or tables under a block', () => {
    const g = geometry({ startLevel: 0, ipaWidth: 40 });
    expect(rttEntryAddress(dram, g, 0x1000, 3)).toBeUndefined();
    expect(codeOf(() => rttWriteEntry(dram, g, 0x1000, 3, RAM(0)))).toBe('RTT_TABLE_MISSING');
    rttCreateTables(dram, g, 0, 1, alloc);
    rttWriteEntry(dram, g, 0, 1, RAM(rttLevelBlockSize(1)));
    expect(codeOf(() => rttCreateTables(dram, g, 0x1000, 3, alloc))).toBe('RTT_TABLE_MISSING');
    expect(codeOf(() => rttEntryAddress(dram, g, 2 ** 40, 3))).toBe('MMU_ADDRESS_INVALID');
    expect(codeOf(() => rttEntryAddress(dram, g, 0, 4))).toBe('RTT_LEVEL_INVALID');
    expect(codeOf(() => rttEntryAddress(dram, g, 0, -1))).toBe('RTT_LEVEL_INVALID');
    expect(() => rttWriteEntry(dram, g, 0, 0, RAM(0))).toThrow(RangeError); // abi: no L0 blocks
  });

  it('reuses existing tables', () => {
    const g = geometry({ startLevel: 0, ipaWidth: 40 });
    rttCreateTables(dram, g, 0x20_0000, 3, alloc);
    const used = next;
    rttCreateTables(dram, g, 0x20_1000, 3, alloc);
    expect(next).toBe(used);
    rttCreateTables(dram, g, 0x40_0000, 3, alloc); // a new level-3 table only
    expect(next).toBe(used + G);
  });
});
