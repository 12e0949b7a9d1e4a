/**
 * Property test of stage-2 walks: random RTT trees (random geometry, random page and block
 * mappings, tables created on demand in DRAM) walk to the mapped outputs, and unmapped IPAs fault
 * at the level of the deepest table that exists, per a small model of the tree.
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import { rttLevelBlockSize, S2tteType } from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { expect } from 'vitest';
import { ARM_DRAM2_BASE, Dram } from '../src/dram.ts';
import { rttCreateTables, rttWriteEntry } from '../src/rtt-builder.ts';
import { rttRootTableCount, Stage2Geometry, stage2Walk } from '../src/stage2-walk.ts';

const G = 4096;

const GEOMETRIES: readonly (readonly [sl: number, ipaWidth: number, lpa2: boolean])[] = [
  [-1, 52, true],
  [0, 40, false],
  [0, 48, false],
  [0, 50, true],
  [1, 32, false],
  [1, 43, false],
  [2, 30, false],
  [2, 34, false],
  [3, 21, false],
  [3, 25, false],
];

interface Mapping {
  readonly level: number;
  readonly ipaFrac: number;
  readonly oaFrac: number;
}

const arbCase = fc.constantFrom(...GEOMETRIES).chain(([sl, ipaWidth, lpa2]) =>
  fc.record({
    sl: fc.constant(sl),
    ipaWidth: fc.constant(ipaWidth),
    lpa2: fc.constant(lpa2),
    mappings: fc.array(
      fc.record({
        level: fc.integer({ min: Math.max(1, sl), max: 3 }),
        // Cluster IPAs so that mappings share tables and collide.
        ipaFrac: fc.oneof(
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          fc.double({ min: 0, max: 1e-3, noNaN: true }),
        ),
        oaFrac: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      }),
      { maxLength: 24 },
    ),
    probes: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
      maxLength: 16,
    }),
    offsets: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
      minLength: 1,
      maxLength: 4,
    }),
  }),
);

test.prop([arbCase])(
  'random RTT trees walk to their mappings; holes fault at the deepest table',
  (c) => {
    const dram = new Dram();
    const tables = rttRootTableCount(c.sl, c.ipaWidth);
    const rootPa = ARM_DRAM2_BASE;
    let next = rootPa + tables * G;
    const alloc = (): PhysAddr => {
      const p = next;
      next += G;
      return p as PhysAddr;
    };
    const g = new Stage2Geometry({
      rootPa: rootPa as PhysAddr,
      startLevel: c.sl,
      ipaWidth: c.ipaWidth,
      lpa2: c.lpa2,
    });
    const bs = (level: number): number => rttLevelBlockSize(level);
    const oaLimit = 2 ** (c.lpa2 ? 52 : 48);

    // The model: leaves, and the tables below the root, keyed by level and the region they map.
    const leaves: { ipa: number; level: number; oa: number }[] = [];
    const tableKeys = new Set<string>();
    const key = (level: number, ipa: number): string =>
      `${level}:${Math.floor(ipa / bs(level - 1))}`;

    for (const m of c.mappings as readonly Mapping[]) {
      const size = bs(m.level);
      const ipa = Math.floor(m.ipaFrac * (g.ipaLimit / size)) * size;
      const oa = Math.floor(m.oaFrac * (oaLimit / size)) * size;
      const overlaps = leaves.some((l) => l.ipa < ipa + size && ipa < l.ipa + bs(l.level));
      if (overlaps || (m.level < 3 && tableKeys.has(key(m.level + 1, ipa)))) continue;
      rttCreateTables(dram, g, ipa, m.level, alloc);
      for (let l = c.sl + 1; l <= m.level; l++) tableKeys.add(key(l, ipa));
      rttWriteEntry(dram, g, ipa, m.level, { type: S2tteType.AssignedRam, oa, nsAttrs: 0 });
      leaves.push({ ipa, level: m.level, oa });
    }

    const expectAt = (x: number): void => {
      const r = stage2Walk(dram, g, x);
      const leaf = leaves.find((l) => x >= l.ipa && x < l.ipa + bs(l.level));
      if (leaf) {
        expect(r).toMatchObject({ ok: true, pa: leaf.oa + (x - leaf.ipa), level: leaf.level });
        return;
      }
      let level = c.sl;
      while (level < 3 && tableKeys.has(key(level + 1, x))) level++;
      expect(r).toMatchObject({ ok: false, kind: 'translation', level, outOfRange: false });
    };
    for (const l of leaves) {
      for (const f of c.offsets) expectAt(l.ipa + Math.floor(f * bs(l.level)));
    }
    for (const p of c.probes) expectAt(Math.floor(p * g.ipaLimit));
    expect(stage2Walk(dram, g, g.ipaLimit)).toMatchObject({
      ok: false,
      outOfRange: true,
      level: 0,
    });
  },
);
