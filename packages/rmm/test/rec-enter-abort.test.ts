/**
 * Data aborts in REC_ENTER's run loop (digest §2.11 steps 8–10, §3.3, §4.5; TF-RMM
 * `handle_data_abort`, `complete_mmio_emulation`, `complete_sea_insertion`) with the scripted
 * executor of `support/run.ts`, on the realm of `support/rsi.ts` (s2sz 40: PAR [0, 2^39),
 * unprotected [2^39, 2^40)).
 * @module
 */
import {
  DFSC_SEA,
  dfscTranslation,
  encodeDataAbortEsr,
  type RecExit,
  RmiRecEnterFlag,
  RmiRecExitReason,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_REC_DESTROY,
} from '@islet/abi';
import { IsletInvariantError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { ESR_EMULATED_ABORT_MASK, ESR_NONEMULATED_ABORT_MASK } from '../src/rec/data-abort.ts';
import type { RealmTrap, RecView } from '../src/rec/executor.ts';
import { OK, RD, REC, REC_ERR, RTT } from './support/realm.ts';
import { D, IPA } from './support/rsi.ts';
import { ESR_WFI, runEnv, TRAP_WFI, WFI, zeros31 } from './support/run.ts';

/** The first unprotected IPA and the first IPA beyond the IPA space. */
const UNPROTECTED = 2 ** 39;
const IPA_END = 2 ** 40;

const EC_DABT = 0x24n << 26n;
const IL = 1n << 25n;
const ISV = 1n << 24n;
const SSE = 1n << 21n;
const SF = 1n << 15n;
const AR = 1n << 14n;
const FNV = 1n << 10n;
const WNR = 1n << 6n;
const SET_UEO = 0x3n << 11n;
const SET_UC = 0x2n << 11n;
const sas = (size: 1 | 2 | 4 | 8): bigint => BigInt(Math.log2(size)) << 22n;
const srt = (r: number): bigint => BigInt(r) << 16n;
const L3_TRANSLATION = BigInt(dfscTranslation(3));

/** HPFAR_EL2 of an abort at `ipa`: IPA[51:12] in bits [43:4]. */
const hpfarOf = (ipa: number): bigint => (BigInt(ipa) >> 12n) << 4n;
/** A data abort at `ipa` with ESR `esr` and FAR `far`. */
const abortAt = (ipa: number, esr: bigint, far = 0xffff_8000_dead_b678n): RealmTrap => ({
  kind: 'dataAbort',
  esr,
  far,
  hpfar: hpfarOf(ipa),
});

/** The exit fields a data abort decides. */
const fields = (x: RecExit) => ({
  exitReason: x.exitReason,
  esr: x.esr,
  far: x.far,
  hpfar: x.hpfar,
  gprs: x.gprs,
  ripas: [x.ripasBase, x.ripasTop, x.ripasValue, x.imm],
});
const sync = (esr: bigint, far: bigint, hpfar: bigint, x0 = 0n) => ({
  exitReason: RmiRecExitReason.Sync,
  esr,
  far,
  hpfar,
  gprs: [x0, ...zeros31().slice(1)],
  ripas: [0n, 0n, 0, 0],
});

/** A program that takes `trap` once, records PC and X0..X30 when resumed, then WFIs forever. */
function faultOnce(trap: RealmTrap | ((rec: RecView) => RealmTrap)) {
  const seen: { pc: bigint; gprs: bigint[] }[] = [];
  const program = function* (rec: RecView): Generator<RealmTrap, void, void> {
    yield typeof trap === 'function' ? trap(rec) : trap;
    for (;;) {
      seen.push({ pc: rec.pc, gprs: Array.from(rec.gprs) });
      yield WFI;
    }
  };
  return { seen, program };
}

const EMUL_MMIO = RmiRecEnterFlag.EmulMmio;
const INJECT_SEA = RmiRecEnterFlag.InjectSea;
/** Host gprs with X0 = `x0`. */
const withX0 = (x0: bigint): bigint[] => [x0, ...zeros31().slice(1)];

describe('the REC as the executor sees it', () => {
  it("REC_CREATE records the realm's stage-2 translation and no pending SEA", () => {
    let view: unknown;
    const t = runEnv({
      0: function* (rec) {
        view = { realm: rec.realm, injectSea: rec.injectSea };
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    expect(view).toEqual({
      realm: { rd: BigInt(RD), rttBase: BigInt(RTT), rttLevelStart: 1, ipaWidth: 40 },
      injectSea: false,
    });
  });

  it('the host-visible ESR masks are those of TF-RMM', () => {
    expect(ESR_NONEMULATED_ABORT_MASK).toBe(0xfc00_1e3fn);
    expect(ESR_EMULATED_ABORT_MASK).toBe(0xfdc0_9e7fn);
  });
});

describe('a data abort at an unprotected IPA exits SYNC for the host to emulate', () => {
  const ipa = UNPROTECTED + 0x5000;

  it('a write with ISV: esr, far, hpfar and the value written, bit for bit', () => {
    const raw = EC_DABT | IL | ISV | sas(4) | SSE | srt(5) | SF | AR | WNR | L3_TRANSLATION;
    const { seen, program } = faultOnce((rec) => {
      rec.gprs[5] = 0x1122_3344_cafe_f00dn;
      return abortAt(ipa, raw);
    });
    const t = runEnv({ 0: program });
    const pc = t.recOf(REC).pc;
    expect(t.enter()).toEqual(OK);
    expect(fields(t.exitOf())).toEqual(sync(0x9180_8047n, 0x678n, 0x8000_0050n, 0xcafe_f00dn));
    expect(hpfarOf(ipa)).toBe(0x8000_0050n);
    expect(t.recOf(REC).pc).toBe(pc);
    expect(t.refcount(REC)).toBe(0);
    // EMUL_MMIO completes the write: PC steps past it, no register changes.
    const before = t.recOf(REC).gprs;
    expect(t.enter(TRAP_WFI | EMUL_MMIO, withX0(0x55n))).toEqual(OK);
    expect(seen[0]).toEqual({ pc: pc + 4n, gprs: before });
    expect(t.executor.seas).toEqual([]);
  });

  it('a write of XZR reports 0', () => {
    const raw = EC_DABT | ISV | sas(8) | srt(31) | SF | WNR | L3_TRANSLATION;
    const { program } = faultOnce((rec) => {
      rec.gprs.fill(0xffn);
      return abortAt(ipa, raw);
    });
    const t = runEnv({ 0: program });
    expect(t.enter()).toEqual(OK);
    expect(fields(t.exitOf())).toEqual(sync(raw & ESR_EMULATED_ABORT_MASK, 0x678n, hpfarOf(ipa)));
  });

  describe('EMUL_MMIO completes a read into Xt: size mask, SSE sign extension, SF', () => {
    it.each([
      [1, false, true, 0x1234_5680n, 0x80n],
      [1, true, true, 0x80n, 0xffff_ffff_ffff_ff80n],
      [1, true, false, 0x80n, 0xffff_ff80n],
      [1, true, true, 0x7fn, 0x7fn],
      [2, false, false, 0xffff_8001n, 0x8001n],
      [2, true, true, 0x8001n, 0xffff_ffff_ffff_8001n],
      [2, true, false, 0x1_8001n, 0xffff_8001n],
      [4, false, false, 0xffff_ffff_8000_0001n, 0x8000_0001n],
      [4, true, true, 0x8000_0000n, 0xffff_ffff_8000_0000n],
      [4, true, false, 0x8000_0000n, 0x8000_0000n],
      [8, false, true, 0x8000_0000_0000_0001n, 0x8000_0000_0000_0001n],
      [8, true, true, 0xffff_ffff_ffff_fffen, 0xffff_ffff_ffff_fffen],
    ] as const)('size %i, SSE %s, SF %s: host 0x%s', (size, signExtend, sixtyFour, host, want) => {
      const raw =
        encodeDataAbortEsr({
          dfsc: dfscTranslation(3),
          write: false,
          access: { size, register: 7, signExtend, sixtyFour },
        }) | AR;
      const { seen, program } = faultOnce((rec) => {
        rec.gprs[7] = 0xaaaa_aaaa_aaaa_aaaan;
        return abortAt(ipa, raw);
      });
      const t = runEnv({ 0: program });
      const pc = t.recOf(REC).pc;
      expect(t.enter()).toEqual(OK);
      const x = t.exitOf();
      expect(fields(x)).toEqual(sync(raw & ESR_EMULATED_ABORT_MASK, 0x678n, hpfarOf(ipa)));
      expect(x.esr & (SSE | srt(31) | IL | AR)).toBe(0n);
      expect(t.enter(TRAP_WFI | EMUL_MMIO, withX0(host))).toEqual(OK);
      expect(seen[0]?.pc).toBe(pc + 4n);
      expect(seen[0]?.gprs[7]).toBe(want);
    });

    it('a read into XZR changes no register', () => {
      const raw = EC_DABT | ISV | sas(4) | srt(31) | L3_TRANSLATION;
      const { seen, program } = faultOnce(abortAt(ipa, raw));
      const t = runEnv({ 0: program });
      const pc = t.recOf(REC).pc;
      expect(t.enter()).toEqual(OK);
      const before = t.recOf(REC).gprs;
      expect(t.enter(TRAP_WFI | EMUL_MMIO, withX0(0x1234n))).toEqual(OK);
      expect(seen[0]).toEqual({ pc: pc + 4n, gprs: before });
    });
  });

  it('INJECT_SEA instead: the SEA is taken at the faulting access, PC unchanged, EMUL_MMIO ignored', () => {
    const raw = EC_DABT | ISV | sas(4) | srt(3) | L3_TRANSLATION;
    const { seen, program } = faultOnce((rec) => {
      rec.gprs[3] = 0x77n;
      return abortAt(ipa, raw);
    });
    const t = runEnv({ 0: program });
    const pc = t.recOf(REC).pc;
    expect(t.enter()).toEqual(OK);
    expect(t.enter(TRAP_WFI | INJECT_SEA | EMUL_MMIO, withX0(0x99n))).toEqual(OK);
    expect(t.executor.seas).toEqual([pc]);
    expect(seen[0]?.pc).toBe(pc);
    expect(seen[0]?.gprs[3]).toBe(0x77n);
  });

  it('without ISV: SYNC without the value; EMUL_MMIO is refused, INJECT_SEA is not', () => {
    const raw = EC_DABT | IL | WNR | L3_TRANSLATION;
    const { seen, program } = faultOnce((rec) => {
      rec.gprs[0] = 0x5ec2e7n;
      return abortAt(ipa, raw);
    });
    const t = runEnv({ 0: program });
    const pc = t.recOf(REC).pc;
    expect(t.enter()).toEqual(OK);
    expect(fields(t.exitOf())).toEqual(sync(EC_DABT | WNR | L3_TRANSLATION, 0x678n, hpfarOf(ipa)));
    const before = t.recOf(REC);
    expect(t.enter(TRAP_WFI | EMUL_MMIO, withX0(1n))).toEqual(REC_ERR);
    expect(t.recOf(REC)).toEqual(before);
    expect(t.executor.resumes).toBe(1);
    expect(t.enter(TRAP_WFI | INJECT_SEA)).toEqual(OK);
    expect(t.executor.seas).toEqual([pc]);
    expect(seen[0]?.pc).toBe(pc);
  });

  it('the next exit replaces it: after a WFI exit EMUL_MMIO and INJECT_SEA are refused', () => {
    const raw = EC_DABT | ISV | sas(4) | srt(1) | L3_TRANSLATION;
    const t = runEnv({
      0: function* () {
        yield abortAt(ipa, raw);
        yield WFI;
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    expect(t.enter(TRAP_WFI | INJECT_SEA)).toEqual(OK);
    expect(t.exitOf().esr).toBe(ESR_WFI);
    expect(t.enter(TRAP_WFI | EMUL_MMIO)).toEqual(REC_ERR);
    expect(t.enter(TRAP_WFI | INJECT_SEA)).toEqual(REC_ERR);
  });
});

describe('a data abort at a protected IPA', () => {
  const raw = EC_DABT | IL | ISV | sas(8) | srt(2) | SF | AR | WNR | L3_TRANSLATION;

  it.each([
    ['UNASSIGNED RAM', IPA.unassignedRam],
    ['UNASSIGNED DESTROYED', IPA.destroyed],
    ['ASSIGNED RAM (a spurious fault)', IPA.ram2 + 0x18],
    ['UNASSIGNED RAM at level 2', IPA.l2Ram + 0x3000],
  ])('%s: SYNC the host cannot emulate; EMUL_MMIO and INJECT_SEA refused', (_name, ipa) => {
    const { program } = faultOnce((rec) => {
      rec.gprs[2] = 0x1234n;
      return abortAt(ipa, raw);
    });
    const t = runEnv({ 0: program });
    expect(t.enter()).toEqual(OK);
    const pageHpfar = hpfarOf(ipa - (ipa % 0x1000));
    expect(fields(t.exitOf())).toEqual(sync(EC_DABT | L3_TRANSLATION, 0n, pageHpfar));
    const before = t.recOf(REC);
    expect(t.enter(TRAP_WFI | EMUL_MMIO)).toEqual(REC_ERR);
    expect(t.enter(TRAP_WFI | INJECT_SEA)).toEqual(REC_ERR);
    expect(t.recOf(REC)).toEqual(before);
  });

  it('the host maps the page and enters again: the access is retried at the same PC', () => {
    let retried = false;
    const t = runEnv({
      0: function* (rec) {
        const pc = rec.pc;
        yield abortAt(IPA.unassignedRam, raw);
        retried = rec.pc === pc;
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    expect(t.exitOf().hpfar).toBe(0x30n);
    expect(t.call(SMC_RMI_DATA_CREATE_UNKNOWN, RD, D[3]!, IPA.unassignedRam)).toEqual(OK);
    expect(t.enter()).toEqual(OK);
    expect(retried).toBe(true);
    expect(t.exitOf().esr).toBe(ESR_WFI);
    expect(t.executor.seas).toEqual([]);
  });

  it.each([
    ['UNASSIGNED EMPTY', IPA.empty],
    ['ASSIGNED EMPTY', IPA.assignedEmpty],
    ['UNASSIGNED EMPTY at level 1', IPA.l1Empty + 0x20_0000],
    ['beyond the IPA space', IPA_END],
    ['far beyond the IPA space', 2 ** 48 + 0x1000],
  ])('%s: the SEA is injected and the REC resumes without an exit', (_name, ipa) => {
    const { seen, program } = faultOnce(abortAt(ipa, raw));
    const t = runEnv({ 0: program });
    const pc = t.recOf(REC).pc;
    expect(t.enter()).toEqual(OK);
    expect(t.executor.resumes).toBe(2);
    expect(t.executor.seas).toEqual([pc]);
    expect(seen[0]?.pc).toBe(pc);
    expect(t.exitOf().esr).toBe(ESR_WFI);
    expect(t.enter(TRAP_WFI | INJECT_SEA)).toEqual(REC_ERR);
  });
});

describe('an external abort is reported to the host at once', () => {
  const ipa = UNPROTECTED + 0x1000;
  const raw = EC_DABT | IL | ISV | sas(4) | srt(1) | FNV | WNR | BigInt(DFSC_SEA);

  it('recoverable (SET = UER): SYNC without FAR and HPFAR, and the realm takes the SEA', () => {
    const { seen, program } = faultOnce(abortAt(ipa, raw));
    const t = runEnv({ 0: program });
    const pc = t.recOf(REC).pc;
    expect(t.enter()).toEqual(OK);
    expect(fields(t.exitOf())).toEqual(sync(EC_DABT | FNV | BigInt(DFSC_SEA), 0n, 0n));
    expect(t.enter(TRAP_WFI | EMUL_MMIO)).toEqual(REC_ERR);
    expect(t.enter()).toEqual(OK);
    expect(t.executor.seas).toEqual([pc]);
    expect(seen[0]?.pc).toBe(pc);
  });

  it('restartable (SET = UEO): reported only; the REC restarts the access', () => {
    const { program } = faultOnce(abortAt(ipa, raw | SET_UEO));
    const t = runEnv({ 0: program });
    expect(t.enter()).toEqual(OK);
    expect(t.exitOf().esr).toBe(EC_DABT | SET_UEO | FNV | BigInt(DFSC_SEA));
    expect(t.enter()).toEqual(OK);
    expect(t.executor.seas).toEqual([]);
  });

  it('uncontainable (SET = UC) is fatal, and the REC is not left running', () => {
    const { program } = faultOnce(abortAt(ipa, raw | SET_UC));
    const t = runEnv({ 0: program });
    expect(() => t.enter()).toThrow(IsletInvariantError);
    expect(t.refcount(REC)).toBe(0);
  });
});

describe('RMI_REC_DESTROY releases the REC from the executor', () => {
  it('after the REC is gone; not when the REC is running', () => {
    let destroyWhileRunning: readonly bigint[] = [];
    const t = runEnv({
      0: function* () {
        destroyWhileRunning = t.call(SMC_RMI_REC_DESTROY, REC);
        yield WFI;
      },
    });
    expect(t.enter()).toEqual(OK);
    expect(destroyWhileRunning).toEqual(REC_ERR);
    expect(t.executor.released).toEqual([]);
    expect(t.call(SMC_RMI_REC_DESTROY, REC)).toEqual(OK);
    expect(t.executor.released).toEqual([0]);
    expect(t.e.rmm.inspect.rec(REC)).toBeUndefined();
  });
});
