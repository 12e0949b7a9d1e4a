/**
 * PSCI from a realm (rmm-abi.md §5.11) through the RSI dispatcher, on the ACTIVE realm of
 * test/support/rsi.ts (REC index 0 runnable, REC2 index 1 not runnable): every function, the ACS
 * lines cmd_cpu_on (entry, mpidr, runnable) and cmd_affinity_info (target_bound, target_match),
 * and the hand-over to RMI_PSCI_COMPLETE.
 * @module
 */
import {
  PsciReturnCode,
  RealmState,
  RmiRecExitReason,
  RsiAction,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REC_ENTER,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_CPU_ON,
  SMC32_PSCI_CPU_SUSPEND,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC32_PSCI_VERSION,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  SMC64_PSCI_CPU_SUSPEND,
  SMCCC_VERSION,
} from '@islet/abi';
import { describe, expect, it } from 'vitest';
import { rsiExit } from '../src/rsi/context.ts';
import { REC, REC2 } from './support/realm.ts';
import { PAR_END, rsiEnv } from './support/rsi.ts';

const u64 = (v: number) => BigInt.asUintN(64, BigInt(v));
const X4 = 0x4444n;
const back = (x0: bigint, x4 = 0n) => ({
  action: RsiAction.ReturnToRealm,
  regs: [x0, 0n, 0n, 0n, x4],
});
const psciExit = (fid: number, target = 0n) =>
  rsiExit({ exitReason: RmiRecExitReason.Psci, gprs: [BigInt(fid), target] });
const ENTRY = 0x8_0000n;

function unchanged(e: ReturnType<typeof rsiEnv>, f: () => void): void {
  const before = e.snapshot();
  f();
  expect(e.snapshot()).toEqual(before);
}

describe('PSCI_VERSION, PSCI_FEATURES, other PSCI FIDs', () => {
  it('VERSION is 1.1', () => {
    expect(rsiEnv().rsi(SMC32_PSCI_VERSION, 0n, 0n, 0n, X4)).toEqual(back(0x10001n, X4));
  });
  it('FEATURES: 0 for the implemented functions and SMCCC_VERSION, else NOT_SUPPORTED', () => {
    const e = rsiEnv();
    for (const f of [
      SMC32_PSCI_VERSION,
      SMC32_PSCI_CPU_SUSPEND,
      SMC64_PSCI_CPU_SUSPEND,
      SMC32_PSCI_CPU_OFF,
      SMC32_PSCI_CPU_ON,
      SMC64_PSCI_CPU_ON,
      SMC32_PSCI_AFFINITY_INFO,
      SMC64_PSCI_AFFINITY_INFO,
      SMC32_PSCI_SYSTEM_OFF,
      SMC32_PSCI_SYSTEM_RESET,
      SMC32_PSCI_FEATURES,
      SMCCC_VERSION,
    ]) {
      expect(e.rsi(SMC32_PSCI_FEATURES, f).regs?.[0], f.toString(16)).toBe(0n);
      // SMC32 argument: the upper half is ignored.
      expect(e.rsi(SMC32_PSCI_FEATURES, (0xdeadn << 32n) | BigInt(f)).regs?.[0]).toBe(0n);
    }
    for (const f of [0x8400_0005, 0x8400_0014, 0xc400_0008, 0xc400_0190, 0]) {
      expect(e.rsi(SMC32_PSCI_FEATURES, f).regs?.[0]).toBe(u64(-1));
    }
  });
  it('other FIDs of the PSCI ranges: NOT_SUPPORTED, nothing changed', () => {
    const e = rsiEnv();
    for (const f of [
      0x8400_0005, 0x8400_000c, 0x8400_0014, 0xc400_0000, 0xc400_0002, 0xc400_0014,
    ]) {
      unchanged(e, () => {
        expect(e.rsi(f, 1n, 2n, 3n, X4)).toEqual(back(u64(-1), X4));
      });
    }
  });
});

describe('CPU_SUSPEND, CPU_OFF', () => {
  it('CPU_SUSPEND: X0 = SUCCESS, PSCI exit (SMC32 and SMC64)', () => {
    const e = rsiEnv();
    for (const f of [SMC32_PSCI_CPU_SUSPEND, SMC64_PSCI_CPU_SUSPEND]) {
      expect(e.rsi(f, 1n, 2n, 3n, X4)).toEqual({
        action: RsiAction.ExitToHost,
        regs: [0n, 0n, 0n, 0n, X4],
        exit: psciExit(f),
      });
      expect(e.rec.runnable).toBe(true);
    }
  });
  it('CPU_OFF: not runnable any more; REC_ENTER then refuses it', () => {
    const e = rsiEnv();
    expect(e.rsi(SMC32_PSCI_CPU_OFF)).toEqual({
      action: RsiAction.ExitToHost,
      regs: [0n, 0n, 0n, 0n, 0n],
      exit: psciExit(SMC32_PSCI_CPU_OFF),
    });
    expect(e.rec.runnable).toBe(false);
    expect(e.call(SMC_RMI_REC_ENTER, REC, 0x8020_4000)[0]).toBe(3n); // RMI_ERROR_REC
  });
});

describe('CPU_ON', () => {
  it('pending with the target in the exit; PSCI_COMPLETE starts REC2 at the entry', () => {
    const e = rsiEnv();
    const out = e.rsi(SMC64_PSCI_CPU_ON, 1n, ENTRY, 0xc0ffeen, X4);
    expect(out).toEqual({
      action: RsiAction.ExitToHost,
      regs: undefined,
      exit: psciExit(SMC64_PSCI_CPU_ON, 1n),
    });
    expect(e.rec.psciPending).toBe(SMC64_PSCI_CPU_ON);
    // REC_ENTER refuses a REC with a PSCI request pending.
    expect(e.call(SMC_RMI_REC_ENTER, REC, 0x8020_4000)[0]).toBe(3n);
    expect(e.call(SMC_RMI_PSCI_COMPLETE, REC, REC2, 0)[0]).toBe(0n);
    expect(e.rec2).toMatchObject({ runnable: true, pc: ENTRY });
    expect(e.rec2.gprs[0]).toBe(0xc0ffeen);
    expect(Array.from(e.rec.gprs.slice(0, 5))).toEqual([0n, 0n, 0n, 0n, X4]);
    expect(e.rec.psciPending).toBeUndefined();
  });
  it('runnable (ACS): a target already on completes with ALREADY_ON', () => {
    const e = rsiEnv();
    e.rec2.runnable = true;
    e.rsi(SMC32_PSCI_CPU_ON, 1n, ENTRY, 0n);
    expect(e.call(SMC_RMI_PSCI_COMPLETE, REC, REC2, 0)[0]).toBe(0n);
    expect(e.rec.gprs[0]).toBe(u64(PsciReturnCode.AlreadyOn));
  });
  it('SMC32 uses the low 32 bits of target and entry', () => {
    const e = rsiEnv();
    const out = e.rsi(SMC32_PSCI_CPU_ON, (1n << 40n) | 1n, (1n << 60n) | ENTRY, 0n);
    expect(out.exit).toEqual(psciExit(SMC32_PSCI_CPU_ON, 1n));
  });
  it('entry, mpidr, self: INVALID_ADDRESS, INVALID_PARAMS, ALREADY_ON; nothing changed', () => {
    const e = rsiEnv();
    for (const [f, target, entry, want] of [
      [SMC64_PSCI_CPU_ON, 1n, BigInt(PAR_END), PsciReturnCode.InvalidAddress],
      [SMC64_PSCI_CPU_ON, 1n, 2n ** 64n - 1n, PsciReturnCode.InvalidAddress],
      [SMC64_PSCI_CPU_ON, 2n, ENTRY, PsciReturnCode.InvalidParams],
      [SMC64_PSCI_CPU_ON, 0x100n, ENTRY, PsciReturnCode.InvalidParams], // Aff1 = 1 → index 16
      [SMC64_PSCI_CPU_ON, 1n << 32n, ENTRY, PsciReturnCode.InvalidParams], // Aff3
      [SMC64_PSCI_CPU_ON, 0n, ENTRY, PsciReturnCode.AlreadyOn],
      // entry is checked before the target.
      [SMC64_PSCI_CPU_ON, 2n, BigInt(PAR_END), PsciReturnCode.InvalidAddress],
    ] as const) {
      unchanged(e, () => {
        expect(e.rsi(f, target, entry, 0n, X4)).toEqual(back(u64(want), X4));
      });
    }
    expect(e.rec.psciPending).toBeUndefined();
  });
});

describe('AFFINITY_INFO', () => {
  it('another REC: pending + PSCI exit; PSCI_COMPLETE answers OFF', () => {
    const e = rsiEnv();
    for (const f of [SMC32_PSCI_AFFINITY_INFO, SMC64_PSCI_AFFINITY_INFO]) {
      expect(e.rsi(f, 1n, 0n)).toEqual({
        action: RsiAction.ExitToHost,
        regs: undefined,
        exit: psciExit(f, 1n),
      });
      expect(e.rec.psciPending).toBe(f);
      expect(e.call(SMC_RMI_PSCI_COMPLETE, REC, REC2, 0)[0]).toBe(0n);
      expect(e.rec.gprs[0]).toBe(1n); // OFF
    }
  });
  it('self → ON; target_bound (level ≠ 0), target_match (no such REC) → INVALID_PARAMS', () => {
    const e = rsiEnv();
    for (const [target, level, want] of [
      [0n, 0n, 0],
      [1n, 1n, PsciReturnCode.InvalidParams],
      [0n, 2n ** 64n - 1n, PsciReturnCode.InvalidParams],
      [2n, 0n, PsciReturnCode.InvalidParams],
      [0x1_0000n, 0n, PsciReturnCode.InvalidParams],
    ] as const) {
      unchanged(e, () => {
        expect(e.rsi(SMC64_PSCI_AFFINITY_INFO, target, level, 0n, X4)).toEqual(back(u64(want), X4));
      });
    }
  });
});

describe('SYSTEM_OFF, SYSTEM_RESET', () => {
  it('the realm goes to SYSTEM_OFF; REC_ENTER then answers (REALM, 1)', () => {
    for (const f of [SMC32_PSCI_SYSTEM_OFF, SMC32_PSCI_SYSTEM_RESET]) {
      const e = rsiEnv();
      expect(e.rsi(f, 0n, 0n, 0n, X4)).toEqual({
        action: RsiAction.ExitToHost,
        regs: undefined,
        exit: psciExit(f),
      });
      expect(e.realm.state).toBe(RealmState.SystemOff);
      expect(e.call(SMC_RMI_REC_ENTER, REC2, 0x8020_4000)[0]).toBe(0x102n);
    }
  });
});
