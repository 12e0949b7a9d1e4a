/**
 * RMI_RTT_SET_RIPAS (rmm-abi.md §2.22) through the dispatcher, with the REC's RIPAS change request
 * set directly (as RSI_IPA_STATE_SET will set it once realms run): every transition of step 7,
 * where a change stops, `addr` advancing across calls, and every failure condition in the
 * digest's order with nothing changed.
 *
 * The realm is the default one (s2sz 40, level-1 roots): an L2 RTT covers [0, 1G), an L3 RTT
 * covers [0, 2M), and a second L3 covers [4M, 6M). [0, 0x4000) is RIPAS RAM, 0x5000 holds an
 * ASSIGNED EMPTY data granule, 0x1000 an ASSIGNED RAM one, 0x2000 is UNASSIGNED DESTROYED.
 * @module
 */
import {
  encodeRealmParams,
  encodeRecParams,
  GranuleState,
  RmiRipas,
  RmiRttEntryState,
  RsiRipas,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REC_CREATE,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_SET_RIPAS,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import type { SetRipasRequest } from '../src/rec/rec.ts';
import { DEVICE_PA, UNTRACKED_PA } from './support/platform.ts';
import {
  AUX2,
  contextWithRealm,
  OK,
  RD,
  RD2,
  REALM_PARAMS,
  REC,
  REC_PARAMS,
  REC2,
  RTT,
  RTT2,
  realmParams,
  recParams,
  SPARE,
} from './support/realm.ts';

const G = 0x1000;
const MB2 = 0x20_0000;
const L2 = 0x8016_0000;
const L3 = 0x8016_1000;
const L3B = 0x8016_2000;
const DATA_EMPTY = 0x8017_0000;
const DATA_RAM = 0x8017_1000;
const DATA_GONE = 0x8017_2000;
/** X0 and X1 (X4 reads back as the caller's `top`, rmm-abi.md §1.1). */
const INPUT = [1n, 0n];
const REC_ERR = [3n, 0n];
const rtt = (level: number) => [4n | (BigInt(level) << 8n), 0n];

function env() {
  const c = contextWithRealm();
  const ok = (fid: number, ...xs: (number | bigint)[]) => expect(c.call(fid, ...xs)[0]).toBe(0n);
  for (const pa of [L2, L3, L3B, DATA_EMPTY, DATA_RAM, DATA_GONE]) {
    ok(SMC_RMI_GRANULE_DELEGATE, pa);
  }
  ok(SMC_RMI_RTT_CREATE, RD, L2, 0, 2);
  ok(SMC_RMI_RTT_CREATE, RD, L3, 0, 3);
  ok(SMC_RMI_RTT_CREATE, RD, L3B, 2 * MB2, 3);
  ok(SMC_RMI_RTT_INIT_RIPAS, RD, 0, 0x4000);
  ok(SMC_RMI_DATA_CREATE_UNKNOWN, RD, DATA_EMPTY, 0x5000);
  ok(SMC_RMI_DATA_CREATE_UNKNOWN, RD, DATA_RAM, 0x1000);
  ok(SMC_RMI_DATA_CREATE_UNKNOWN, RD, DATA_GONE, 0x2000);
  ok(SMC_RMI_DATA_DESTROY, RD, 0x2000);
  c.platform.memory.write(World.Normal, REC_PARAMS as PhysAddr, encodeRecParams(recParams()));
  ok(SMC_RMI_REC_CREATE, RD, REC, REC_PARAMS);
  ok(SMC_RMI_REALM_ACTIVATE, RD);
  const rec = c.ctx.recs.get(c.ctx.granules.find(REC))!;
  const ask = (base: number, top: number, ripas: SetRipasRequest['ripas'], destroyed = false) => {
    rec.setRipas = { base, top, addr: base, ripas, changeDestroyed: destroyed };
  };
  const set = (base: number | bigint, top: number | bigint, r: number | bigint = REC) =>
    c.call(SMC_RMI_RTT_SET_RIPAS, RD, r, base, top).slice(0, 2);
  const read = (ipa: number) => {
    const x = c.call(SMC_RMI_RTT_READ_ENTRY, RD, ipa, 3);
    return { level: Number(x[1]), state: Number(x[2]), ripas: Number(x[4]), desc: x[3] };
  };
  const snapshot = () => ({
    states: c.ctx.granules.states.slice(),
    refcounts: c.ctx.granules.refcounts.slice(),
    entries: [0, G, 2 * G, 3 * G, 4 * G, 5 * G, MB2, 2 * MB2].map(read),
    request: { ...rec.setRipas },
    rim: c.realm.measurements.slice(),
  });
  return { ...c, rec, ask, set, read, snapshot };
}

describe('RMI_RTT_SET_RIPAS', () => {
  it('RAM over [0, 0x8000): every RIPAS kind becomes RAM, DESTROYED stops the change', () => {
    const e = env();
    const rim = e.realm.measurements.slice();
    e.ask(0, 0x8000, RsiRipas.Ram);
    expect(e.set(0, 0x8000)).toEqual([0n, 0x2000n]);
    expect(e.rec.setRipas?.addr).toBe(0x2000);
    // A DESTROYED entry without RSI_CHANGE_DESTROYED: no progress.
    expect(e.set(0x2000, 0x8000)).toEqual(rtt(3));
    e.ask(0x2000, 0x8000, RsiRipas.Ram, true);
    expect(e.set(0x2000, 0x8000)).toEqual([0n, 0x8000n]);
    expect(e.read(0x2000)).toMatchObject({ state: RmiRttEntryState.Unassigned, ripas: 1 });
    expect(e.read(0x4000)).toMatchObject({ state: RmiRttEntryState.Unassigned, ripas: 1 });
    expect(e.read(0x5000)).toEqual({
      level: 3,
      state: RmiRttEntryState.Assigned,
      ripas: RmiRipas.Ram,
      desc: BigInt(DATA_EMPTY),
    });
    expect(e.read(0x8000)).toMatchObject({ ripas: RmiRipas.Empty });
    // Not measured; data granules and refcounts untouched.
    expect(e.realm.measurements).toEqual(rim);
    expect(e.ctx.granules.state(e.ctx.granules.find(DATA_EMPTY))).toBe(GranuleState.Data);
  });

  it('EMPTY: RAM entries become EMPTY, assigned ones stay assigned; addr advances by calls', () => {
    const e = env();
    const l3 = e.ctx.granules.find(L3);
    const refcount = e.ctx.granules.refcount(l3);
    e.ask(0, 0x2000, RsiRipas.Empty);
    expect(e.set(0, 0x1000)).toEqual([0n, 0x1000n]);
    expect(e.set(0, 0x2000)).toEqual(INPUT); // base must be the next address
    expect(e.set(0x1000, 0x2000)).toEqual([0n, 0x2000n]);
    expect(e.read(0)).toMatchObject({ state: RmiRttEntryState.Unassigned, ripas: 0 });
    expect(e.read(0x1000)).toEqual({
      level: 3,
      state: RmiRttEntryState.Assigned,
      ripas: RmiRipas.Empty,
      desc: BigInt(DATA_RAM),
    });
    expect(e.ctx.granules.refcount(l3)).toBe(refcount);
    // The request is complete: any further call is outside it.
    expect(e.set(0x2000, 0x3000)).toEqual(INPUT);
  });

  it('a block-level walk: a 2M entry changes as a whole; a TABLE entry stops the change', () => {
    const e = env();
    e.ask(MB2, 3 * MB2, RsiRipas.Ram);
    expect(e.set(MB2, 3 * MB2)).toEqual([0n, BigInt(2 * MB2)]);
    const x = e.call(SMC_RMI_RTT_READ_ENTRY, RD, MB2, 2);
    expect([x[1], x[2], x[4]]).toEqual([2n, 0n, 1n]);
    // [4M, 6M) is a TABLE: nothing to change there at level 2, and the L3 walk finds base fine.
    expect(e.set(2 * MB2, 3 * MB2)).toEqual([0n, BigInt(3 * MB2)]);
  });

  it('no_progress: top inside the first block of a block-level walk → (RTT, 2)', () => {
    const e = env();
    e.ask(MB2, MB2 + 0x10_0000, RsiRipas.Ram);
    const before = e.snapshot();
    expect(e.set(MB2, MB2 + 0x10_0000)).toEqual(rtt(2));
    expect(e.snapshot()).toEqual(before);
  });

  it('base_align: base not aligned to the level the walk stops at → (RTT, 2)', () => {
    const e = env();
    e.ask(MB2 + G, MB2 + 2 * G, RsiRipas.Ram);
    const before = e.snapshot();
    expect(e.set(MB2 + G, MB2 + 2 * G)).toEqual(rtt(2));
    expect(e.snapshot()).toEqual(before);
  });

  it('failure conditions in order, each changing nothing', () => {
    const e = env();
    e.ask(0x4000, 0x8000, RsiRipas.Empty);
    // A second realm with a REC of its own, for rec_owner.
    for (const pa of [RD2, RTT2, RTT2 + G, REC2, ...AUX2]) {
      expect(e.call(SMC_RMI_GRANULE_DELEGATE, pa)).toEqual(OK);
    }
    e.platform.memory.write(
      World.Normal,
      REALM_PARAMS as PhysAddr,
      encodeRealmParams(realmParams({ vmid: 2, rttBase: BigInt(RTT2) })),
    );
    expect(e.call(SMC_RMI_REALM_CREATE, RD2, REALM_PARAMS)).toEqual(OK);
    e.platform.memory.write(
      World.Normal,
      REC_PARAMS as PhysAddr,
      encodeRecParams(recParams({}, AUX2)),
    );
    expect(e.call(SMC_RMI_REC_CREATE, RD2, REC2, REC_PARAMS)).toEqual(OK);
    expect(e.call(SMC_RMI_GRANULE_DELEGATE, SPARE)).toEqual(OK);
    const before = e.snapshot();
    const cases: [string, readonly bigint[], readonly bigint[]][] = [
      ['size_valid (top = base)', [BigInt(RD), BigInt(REC), 0x4000n, 0x4000n], INPUT],
      ['size_valid (top < base)', [BigInt(RD), BigInt(REC), 0x4000n, 0x3000n], INPUT],
      ['top_gran_align', [BigInt(RD), BigInt(REC), 0x4000n, 0x4800n], INPUT],
      ['rd_align', [BigInt(RD + 8), BigInt(REC), 0x4000n, 0x8000n], INPUT],
      ['rd_bound (device)', [BigInt(DEVICE_PA), BigInt(REC), 0x4000n, 0x8000n], INPUT],
      ['rd_bound (≥ 2^64 − 1)', [2n ** 64n - 1n, BigInt(REC), 0x4000n, 0x8000n], INPUT],
      ['rd_state (DELEGATED)', [BigInt(SPARE), BigInt(REC), 0x4000n, 0x8000n], INPUT],
      ['rd_state (REC)', [BigInt(REC), BigInt(REC), 0x4000n, 0x8000n], INPUT],
      ['rd_state (RTT)', [BigInt(RTT), BigInt(REC), 0x4000n, 0x8000n], INPUT],
      ['rec_align', [BigInt(RD), BigInt(REC + 8), 0x4000n, 0x8000n], INPUT],
      ['rec_bound', [BigInt(RD), BigInt(UNTRACKED_PA), 0x4000n, 0x8000n], INPUT],
      ['rec_gran_state (RD)', [BigInt(RD), BigInt(RD), 0x4000n, 0x8000n], INPUT],
      ['rec_gran_state (DATA)', [BigInt(RD), BigInt(DATA_RAM), 0x4000n, 0x8000n], INPUT],
      ['rec_owner', [BigInt(RD), BigInt(REC2), 0x4000n, 0x8000n], REC_ERR],
      ['base_bound (base ≠ addr)', [BigInt(RD), BigInt(REC), 0x5000n, 0x8000n], INPUT],
      ['top_bound (top > request top)', [BigInt(RD), BigInt(REC), 0x4000n, 0x9000n], INPUT],
    ];
    for (const [name, args, want] of cases) {
      expect(e.call(SMC_RMI_RTT_SET_RIPAS, ...args).slice(0, 2), name).toEqual(want);
      expect(e.snapshot(), name).toEqual(before);
    }
    // rec_owner ≻ base_bound; a running REC → RMI_ERROR_REC.
    expect(e.set(0x5000, 0x8000, REC2)).toEqual(REC_ERR);
    e.ctx.granules.refcountInc(e.ctx.granules.find(REC));
    expect(e.set(0x4000, 0x8000)).toEqual(REC_ERR);
    e.ctx.granules.refcountDec(e.ctx.granules.find(REC));
    // A REC with no request in progress: every call is outside it.
    e.rec.setRipas = undefined;
    expect(e.set(0x4000, 0x8000)).toEqual(INPUT);
    expect(e.set(0, G)).toEqual(INPUT);
  });
});
