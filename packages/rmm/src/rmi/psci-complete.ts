/**
 * RMI_PSCI_COMPLETE (TF-RMM `runtime/rmi/rec.c smc_psci_complete`, `runtime/rsi/psci.c
 * psci_complete_request`): the host answering a REC's PSCI CPU_ON or AFFINITY_INFO about another
 * REC of the same realm.
 *
 * ```text
 * X3 = status (PsciReturnCode: SUCCESS 0, DENIED = (u64)-3).
 * 1. calling not 4K aligned → INPUT; target not aligned → INPUT.
 * 2. lock calling + target (both REC; alias calling==target fails) → INPUT.
 * 3. calling REC running → INPUT.
 * 4. calling has no pending PSCI request → INPUT. 5. different realms → INPUT.
 * 6. target.rec_idx ≠ rec_idx(MPIDR in calling X1) → INPUT.
 * 7. CPU_ON: status ∉ {SUCCESS, DENIED} → INPUT; AFFINITY_INFO: status ≠ SUCCESS → INPUT.
 * Effects: CPU_ON: if target running or runnable → realm ret PSCI_ALREADY_ON (-4); else if
 * DENIED → realm ret DENIED; else target: PC=entry, X0=context_id, PSTATE EL1h+DAIF, runnable=1;
 * ret SUCCESS. AFFINITY_INFO: ret ON(0) if target running/runnable else OFF(1).
 * Calling REC: X0=ret, X1..X3=0, pending cleared.
 * ```
 *
 * **Deviations from TF-RMM, on purpose**:
 * - for CPU_ON with DENIED while the target is already on, TF-RMM returns RMI_ERROR_INPUT yet
 *   completes the calling REC (rmm-abi.md §11 item 10). Here the status check comes first and a
 *   failing call changes nothing, as the spec's failure conditions require; DENIED for a target
 *   that is on is refused with RMI_ERROR_INPUT and the request stays pending;
 * - for an SMC32 request, the target MPIDR, entry point and context id are the low 32 bits of the
 *   caller's X1..X3, the values the realm's call was checked with (SMCCC: an SMC32 callee ignores
 *   the upper halves). TF-RMM reads the full registers, so junk in an upper half leaves the
 *   request uncompletable (the MPIDR no longer names the target) or starts the target at an entry
 *   point the PAR check never saw.
 * @module
 */
import {
  GranuleState,
  isSmc64,
  PsciAffinityInfo,
  PsciReturnCode,
  type RmiArgs,
  type RmiReturnCode,
  recIndexFromPsciMpidr,
  SMC32_PSCI_CPU_ON,
  SMC64_PSCI_CPU_ON,
} from '@islet/abi';
import { assert, GRANULE_SIZE } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import { REC_RESET_PSTATE, type Rec } from '../rec/rec.ts';
import { RMI_ERROR_INPUT, RMI_SUCCESS, type RmiContext, type RmiResultRegs } from './context.ts';

const GRANULE = BigInt(GRANULE_SIZE);
const PSCI_SUCCESS = 0n;
const PSCI_DENIED = BigInt.asUintN(64, BigInt(PsciReturnCode.Denied));
/** The argument bits of an SMC32 call. */
const U32 = 0xffff_ffffn;

/** A PSCI return value as the realm reads it in X0. */
const psciRet = (v: number): bigint => BigInt.asUintN(64, BigInt(v));

/**
 * RMI_PSCI_COMPLETE(X1 calling_rec, X2 target_rec, X3 status).
 * @see rmm-abi.md §2.23, §5.11
 * @since 0.4.0
 */
export function rmiPsciComplete(
  ctx: RmiContext,
  args: RmiArgs,
  _res: RmiResultRegs,
): RmiReturnCode {
  const { granules } = ctx;
  const [callingX, targetX, status] = args;
  // 1.
  if (callingX % GRANULE !== 0n || targetX % GRANULE !== 0n) return RMI_ERROR_INPUT;
  // 2.
  const callingIdx = granules.findFromRegister(callingX);
  const targetIdx = granules.findFromRegister(targetX);
  if (
    callingIdx === NO_GRANULE ||
    targetIdx === NO_GRANULE ||
    callingIdx === targetIdx ||
    granules.states[callingIdx] !== GranuleState.Rec ||
    granules.states[targetIdx] !== GranuleState.Rec
  ) {
    return RMI_ERROR_INPUT;
  }
  // 3.
  if (granules.refcount(callingIdx) !== 0) return RMI_ERROR_INPUT;
  const calling = recAt(ctx, callingIdx);
  const target = recAt(ctx, targetIdx);
  // 4., 5., 6.
  const fid = calling.psciPending;
  if (fid === undefined) return RMI_ERROR_INPUT;
  if (calling.rdIdx !== target.rdIdx) return RMI_ERROR_INPUT;
  /** X`i` of the request, as its SMC32 or SMC64 form reads it. */
  const arg = isSmc64(fid)
    ? (i: number) => calling.gprs[i]!
    : (i: number) => calling.gprs[i]! & U32;
  if (target.index !== recIndexFromPsciMpidr(arg(1))) return RMI_ERROR_INPUT;
  // 7.
  const targetOn = target.runnable || granules.refcount(targetIdx) !== 0;
  const cpuOn = fid === SMC32_PSCI_CPU_ON || fid === SMC64_PSCI_CPU_ON;
  if (cpuOn) {
    if (status !== PSCI_SUCCESS && status !== PSCI_DENIED) return RMI_ERROR_INPUT;
    if (status === PSCI_DENIED && targetOn) return RMI_ERROR_INPUT;
  } else if (status !== PSCI_SUCCESS) {
    return RMI_ERROR_INPUT;
  }

  // Commit.
  let ret: bigint;
  if (!cpuOn) {
    ret = psciRet(targetOn ? PsciAffinityInfo.On : PsciAffinityInfo.Off);
  } else if (targetOn) {
    ret = psciRet(PsciReturnCode.AlreadyOn);
  } else if (status === PSCI_DENIED) {
    ret = PSCI_DENIED;
  } else {
    target.pc = arg(2);
    target.gprs[0] = arg(3);
    target.pstate = REC_RESET_PSTATE;
    target.runnable = true;
    ret = psciRet(PsciReturnCode.Success);
  }
  calling.gprs[0] = ret;
  calling.gprs[1] = 0n;
  calling.gprs[2] = 0n;
  calling.gprs[3] = 0n;
  calling.psciPending = undefined;
  return RMI_SUCCESS;
}

function recAt(ctx: RmiContext, idx: number): Rec {
  const rec = ctx.recs.get(idx);
  assert(rec !== undefined, () => `REC granule ${idx} has no REC`);
  return rec;
}
