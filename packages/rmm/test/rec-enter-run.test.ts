/**
 * RMI_REC_ENTER's run loop (digest §2.11 steps 10–12, §3.3, §5.8, §5.10, §5.11) with a scripted
 * executor: each REC runs a generator (a fake realm) that sets its registers and yields the trap
 * it takes (`SMC #0`, WFI, WFE). The realm is the one of `support/rsi.ts`, built through RMI on an
 * {@link IsletRmm} that has the executor.
 * @module
 */
import {
  decodeHostCall,
  encodeHostCall,
  GranuleState,
  RealmState,
  RmiRecEnterFlag,
  RmiRecExitReason,
  RsiResponse,
  RsiRipas,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REC_ENTER,
  SMC_RMI_RTT_SET_RIPAS,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_VERSION,
  SMC_UNKNOWN,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC64_PSCI_CPU_ON,
  World,
} from '@islet/abi';
import { describe, expect, it } from 'vitest';
import { REC_ENTER_MAX_RESUMES } from '../src/rmi/run.ts';
import { SECURE_PA } from './support/platform.ts';
import { INPUT, OK, RD, REC, REC_ERR, REC2, RealmEnv, SPARE } from './support/realm.ts';
import { D, IPA, populate } from './support/rsi.ts';
import {
  ESR_WFI,
  type Program,
  RUN,
  RUN2,
  runEnv,
  smc,
  TRAP_WFI,
  WFI,
  zeros31,
} from './support/run.ts';

const G = 0x1000;

/** An RMM with `programs` as its realms' code and the realm of support/rsi.ts. */
const env = (programs: Record<number, Program>) => runEnv(programs);

describe('RMI_REC_ENTER run loop', () => {
  it('without an executor, a REC that passes the checks still answers SMC_UNKNOWN', () => {
    const e = new RealmEnv();
    e.withRecGranules();
    populate(
      (fid, ...xs) => e.call(fid, ...xs),
      (pa, b) => e.writeNs(pa, b),
    );
    e.writeNs(RUN, new Uint8Array(G));
    const before = e.snapshot();
    expect(e.call(SMC_RMI_REC_ENTER, REC, RUN)).toEqual([
      SMC_UNKNOWN,
      BigInt(REC),
      BigInt(RUN),
      0n,
      0n,
    ]);
    expect(e.snapshot()).toEqual(before);
  });

  it('RSI_VERSION returns to the realm without an exit; PC advances past each SMC', () => {
    const log: bigint[][] = [];
    let runningInside: number | undefined = -1;
    const t = env({
      0: function* (rec) {
        log.push(yield* smc(rec, SMC_RSI_VERSION, 0x10000n));
        log.push(yield* smc(rec, SMC_RSI_VERSION, 0x20000n));
        runningInside = t.refcount(REC);
        yield WFI;
      },
    });
    const pc0 = t.recOf(REC).pc;
    expect(t.enter()).toEqual(OK);
    expect(t.executor.resumes).toBe(3);
    // RSI calls are served inside REC_ENTER; the REC leaves the PE once, after its last trap.
    expect(t.executor.parks).toEqual([3]);
    expect(log.map((r) => r.slice(0, 3))).toEqual([
      [0n, 0x10000n, 0x10000n],
      [1n, 0x10000n, 0x10000n],
    ]);
    const exit = t.exitOf();
    expect(exit.exitReason).toBe(RmiRecExitReason.Sync);
    expect(exit.esr).toBe(ESR_WFI);
    expect(t.recOf(REC).pc).toBe(pc0 + 12n);
    expect(runningInside).toBe(1);
    expect(t.refcount(REC)).toBe(0);
  });

  it('an untrapped WFI/WFE resumes the REC; a trapped WFE exits SYNC with TI = 1', () => {
    const t = env({
      0: function* () {
        yield { kind: 'wfi' };
        yield { kind: 'wfe' };
        yield { kind: 'wfe' };
      },
    });
    expect(t.enter(RmiRecEnterFlag.TrapWfe)).toEqual(OK);
    expect(t.executor.resumes).toBe(2);
    expect(t.exitOf().esr).toBe(ESR_WFI | 1n);
  });

  it('RSI_HOST_CALL exits HOST_CALL; the next REC_ENTER completes it into the structure', () => {
    const data = () => t.e.platform.raw(D[1]!);
    const hostGprs = Array.from({ length: 31 }, (_, i) => 0x100n + BigInt(i));
    const realmGprs = Array.from({ length: 31 }, (_, i) => BigInt(i) * 3n);
    let seen: bigint[] = [];
    const t = env({
      0: function* (rec) {
        data().set(encodeHostCall({ imm: 0x1234, gprs: realmGprs }));
        seen = yield* smc(rec, SMC_RSI_HOST_CALL, BigInt(IPA.ram2));
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    const exit = t.exitOf();
    expect(exit.exitReason).toBe(RmiRecExitReason.HostCall);
    expect(exit.imm).toBe(0x1234);
    expect(exit.gprs).toEqual(realmGprs);
    expect(t.refcount(REC)).toBe(0);
    expect(t.enter(TRAP_WFI, hostGprs)).toEqual(OK);
    expect(seen[0]).toBe(0n);
    expect(seen[1]).toBe(BigInt(IPA.ram2));
    const after = decodeHostCall(data().subarray(0, 0x100));
    expect(after).toEqual({ imm: 0x1234, gprs: hostGprs });
    expect(t.exitOf().exitReason).toBe(RmiRecExitReason.Sync);
  });

  it('a host call whose structure is now unmapped exits with an emulated abort, REC not run', () => {
    const t = env({
      0: function* (rec) {
        yield* smc(rec, SMC_RSI_HOST_CALL, BigInt(IPA.ram2));
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    expect(t.exitOf().exitReason).toBe(RmiRecExitReason.HostCall);
    expect(t.call(SMC_RMI_DATA_DESTROY, RD, IPA.ram2)[0]).toBe(0n);
    for (let i = 0; i < 2; i++) {
      expect(t.enter()).toEqual(OK);
      const exit = t.exitOf();
      expect([exit.exitReason, exit.esr, exit.far, exit.hpfar]).toEqual([
        RmiRecExitReason.Sync,
        (0x24n << 26n) | 0x07n,
        0n,
        BigInt(IPA.ram2) >> 8n,
      ]);
      expect(t.executor.resumes).toBe(1);
    }
  });

  describe('RSI_IPA_STATE_SET exits RIPAS_CHANGE; re-entry gives the §5.8 result', () => {
    const base = IPA.empty;
    const top = IPA.empty + 2 * G;
    it.each([
      ['RAM, applied, accept', RsiRipas.Ram, true, 0n, top, RsiResponse.Accept],
      [
        'RAM, applied, reject',
        RsiRipas.Ram,
        true,
        RmiRecEnterFlag.RipasResponse,
        top,
        RsiResponse.Accept,
      ],
      [
        'RAM, not applied, reject',
        RsiRipas.Ram,
        false,
        RmiRecEnterFlag.RipasResponse,
        base,
        RsiResponse.Reject,
      ],
      ['RAM, not applied, accept', RsiRipas.Ram, false, 0n, base, RsiResponse.Accept],
      [
        'EMPTY, not applied, reject',
        RsiRipas.Empty,
        false,
        RmiRecEnterFlag.RipasResponse,
        base,
        RsiResponse.Accept,
      ],
    ] as const)('%s', (_name, ripas, apply, response, reached, want) => {
      let seen: bigint[] = [];
      const t = env({
        0: function* (rec) {
          seen = yield* smc(
            rec,
            SMC_RSI_IPA_STATE_SET,
            BigInt(base),
            BigInt(top),
            BigInt(ripas),
            0n,
          );
          yield WFI;
        },
      });
      expect(t.enter()).toEqual(OK);
      const exit = t.exitOf();
      expect(exit.exitReason).toBe(RmiRecExitReason.RipasChange);
      expect([exit.ripasBase, exit.ripasTop, exit.ripasValue]).toEqual([
        BigInt(base),
        BigInt(top),
        ripas,
      ]);
      if (apply) {
        expect(t.call(SMC_RMI_RTT_SET_RIPAS, RD, REC, base, top).slice(0, 2)).toEqual([
          0n,
          BigInt(top),
        ]);
      }
      expect(t.enter(TRAP_WFI | response)).toEqual(OK);
      expect(seen.slice(0, 3)).toEqual([0n, BigInt(reached), BigInt(want)]);
      expect(t.e.rmm.inspect.rec(REC)).toBeDefined();
      // The request is cleared: RTT_SET_RIPAS has nothing to carry out.
      expect(t.call(SMC_RMI_RTT_SET_RIPAS, RD, REC, reached, top)[0]).toBe(1n);
    });
  });

  it('PSCI CPU_ON exits PSCI with X1 = target; the caller cannot run until PSCI_COMPLETE', () => {
    let seen: bigint[] = [];
    let secondary: bigint[] = [];
    const t = env({
      0: function* (rec) {
        seen = yield* smc(rec, SMC64_PSCI_CPU_ON, 1n, 0x2000n, 0x55n);
        yield WFI;
      },
      1: function* (rec) {
        secondary = [rec.pc, rec.gprs[0]!];
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    const exit = t.exitOf();
    expect(exit.exitReason).toBe(RmiRecExitReason.Psci);
    expect(exit.gprs).toEqual([BigInt(SMC64_PSCI_CPU_ON), 1n, ...new Array(29).fill(0n)]);
    expect(t.enter()).toEqual(REC_ERR);
    expect(t.call(SMC_RMI_PSCI_COMPLETE, REC, REC2, 0)).toEqual(OK);
    expect(t.enter()).toEqual(OK);
    expect(seen[0]).toBe(0n);
    expect(t.enter(TRAP_WFI, zeros31(), REC2, RUN2)).toEqual(OK);
    expect(secondary).toEqual([0x2000n, 0x55n]);
  });

  it('PSCI SYSTEM_OFF exits PSCI; REC_ENTER then answers (RMI_ERROR_REALM, 1)', () => {
    const t = env({
      0: function* (rec) {
        yield* smc(rec, SMC32_PSCI_SYSTEM_OFF);
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    const exit = t.exitOf();
    expect(exit.exitReason).toBe(RmiRecExitReason.Psci);
    expect(exit.gprs[0]).toBe(BigInt(SMC32_PSCI_SYSTEM_OFF));
    expect(t.enter()).toEqual([2n | (1n << 8n), 0n, 0n, 0n, 0n]);
    expect(t.executor.resumes).toBe(1);
  });

  it('PSCI CPU_OFF exits PSCI and the REC cannot run; CPU_ON starts it again at the new entry', () => {
    const seen: bigint[][] = [];
    const t = env({
      0: function* (rec) {
        yield* smc(rec, SMC64_PSCI_CPU_ON, 1n, 0x2000n, 0x11n);
        yield WFI;
        yield* smc(rec, SMC64_PSCI_CPU_ON, 1n, 0x3000n, 0x22n);
        yield WFI;
      },
      1: function* (rec) {
        seen.push([rec.pc, rec.gprs[0]!]);
        yield* smc(rec, SMC32_PSCI_CPU_OFF);
        seen.push([rec.pc, rec.gprs[0]!]);
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    expect(t.call(SMC_RMI_PSCI_COMPLETE, REC, REC2, 0)).toEqual(OK);
    expect(t.enter(TRAP_WFI, zeros31(), REC2, RUN2)).toEqual(OK);
    const off = t.exitOf(RUN2);
    expect([off.exitReason, off.gprs[0]]).toEqual([
      RmiRecExitReason.Psci,
      BigInt(SMC32_PSCI_CPU_OFF),
    ]);
    expect(t.recOf(REC2).runnable).toBe(false);
    expect(t.enter(TRAP_WFI, zeros31(), REC2, RUN2)).toEqual(REC_ERR);
    // REC completes its first CPU_ON, then asks again for the REC that is off.
    expect(t.enter()).toEqual(OK);
    expect(t.enter()).toEqual(OK);
    expect(t.exitOf().exitReason).toBe(RmiRecExitReason.Psci);
    expect(t.call(SMC_RMI_PSCI_COMPLETE, REC, REC2, 0)).toEqual(OK);
    expect(t.enter(TRAP_WFI, zeros31(), REC2, RUN2)).toEqual(OK);
    expect(seen).toEqual([
      [0x2000n, 0x11n],
      [0x3000n, 0x22n],
    ]);
  });

  it('PSCI SYSTEM_RESET also ends the realm: no REC of it can be entered', () => {
    const t = env({
      0: function* (rec) {
        yield* smc(rec, SMC32_PSCI_SYSTEM_RESET);
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    const exit = t.exitOf();
    expect([exit.exitReason, exit.gprs[0]]).toEqual([
      RmiRecExitReason.Psci,
      BigInt(SMC32_PSCI_SYSTEM_RESET),
    ]);
    expect(t.e.rmm.inspect.realm(RD)?.state).toBe(RealmState.SystemOff);
    expect(t.enter()).toEqual([2n | (1n << 8n), 0n, 0n, 0n, 0n]);
    expect(t.enter(TRAP_WFI, zeros31(), REC2, RUN2)).toEqual([2n | (1n << 8n), 0n, 0n, 0n, 0n]);
  });

  it("RSI_MEASUREMENT_READ's X1..X8 reach the realm", () => {
    let seen: bigint[] = [];
    const t = env({
      0: function* (rec) {
        seen = yield* smc(rec, SMC_RSI_MEASUREMENT_READ, 0n);
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    const rim = t.e.rmm.inspect.realm(RD)!.rim;
    const v = new DataView(rim.buffer, rim.byteOffset, rim.byteLength);
    const words = Array.from({ length: 8 }, (_, i) =>
      i * 8 < rim.length ? v.getBigUint64(i * 8, true) : 0n,
    );
    expect(seen).toEqual([0n, ...words]);
    expect(words.some((w) => w !== 0n)).toBe(true);
  });

  it('a run page in realm or Secure memory → INPUT, and the REC does not run', () => {
    const t = env({
      0: function* () {
        yield WFI;
      },
    });
    expect(t.e.call(SMC_RMI_REC_ENTER, REC, t.e.into(SPARE, GranuleState.Delegated))).toEqual(
      INPUT,
    );
    expect(t.e.call(SMC_RMI_REC_ENTER, REC, SECURE_PA)).toEqual(INPUT);
    expect(t.executor.resumes).toBe(0);
    expect(t.refcount(REC)).toBe(0);
  });

  it('an exit write that faults (run page no longer NS) → INPUT, and the REC is not running', () => {
    const t = env({
      0: function* () {
        t.e.platform.gpi.set(RUN / G, World.Secure);
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(INPUT);
    expect(t.executor.resumes).toBe(1);
    expect(t.refcount(REC)).toBe(0);
  });

  it('a REC whose executor throws is not left running', () => {
    const t = env({
      0: function* () {
        yield* [];
        throw new Error('realm crashed');
      },
    });
    expect(() => t.enter()).toThrow('realm crashed');
    expect(t.refcount(REC)).toBe(0);
    expect(t.executor.parks).toEqual([1]);
  });

  it(`a spinning realm exits IRQ after ${REC_ENTER_MAX_RESUMES} resumes`, () => {
    const t = env({
      0: function* () {
        for (;;) yield { kind: 'wfi' };
      },
    });
    const pc0 = t.recOf(REC).pc;
    expect(t.enter(0n)).toEqual(OK);
    expect(t.executor.resumes).toBe(REC_ENTER_MAX_RESUMES);
    const exit = t.exitOf();
    expect(exit.exitReason).toBe(RmiRecExitReason.Irq);
    expect(exit.esr).toBe(0n);
    expect(t.recOf(REC).pc).toBe(pc0 + 4n * BigInt(REC_ENTER_MAX_RESUMES));
    expect(t.refcount(REC)).toBe(0);
    // The host simply enters it again.
    expect(t.enter(0n)).toEqual(OK);
    expect(t.executor.resumes).toBe(2 * REC_ENTER_MAX_RESUMES);
    expect(t.executor.parks).toEqual([REC_ENTER_MAX_RESUMES, 2 * REC_ENTER_MAX_RESUMES]);
  });
});
