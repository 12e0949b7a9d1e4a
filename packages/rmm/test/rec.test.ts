/**
 * RMI_REC_CREATE and RMI_REC_DESTROY (rmm-abi.md §2.9, §2.10, §6.4): success paths and every
 * failure condition of the digest and of ACS v1.0 (`acs-conditions-v10.txt`), each asserting
 * status, index and that nothing changed.
 * @module
 */
import {
  encodeRecParams,
  GRANULE_REFCOUNT_MAX,
  GranuleState,
  RealmState,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  World,
} from '@islet/abi';
import { describe, expect, it } from 'vitest';
import { measureRecCreate } from '../src/measurement/measurement.ts';
import { rimOf } from '../src/realm/realm.ts';
import { DEVICE_PA, REALM_PA, ROOT_PA, SECURE_PA, UNTRACKED_PA } from './support/platform.ts';
import {
  AUX,
  AUX2,
  contextWithRealm,
  INPUT,
  OK,
  RD,
  REALM,
  REC,
  REC_ERR,
  REC_PARAMS,
  REC2,
  RealmEnv,
  RTT,
  recParams,
  SPARE,
} from './support/realm.ts';

const G = 0x1000;

function expectUnchanged(e: RealmEnv, act: () => readonly bigint[], expected: readonly bigint[]) {
  const before = e.snapshot();
  expect(act()).toEqual(expected);
  expect(e.snapshot()).toEqual(before);
}

describe('RMI_REC_CREATE success', () => {
  it('runnable REC: REC/REC_AUX states, RD refcount 1, registers stored, RIM extended', () => {
    const e = new RealmEnv().withRecGranules();
    const rim0 = e.rmm.inspect.realm(RD)!.rim;
    const realm = e.rmm.inspect.realm(RD)!;
    expect(e.recCreate()).toEqual(OK);
    expect(e.state(REC)).toBe(GranuleState.Rec);
    for (const a of AUX) expect(e.state(a)).toBe(GranuleState.RecAux);
    expect(e.rmm.inspect.refcount(RD)).toBe(1);
    expect(e.rmm.inspect.refcount(REC)).toBe(0);
    const info = e.rmm.inspect.realm(RD)!;
    expect(info.refcount).toBe(1);
    expect(info.recCount).toBe(1);
    const h = { algo: realm.hashAlgo, crypto: e.rmm.crypto };
    expect(info.rim).toEqual(measureRecCreate(h, rim0, recParams()));
    const rec = e.rmm.inspect.rec(REC)!;
    expect(rec).toEqual({
      rd: RD,
      index: 0,
      mpidr: 0n,
      runnable: true,
      pc: 0x80000n,
      pstate: 0x3c5n,
      gprs: [...[0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n], ...new Array(23).fill(0n)],
      aux: AUX,
    });
  });

  it('non-runnable REC: not measured; second REC has index 1 (MPIDR Aff0 = 1)', () => {
    const e = new RealmEnv().withRecGranules();
    e.delegate(REC2, ...AUX2);
    expect(e.recCreate()).toEqual(OK);
    const rim1 = e.rmm.inspect.realm(RD)!.rim;
    expect(e.recCreate(recParams({ flags: 0n, mpidr: 1n, pc: 0n }, AUX2), REC2)).toEqual(OK);
    expect(e.rmm.inspect.realm(RD)!.rim).toEqual(rim1);
    expect(e.rmm.inspect.rec(REC2)?.runnable).toBe(false);
    expect(e.rmm.inspect.realm(RD)!.refcount).toBe(2);
  });

  it('MPIDR index order: Aff1 = 1 is REC index 16', () => {
    const e = new RealmEnv().withRealm();
    // 16 RECs (Aff0 0..15) with no aux granules would be rejected (num_aux ≠ 16), so check the
    // mapping through the error: index 16 ≠ rec_count 0 → INPUT.
    e.delegate(REC, ...AUX);
    expectUnchanged(e, () => e.recCreate(recParams({ mpidr: 0x100n })), INPUT);
  });
});

/** [name, arrange → { rd, rec, params } overrides, params override]. */
const createCases: [
  string,
  (
    e: RealmEnv,
  ) => { rd?: number | bigint; rec?: number | bigint; params?: number | bigint } | undefined,
  Parameters<typeof recParams>[0],
  (readonly number[] | undefined)?,
  (readonly bigint[] | undefined)?,
][] = [
  // 1. params
  ['params_align PARAMS_UNALIGNED', () => ({ params: REC_PARAMS + 8 }), {}],
  ['params_bound PARAMS_DEV_MEM', () => ({ params: DEVICE_PA }), {}],
  ['params_bound PARAMS_OUTSIDE_OF_PERMITTED_PA', () => ({ params: 2n ** 52n }), {}],
  ['params_bound outside DRAM', () => ({ params: UNTRACKED_PA }), {}],
  ['params_pas PARAMS_PAS_REALM (delegated)', (e) => ({ params: e.into(SPARE, 1) }), {}],
  ['params_pas PARAMS_PAS_REALM (Realm GPI)', () => ({ params: REALM_PA }), {}],
  ['params_pas PARAMS_PAS_SECURE', () => ({ params: SECURE_PA }), {}],
  ['params_pas Root PAS', () => ({ params: ROOT_PA }), {}],
  // 2., 3. num_aux and aux granules
  ['num_aux > 16', () => undefined, { numAux: 17 }],
  ['num_aux 2^32 + 16 (no truncation)', () => undefined, { numAux: 2 ** 32 + 16 }],
  ['aux_align AUX_UNALIGNED', () => undefined, {}, [AUX[0]! + 8, ...AUX.slice(1)]],
  ['aux_bound device memory', () => undefined, {}, [...AUX.slice(0, 15), DEVICE_PA]],
  ['aux_bound ≥ 2^52', () => undefined, {}, undefined, [2n ** 52n]],
  ['aux_alias AUX_ALIASED', () => undefined, {}, [AUX[0]!, AUX[0]!, ...AUX.slice(2)]],
  ['aux equals rec', () => undefined, {}, [REC, ...AUX.slice(1)]],
  ['aux_state AUX_UNDELEGATED', () => undefined, {}, [...AUX.slice(0, 15), SPARE]],
  ['aux_state AUX_RD', () => undefined, {}, [RD, ...AUX.slice(1)]],
  ['aux_state AUX_REC', (e) => void e.into(SPARE, GranuleState.Rec), {}, [SPARE, ...AUX.slice(1)]],
  ['aux_state AUX_RTT', () => undefined, {}, [RTT, ...AUX.slice(1)]],
  [
    'aux_state AUX_DATA',
    (e) => void e.into(SPARE, GranuleState.Data),
    {},
    [...AUX.slice(0, 15), SPARE],
  ],
  [
    'aux_state AUX_REC_AUX',
    (e) => void e.into(SPARE, GranuleState.RecAux),
    {},
    [SPARE, ...AUX.slice(1)],
  ],
  // 4. rec and rd
  ['rec_align REC_UNALIGNED', () => ({ rec: REC + 0x100 }), {}],
  ['rec_bound REC_DEV_MEM', () => ({ rec: DEVICE_PA }), {}],
  ['rec_bound REC_OUTSIDE_OF_PERMITTED_PA', () => ({ rec: 2n ** 64n - 4096n }), {}],
  ['rec_state REC_GRAN_STATE_UNDELEGATED', () => ({ rec: SPARE }), {}],
  ['rec_state REC_GRAN_STATE_RD', () => ({ rec: RD }), {}],
  ['rec_state REC_GRAN_STATE_REC', (e) => ({ rec: e.into(SPARE, GranuleState.Rec) }), {}],
  ['rec_state REC_GRAN_STATE_RTT', () => ({ rec: RTT }), {}],
  ['rec_state REC_GRAN_STATE_DATA', (e) => ({ rec: e.into(SPARE, GranuleState.Data) }), {}],
  ['rec_state REC_AUX', () => ({ rec: AUX[3]! }), {}],
  ['rec = rd', () => ({ rec: RD }), {}],
  ['rd_align RD_UNALIGNED', () => ({ rd: RD + 0x40 }), {}],
  ['rd_bound RD_DEV_MEM', () => ({ rd: DEVICE_PA }), {}],
  ['rd_bound RD_OUTSIDE_OF_PERMITTED_PA', () => ({ rd: 2n ** 52n }), {}],
  ['rd_state RD_STATE_UNDELEGATED', () => ({ rd: SPARE }), {}],
  ['rd_state RD_STATE_DELEGATED', (e) => ({ rd: e.into(SPARE, GranuleState.Delegated) }), {}],
  ['rd_state RD_STATE_REC', (e) => ({ rd: e.into(SPARE, GranuleState.Rec) }), {}],
  ['rd_state RD_STATE_RTT', () => ({ rd: RTT }), {}],
  ['rd_state RD_STATE_DATA', (e) => ({ rd: e.into(SPARE, GranuleState.Data) }), {}],
  ['rd = rec (the REC granule)', () => ({ rd: REC, rec: REC }), {}],
  // 7., 8. mpidr and num_aux
  ['mpidr_index MPIDR_SKIPPED (index 1 first)', () => undefined, { mpidr: 1n }],
  ['mpidr bits outside the affinity fields (bit 4)', () => undefined, { mpidr: 0x10n }],
  ['mpidr bits outside the affinity fields (bit 32)', () => undefined, { mpidr: 1n << 32n }],
  ['num_aux NUM_AUX_INVALID (15)', () => undefined, { numAux: 15 }],
  ['num_aux NUM_AUX_INVALID (0)', () => undefined, { numAux: 0 }],
];

describe('RMI_REC_CREATE failure conditions (RMI_ERROR_INPUT, index 0; nothing changes)', () => {
  it.each(createCases)('%s', (_name, arrange, over, aux, rawAux) => {
    const e = new RealmEnv().withRecGranules();
    const { rd = RD, rec = REC, params = REC_PARAMS } = arrange(e) ?? {};
    let p = recParams(over, aux ?? AUX);
    if (rawAux) p = { ...p, aux: [...rawAux, ...p.aux.slice(rawAux.length)] };
    e.writeNs(REC_PARAMS, encodeRecParams(p));
    expectUnchanged(e, () => e.call(SMC_RMI_REC_CREATE, rd, rec, params), INPUT);
  });
});

describe('RMI_REC_CREATE realm conditions (RMI_ERROR_REALM)', () => {
  it('realm_state REALM_ACTIVE', () => {
    const e = new RealmEnv().withRecGranules();
    expect(e.activate()).toEqual(OK);
    expectUnchanged(e, () => e.recCreate(), REALM);
  });

  it('realm_state REALM_SYSTEM_OFF', () => {
    const { call, realm, ctx, platform } = contextWithRealm();
    realm.state = RealmState.SystemOff;
    platform.memory.write(World.Normal, REC_PARAMS as never, encodeRecParams(recParams()));
    const states = ctx.granules.states.slice();
    expect(call(SMC_RMI_REC_CREATE, RD, REC, REC_PARAMS)).toEqual(REALM);
    expect(ctx.granules.states).toEqual(states);
    expect(ctx.recs.size).toBe(0);
  });

  it('RD refcount at REFCOUNT_MAX (1023 RECs)', () => {
    const e = new RealmEnv().withRecGranules();
    e.rmm.granules.refcountInc(e.rmm.granules.find(RD), GRANULE_REFCOUNT_MAX);
    expectUnchanged(e, () => e.recCreate(), REALM);
  });

  it('TF-RMM order: realm_state (REALM) before mpidr (INPUT)', () => {
    const e = new RealmEnv().withRecGranules();
    e.activate();
    expectUnchanged(e, () => e.recCreate(recParams({ mpidr: 5n })), REALM);
  });

  it('TF-RMM order: aux (INPUT) before realm_state (REALM)', () => {
    const e = new RealmEnv().withRecGranules();
    e.activate();
    expectUnchanged(e, () => e.recCreate(recParams({}, [SPARE, ...AUX.slice(1)])), INPUT);
  });

  it('TF-RMM order: realm_state (REALM) before num_aux (INPUT)', () => {
    const e = new RealmEnv().withRecGranules();
    e.activate();
    expectUnchanged(e, () => e.recCreate(recParams({ numAux: 15 })), REALM);
  });
});

describe('RMI_REC_CREATE reads host memory once', () => {
  it('one Normal-world read of the params page', () => {
    const e = new RealmEnv().withRecGranules();
    e.writeNs(REC_PARAMS, encodeRecParams(recParams()));
    const reads: number[] = [];
    const read = e.platform.memory.read;
    e.platform.memory.read = (w, pa, dst) => {
      reads.push(pa);
      expect(w).toBe(World.Normal);
      return read(w, pa, dst);
    };
    expect(e.call(SMC_RMI_REC_CREATE, RD, REC, REC_PARAMS)).toEqual(OK);
    expect(reads).toEqual([REC_PARAMS]);
  });
});

describe('RMI_REC_DESTROY', () => {
  it('REC and aux → DELEGATED and zero; RD refcount back to 0; realm destroyable', () => {
    const e = new RealmEnv().withRecGranules();
    expect(e.recCreate()).toEqual(OK);
    e.platform.raw(REC)[5] = 0x77; // as if TF-RMM had written its struct rec
    e.platform.raw(AUX[2]!)[9] = 0x55;
    expect(e.recDestroy()).toEqual(OK);
    for (const pa of [REC, ...AUX]) {
      expect(e.state(pa)).toBe(GranuleState.Delegated);
      expect(e.platform.raw(pa).every((b) => b === 0)).toBe(true);
    }
    expect(e.rmm.inspect.realm(RD)?.refcount).toBe(0);
    expect(e.rmm.inspect.realm(RD)?.recCount).toBe(1); // the next REC index does not go back
    expect(e.rmm.inspect.rec(REC)).toBeUndefined();
    expect(e.delegatedAreZero()).toBe(true);
    expect(e.realmDestroy()).toEqual(OK);
  });

  it('after destroy, the next REC must still use the next index', () => {
    const e = new RealmEnv().withRecGranules();
    expect(e.recCreate()).toEqual(OK);
    expect(e.recDestroy()).toEqual(OK);
    expect(e.recCreate()).toEqual(INPUT);
    expect(e.recCreate(recParams({ mpidr: 1n }))).toEqual(OK);
  });

  it('a running REC (refcount 1) → RMI_ERROR_REC', () => {
    const e = new RealmEnv().withRecGranules();
    expect(e.recCreate()).toEqual(OK);
    e.rmm.granules.refcountInc(e.rmm.granules.find(REC)); // as REC_ENTER does
    expectUnchanged(e, () => e.recDestroy(), REC_ERR);
  });

  const cases: [string, (e: RealmEnv) => number | bigint][] = [
    ['rec_align REC_UNALIGNED', () => REC + 8],
    ['rec_bound REC_OUTSIDE_OF_PERMITTED_PA', () => 2n ** 52n],
    ['rec_bound REC_DEV_MEM', () => DEVICE_PA],
    ['rec_gran_state REC_GRAN_STATE_UNDELEGATED', () => SPARE],
    ['rec_gran_state DELEGATED', (e) => e.into(SPARE, GranuleState.Delegated)],
    ['rec_gran_state REC_GRAN_STATE_RD', () => RD],
    ['rec_gran_state REC_GRAN_STATE_REC_AUX', () => AUX[0]!],
    ['rec_gran_state REC_GRAN_STATE_RTT', () => RTT + G],
    ['rec_gran_state REC_GRAN_STATE_DATA', (e) => e.into(SPARE, GranuleState.Data)],
  ];
  it.each(cases)('%s → RMI_ERROR_INPUT', (_name, arrange) => {
    const e = new RealmEnv().withRecGranules();
    expect(e.recCreate()).toEqual(OK);
    const rec = arrange(e);
    expectUnchanged(e, () => e.call(SMC_RMI_REC_DESTROY, rec), INPUT);
  });
});

describe('RIM of the realm object', () => {
  it('rimOf is slot 0 of the measurements', () => {
    const { realm } = contextWithRealm();
    expect(rimOf(realm)).toEqual(realm.measurements.subarray(0, 64));
  });
});
