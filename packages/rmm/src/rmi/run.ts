/**
 * RMI_REC_ENTER (TF-RMM `runtime/rmi/run.c smc_rec_enter`, `runtime/core/run.c rec_run_loop`):
 * the input checks, steps 1–9 of the digest, then, when the RMM has a {@link RealmRunner}, the
 * completion of pending operations and the run loop (steps 10–12). Without a runner a REC that
 * passes every check cannot run, and the handler answers `SMC_UNKNOWN` with nothing changed, as
 * for a command this RMM does not have.
 *
 * ```text
 * 1. run_ptr: find_granule NULL or state≠NS → INPUT.
 * 2. rec: align/bound/state≠REC → INPUT; REC refcount≠0 (running elsewhere) → RMI_ERROR_REC.
 * 3. NS read of `enter` (0x800 bytes) faults (Secure PAS) → INPUT.
 * 4. realm state NEW → (RMI_ERROR_REALM, index 0); SYSTEM_OFF → (RMI_ERROR_REALM, index 1).
 * 5. rec not runnable → RMI_ERROR_REC.
 * 6. PSCI request pending on this REC → RMI_ERROR_REC.
 * 7. GIC state invalid → RMI_ERROR_REC.
 * 8. flags.INJECT_SEA(bit1) set but last exit was not a Data Abort at an unprotected IPA →
 *    RMI_ERROR_REC.
 * 9. flags.EMUL_MMIO(bit0) set (and INJECT_SEA clear) but last exit was not an emulatable data
 *    abort (EC=0x24 with ISV) → RMI_ERROR_REC.
 * 10. Completion of pending ops: INJECT_SEA → an SEA is pending for the faulting access (PC
 *    unchanged); else EMUL_MMIO: MMIO read value `enter.gprs[0] & access_mask` (sign-extended per
 *    SSE/SF) → Xt, PC+=4 (a write: PC+=4); RIPAS response (flags bit4: 0 accept, 1 reject); host
 *    call results (`enter.gprs[0..30]` → RsiHostCall.gprs, X0=RSI_SUCCESS). If the host-call data
 *    page is now unmapped, REC_ENTER returns SUCCESS immediately with an emulated stage-2 data
 *    abort exit (REC not run). Then the last exit is forgotten (TF-RMM `reset_last_run_info`).
 * 11. HCR.TWI/TWE from flags bit2/bit3. Run.
 * 12. Write `exit` (0x800 bytes) to run+0x800; if that NS write faults → INPUT.
 * ```
 *
 * **The run loop.** The REC is "running" (REC granule refcount 1) from the first completion to
 * the return, also when the executor throws. Each {@link RealmExecutor.resume} ends in a trap:
 * - an SMC goes to the RSI dispatcher ({@link RealmRunner.rsi}, the path of `handleRsi`), with the
 *   REC's X1..X10. "Return to realm" applies the result registers, advances PC and resumes; an
 *   exit advances PC (not for an emulated stage-2 abort) and leaves the loop with the outcome's
 *   exit record;
 * - WFI/WFE exit SYNC (esr = EC 0x01 | TI) when the entry flags trap them, else the REC resumes;
 *   PC advances either way;
 * - a data abort is classified by its IPA ({@link handleDataAbort}, PC unchanged): beyond the IPA
 *   space or at RIPAS EMPTY the SEA is injected and the REC resumes; at a protected IPA it exits
 *   SYNC with a syndrome the host cannot emulate (it may map the page; the access is retried); at
 *   an unprotected IPA it exits SYNC for the host to emulate (EMUL_MMIO) or refuse (INJECT_SEA).
 *
 * Every exit records what steps 8–10 of the next REC_ENTER depend on (TF-RMM `last_run_info`).
 *
 * **Bound.** After {@link REC_ENTER_MAX_RESUMES} consecutive resumes without an exit, the REC exits
 * with IRQ (exit_reason 1, PC where it stopped), as when a physical interrupt is pending for the
 * host: a realm that spins cannot hang the host, which simply enters the REC again. (Real
 * hardware bounds the run by the host's timer interrupt; there is no clock here to count.)
 *
 * **RmiRecExit** is zeroed, then filled with the exit record of the trap (§3.3) and what the run
 * loop owns: `gicv3_hcr` = the entry's masked to the host's bits and `gicv3_lrs` = the entry's (no
 * virtual interrupt is delivered yet, so the list registers come back as the host wrote them);
 * `gicv3_misr`, `gicv3_vmcr`, the timers and `pmu_ovf_status` read 0 (not modelled). It goes to
 * run+0x800 with one Normal-world write; a fault there answers RMI_ERROR_INPUT (the realm's state
 * changes of the run stay, as in TF-RMM).
 *
 * **Deviation**: a pending host call whose structure now has RIPAS EMPTY completes with
 * X0 = RSI_ERROR_INPUT (the walk cannot reach it; TF-RMM rel0 asserts it cannot happen).
 * @module
 */
import {
  decodeRecEnter,
  decodeRecEnterFlags,
  ESR_EC_SHIFT,
  EsrEc,
  encodeRecExit,
  GICV3_HCR_NS_MASK,
  GranuleState,
  HOST_CALL_LAYOUT,
  HOST_CALL_NR_GPRS,
  MemoryAccess,
  REC_EXIT_OFFSET,
  REC_RUN_HALF_SIZE,
  RealmState,
  type RecEnter,
  type RecEnterFlags,
  type RmiArgs,
  RmiRecExitReason,
  RmiResponse,
  type RmiReturnCode,
  RmiStatus,
  RsiAction,
  type RsiExit,
  RsiResponse,
  RsiRipas,
  RsiStatus,
  World,
} from '@islet/abi';
import { assert, type PhysAddr } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import { completeMmioEmulation, handleDataAbort, isEmulatableAbort } from '../rec/data-abort.ts';
import { isValidGicState } from '../rec/gic.ts';
import { type LastExit, NO_EXIT, type Rec } from '../rec/rec.ts';
import { emulatedAbortEsr, rsiExit } from '../rsi/context.ts';
import { RealmIpaStatus, realmIpaToPa } from '../rsi/realm-ipa.ts';
import {
  type RealmRunner,
  RMI_ERROR_INPUT,
  RMI_ERROR_REALM,
  RMI_ERROR_REC,
  RMI_NOT_IMPLEMENTED,
  RMI_SUCCESS,
  type RmiContext,
  type RmiResultRegs,
} from './context.ts';
import { realmAt } from './realm.ts';

/**
 * What REC_ENTER runs when its input checks pass.
 * @since 0.4.0
 */
export interface RecEnterTarget {
  readonly rec: Rec;
  readonly realm: Realm;
  /** The RmiRecEnter half of the run page, read from the host once. */
  readonly enter: RecEnter;
  /**
   * PA of the run page (RmiRecRun), where the exit goes.
   * @since 0.6.0
   */
  readonly runPa: PhysAddr;
}

/** `(RMI_ERROR_REALM, 1)`: REC_ENTER on a SYSTEM_OFF realm. */
const RMI_ERROR_REALM_SYSTEM_OFF: RmiReturnCode = Object.freeze({
  status: RmiStatus.ErrorRealm,
  index: 1,
});

/**
 * RMI_REC_ENTER(X1 rec, X2 run_ptr) steps 1–9: the target, or the status to return. Changes
 * nothing; reads host memory once.
 * @see rmm-abi.md §2.11
 * @since 0.4.0
 */
export function recEnterChecks(ctx: RmiContext, args: RmiArgs): RecEnterTarget | RmiReturnCode {
  const { granules } = ctx;
  const runIdx = granules.findFromRegister(args[1]);
  if (runIdx === NO_GRANULE || granules.states[runIdx] !== GranuleState.Undelegated) {
    return RMI_ERROR_INPUT;
  }
  const recIdx = granules.findFromRegister(args[0]);
  if (recIdx === NO_GRANULE || granules.states[recIdx] !== GranuleState.Rec) {
    return RMI_ERROR_INPUT;
  }
  if (granules.refcount(recIdx) !== 0) return RMI_ERROR_REC;
  const page = new Uint8Array(REC_RUN_HALF_SIZE);
  if (ctx.memory.read(World.Normal, granules.address(runIdx), page) !== MemoryAccess.Ok) {
    return RMI_ERROR_INPUT;
  }
  const enter = decodeRecEnter(page);
  const rec = ctx.recs.get(recIdx);
  assert(rec !== undefined, () => `REC granule ${recIdx} has no REC`);
  const realm = realmAt(ctx, rec.rdIdx);
  if (realm.state === RealmState.New) return RMI_ERROR_REALM;
  if (realm.state === RealmState.SystemOff) return RMI_ERROR_REALM_SYSTEM_OFF;
  if (!rec.runnable) return RMI_ERROR_REC;
  if (rec.psciPending !== undefined) return RMI_ERROR_REC;
  if (!isValidGicState(enter)) return RMI_ERROR_REC;
  const flags = decodeRecEnterFlags(enter.flags);
  if (flags.injectSea) {
    if (!rec.lastExit.unprotectedDataAbort) return RMI_ERROR_REC;
  } else if (flags.emulMmio && !isEmulatableAbort(rec.lastExit)) {
    return RMI_ERROR_REC;
  }
  return { rec, realm, enter, runPa: granules.address(runIdx) as PhysAddr };
}

/**
 * Consecutive resumes of a REC without an exit after which REC_ENTER exits with IRQ (the bound on
 * a spinning realm; see the module documentation).
 * @since 0.6.0
 */
export const REC_ENTER_MAX_RESUMES = 1_000_000;

/** ESR_EL2 of a trapped WFI (EC 0x01, TI 0); WFE adds TI = 1 (TF-RMM reports EC | TI only). */
const ESR_WFI = BigInt(EsrEc.Wfx) << ESR_EC_SHIFT;
const ESR_WFX_TI_WFE = 1n;
/** The size of an A64 instruction: how far PC advances past a completed SMC or WFx. */
const INSN_SIZE = 4n;

/**
 * RMI_REC_ENTER(X1 rec, X2 run_ptr): every input error with its status; then, with a
 * {@link RealmRunner}, the REC runs until it exits and RmiRecExit goes to run+0x800. Without a
 * runner a REC that passes every check cannot run, and the call answers `SMC_UNKNOWN` with
 * nothing changed.
 * @see rmm-abi.md §2.11, §3.3
 * @since 0.4.0
 */
export function rmiRecEnter(ctx: RmiContext, args: RmiArgs, _res: RmiResultRegs): RmiReturnCode {
  const target = recEnterChecks(ctx, args);
  if (!('rec' in target)) return target;
  const runner = ctx.run;
  if (runner === undefined) return RMI_NOT_IMPLEMENTED;
  const { rec, runPa } = target;
  const { granules } = ctx;
  granules.refcountInc(rec.recIdx);
  let exit: RsiExit;
  try {
    exit = runRec(ctx, runner, target);
  } finally {
    granules.refcountDec(rec.recIdx);
    runner.executor.park?.(rec);
  }
  const { enter } = target;
  const page = encodeRecExit({
    ...exit,
    gicv3Hcr: enter.gicv3Hcr & GICV3_HCR_NS_MASK,
    gicv3Lrs: enter.gicv3Lrs,
    gicv3Misr: 0n,
    gicv3Vmcr: 0n,
    cntpCtl: 0n,
    cntpCval: 0n,
    cntvCtl: 0n,
    cntvCval: 0n,
    pmuOvfStatus: 0,
  });
  const written = ctx.memory.write(World.Normal, (runPa + REC_EXIT_OFFSET) as PhysAddr, page);
  return written === MemoryAccess.Ok ? RMI_SUCCESS : RMI_ERROR_INPUT;
}

/**
 * Steps 10–11: completes what the host answered, then runs the REC until it exits. Every return
 * records the exit in `rec.lastExit`.
 */
function runRec(ctx: RmiContext, runner: RealmRunner, target: RecEnterTarget): RsiExit {
  const { rec, realm, enter } = target;
  const flags = decodeRecEnterFlags(enter.flags);
  if (flags.injectSea) rec.injectSea = true;
  else if (flags.emulMmio) completeMmioEmulation(rec, enter.gprs[0] ?? 0n);
  completeSetRipas(rec, flags);
  const abort = completeHostCall(ctx, realm, rec, enter);
  if (abort !== undefined) return exitWith(rec, abort);
  rec.lastExit = NO_EXIT;
  const recPa = ctx.granules.address(rec.recIdx) as PhysAddr;
  const gprs = rec.gprs;
  for (let n = 0; n < REC_ENTER_MAX_RESUMES; n++) {
    const trap = runner.executor.resume(rec);
    switch (trap.kind) {
      case 'smc': {
        const outcome = runner.rsi(recPa, trap.fid, Array.from(gprs.subarray(1, 11)));
        const regs = outcome.regs;
        if (regs !== undefined) {
          for (let i = 0; i < regs.length && i < gprs.length; i++) gprs[i] = regs[i]!;
        }
        if (outcome.action !== RsiAction.ExitToHostS2Fault) rec.pc += INSN_SIZE;
        if (outcome.action === RsiAction.ReturnToRealm) continue;
        assert(outcome.exit !== undefined, () => 'an RSI exit to the host without an exit record');
        return exitWith(rec, outcome.exit);
      }
      case 'wfi':
      case 'wfe': {
        rec.pc += INSN_SIZE;
        const wfe = trap.kind === 'wfe';
        if (wfe ? !flags.trapWfe : !flags.trapWfi) continue;
        const esr = wfe ? ESR_WFI | ESR_WFX_TI_WFE : ESR_WFI;
        return exitWith(rec, rsiExit({ exitReason: RmiRecExitReason.Sync, esr }));
      }
      case 'dataAbort': {
        const out = handleDataAbort(ctx, realm, rec, trap);
        if (out === undefined) continue;
        return exitWith(rec, out.exit, out.last);
      }
    }
  }
  return exitWith(rec, rsiExit({ exitReason: RmiRecExitReason.Irq }));
}

/**
 * Records `last` (by default: not a data abort, the host's ESR) for the next REC_ENTER's steps
 * 8–10 and returns `exit`.
 */
function exitWith(
  rec: Rec,
  exit: RsiExit,
  last: LastExit = { esr: exit.esr, unprotectedDataAbort: false },
): RsiExit {
  rec.lastExit = last;
  return exit;
}

/**
 * §5.8 on re-entry: X0 = SUCCESS, X1 = the address RTT_SET_RIPAS reached, X2 = RSI_REJECT only
 * for a RAM request the host stopped short of `top` and rejected; the request is cleared.
 */
function completeSetRipas(rec: Rec, flags: RecEnterFlags): void {
  const req = rec.setRipas;
  if (req === undefined) return;
  const reject =
    req.ripas === RsiRipas.Ram &&
    req.addr !== req.top &&
    flags.ripasResponse === RmiResponse.Reject;
  rec.gprs[0] = BigInt(RsiStatus.Success);
  rec.gprs[1] = BigInt(req.addr);
  rec.gprs[2] = BigInt(reject ? RsiResponse.Reject : RsiResponse.Accept);
  rec.setRipas = undefined;
}

/**
 * §5.10 on re-entry: `enter.gprs[0..30]` into the RsiHostCall structure (Realm PAS), X0 =
 * SUCCESS, the call completed. An unmapped structure leaves the call pending and returns the
 * emulated stage-2 abort to exit with (the REC does not run).
 */
function completeHostCall(
  ctx: RmiContext,
  realm: Realm,
  rec: Rec,
  enter: RecEnter,
): RsiExit | undefined {
  const ipa = rec.hostCall;
  if (ipa === undefined) return undefined;
  const t = realmIpaToPa(ctx.granules, ctx.memory, realm, ipa);
  if (t.status === RealmIpaStatus.Unmapped) {
    return rsiExit({
      exitReason: RmiRecExitReason.Sync,
      esr: emulatedAbortEsr(t.level),
      hpfar: BigInt(ipa) >> 8n,
    });
  }
  rec.hostCall = undefined;
  if (t.status === RealmIpaStatus.Empty) {
    rec.gprs[0] = BigInt(RsiStatus.ErrorInput);
    return undefined;
  }
  const bytes = new Uint8Array(HOST_CALL_LAYOUT.gprs.size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < HOST_CALL_NR_GPRS; i++) {
    view.setBigUint64(i * 8, BigInt.asUintN(64, enter.gprs[i] ?? 0n), true);
  }
  const pa = (t.pa + HOST_CALL_LAYOUT.gprs.offset) as PhysAddr;
  assert(
    ctx.memory.write(World.Realm, pa, bytes) === MemoryAccess.Ok,
    () => `DATA granule at 0x${t.pa.toString(16)} is not writable in the Realm PAS`,
  );
  rec.gprs[0] = BigInt(RsiStatus.Success);
  return undefined;
}
