/**
 * Property tests: `handleRmi` never throws on any FID and register values (also with realms,
 * RECs and valid params pages around) and always answers `SMC_UNKNOWN` or a packed RMM 1.0
 * status; delegate/undelegate sequences, and random realm/REC command sequences, keep the granule
 * table consistent with the EL3 double's GPI map and with reference models.
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import {
  encodeRealmParams,
  encodeRecParams,
  GranuleState,
  RealmState,
  RMI_COMMANDS,
  RmiStatus,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
  unpackReturnCode,
  World,
} from '@islet/abi';
import { afterAll, describe, expect, it } from 'vitest';
import { DRAM, REALM_PA, ROOT_PA, regs, SECURE_PA } from './support/platform.ts';
import {
  AUX,
  AUX2,
  OK,
  RD,
  RD2,
  REALM_PARAMS,
  REC,
  REC_PARAMS,
  REC2,
  RealmEnv,
  RTT,
  RTT2,
  realmParams,
  recParams,
} from './support/realm.ts';
import { setup } from './support/rmm.ts';

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
/** FIDs: anything 32-bit, the RMI range with and without the SVE hint, and RMI commands. */
const fid = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.integer({ min: 0xc400_0140, max: 0xc400_01cf }),
  fc.integer({ min: 0xc400_0150, max: 0xc400_0169 }).map((f) => (f | SMC_SVE_HINT) >>> 0),
  fc.constantFrom(...RMI_COMMANDS.map((c) => c.fid)),
);
/** Register values biased towards addresses the RMM tracks. */
const reg = fc.oneof(
  u64,
  fc
    .constantFrom(...DRAM)
    .chain((b) =>
      fc.integer({ min: 0, max: b.size / 4096 - 1 }).map((i) => BigInt(b.base + i * 4096)),
    ),
  fc.integer({ min: 0, max: 0x2_0000 }).map(BigInt),
);
const args = fc.tuple(reg, reg, reg, reg, reg, reg);
/** Spare granules for child RTTs of the realm-rich property test. */
const CHILD_RTTS: readonly number[] = Array.from({ length: 6 }, (_, i) => 0x8016_0000 + i * 4096);

describe('handleRmi on arbitrary registers', () => {
  const { rmm } = setup();

  test.prop([fid, args], { numRuns: 2000 })(
    'never throws; X0 is SMC_UNKNOWN or a packed status; X4 is the caller’s',
    (f, a) => {
      const r = rmm.handleRmi(f, a);
      expect(r).toHaveLength(5);
      if (r[0] === SMC_UNKNOWN) {
        expect(r.slice(1)).toEqual(a.slice(0, 4));
      } else {
        expect(unpackReturnCode(r[0])).toBeDefined();
      }
      // Only a successful RTT_READ_ENTRY writes X4 (there is no realm here).
      expect(r[4]).toBe(a[3]);
    },
  );
});

type Op = { readonly kind: 'delegate' | 'undelegate'; readonly addr: bigint };
const G = 4096;
/** A small pool of granules (so that sequences revisit them) plus hostile addresses. */
const pool = [
  DRAM[0]!.base,
  DRAM[0]!.base + G,
  DRAM[0]!.base + 2 * G,
  DRAM[1]!.base,
  DRAM[1]!.base + DRAM[1]!.size - G,
  SECURE_PA,
  REALM_PA,
  ROOT_PA,
];
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('delegate' as const, 'undelegate' as const),
  addr: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...pool).map(BigInt) },
    { weight: 1, arbitrary: fc.constantFrom(...pool).map((a) => BigInt(a + 8)) },
    { weight: 1, arbitrary: u64 },
  ),
});

describe('delegate/undelegate sequences (model-based)', () => {
  test.prop([fc.array(op, { maxLength: 60 })], { numRuns: 200 })(
    'RMM state and the GPI map stay consistent with a reference model',
    (ops) => {
      const { rmm, platform } = setup();
      // Reference model: the RMM state of each pool granule (undefined = not tracked).
      const model = new Map<number, 'ns' | 'delegated'>(pool.map((a) => [a, 'ns']));
      for (const { kind, addr } of ops) {
        const fid = kind === 'delegate' ? SMC_RMI_GRANULE_DELEGATE : SMC_RMI_GRANULE_UNDELEGATE;
        const a = Number(addr);
        const m = addr < 2n ** 52n ? model.get(a) : undefined;
        const gpiNs = platform.gpiOf(a) === World.Normal;
        const r = rmm.handleRmi(fid, regs(addr));
        let expected: RmiStatus = RmiStatus.ErrorInput;
        if (kind === 'delegate' && m === 'ns' && gpiNs) {
          expected = RmiStatus.Success;
          model.set(a, 'delegated');
        } else if (kind === 'undelegate' && m === 'delegated') {
          expected = RmiStatus.Success;
          model.set(a, 'ns');
        }
        expect(r).toEqual([BigInt(expected), 0n, 0n, 0n, 0n]);
      }
      // Table ↔ model ↔ GPI map, for every granule the RMM tracks (plain checks: one expect).
      const bad: string[] = [];
      const presetGpi = new Map<number, World>([
        [SECURE_PA, World.Secure],
        [REALM_PA, World.Realm],
        [ROOT_PA, World.Root],
      ]);
      for (let idx = 0; idx < rmm.granules.count; idx++) {
        const pa = rmm.granules.address(idx);
        const s = rmm.granules.states[idx];
        const gpi = platform.gpiOf(pa);
        const m = model.get(pa);
        const ok =
          rmm.granules.refcounts[idx] === 0 &&
          (m === undefined || s === (m === 'ns' ? 0 : 1)) &&
          (s === GranuleState.Delegated
            ? gpi === World.Realm && (platform.bytes.get(pa / G)?.every((b) => b === 0) ?? true)
            : s === GranuleState.Undelegated && gpi === (presetGpi.get(pa) ?? World.Normal));
        if (!ok) bad.push(`0x${pa.toString(16)}: state ${s}, gpi ${gpi}, model ${m}`);
      }
      expect(bad).toEqual([]);
    },
  );
});

/** FIDs of the realm and REC commands, weighted in. */
const realmFid = fc.constantFrom(
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
);
/** DELEGATED granules for DATA, and an NS source page. */
const DATA_GRANULES: readonly number[] = Array.from({ length: 4 }, (_, i) => 0x8017_0000 + i * G);
const DATA_SRC = 0x8020_2000;

describe('handleRmi on arbitrary registers, with realms, RECs and valid params pages around', () => {
  // A realm with one REC, an RTT tree (levels 2 and 3 at IPA 0 and in the unprotected half,
  // RIPAS RAM, a DATA granule at IPA 0 and an unprotected mapping), spare delegated granules for
  // more RTTs and DATA, valid params pages and a DATA source page in NS memory, so random
  // registers hit real RDs, RECs, RTTs, DATA, IPAs, levels, flags and source pages.
  const e = new RealmEnv().withRecGranules();
  expect(e.recCreate()).toEqual(OK);
  e.delegate(REC2, ...AUX2, RD2, RTT2, RTT2 + G, ...CHILD_RTTS, ...DATA_GRANULES);
  e.writeNs(DATA_SRC, new Uint8Array(G).fill(0x5a));
  const [l2, l3, l2ns, l3ns] = CHILD_RTTS as [number, number, number, number];
  const unprot = 2 ** 39;
  for (const [fid, ...xs] of [
    [SMC_RMI_RTT_CREATE, RD, l2, 0, 2],
    [SMC_RMI_RTT_CREATE, RD, l3, 0, 3],
    [SMC_RMI_RTT_CREATE, RD, l2ns, unprot, 2],
    [SMC_RMI_RTT_CREATE, RD, l3ns, unprot, 3],
    [SMC_RMI_RTT_INIT_RIPAS, RD, 0, 0x4000],
    [SMC_RMI_DATA_CREATE, RD, DATA_GRANULES[0]!, 0, DATA_SRC, 1],
    [SMC_RMI_RTT_MAP_UNPROTECTED, RD, unprot, 3, 0x8030_00fcn],
  ] as const) {
    expect(e.call(fid, ...xs)[0]).toBe(0n);
  }
  e.writeNs(REALM_PARAMS, encodeRealmParams(realmParams({ rttBase: BigInt(RTT2), vmid: 1 })));
  e.writeNs(REC_PARAMS, encodeRecParams(recParams({ mpidr: 1n }, AUX2)));
  const interesting = [
    RD,
    RD2,
    RTT,
    RTT2,
    REC,
    REC2,
    REALM_PARAMS,
    REC_PARAMS,
    AUX[0]!,
    AUX2[0]!,
    ...CHILD_RTTS,
    ...DATA_GRANULES,
    DATA_SRC,
    SECURE_PA,
    // IPAs, levels and flags.
    0,
    1,
    2,
    3,
    0x1000,
    0x4000,
    0x20_0000,
    0x4000_0000,
    unprot,
    unprot + 0x1000,
    unprot + 0x20_0000,
  ];
  const hot = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...interesting).map(BigInt) },
    { weight: 1, arbitrary: reg },
  );
  const hotArgs = fc.tuple(hot, hot, hot, hot, hot, hot);

  test.prop([fc.oneof(realmFid, fid), hotArgs], { numRuns: 2000 })(
    'never throws; X0 is a packed status or SMC_UNKNOWN; X4 is the caller’s',
    (f, a) => {
      const r = e.rmm.handleRmi(f, a);
      expect(r).toHaveLength(5);
      if (r[0] === SMC_UNKNOWN) expect(r.slice(1)).toEqual(a.slice(0, 4));
      else expect(unpackReturnCode(r[0])).toBeDefined();
      // Only a successful RTT_READ_ENTRY writes X4 (RIPAS 0..2).
      const readEntry = (f & ~SMC_SVE_HINT) >>> 0 === SMC_RMI_RTT_READ_ENTRY && r[0] === 0n;
      if (readEntry) expect(r[4]).toBeLessThanOrEqual(2n);
      else expect(r[4]).toBe(a[3]);
    },
  );

  it('afterwards every DELEGATED granule is still zero (DATA_DESTROY, RTT/REC/REALM_DESTROY)', () => {
    expect(e.delegatedAreZero()).toBe(true);
  });
});

/** Reference model of the realm/REC state machines over a small pool of granules. */
type MState = 'ns' | 'del' | 'rd' | 'rtt' | 'rec' | 'aux';
const M_GRANULE: Record<MState, GranuleState> = {
  ns: GranuleState.Undelegated,
  del: GranuleState.Delegated,
  rd: GranuleState.Rd,
  rtt: GranuleState.Rtt,
  rec: GranuleState.Rec,
  aux: GranuleState.RecAux,
};
const POOL = Array.from({ length: 40 }, (_, i) => DRAM[0]!.base + i * G);
/** Granule indices of the pool (bank 0 starts at index 0) and of every tracked granule. */
const POOL_IDX: readonly number[] = POOL.map((_, i) => i);
const ALL_IDX: readonly number[] = Array.from(
  { length: DRAM.reduce((n, b) => n + b.size / G, 0) },
  (_, i) => i,
);
const P_REALM = 0x8031_0000;
const P_REC = 0x8031_1000;
const anyIdx = fc.integer({ min: 0, max: POOL.length - 1 });
/** Pool indices biased to a few slots: RDs 0..3, RTTs 4..7, RECs 8..11, aux from 12. */
const biased = (min: number, max: number) =>
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: anyIdx });
const gIdx = fc.oneof(anyIdx, biased(0, 11));
type ModelOp =
  | {
      readonly kind: 'delegate' | 'undelegate' | 'activate' | 'realmDestroy' | 'recDestroy';
      readonly g: number;
    }
  | {
      readonly kind: 'realmCreate';
      readonly g: number;
      readonly rtt: number;
      readonly vmid: number;
    }
  | {
      readonly kind: 'recCreate';
      readonly g: number;
      readonly rec: number;
      readonly aux: number;
      readonly runnable: boolean;
      readonly skip: boolean;
    };
const modelOp: fc.Arbitrary<ModelOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('delegate' as const), g: gIdx }),
  },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.record({ kind: fc.constant('undelegate' as const), g: gIdx }),
      fc.record({ kind: fc.constant('activate' as const), g: biased(0, 3) }),
      fc.record({ kind: fc.constant('realmDestroy' as const), g: biased(0, 3) }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('recDestroy' as const), g: biased(8, 11) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('realmCreate' as const),
      g: biased(0, 3),
      rtt: biased(4, 7),
      vmid: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('recCreate' as const),
      g: biased(0, 3),
      rec: biased(8, 11),
      aux: fc.oneof(
        { weight: 4, arbitrary: fc.constant(12) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: POOL.length - 16 }) },
      ),
      runnable: fc.boolean(),
      skip: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
    }),
  },
);

interface MRealm {
  state: 'new' | 'active';
  readonly vmid: number;
  readonly rtt: number;
  recCount: number;
  live: number;
}

describe('realm/REC command sequences (model-based)', () => {
  /** Successful commands of each kind over all runs: the model must reach every success path. */
  const successes = new Map<string, number>();
  afterAll(() => {
    for (const k of ['realmCreate', 'activate', 'realmDestroy', 'recCreate', 'recDestroy']) {
      expect(successes.get(k) ?? 0, k).toBeGreaterThan(0);
    }
  });
  /** Every run starts by delegating the biased slots (through the model too). */
  const prefix: ModelOp[] = POOL.slice(0, 28).map((_, g) => ({ kind: 'delegate', g }));

  test.prop([fc.array(modelOp, { minLength: 25, maxLength: 60 })], { numRuns: 50 })(
    'statuses follow the reference model; invariants hold after every step',
    (randomOps) => {
      const ops = [...prefix, ...randomOps];
      const e = new RealmEnv();
      const st = new Map<number, MState>(POOL.map((pa) => [pa, 'ns']));
      const realms = new Map<number, MRealm>();
      const recs = new Map<number, { readonly rd: number; readonly aux: readonly number[] }>();
      const s = (pa: number): MState => st.get(pa)!;
      for (const op of ops) {
        const pa = POOL[op.g]!;
        let want: RmiStatus = RmiStatus.ErrorInput;
        let got: bigint;
        switch (op.kind) {
          case 'delegate':
            got = e.call(SMC_RMI_GRANULE_DELEGATE, pa)[0]!;
            if (s(pa) === 'ns') {
              want = RmiStatus.Success;
              st.set(pa, 'del');
            }
            break;
          case 'undelegate':
            got = e.call(SMC_RMI_GRANULE_UNDELEGATE, pa)[0]!;
            if (s(pa) === 'del') {
              want = RmiStatus.Success;
              st.set(pa, 'ns');
            }
            break;
          case 'realmCreate': {
            const rtt = POOL[op.rtt]!;
            const p = realmParams({
              s2sz: 39,
              rttNumStart: 1,
              rttBase: BigInt(rtt),
              vmid: op.vmid,
            });
            e.writeNs(P_REALM, encodeRealmParams(p));
            got = e.call(SMC_RMI_REALM_CREATE, pa, P_REALM)[0]!;
            const vmidUsed = [...realms.values()].some((r) => r.vmid === op.vmid);
            if (!vmidUsed && pa !== rtt && s(pa) === 'del' && s(rtt) === 'del') {
              want = RmiStatus.Success;
              st.set(pa, 'rd');
              st.set(rtt, 'rtt');
              realms.set(pa, { state: 'new', vmid: op.vmid, rtt, recCount: 0, live: 0 });
            }
            break;
          }
          case 'activate': {
            got = e.call(SMC_RMI_REALM_ACTIVATE, pa)[0]!;
            const r = realms.get(pa);
            if (r !== undefined) {
              want = r.state === 'new' ? RmiStatus.Success : RmiStatus.ErrorRealm;
              r.state = 'active';
            }
            break;
          }
          case 'realmDestroy': {
            got = e.call(SMC_RMI_REALM_DESTROY, pa)[0]!;
            const r = realms.get(pa);
            if (r !== undefined) {
              want = r.live > 0 ? RmiStatus.ErrorRealm : RmiStatus.Success;
              if (r.live === 0) {
                st.set(pa, 'del');
                st.set(r.rtt, 'del');
                realms.delete(pa);
              }
            }
            break;
          }
          case 'recCreate': {
            const rec = POOL[op.rec]!;
            const aux = POOL.slice(op.aux, op.aux + 16);
            const r = realms.get(pa);
            const idx = (r?.recCount ?? 0) + (op.skip ? 1 : 0);
            const mpidr = BigInt((idx & 0xf) | ((idx >> 4) << 8));
            const flags = op.runnable ? 1n : 0n;
            e.writeNs(P_REC, encodeRecParams(recParams({ mpidr, flags }, aux)));
            got = e.call(SMC_RMI_REC_CREATE, pa, rec, P_REC)[0]!;
            if (aux.every((a) => s(a) === 'del') && s(rec) === 'del' && !aux.includes(rec) && r) {
              if (r.state !== 'new') want = RmiStatus.ErrorRealm;
              else if (!op.skip) {
                want = RmiStatus.Success;
                st.set(rec, 'rec');
                for (const a of aux) st.set(a, 'aux');
                recs.set(rec, { rd: pa, aux });
                r.recCount++;
                r.live++;
              }
            }
            break;
          }
          case 'recDestroy': {
            got = e.call(SMC_RMI_REC_DESTROY, pa)[0]!;
            const rec = recs.get(pa);
            if (rec !== undefined) {
              want = RmiStatus.Success;
              st.set(pa, 'del');
              for (const a of rec.aux) st.set(a, 'del');
              realms.get(rec.rd)!.live--;
              recs.delete(pa);
            }
            break;
          }
        }
        expect(got, `${JSON.stringify(op)}`).toBe(BigInt(want));
        if (want === RmiStatus.Success) successes.set(op.kind, (successes.get(op.kind) ?? 0) + 1);
        checkInvariants(e, st, realms, POOL_IDX);
      }
      checkInvariants(e, st, realms, ALL_IDX);
    },
    30_000,
  );
});

/** Table = model; owned granules are Realm GPI; DELEGATED are zero; RD refcount = live RECs. */
function checkInvariants(
  e: RealmEnv,
  st: Map<number, MState>,
  realms: Map<number, MRealm>,
  which: readonly number[],
): void {
  const bad: string[] = [];
  const { granules } = e.rmm;
  for (const [pa, m] of st) {
    if (e.state(pa) !== M_GRANULE[m]) bad.push(`0x${pa.toString(16)}: ${e.state(pa)} ≠ ${m}`);
  }
  const recsPerRd = new Map<number, number>();
  for (const pa of st.keys()) {
    const rec = e.rmm.inspect.rec(pa);
    if (rec) recsPerRd.set(rec.rd, (recsPerRd.get(rec.rd) ?? 0) + 1);
  }
  for (const idx of which) {
    const s = granules.states[idx]!;
    const pa = granules.address(idx);
    if (s !== GranuleState.Undelegated && e.platform.gpiOf(pa) !== World.Realm) {
      bad.push(`0x${pa.toString(16)}: owned but not Realm PAS`);
    }
    if (
      s === GranuleState.Delegated &&
      !(e.platform.bytes.get(pa / G)?.every((b) => b === 0) ?? true)
    ) {
      bad.push(`0x${pa.toString(16)}: DELEGATED and not zero`);
    }
    const rc = granules.refcounts[idx]!;
    const want = s === GranuleState.Rd ? (recsPerRd.get(pa) ?? 0) : 0;
    if (rc !== want) bad.push(`0x${pa.toString(16)}: refcount ${rc} ≠ ${want}`);
  }
  for (const [rd, r] of realms) {
    const info = e.rmm.inspect.realm(rd);
    if (!info || info.refcount !== r.live || info.recCount !== r.recCount || info.vmid !== r.vmid) {
      bad.push(`realm 0x${rd.toString(16)} differs from the model`);
    }
    if (info && info.state !== (r.state === 'new' ? RealmState.New : RealmState.Active)) {
      bad.push(`realm 0x${rd.toString(16)}: state ${info.state} ≠ ${r.state}`);
    }
  }
  if (e.rmm.inspect.counts().realms !== realms.size) bad.push('realm count differs');
  expect(bad).toEqual([]);
}
