/**
 * PSCI from a realm (TF-RMM `runtime/rsi/psci.c`): the RMM answers what it can itself and
 * forwards to the host, with a PSCI exit, what the host must act on.
 *
 * ```text
 * - PSCI_VERSION → 0x10001. PSCI_FEATURES(fid) → 0 for CPU_SUSPEND(32/64), CPU_OFF, CPU_ON(32/64),
 *   AFFINITY_INFO(32/64), SYSTEM_OFF, SYSTEM_RESET, PSCI_FEATURES, SMCCC_VERSION; else
 *   NOT_SUPPORTED(-1).
 * - CPU_SUSPEND: X0 = SUCCESS, exit PSCI (notification).
 * - CPU_OFF: runnable = 0, X0 = SUCCESS, exit PSCI.
 * - CPU_ON(target, entry, ctx): entry ∉ PAR → INVALID_ADDRESS(-9); rec_idx(target, MPIDR_EL1
 *   layout Aff3 at [39:32]) ≥ rec_count → INVALID_PARAMS(-2); target == self → ALREADY_ON(-4);
 *   else pending, exit PSCI (regs unchanged until PSCI_COMPLETE).
 * - AFFINITY_INFO(target, lowest_level): lowest_level ≠ 0 → INVALID_PARAMS; bad target →
 *   INVALID_PARAMS; self → ON(0); else pending + exit.
 * - SYSTEM_OFF / SYSTEM_RESET: realm state := SYSTEM_OFF, exit PSCI.
 * - Other PSCI FIDs → NOT_SUPPORTED.
 * PSCI exit: gprs[0] = FID; CPU_ON / AFFINITY_INFO: gprs[1] = target MPIDR; other gprs 0.
 * ```
 *
 * The SMC32 forms use the low 32 bits of their arguments (TF-RMM casts them to `unsigned int`).
 * A pending CPU_ON / AFFINITY_INFO keeps its arguments in the REC's X1..X3, where
 * RMI_PSCI_COMPLETE reads them (the dispatcher records the call's registers in `Rec.gprs`).
 * SYSTEM_OFF and SYSTEM_RESET leave the REC's registers as they are (the realm does not resume).
 * @module
 */
import {
  PSCI_REALM_FIDS,
  PSCI_VERSION_1_1,
  PsciAffinityInfo,
  PsciReturnCode,
  RealmState,
  RmiRecExitReason,
  type RsiOutcome,
  recIndexFromPsciMpidr,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_ON,
  SMCCC_VERSION,
} from '@islet/abi';
import { addrInPar } from '../rtt/rtt-args.ts';
import {
  exitToHost,
  type RsiCall,
  type RsiContext,
  type RsiResultRegs,
  returnToRealm,
  rsiExit,
} from './context.ts';

/** The FIDs PSCI_FEATURES reports as implemented. */
const FEATURES: ReadonlySet<number> = new Set([...PSCI_REALM_FIDS, SMCCC_VERSION]);

/** A PSCI return value as the realm reads it in X0 (two's complement). */
function psciRet(res: RsiResultRegs, v: number): RsiOutcome {
  res[0] = BigInt.asUintN(64, BigInt(v));
  return returnToRealm(res);
}

/** The PSCI exit of `fid`, with `target` in gprs[1] for CPU_ON and AFFINITY_INFO. */
function psciExit(fid: number, target = 0n) {
  return rsiExit({ exitReason: RmiRecExitReason.Psci, gprs: [BigInt(fid), target] });
}

/** An argument of an SMC32 call: its low 32 bits. */
const arg32 = (x: bigint): bigint => x & 0xffff_ffffn;

/**
 * PSCI_VERSION → X0 = 0x10001 (PSCI 1.1).
 * @see rmm-abi.md §1.4, §5.11
 * @since 0.5.0
 */
export function psciVersion(_ctx: RsiContext, _call: RsiCall, res: RsiResultRegs): RsiOutcome {
  return psciRet(res, PSCI_VERSION_1_1);
}

/**
 * PSCI_FEATURES(X1 fid) → 0 for the functions the RMM implements, else NOT_SUPPORTED.
 * @see rmm-abi.md §5.11
 * @since 0.5.0
 */
export function psciFeatures(_ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  const fid = Number(arg32(call.args[0]));
  return psciRet(res, FEATURES.has(fid) ? PsciReturnCode.Success : PsciReturnCode.NotSupported);
}

/**
 * CPU_SUSPEND (SMC32/SMC64): X0 = SUCCESS and a PSCI exit, so the host knows the REC idles.
 * @see rmm-abi.md §5.11
 * @since 0.5.0
 */
export function psciCpuSuspend(_ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  res[0] = 0n;
  return exitToHost(psciExit(call.fid), res);
}

/**
 * CPU_OFF: the REC is no longer runnable; X0 = SUCCESS and a PSCI exit.
 * @see rmm-abi.md §5.11
 * @since 0.5.0
 */
export function psciCpuOff(_ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  call.rec.runnable = false;
  res[0] = 0n;
  return exitToHost(psciExit(call.fid), res);
}

/**
 * CPU_ON(X1 target_cpu, X2 entry_point_address, X3 context_id), SMC32 or SMC64.
 * @see rmm-abi.md §5.11, §2.23
 * @since 0.5.0
 */
export function psciCpuOn(_ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  const { rec, realm } = call;
  const smc32 = call.fid === SMC32_PSCI_CPU_ON;
  const target = smc32 ? arg32(call.args[0]) : call.args[0];
  const entry = smc32 ? arg32(call.args[1]) : call.args[1];
  if (!addrInPar(Number(entry), realm)) return psciRet(res, PsciReturnCode.InvalidAddress);
  const idx = recIndexFromPsciMpidr(target);
  if (idx >= realm.recCount) return psciRet(res, PsciReturnCode.InvalidParams);
  if (idx === rec.index) return psciRet(res, PsciReturnCode.AlreadyOn);
  rec.psciPending = call.fid;
  return exitToHost(psciExit(call.fid, target));
}

/**
 * AFFINITY_INFO(X1 target_affinity, X2 lowest_affinity_level), SMC32 or SMC64.
 * @see rmm-abi.md §5.11, §2.23
 * @since 0.5.0
 */
export function psciAffinityInfo(_ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  const { rec, realm } = call;
  const smc32 = call.fid === SMC32_PSCI_AFFINITY_INFO;
  const target = smc32 ? arg32(call.args[0]) : call.args[0];
  const lowest = smc32 ? arg32(call.args[1]) : call.args[1];
  if (lowest !== 0n) return psciRet(res, PsciReturnCode.InvalidParams);
  const idx = recIndexFromPsciMpidr(target);
  if (idx >= realm.recCount) return psciRet(res, PsciReturnCode.InvalidParams);
  if (idx === rec.index) return psciRet(res, PsciAffinityInfo.On);
  rec.psciPending = call.fid;
  return exitToHost(psciExit(call.fid, target));
}

/**
 * SYSTEM_OFF and SYSTEM_RESET: the realm goes to SYSTEM_OFF (no REC of it can be entered again)
 * and the REC exits with PSCI.
 * @see rmm-abi.md §4.2, §5.11
 * @since 0.5.0
 */
export function psciSystemOff(_ctx: RsiContext, call: RsiCall, _res: RsiResultRegs): RsiOutcome {
  call.realm.state = RealmState.SystemOff;
  return exitToHost(psciExit(call.fid));
}

/**
 * Any other FID in the PSCI ranges: X0 = NOT_SUPPORTED.
 * @see rmm-abi.md §5.11
 * @since 0.5.0
 */
export function psciNotSupported(_ctx: RsiContext, _call: RsiCall, res: RsiResultRegs): RsiOutcome {
  return psciRet(res, PsciReturnCode.NotSupported);
}
