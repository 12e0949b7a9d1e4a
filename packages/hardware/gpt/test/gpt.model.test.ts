/**
 * Model-based property test: random sequences of delegate / undelegate / setGpi over a small set
 * of interesting addresses, checked after every step against a reference model written from the
 * digest (rmm-abi.md §7.4, §8.5) and the fixture's region map. After every step, for every
 * address: the walk over the descriptors in memory == the cached view == the model, and
 * `permits` == `gpiPermits` for all four worlds; a failed call leaves the table bytes unchanged.
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import { Gpi as G, type Gpi, gpiPermits, isGpi, RmmEl3Status, World } from '@islet/abi';
import { equalBytes, type GranuleIdx } from '@islet/arch';
import { expect } from 'vitest';
import type { Gpt } from '../src/index.ts';
import {
  FIRMWARE,
  fixture,
  GB,
  initialGpi,
  L1_TABLES,
  NS_DRAM,
  SECURE,
  TABLES,
} from './fixture.ts';

const POOL: readonly number[] = [
  NS_DRAM.base,
  NS_DRAM.base + 0x1000, // same L1 entry, next nibble
  NS_DRAM.base + 0xf000, // nibble 15
  NS_DRAM.base + 0x1_0000, // next L1 entry
  3 * GB - 0x1000, // last granule of the first L1 table
  3 * GB, // first granule of the second
  4 * GB - 0x2000, // the last granule TF-A will transition
  4 * GB - 0x1000, // refused by TF-A's `base + size >= 2^T`
  SECURE.base,
  FIRMWARE.base,
  L1_TABLES[1], // a GPT table granule (Root)
  0x1000, // L0 block, Any
  GB + 0x1000, // L0 block, Secure
  4 * GB, // beyond the PPS
  NS_DRAM.base + 8, // unaligned
  -0x1000,
  Number.NaN,
];
const PROBES = POOL.filter((pa) => Number.isSafeInteger(pa) && pa >= 0 && pa % 0x1000 === 0);
const WORLDS = [World.Secure, World.Normal, World.Root, World.Realm] as const;

type Op =
  | { readonly kind: 'delegate' | 'undelegate'; readonly pa: number }
  | { readonly kind: 'setGpi'; readonly pa: number; readonly gpi: Gpi };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('delegate' as const, 'undelegate' as const),
    pa: fc.constantFrom(...POOL),
  }),
  fc.record({
    kind: fc.constant('setGpi' as const),
    pa: fc.constantFrom(...POOL),
    gpi: fc.constantFrom(G.NoAccess, G.Secure, G.NonSecure, G.Root, G.Realm, G.Any, 0x3 as Gpi),
  }),
);

/** The reference model: a GPI per probed granule, and the digest's rules. */
class Model {
  readonly gpi = new Map<number, Gpi>(PROBES.map((pa) => [pa, initialGpi(pa)]));

  static tracked(pa: number): boolean {
    return Number.isSafeInteger(pa) && pa % 0x1000 === 0 && pa >= 2 * GB && pa < 4 * GB;
  }

  apply(o: Op): RmmEl3Status {
    if (o.kind === 'setGpi') {
      if (!isGpi(o.gpi)) return RmmEl3Status.Inval;
      if (!Model.tracked(o.pa)) return RmmEl3Status.BadAddr;
      this.gpi.set(o.pa, o.gpi);
      return RmmEl3Status.Ok;
    }
    // §8.5: aligned, PA + size < 2^T, L0 entry a table descriptor, else BAD_ADDR.
    if (!Model.tracked(o.pa) || o.pa + 0x1000 >= 4 * GB) return RmmEl3Status.BadAddr;
    const [from, to] = o.kind === 'delegate' ? [G.NonSecure, G.Realm] : [G.Realm, G.NonSecure];
    if (this.gpi.get(o.pa) !== from) return RmmEl3Status.BadPas;
    this.gpi.set(o.pa, to);
    return RmmEl3Status.Ok;
  }
}

function check(gpt: Gpt, model: Model): void {
  for (const pa of PROBES) {
    const want = model.gpi.get(pa)!;
    expect(gpt.walk(pa).gpi, `walk 0x${pa.toString(16)}`).toBe(want);
    expect(gpt.gpiOf(pa), `cache 0x${pa.toString(16)}`).toBe(want);
    for (const w of WORLDS)
      expect(gpt.permits(w, (pa / 0x1000) as GranuleIdx)).toBe(gpiPermits(want, w));
  }
}

test.prop([fc.array(op, { maxLength: 40 })], { numRuns: 150 })(
  'walk == cached view == model after every delegate / undelegate / setGpi',
  (ops) => {
    const { gpt, memory } = fixture();
    const model = new Model();
    check(gpt, model);
    for (const o of ops) {
      const before = memory.snapshot(TABLES.base, TABLES.size);
      const status = o.kind === 'setGpi' ? gpt.setGpi(o.pa, o.gpi) : gpt[o.kind](o.pa);
      expect(status).toBe(model.apply(o));
      if (status !== RmmEl3Status.Ok) {
        expect(equalBytes(memory.snapshot(TABLES.base, TABLES.size), before)).toBe(true);
      }
      check(gpt, model);
    }
  },
);

test.prop([fc.integer({ min: 0, max: 2 ** 20 - 1 })], { numRuns: 300 })(
  'the cached view equals the walk for any granule of the protected space',
  (idx) => {
    const { gpt } = shared;
    expect(gpt.gpiOfGranule(idx as GranuleIdx)).toBe(gpt.walk(idx * 0x1000).gpi);
  },
);

const shared = (() => {
  const f = fixture();
  // Some transitions so the view is not just the initial map.
  for (let pa = NS_DRAM.base; pa < NS_DRAM.base + 0x40_0000; pa += 0x3000) f.gpt.delegate(pa);
  return f;
})();
