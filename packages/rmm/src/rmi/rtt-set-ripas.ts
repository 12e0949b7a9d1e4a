/**
 * RMI_RTT_SET_RIPAS (TF-RMM `runtime/rmi/rtt.c smc_rtt_set_ripas`): the host carrying out a RIPAS
 * change its realm asked for with RSI_IPA_STATE_SET, one RTT's worth of entries per call.
 *
 * ```text
 * 1. top ≤ base → INPUT. (rel0 lacks "top not 4K aligned → INPUT"; added by fix 62ece7d0.)
 * 2. lock rd (RD) + rec (REC) → INPUT. 3. REC running (refcount≠0) → RMI_ERROR_REC.
 * 4. rec.owner ≠ rd → RMI_ERROR_REC.
 * 5. base ≠ rec.set_ripas.addr (next expected address) or top > rec.set_ripas.top → INPUT.
 * 6. walk to L3 at base; base not aligned to walk level → (RTT, walk_level).
 * 7. for each RTTE while entry_end ≤ top: apply requested RIPAS: RTTE with no RIPAS (TABLE, NS)
 *    → stop; DESTROYED source without change_destroyed flag → stop; RAM target:
 *    unassigned_empty→unassigned_ram, assigned_empty→assigned_ram (mapped), destroyed→RAM only
 *    with CHANGE_DESTROYED; EMPTY target: unassigned_ram→unassigned_empty,
 *    assigned_ram→assigned_empty (+TLBI), destroyed→EMPTY only with CHANGE_DESTROYED; same
 *    RIPAS → no-op (progress).
 * 8. progress → SUCCESS, X1 = end, rec.set_ripas.addr = X1; none → (RTT, walk_level).
 * NOT measured. Realm state not checked.
 * ```
 *
 * A REC with no change in progress has an empty request (TF-RMM keeps `top` = 0), so step 5
 * answers RMI_ERROR_INPUT for every call. The top-alignment check of the later fix sits with
 * step 1, where the ACS ranks it (`top_gran_align` before `no_progress`).
 * @module
 */
import {
  decodeS2tte,
  encodeS2tte,
  GranuleState,
  type RmiArgs,
  type RmiReturnCode,
  RsiRipas,
  RTT_PAGE_LEVEL,
  rttLevelBlockSize,
  S2tteType,
} from '@islet/abi';
import { assert, GRANULE_SIZE } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import type { SetRipasRequest } from '../rec/rec.ts';
import { entryHi, entryLo, writeEntry } from '../rtt/rtt-table.ts';
import { rttEntriesPerTable, rttWalk } from '../rtt/rtt-walk.ts';
import {
  RMI_ERROR_INPUT,
  RMI_ERROR_REC,
  RMI_SUCCESS,
  type RmiContext,
  type RmiResultRegs,
} from './context.ts';
import { findRd, realmAt } from './realm.ts';
import { rmiErrorRtt } from './rtt.ts';

/**
 * What an entry of `type` becomes under `req`, or `undefined` where the change stops (an entry
 * with no RIPAS, or a DESTROYED one the realm did not allow to change).
 * @see rmm-abi.md §2.22 step 7, §4.4
 * @since 0.4.0
 */
export function ripasTransition(type: S2tteType, req: SetRipasRequest): S2tteType | undefined {
  const toRam = req.ripas === RsiRipas.Ram;
  switch (type) {
    case S2tteType.UnassignedEmpty:
    case S2tteType.UnassignedRam:
      return toRam ? S2tteType.UnassignedRam : S2tteType.UnassignedEmpty;
    case S2tteType.AssignedEmpty:
    case S2tteType.AssignedRam:
      return toRam ? S2tteType.AssignedRam : S2tteType.AssignedEmpty;
    case S2tteType.UnassignedDestroyed:
      if (!req.changeDestroyed) return undefined;
      return toRam ? S2tteType.UnassignedRam : S2tteType.UnassignedEmpty;
    case S2tteType.AssignedDestroyed:
      if (!req.changeDestroyed) return undefined;
      return toRam ? S2tteType.AssignedRam : S2tteType.AssignedEmpty;
    default:
      return undefined;
  }
}

/**
 * RMI_RTT_SET_RIPAS(X1 rd, X2 rec, X3 base, X4 top) → X1 out_top.
 * @see rmm-abi.md §2.22
 * @since 0.4.0
 */
export function rmiRttSetRipas(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  const { granules } = ctx;
  const [rdX, recX, baseX, topX] = args;
  // 1.
  if (topX <= baseX || topX % BigInt(GRANULE_SIZE) !== 0n) return RMI_ERROR_INPUT;
  // 2.
  const rdIdx = findRd(ctx, rdX);
  if (rdIdx === NO_GRANULE) return RMI_ERROR_INPUT;
  const recIdx = granules.findFromRegister(recX);
  if (recIdx === NO_GRANULE || granules.states[recIdx] !== GranuleState.Rec) {
    return RMI_ERROR_INPUT;
  }
  // 3., 4.
  if (granules.refcount(recIdx) !== 0) return RMI_ERROR_REC;
  const rec = ctx.recs.get(recIdx);
  assert(rec !== undefined, () => `REC granule ${recIdx} has no REC`);
  if (rec.rdIdx !== rdIdx) return RMI_ERROR_REC;
  // 5. the request's own bounds were checked by RSI_IPA_STATE_SET: they lie in the PAR.
  const req = rec.setRipas;
  if (req === undefined || baseX !== BigInt(req.addr) || topX > BigInt(req.top)) {
    return RMI_ERROR_INPUT;
  }
  const base = req.addr;
  const top = Number(topX);
  // 6.
  const realm = realmAt(ctx, rdIdx);
  const w = rttWalk(granules, ctx.memory, realm, base, RTT_PAGE_LEVEL);
  const size = rttLevelBlockSize(w.level);
  if (base % size !== 0) return rmiErrorRtt(w.level);
  // 7.
  const per = rttEntriesPerTable(w.level);
  let addr = base;
  for (let i = w.index; i < per && addr + size <= top; i++, addr += size) {
    const e = decodeS2tte(entryHi(w.table, i), entryLo(w.table, i), w.level, realm.lpa2);
    assert(
      e !== undefined,
      () => `RTT 0x${w.tablePa.toString(16)}[${i}] holds an unknown descriptor`,
    );
    const next = ripasTransition(e.type, req);
    if (next === undefined) break;
    if (next !== e.type) {
      const d = encodeS2tte({ type: next, oa: e.oa, nsAttrs: 0 }, w.level, realm.lpa2);
      writeEntry(w.table, i, d.hi, d.lo);
    }
  }
  // 8.
  if (addr === base) return rmiErrorRtt(w.level);
  req.addr = addr;
  res[1] = BigInt(addr);
  return RMI_SUCCESS;
}
