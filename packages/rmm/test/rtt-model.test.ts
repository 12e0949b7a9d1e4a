/**
 * Model-based test of RTT_CREATE / RTT_DESTROY: random sequences over a few IPAs, levels and RTT
 * granules against a tiny reference model of the RTT tree. After every step the statuses (with
 * index) match the model, every RTT's refcount equals its number of live child RTTs, granule
 * states match, and every DELEGATED granule is zero.
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import {
  GranuleState,
  packReturnCode,
  RmiStatus,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
} from '@islet/abi';
import { afterAll, describe, expect } from 'vitest';
import { RD, RealmEnv, RTT } from './support/realm.ts';

const G = 0x1000;
const MB2 = 0x20_0000;
const GB1 = 0x4000_0000;
const UNPROT = 2 ** 39;
/** Candidate RTT granules. */
const POOL: readonly number[] = Array.from({ length: 8 }, (_, i) => 0x8016_0000 + i * G);
/** IPAs (all 2 MB aligned; some 1 GB aligned), in both halves and both root RTTs. */
const IPAS: readonly number[] = [0, MB2, GB1, GB1 + MB2, UNPROT, UNPROT + MB2, UNPROT + 5 * GB1];

type Op =
  | { readonly kind: 'create'; readonly g: number; readonly ipa: number; readonly level: number }
  | { readonly kind: 'destroy'; readonly ipa: number; readonly level: number };

const ipaIdx = fc.integer({ min: 0, max: IPAS.length - 1 });
const level = fc.integer({ min: 1, max: 4 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      g: fc.integer({ min: 0, max: POOL.length - 1 }),
      ipa: ipaIdx,
      level,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('destroy' as const), ipa: ipaIdx, level }),
  },
);

/** Key of the RTT at `level` covering `ipa`. */
const key = (level: number, ipa: number): string =>
  `${level}:${ipa - (ipa % (level === 2 ? GB1 : MB2))}`;
const rootOf = (ipa: number): number => (ipa < UNPROT ? RTT : RTT + G);

describe('RTT_CREATE / RTT_DESTROY sequences (model-based)', () => {
  const seen = new Set<string>();
  afterAll(() => {
    for (const k of ['create:0', 'destroy:0', 'create:4', 'destroy:4', 'create:1']) {
      expect(seen.has(k), k).toBe(true);
    }
  });

  test.prop([fc.array(op, { minLength: 10, maxLength: 50 })], { numRuns: 60 })(
    'statuses match the model; refcount = live children; DELEGATED granules are zero',
    (ops) => {
      const e = new RealmEnv().withRealm();
      e.delegate(...POOL);
      /** Live non-root RTTs: key → granule PA. */
      const tables = new Map<string, number>();
      const used = new Set<number>();
      for (const o of ops) {
        const ipa = IPAS[o.ipa]!;
        let want: bigint;
        let got: bigint;
        const parentKey = o.level === 3 ? key(2, ipa) : undefined;
        const parentLive = parentKey === undefined || tables.has(parentKey);
        const alignedOk = o.level === 2 ? ipa % GB1 === 0 : ipa % MB2 === 0;
        const levelOk = o.level === 2 || o.level === 3;
        if (o.kind === 'create') {
          const pa = POOL[o.g]!;
          got = e.call(SMC_RMI_RTT_CREATE, RD, pa, ipa, o.level)[0]!;
          if (used.has(pa) || !levelOk || !alignedOk) want = packReturnCode(RmiStatus.ErrorInput);
          else if (!parentLive) want = packReturnCode(RmiStatus.ErrorRtt, 1);
          else if (tables.has(key(o.level, ipa))) {
            want = packReturnCode(RmiStatus.ErrorRtt, o.level - 1);
          } else {
            want = 0n;
            tables.set(key(o.level, ipa), pa);
            used.add(pa);
          }
        } else {
          got = e.call(SMC_RMI_RTT_DESTROY, RD, ipa, o.level)[0]!;
          const k = key(o.level, ipa);
          const hasChildren =
            o.level === 2 &&
            [...tables.keys()].some((t) => t.startsWith('3:') && key(2, Number(t.slice(2))) === k);
          if (!levelOk || !alignedOk) want = packReturnCode(RmiStatus.ErrorInput);
          else if (!parentLive) want = packReturnCode(RmiStatus.ErrorRtt, 1);
          else if (!tables.has(k)) want = packReturnCode(RmiStatus.ErrorRtt, o.level - 1);
          else if (hasChildren) want = packReturnCode(RmiStatus.ErrorRtt, o.level);
          else {
            want = 0n;
            used.delete(tables.get(k)!);
            tables.delete(k);
          }
        }
        expect(got, JSON.stringify(o)).toBe(want);
        seen.add(`${o.kind}:${Number(want & 0xffn)}`);
        check(e, tables);
      }
    },
    60_000,
  );
});

function check(e: RealmEnv, tables: ReadonlyMap<string, number>): void {
  const bad: string[] = [];
  const expectRef = new Map<number, number>([
    [RTT, 0],
    [RTT + G, 0],
  ]);
  for (const [k, pa] of tables) {
    expectRef.set(pa, expectRef.get(pa) ?? 0);
    const [lvl, base] = k.split(':').map(Number) as [number, number];
    const parent = lvl === 2 ? rootOf(base) : tables.get(key(2, base))!;
    expectRef.set(parent, (expectRef.get(parent) ?? 0) + 1);
  }
  for (const [pa, n] of expectRef) {
    if (e.rmm.inspect.refcount(pa) !== n) bad.push(`0x${pa.toString(16)} refcount ≠ ${n}`);
    if (e.state(pa) !== GranuleState.Rtt) bad.push(`0x${pa.toString(16)} not RTT`);
  }
  for (const pa of POOL) {
    if (expectRef.has(pa)) continue;
    if (e.state(pa) !== GranuleState.Delegated) bad.push(`0x${pa.toString(16)} not DELEGATED`);
  }
  if (!e.delegatedAreZero()) bad.push('a DELEGATED granule is not zero');
  expect(bad).toEqual([]);
}
