/**
 * RMI_REC_AUX_COUNT, RMI_REC_CREATE and RMI_REC_DESTROY (TF-RMM `runtime/rmi/rec.c`).
 *
 * Every failure condition is checked, in TF-RMM's order, before anything changes. TF-RMM moves
 * each aux granule to REC_AUX as it locks it and moves them back on a later failure; here the aux
 * granules seen so far are kept in a set instead, which gives the same statuses (an aux listed
 * twice, or equal to `rec`, fails its DELEGATED check) without a half-done change.
 *
 * The digest (rmm-abi.md §2.8–§2.10):
 *
 * ```text
 * REC_AUX_COUNT: (1) rd lookup → INPUT. X1 = rd->num_rec_aux = 16.
 * REC_CREATE:
 * 1. params granule find/state≠NS → INPUT; NS copy of 0x1000 bytes faults → INPUT.
 * 2. params.num_aux > 16 → INPUT.
 * 3. for i in 0..num_aux-1: aux[i] align/bound/state≠DELEGATED → INPUT (aux aliasing is caught
 *    because the first lock transitions it to REC_AUX).
 * 4. lock rec (DELEGATED) + rd (RD) via find_lock_two_granules → INPUT (rec==rd alias too).
 * 5. RD refcount == 1023 (REFCOUNT_MAX) → RMI_ERROR_REALM.
 * 6. realm state ≠ NEW → RMI_ERROR_REALM.
 * 7. mpidr has bits outside Aff0[3:0]|Aff1|Aff2|Aff3, or rec_idx(mpidr) ≠ rd.rec_count → INPUT.
 * 8. num_aux ≠ rd.num_rec_aux (16) → INPUT.
 * Success: X0..X7 = params.gprs, PC = params.pc, PSTATE = 0x3C5, runnable = flags bit0; RIM
 * extended only if runnable (§6.4); RD refcount++; rec_count++; aux→REC_AUX; rec→REC.
 * REC_DESTROY: (1) rec align/bound/state≠REC → INPUT; (2) REC refcount ≠ 0 (running) → REC.
 * Success: aux granules scrubbed → DELEGATED; REC zeroed → DELEGATED; RD refcount--.
 * ```
 *
 * A new REC also records its realm's stage-2 translation (RD PA, `rtt_base`, `rtt_level_start`,
 * `s2sz`: what the executor translates its accesses through) and has no SEA pending. Once a REC
 * is destroyed, the realm executor is told (`release`), after the REC is gone, so that whatever
 * ran it can be dropped; a REC created later in the same granule is a new REC.
 * @module
 */
import {
  decodeRecParams,
  GRANULE_REFCOUNT_MAX,
  GranuleState,
  isValidRecMpidr,
  RealmState,
  type RmiArgs,
  type RmiReturnCode,
  recIndexFromMpidr,
  validateRecParams,
} from '@islet/abi';
import { assert } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import { measureRecCreate } from '../measurement/measurement.ts';
import { rimOf } from '../realm/realm.ts';
import { NO_EXIT, REC_RESET_PSTATE, type Rec } from '../rec/rec.ts';
import {
  RMI_ERROR_INPUT,
  RMI_ERROR_REALM,
  RMI_ERROR_REC,
  RMI_SUCCESS,
  type RmiContext,
  type RmiResultRegs,
} from './context.ts';
import { copyInNsGranule, scrubGranule } from './memory.ts';
import { findRd, realmAt } from './realm.ts';

/** Number of X registers in a REC's GPR file. */
const REC_NR_GPRS = 31;

/**
 * RMI_REC_AUX_COUNT(X1 rd): X1 = the number of aux granules a REC of this realm needs (16).
 * @see rmm-abi.md §2.8
 * @since 0.2.0
 */
export function rmiRecAuxCount(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  const rdIdx = findRd(ctx, args[0]);
  if (rdIdx === NO_GRANULE) return RMI_ERROR_INPUT;
  res[1] = BigInt(realmAt(ctx, rdIdx).numRecAux);
  return RMI_SUCCESS;
}

/**
 * RMI_REC_CREATE(X1 rd, X2 rec, X3 params_ptr).
 * @see rmm-abi.md §2.9, §3.2, §6.4
 * @since 0.2.0
 */
export function rmiRecCreate(ctx: RmiContext, args: RmiArgs, _res: RmiResultRegs): RmiReturnCode {
  const { granules } = ctx;
  // 1. params: an NS granule, copied in once.
  const page = copyInNsGranule(ctx, args[2]);
  if (page === undefined) return RMI_ERROR_INPUT;
  const raw = decodeRecParams(page);
  // 2. num_aux ≤ 16, and (part of 3) each aux address aligned and below 2^52.
  const checked = validateRecParams(raw);
  if (!checked.ok) return RMI_ERROR_INPUT;
  const p = checked.value;
  // 3. each aux granule DELEGATED and listed once.
  const auxIdx: number[] = [];
  const taken = new Set<number>();
  for (const pa of p.aux) {
    const idx = granules.find(pa);
    if (idx === NO_GRANULE || granules.states[idx] !== GranuleState.Delegated || taken.has(idx)) {
      return RMI_ERROR_INPUT;
    }
    taken.add(idx);
    auxIdx.push(idx);
  }
  // 4. rec DELEGATED (and not one of the aux granules), rd RD.
  const recIdx = granules.findFromRegister(args[1]);
  if (recIdx === NO_GRANULE || granules.states[recIdx] !== GranuleState.Delegated) {
    return RMI_ERROR_INPUT;
  }
  if (taken.has(recIdx)) return RMI_ERROR_INPUT;
  const rdIdx = findRd(ctx, args[0]);
  if (rdIdx === NO_GRANULE) return RMI_ERROR_INPUT;
  const realm = realmAt(ctx, rdIdx);
  // 5., 6.
  if (granules.refcount(rdIdx) >= GRANULE_REFCOUNT_MAX) return RMI_ERROR_REALM;
  if (realm.state !== RealmState.New) return RMI_ERROR_REALM;
  // 7., 8.
  if (!isValidRecMpidr(p.mpidr) || recIndexFromMpidr(p.mpidr) !== realm.recCount) {
    return RMI_ERROR_INPUT;
  }
  if (p.numAux !== realm.numRecAux) return RMI_ERROR_INPUT;

  // Commit.
  const gprs = new BigUint64Array(REC_NR_GPRS);
  gprs.set(p.gprs);
  const rec: Rec = {
    recIdx,
    rdIdx,
    index: realm.recCount,
    mpidr: p.mpidr,
    runnable: p.runnable,
    gprs,
    pc: p.pc,
    realm: Object.freeze({
      rd: BigInt(granules.address(rdIdx)),
      rttBase: BigInt(realm.rttBase),
      rttLevelStart: realm.rttLevelStart,
      ipaWidth: realm.s2sz,
    }),
    injectSea: false,
    pstate: REC_RESET_PSTATE,
    auxIdx,
    psciPending: undefined,
    setRipas: undefined,
    hostCall: undefined,
    attestToken: undefined,
    lastExit: NO_EXIT,
  };
  if (p.runnable) rimOf(realm).set(measureRecCreate(realm.hash, rimOf(realm), raw));
  for (const idx of auxIdx) granules.transition(idx, GranuleState.Delegated, GranuleState.RecAux);
  granules.transition(recIdx, GranuleState.Delegated, GranuleState.Rec);
  granules.refcountInc(rdIdx);
  realm.recCount++;
  ctx.recs.add(rec);
  return RMI_SUCCESS;
}

/**
 * RMI_REC_DESTROY(X1 rec).
 * @see rmm-abi.md §2.10
 * @since 0.2.0
 */
export function rmiRecDestroy(ctx: RmiContext, args: RmiArgs, _res: RmiResultRegs): RmiReturnCode {
  const { granules } = ctx;
  const recIdx = granules.findFromRegister(args[0]);
  if (recIdx === NO_GRANULE || granules.states[recIdx] !== GranuleState.Rec) {
    return RMI_ERROR_INPUT;
  }
  if (granules.refcount(recIdx) !== 0) return RMI_ERROR_REC;
  const rec = ctx.recs.get(recIdx);
  assert(rec !== undefined, () => `REC granule ${recIdx} has no REC`);

  // Commit.
  ctx.recs.remove(recIdx);
  for (const idx of rec.auxIdx) {
    scrubGranule(ctx, idx);
    granules.transition(idx, GranuleState.RecAux, GranuleState.Delegated);
  }
  scrubGranule(ctx, recIdx);
  granules.transition(recIdx, GranuleState.Rec, GranuleState.Delegated);
  granules.refcountDec(rec.rdIdx);
  ctx.run?.executor.release?.(rec);
  return RMI_SUCCESS;
}
