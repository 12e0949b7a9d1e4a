/**
 * RMI_PSCI_COMPLETE (rmm-abi.md §2.23) through the dispatcher, with the calling REC's PSCI request
 * set directly (as a realm's CPU_ON / AFFINITY_INFO will set it once realms run): the effects on
 * both RECs for every permitted status, and every failure condition with nothing changed.
 *
 * The realm has REC (index 0, runnable) and REC2 (index 1, not runnable), and is active.
 * @module
 */
import {
  encodeRecParams,
  PsciReturnCode,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REC_CREATE,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_ON,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { DEVICE_PA, UNTRACKED_PA } from './support/platform.ts';
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

const INPUT = [1n, 0n, 0n, 0n, 0n];
const u64 = (v: number) => BigInt.asUintN(64, BigInt(v));
const DENIED = u64(PsciReturnCode.Denied);
const ENTRY = 0x8_0000n;
const CONTEXT_ID = 0xc0ffeen;

function env() {
  const c = contextWithRealm();
  for (const pa of [REC2, ...AUX2, SPARE]) {
    expect(c.call(SMC_RMI_GRANULE_DELEGATE, pa)).toEqual(OK);
  }
  const create = (rec: number, params: Parameters<typeof recParams>) => {
    c.platform.memory.write(
      World.Normal,
      REC_PARAMS as PhysAddr,
      encodeRecParams(recParams(...params)),
    );
    expect(c.call(SMC_RMI_REC_CREATE, RD, rec, REC_PARAMS)).toEqual(OK);
  };
  create(REC, [{}]);
  create(REC2, [{ flags: 0n, mpidr: 1n, pc: 0x1000n }, AUX2]);
  expect(c.call(SMC_RMI_REALM_ACTIVATE, RD)).toEqual(OK);
  const caller = c.ctx.recs.get(c.ctx.granules.find(REC))!;
  const target = c.ctx.recs.get(c.ctx.granules.find(REC2))!;
  /** The caller's pending PSCI call: X0 = fid, X1 = target MPIDR (MPIDR_EL1 layout), X2, X3. */
  const pend = (fid: number, mpidr = 1n) => {
    caller.psciPending = fid;
    caller.gprs.set([BigInt(fid), mpidr, ENTRY, CONTEXT_ID]);
  };
  const complete = (status: bigint, calling: number | bigint = REC, tgt: number | bigint = REC2) =>
    c.call(SMC_RMI_PSCI_COMPLETE, calling, tgt, status);
  const snapshot = () => ({
    states: c.ctx.granules.states.slice(),
    refcounts: c.ctx.granules.refcounts.slice(),
    caller: { ...caller, gprs: caller.gprs.slice() },
    target: { ...target, gprs: target.gprs.slice() },
  });
  return { ...c, caller, target, pend, complete, snapshot };
}

describe('RMI_PSCI_COMPLETE', () => {
  it('CPU_ON, SUCCESS: the target starts at the entry with the context id in X0', () => {
    const e = env();
    e.pend(SMC64_PSCI_CPU_ON);
    const x5 = e.target.gprs[5];
    expect(e.complete(0n)).toEqual(OK);
    expect(e.target.runnable).toBe(true);
    expect(e.target.pc).toBe(ENTRY);
    expect(e.target.gprs[0]).toBe(CONTEXT_ID);
    expect(e.target.gprs[5]).toBe(x5);
    expect(e.target.pstate).toBe(0x3c5n);
    expect(Array.from(e.caller.gprs.subarray(0, 4))).toEqual([0n, 0n, 0n, 0n]);
    expect(e.caller.psciPending).toBeUndefined();
    // Completed: a second call has nothing to complete.
    expect(e.complete(0n)).toEqual(INPUT);
  });

  it('CPU_ON, DENIED: the caller gets DENIED and the target stays off', () => {
    const e = env();
    e.pend(SMC64_PSCI_CPU_ON);
    expect(e.complete(DENIED)).toEqual(OK);
    expect(e.caller.gprs[0]).toBe(DENIED);
    expect(e.target.runnable).toBe(false);
    expect(e.target.pc).toBe(0x1000n);
  });

  it('CPU_ON of a target already on: ALREADY_ON for SUCCESS; DENIED refused, nothing changed', () => {
    const e = env();
    e.target.runnable = true;
    e.pend(SMC64_PSCI_CPU_ON);
    const before = e.snapshot();
    expect(e.complete(DENIED)).toEqual(INPUT);
    expect(e.snapshot()).toEqual(before);
    expect(e.complete(0n)).toEqual(OK);
    expect(e.caller.gprs[0]).toBe(u64(PsciReturnCode.AlreadyOn));
    expect(e.target.pc).toBe(0x1000n);
  });

  it('AFFINITY_INFO: ON for a runnable target, OFF otherwise; only SUCCESS is permitted', () => {
    const e = env();
    e.pend(SMC32_PSCI_AFFINITY_INFO);
    const before = e.snapshot();
    expect(e.complete(DENIED)).toEqual(INPUT);
    expect(e.snapshot()).toEqual(before);
    expect(e.complete(0n)).toEqual(OK);
    expect(e.caller.gprs[0]).toBe(1n);
    e.target.runnable = true;
    e.pend(SMC64_PSCI_AFFINITY_INFO);
    expect(e.complete(0n)).toEqual(OK);
    expect(e.caller.gprs[0]).toBe(0n);
    expect(e.target.pc).toBe(0x1000n);
  });

  it('the target MPIDR is read in the MPIDR_EL1 layout (Aff3 at [39:32])', () => {
    const e = env();
    e.pend(SMC64_PSCI_CPU_ON, 1n | (0xffn << 24n)); // bits [31:24] are not Aff3 here
    expect(e.complete(0n)).toEqual(OK);
    e.target.runnable = false;
    e.pend(SMC64_PSCI_CPU_ON, 1n << 32n); // Aff3 = 1: REC index 1 << 20
    expect(e.complete(0n)).toEqual(INPUT);
  });

  it('SMC32: the low 32 bits of X1..X3, the values the call was checked with', () => {
    const e = env();
    e.pend(SMC32_PSCI_CPU_ON, (1n << 32n) | 1n); // Aff3 = 1 only in the ignored upper half
    e.caller.gprs[2] = (0xdeadn << 32n) | ENTRY;
    e.caller.gprs[3] = (0xbeefn << 32n) | 0x1234n;
    expect(e.complete(0n)).toEqual(OK);
    expect([e.target.runnable, e.target.pc, e.target.gprs[0]]).toEqual([true, ENTRY, 0x1234n]);
    e.target.runnable = false;
    e.pend(SMC32_PSCI_AFFINITY_INFO, (1n << 32n) | 1n);
    expect(e.complete(0n)).toEqual(OK);
    expect(e.caller.gprs[0]).toBe(1n); // OFF
  });

  it('failure conditions, each RMI_ERROR_INPUT and changing nothing', () => {
    const e = env();
    e.pend(SMC64_PSCI_CPU_ON);
    const before = e.snapshot();
    const cases: [string, bigint, bigint, bigint][] = [
      ['calling_align', BigInt(REC + 8), BigInt(REC2), 0n],
      ['calling_bound (device)', BigInt(DEVICE_PA), BigInt(REC2), 0n],
      ['calling_bound (untracked)', BigInt(UNTRACKED_PA), BigInt(REC2), 0n],
      ['calling_bound (2^64 − 4K)', 2n ** 64n - 0x1000n, BigInt(REC2), 0n],
      ['calling state (DELEGATED)', BigInt(SPARE), BigInt(REC2), 0n],
      ['calling state (RD)', BigInt(RD), BigInt(REC2), 0n],
      ['calling state (RTT)', BigInt(RTT), BigInt(REC2), 0n],
      ['calling state (REC_AUX)', BigInt(AUX2[0]!), BigInt(REC2), 0n],
      ['target_align', BigInt(REC), BigInt(REC2 + 8), 0n],
      ['target_bound (device)', BigInt(REC), BigInt(DEVICE_PA), 0n],
      ['target state (DELEGATED)', BigInt(REC), BigInt(SPARE), 0n],
      ['target state (RD)', BigInt(REC), BigInt(RD), 0n],
      ['alias', BigInt(REC), BigInt(REC), 0n],
      ['pending (target has none)', BigInt(REC2), BigInt(REC), 0n],
      ['status (CPU_ON: not SUCCESS or DENIED)', BigInt(REC), BigInt(REC2), 1n],
      ['status (CPU_ON: ALREADY_ON)', BigInt(REC), BigInt(REC2), u64(PsciReturnCode.AlreadyOn)],
    ];
    for (const [name, calling, target, status] of cases) {
      expect(e.complete(status, calling, target), name).toEqual(INPUT);
      expect(e.snapshot(), name).toEqual(before);
    }
    // target: the MPIDR the caller named is another REC's.
    e.pend(SMC64_PSCI_CPU_ON, 0n);
    expect(e.complete(0n)).toEqual(INPUT);
    // A running caller.
    e.pend(SMC64_PSCI_CPU_ON);
    e.ctx.granules.refcountInc(e.ctx.granules.find(REC));
    expect(e.complete(0n)).toEqual(INPUT);
    e.ctx.granules.refcountDec(e.ctx.granules.find(REC));
    expect(e.complete(0n)).toEqual(OK);
  });
});
