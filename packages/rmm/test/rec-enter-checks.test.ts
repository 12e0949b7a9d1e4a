/**
 * The input checks of RMI_REC_ENTER (digest §2.11 steps 1–5) through `recEnterChecks`, which is
 * not registered yet (the passing case has to run the realm). ACS labels: run_align, run_bound,
 * run_pas, rec_align, rec_bound, rec_gran_state, realm_new (→ REALM 0), system_off (→ REALM 1),
 * rec_runnable (→ REC), a running REC (→ REC), and run_bound/run_pas ≻ realm_new/rec_runnable.
 * @module
 */
import {
  encodeRecParams,
  GranuleState,
  RealmState,
  type RmiReturnCode,
  RmiStatus,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_ENTER,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { type RecEnterTarget, recEnterChecks } from '../src/rmi/run.ts';
import { DEVICE_PA, ROOT_PA, regs, SECURE_PA, UNTRACKED_PA } from './support/platform.ts';
import {
  AUX2,
  contextWithRealm,
  OK,
  RD,
  REC,
  REC_PARAMS,
  REC2,
  RTT,
  recParams,
  SPARE,
} from './support/realm.ts';

const RUN = 0x8020_3000;
const INPUT: RmiReturnCode = { status: RmiStatus.ErrorInput, index: 0 };
const REALM0: RmiReturnCode = { status: RmiStatus.ErrorRealm, index: 0 };
const REALM1: RmiReturnCode = { status: RmiStatus.ErrorRealm, index: 1 };
const REC_ERR: RmiReturnCode = { status: RmiStatus.ErrorRec, index: 0 };

function env(activate = true) {
  const c = contextWithRealm();
  for (const pa of [REC2, ...AUX2]) expect(c.call(SMC_RMI_GRANULE_DELEGATE, pa)).toEqual(OK);
  c.platform.memory.write(World.Normal, REC_PARAMS as PhysAddr, encodeRecParams(recParams()));
  expect(c.call(SMC_RMI_REC_CREATE, RD, REC, REC_PARAMS)).toEqual(OK);
  const stopped = recParams({ flags: 0n, mpidr: 1n }, AUX2);
  c.platform.memory.write(World.Normal, REC_PARAMS as PhysAddr, encodeRecParams(stopped));
  expect(c.call(SMC_RMI_REC_CREATE, RD, REC2, REC_PARAMS)).toEqual(OK);
  if (activate) expect(c.call(SMC_RMI_REALM_ACTIVATE, RD)).toEqual(OK);
  const page = Uint8Array.from({ length: 0x1000 }, (_, i) => i & 0xff);
  c.platform.memory.write(World.Normal, RUN as PhysAddr, page);
  const check = (rec: number | bigint, run: number | bigint) =>
    recEnterChecks(c.ctx, regs(BigInt(rec), BigInt(run)));
  const states = () => [c.ctx.granules.states.slice(), c.ctx.granules.refcounts.slice()];
  return { ...c, page, check, states };
}

describe('RMI_REC_ENTER input checks (not registered yet)', () => {
  it('REC_ENTER still answers SMC_UNKNOWN through the dispatcher', () => {
    const { call } = env();
    expect(call(SMC_RMI_REC_ENTER, REC, RUN)[0]).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('passes for a runnable REC of an active realm; reads RmiRecEnter once', () => {
    const { ctx, check, page, states } = env();
    const before = states();
    let reads = 0;
    const read = ctx.memory.read;
    (ctx.memory as { read: typeof read }).read = (w, pa, dst) => {
      reads++;
      return read(w, pa, dst);
    };
    const t = check(REC, RUN) as RecEnterTarget;
    expect(reads).toBe(1);
    expect(t.rec.recIdx).toBe(ctx.granules.find(REC));
    expect(t.realm.state).toBe(RealmState.Active);
    expect(t.enter).toEqual(page.subarray(0, 0x800));
    expect(states()).toEqual(before);
  });

  it.each([
    ['run_align', RUN + 8],
    ['run_bound (device)', DEVICE_PA],
    ['run_bound (untracked)', UNTRACKED_PA],
    ['run_bound (≥ 2^52)', 2 ** 52],
    ['run_pas (delegated)', SPARE],
    ['run_pas (Secure PAS, faults on the read)', SECURE_PA],
    ['run_pas (Root PAS)', ROOT_PA],
  ])('%s → INPUT', (_n, run) => {
    const e = env();
    if (run === SPARE) e.call(SMC_RMI_GRANULE_DELEGATE, SPARE);
    const before = e.states();
    expect(e.check(REC, run)).toEqual(INPUT);
    expect(e.states()).toEqual(before);
  });

  it('rec_align, rec_bound, rec_gran_state → INPUT', () => {
    const e = env();
    expect(e.call(SMC_RMI_GRANULE_DELEGATE, SPARE)).toEqual(OK);
    for (const rec of [REC + 8, DEVICE_PA, UNTRACKED_PA, 2 ** 52, RUN, SPARE, RD, RTT, AUX2[0]!]) {
      expect(e.check(rec, RUN)).toEqual(INPUT);
    }
    e.ctx.granules.transition(
      e.ctx.granules.find(SPARE),
      GranuleState.Delegated,
      GranuleState.Data,
    );
    expect(e.check(SPARE, RUN)).toEqual(INPUT);
  });

  it('a running REC → RMI_ERROR_REC (before the run page is read)', () => {
    const e = env();
    e.ctx.granules.refcountInc(e.ctx.granules.find(REC));
    expect(e.check(REC, RUN)).toEqual(REC_ERR);
    expect(e.check(REC, SECURE_PA)).toEqual(REC_ERR);
  });

  it('realm_new → (REALM, 0); system_off → (REALM, 1); rec_runnable → REC', () => {
    expect(env(false).check(REC, RUN)).toEqual(REALM0);
    const e = env();
    expect(e.check(REC2, RUN)).toEqual(REC_ERR);
    e.realm.state = RealmState.SystemOff;
    expect(e.check(REC, RUN)).toEqual(REALM1);
    expect(e.check(REC2, RUN)).toEqual(REALM1);
  });

  it('run_bound / run_pas ≻ realm_new, system_off, rec_runnable', () => {
    const n = env(false);
    expect(n.check(REC, DEVICE_PA)).toEqual(INPUT);
    expect(n.check(REC, SECURE_PA)).toEqual(INPUT);
    const e = env();
    expect(e.check(REC2, SECURE_PA)).toEqual(INPUT);
    e.realm.state = RealmState.SystemOff;
    expect(e.check(REC, UNTRACKED_PA)).toEqual(INPUT);
  });
});
