/**
 * The input checks of RMI_REC_ENTER (digest §2.11 steps 1–9) through `recEnterChecks` and the
 * registered handler (whose passing case answers SMC_UNKNOWN until realms run). ACS labels:
 * run_align, run_bound, run_pas, rec_align, rec_bound, rec_gran_state, realm_new (→ REALM 0),
 * system_off (→ REALM 1), rec_runnable (→ REC), rec_psci, rec_gicv3, rec_mmio (→ REC), a running
 * REC (→ REC), and run_bound/run_pas ≻ realm_new/rec_runnable, rec_* ≻ rec_gicv3.
 * @module
 */
import {
  decodeRecEnter,
  encodeRecEnter,
  encodeRecParams,
  GranuleState,
  RealmState,
  type RecEnter,
  type RmiReturnCode,
  RmiStatus,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_ENTER,
  SMC64_PSCI_CPU_ON,
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
  // A valid RmiRecEnter (all zero) with a pattern in the gprs and the exit half.
  const page = new Uint8Array(0x1000);
  for (let i = 0x200; i < 0x2f8; i++) page[i] = i & 0xff;
  for (let i = 0x800; i < 0x1000; i++) page[i] = i & 0xff;
  c.platform.memory.write(World.Normal, RUN as PhysAddr, page);
  const writeEnter = (enter: Partial<RecEnter>) =>
    c.platform.memory.write(
      World.Normal,
      RUN as PhysAddr,
      encodeRecEnter({
        flags: 0n,
        gprs: new Array(31).fill(0n),
        gicv3Hcr: 0n,
        gicv3Lrs: new Array(16).fill(0n),
        ...enter,
      }),
    );
  const check = (rec: number | bigint, run: number | bigint) =>
    recEnterChecks(c.ctx, regs(BigInt(rec), BigInt(run)));
  const states = () => [c.ctx.granules.states.slice(), c.ctx.granules.refcounts.slice()];
  return { ...c, page, check, states, writeEnter };
}

describe('RMI_REC_ENTER input checks', () => {
  it('through the dispatcher: input errors with their status, a REC that passes → SMC_UNKNOWN', () => {
    const e = env();
    const before = e.states();
    expect(e.call(SMC_RMI_REC_ENTER, REC2, RUN)).toEqual([3n, 0n, 0n, 0n, 0n]);
    expect(e.call(SMC_RMI_REC_ENTER, REC, RUN + 8)).toEqual([1n, 0n, 0n, 0n, 0n]);
    const x = e.ctx.granules;
    const unknown = e.call(SMC_RMI_REC_ENTER, REC, RUN);
    expect(unknown).toEqual([0xffff_ffff_ffff_ffffn, BigInt(REC), BigInt(RUN), 0n, 0n]);
    expect(e.states()).toEqual(before);
    expect(x.refcount(x.find(REC))).toBe(0);
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
    expect(t.enter).toEqual(decodeRecEnter(page.subarray(0, 0x800)));
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

  it('rec_psci: a PSCI request pending on the REC → RMI_ERROR_REC', () => {
    const e = env();
    const rec = e.ctx.recs.get(e.ctx.granules.find(REC))!;
    rec.psciPending = SMC64_PSCI_CPU_ON;
    expect(e.check(REC, RUN)).toEqual(REC_ERR);
    rec.psciPending = undefined;
    expect(e.check(REC, RUN)).toHaveProperty('rec');
  });

  const lr = (vintid: bigint, extra = 0n) => (1n << 62n) | extra | vintid;
  it.each<[string, { gicv3Hcr?: bigint; gicv3Lrs?: bigint[] }]>([
    ['an HCR bit the host does not own (En, bit 0)', { gicv3Hcr: 1n }],
    ['an HCR bit above TDIR (bit 15)', { gicv3Hcr: 1n << 15n }],
    ['LR HW bit', { gicv3Lrs: [lr(32n, 1n << 61n)] }],
    ['LR priority RES0 bits', { gicv3Lrs: [lr(32n, 1n << 48n)] }],
    ['LR pINTID bits other than EOI', { gicv3Lrs: [lr(32n, 1n << 32n)] }],
    ['LR vINTID 1020 (special)', { gicv3Lrs: [lr(1020n)] }],
    ['LR vINTID 8191', { gicv3Lrs: [lr(8191n)] }],
    ['LR vINTID beyond 16 ID bits', { gicv3Lrs: [lr(1n << 16n)] }],
    ['duplicate vINTIDs', { gicv3Lrs: [lr(40n), 0n, lr(40n)] }],
  ])('rec_gicv3: %s → RMI_ERROR_REC', (_n, enter) => {
    const e = env();
    const lrs = [...(enter.gicv3Lrs ?? []), ...new Array(16).fill(0n)].slice(0, 16);
    e.writeEnter({ ...enter, gicv3Lrs: lrs });
    expect(e.check(REC, RUN)).toEqual(REC_ERR);
    // rec_align / rec_bound / rec_gran_state take priority over it.
    for (const rec of [REC + 8, DEVICE_PA, RD]) expect(e.check(rec, RUN)).toEqual(INPUT);
  });

  it('a valid GIC state passes: host-owned HCR bits, EOI, LPIs, inactive or unimplemented LRs', () => {
    const e = env();
    const lrs = new Array(16).fill(0n);
    lrs[0] = lr(27n, (0xa0n << 48n) | (1n << 41n));
    lrs[1] = lr(8192n);
    lrs[2] = 40n; // State 0: ignored
    lrs[3] = lr(65535n);
    lrs[4] = 1n << 61n; // beyond the 4 implemented LRs: ignored
    e.writeEnter({ gicv3Hcr: 0x40fen, gicv3Lrs: lrs });
    expect(e.check(REC, RUN)).toHaveProperty('rec');
  });

  it('rec_mmio / INJECT_SEA: the last exit must have been a (emulatable) data abort', () => {
    const e = env();
    const rec = e.ctx.recs.get(e.ctx.granules.find(REC))!;
    e.writeEnter({ flags: 1n });
    expect(e.check(REC, RUN)).toEqual(REC_ERR);
    e.writeEnter({ flags: 2n });
    expect(e.check(REC, RUN)).toEqual(REC_ERR);
    const abort = (0x24n << 26n) | (1n << 24n);
    rec.lastExit = { esr: abort, unprotectedDataAbort: true };
    expect(e.check(REC, RUN)).toHaveProperty('rec');
    e.writeEnter({ flags: 1n });
    expect(e.check(REC, RUN)).toHaveProperty('rec');
    rec.lastExit = { esr: 0x24n << 26n, unprotectedDataAbort: true }; // no ISV
    expect(e.check(REC, RUN)).toEqual(REC_ERR);
    e.writeEnter({ flags: 3n }); // INJECT_SEA wins over EMUL_MMIO
    expect(e.check(REC, RUN)).toHaveProperty('rec');
  });
});
