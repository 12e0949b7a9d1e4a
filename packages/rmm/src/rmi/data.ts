/**
 * The DATA commands (TF-RMM `runtime/rmi/rtt.c`): RMI_DATA_CREATE, RMI_DATA_CREATE_UNKNOWN and
 * RMI_DATA_DESTROY.
 *
 * Every failure condition is checked in the digest's order before anything changes
 * (check-then-commit). DATA_CREATE reads the NS source page once, at step 9, straight into the
 * data granule, as TF-RMM does; the read is checked before it copies anything, so a fault leaves
 * the granule zero (TF-RMM re-zeroes it: the same observable result).
 *
 * ```text
 * DATA_CREATE(rd, data, ipa, src, flags):
 * 1. flags ∉ {0 (RMI_NO_MEASURE_CONTENT), 1 (RMI_MEASURE_CONTENT)} → INPUT.
 * 2. src: find_granule NULL or state≠NS → INPUT.
 * 3. lock data (DELEGATED) + rd (RD) → INPUT.
 * 4. realm state ≠ NEW → RMI_ERROR_REALM.   ⚠ before ipa checks
 * 5. ipa not in PAR → INPUT; ipa not 4K aligned / ≥ 2^s2sz → INPUT.
 * 6. !LPA2 and data PA ≥ 2^48 → INPUT.
 * 7. walk to L3; walk level ≠ 3 → (RTT, walk_level). 8. RTTE HIPAS ≠ UNASSIGNED → (RTT, 3).
 * 9. copy 4K from src faults (Secure/Root PAS) → INPUT (data granule re-zeroed).
 * Success: RIM extended with DATA descriptor (§6.3); RTTE := assigned_ram; L3 RTT refcount++;
 * granule → DATA.
 *
 * DATA_CREATE_UNKNOWN(rd, data, ipa): steps 3, 5–8, any realm state, no measurement. RTTE :=
 * assigned with unchanged RIPAS.
 *
 * DATA_DESTROY(rd, ipa) → X1 data PA, X2 top:
 * 1. rd → INPUT (X2=0). 2. ipa not in PAR, misaligned, ≥ 2^s2sz → INPUT (X2=0).
 * 3. walk to L3; walk level ≠ 3 → (RTT, walk_level), X2 = top.
 * 4. RTTE: assigned_ram → unassigned_DESTROYED; assigned_empty → unassigned_EMPTY;
 *    assigned_destroyed → unassigned_DESTROYED; otherwise → (RTT, 3), X2 = top.
 * Success: data granule zeroed → DELEGATED; L3 refcount--; X1 = data PA; X2 = top.
 * ```
 * @module
 */
import {
  decodeS2tte,
  encodeS2tte,
  GranuleState,
  MemoryAccess,
  RealmState,
  type RmiArgs,
  RmiDataMeasureContent,
  type RmiReturnCode,
  RTT_PAGE_LEVEL,
  S2tteType,
  s2tteType,
  World,
} from '@islet/abi';
import { assert } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import { addrInPar, NO_IPA, validateMapAddr } from '../rtt/rtt-args.ts';
import { skipNonLiveEntries } from '../rtt/rtt-live.ts';
import { writeEntry } from '../rtt/rtt-table.ts';
import { type RttWalk, rttWalk } from '../rtt/rtt-walk.ts';
import {
  RMI_ERROR_INPUT,
  RMI_ERROR_REALM,
  RMI_SUCCESS,
  type RmiContext,
  type RmiResultRegs,
} from './context.ts';
import { realmView, scrubGranule } from './memory.ts';
import { findRd, realmAt } from './realm.ts';
import { rmiErrorRtt } from './rtt.ts';

const MAX_PA_NO_LPA2 = 2 ** 48;

/** The unassigned type → the assigned type with the same RIPAS (DATA_CREATE_UNKNOWN). */
const ASSIGN_UNKNOWN: ReadonlyMap<S2tteType, S2tteType> = new Map([
  [S2tteType.UnassignedEmpty, S2tteType.AssignedEmpty],
  [S2tteType.UnassignedRam, S2tteType.AssignedRam],
  [S2tteType.UnassignedDestroyed, S2tteType.AssignedDestroyed],
]);

/** The assigned type → what DATA_DESTROY leaves (rmm-abi.md §2.20, §4.4). */
const UNASSIGN: ReadonlyMap<S2tteType, S2tteType> = new Map([
  [S2tteType.AssignedRam, S2tteType.UnassignedDestroyed],
  [S2tteType.AssignedEmpty, S2tteType.UnassignedEmpty],
  [S2tteType.AssignedDestroyed, S2tteType.UnassignedDestroyed],
]);

/** The decoded type of the entry a walk stopped at. */
function typeOf(w: RttWalk): S2tteType {
  const type = s2tteType(w.hi, w.lo, w.level);
  assert(
    type !== undefined,
    () =>
      `RTT 0x${w.tablePa.toString(16)}[${w.index}] at level ${w.level} holds an unknown descriptor`,
  );
  return type;
}

/** A checked DATA_CREATE(_UNKNOWN) target: everything the commit needs. */
interface DataTarget {
  realm: Realm;
  dataIdx: number;
  dataPa: number;
  ipa: number;
  w: RttWalk;
  type: S2tteType;
}

/**
 * The one {@link DataTarget}, refilled by each {@link dataTarget} (two SMCs per page of a realm
 * image; RMI handlers never nest). Its placeholders are never read: a caller reads it only after
 * `dataTarget` filled it.
 */
const target: DataTarget = {
  realm: undefined as unknown as Realm,
  dataIdx: 0,
  dataPa: 0,
  ipa: 0,
  w: undefined as unknown as RttWalk,
  type: S2tteType.UnassignedEmpty,
};

/**
 * Steps 3–8 of DATA_CREATE (steps 3, 5–8 for DATA_CREATE_UNKNOWN, `needNew` false): the failure
 * to return, or `undefined` with {@link target} filled.
 */
function dataTarget(
  ctx: RmiContext,
  rdX: bigint,
  dataX: bigint,
  ipaX: bigint,
  needNew: boolean,
): RmiReturnCode | undefined {
  const { granules } = ctx;
  // 3. find_lock_two_granules(data DELEGATED, rd RD).
  const dataIdx = granules.findFromRegister(dataX);
  if (dataIdx === NO_GRANULE || granules.states[dataIdx] !== GranuleState.Delegated) {
    return RMI_ERROR_INPUT;
  }
  const rdIdx = findRd(ctx, rdX);
  if (rdIdx === NO_GRANULE) return RMI_ERROR_INPUT;
  const realm = realmAt(ctx, rdIdx);
  // 4. realm state (DATA_CREATE only).
  if (needNew && realm.state !== RealmState.New) return RMI_ERROR_REALM;
  // 5. ipa.
  const ipa = validateMapAddr(ipaX, RTT_PAGE_LEVEL, realm);
  if (ipa === NO_IPA || !addrInPar(ipa, realm)) return RMI_ERROR_INPUT;
  // 6. data_bound2.
  const dataPa = granules.address(dataIdx);
  if (!realm.lpa2 && dataPa >= MAX_PA_NO_LPA2) return RMI_ERROR_INPUT;
  // 7., 8. the L3 entry.
  const w = rttWalk(granules, ctx.memory, realm, ipa, RTT_PAGE_LEVEL);
  if (w.level !== RTT_PAGE_LEVEL) return rmiErrorRtt(w.level);
  const type = typeOf(w);
  if (!ASSIGN_UNKNOWN.has(type)) return rmiErrorRtt(RTT_PAGE_LEVEL);
  target.realm = realm;
  target.dataIdx = dataIdx;
  target.dataPa = dataPa;
  target.ipa = ipa;
  target.w = w;
  target.type = type;
  return undefined;
}

/** Writes the assigned entry, counts it in the L3 RTT and makes the granule DATA. */
function commitAssign(ctx: RmiContext, t: DataTarget, type: S2tteType): void {
  const e = encodeS2tte({ type, oa: t.dataPa, nsAttrs: 0 }, RTT_PAGE_LEVEL, t.realm.lpa2);
  writeEntry(t.w.table, t.w.index, e.hi, e.lo);
  ctx.granules.refcountInc(t.w.tableIdx);
  ctx.granules.transition(t.dataIdx, GranuleState.Delegated, GranuleState.Data);
}

/**
 * RMI_DATA_CREATE(X1 rd, X2 data, X3 ipa, X4 src, X5 flags).
 * @see rmm-abi.md §2.18, §6.3
 * @since 0.4.0
 */
export function rmiDataCreate(ctx: RmiContext, args: RmiArgs, _res: RmiResultRegs): RmiReturnCode {
  const flagsX = args[4];
  const { granules } = ctx;
  // 1. flags.
  if (flagsX !== 0n && flagsX !== 1n) return RMI_ERROR_INPUT;
  const flags = flagsX === 1n ? RmiDataMeasureContent.Measure : RmiDataMeasureContent.NoMeasure;
  // 2. src tracked and NS.
  const srcIdx = granules.findFromRegister(args[3]);
  if (srcIdx === NO_GRANULE || granules.states[srcIdx] !== GranuleState.Undelegated) {
    return RMI_ERROR_INPUT;
  }
  // 3.–8.
  const failed = dataTarget(ctx, args[0], args[1], args[2], true);
  if (failed !== undefined) return failed;
  const t = target;
  // 9. the one copy from the Normal world, straight into the data granule's Realm-PAS view: a
  // read that faults copies nothing, so the granule stays zero (no per-call 4 KiB buffer), and
  // the content is then measured in place.
  const content = realmView(ctx, granules.address(t.dataIdx));
  if (ctx.memory.read(World.Normal, granules.address(srcIdx), content) !== MemoryAccess.Ok) {
    return RMI_ERROR_INPUT;
  }

  // Commit.
  ctx.rimQueue.dataCreate(t.realm, t.ipa, flags, content);
  commitAssign(ctx, t, S2tteType.AssignedRam);
  return RMI_SUCCESS;
}

/**
 * RMI_DATA_CREATE_UNKNOWN(X1 rd, X2 data, X3 ipa).
 * @see rmm-abi.md §2.19
 * @since 0.4.0
 */
export function rmiDataCreateUnknown(
  ctx: RmiContext,
  args: RmiArgs,
  _res: RmiResultRegs,
): RmiReturnCode {
  const failed = dataTarget(ctx, args[0], args[1], args[2], false);
  if (failed !== undefined) return failed;
  const t = target;
  const type = ASSIGN_UNKNOWN.get(t.type);
  assert(type !== undefined, 'dataTarget admits unassigned entries only');
  commitAssign(ctx, t, type);
  return RMI_SUCCESS;
}

/**
 * RMI_DATA_DESTROY(X1 rd, X2 ipa) → X1 data PA, X2 top.
 * @see rmm-abi.md §2.20
 * @since 0.4.0
 */
export function rmiDataDestroy(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  const { granules } = ctx;
  const rdIdx = findRd(ctx, args[0]);
  if (rdIdx === NO_GRANULE) return RMI_ERROR_INPUT;
  const realm = realmAt(ctx, rdIdx);
  const ipa = validateMapAddr(args[1], RTT_PAGE_LEVEL, realm);
  if (ipa === NO_IPA || !addrInPar(ipa, realm)) return RMI_ERROR_INPUT;
  const w = rttWalk(granules, ctx.memory, realm, ipa, RTT_PAGE_LEVEL);
  if (w.level !== RTT_PAGE_LEVEL) {
    res[2] = BigInt(skipNonLiveEntries(w, ipa));
    return rmiErrorRtt(w.level);
  }
  const e = decodeS2tte(w.hi, w.lo, w.level, realm.lpa2);
  assert(
    e !== undefined,
    () => `RTT 0x${w.tablePa.toString(16)}[${w.index}] holds an unknown entry`,
  );
  const next = UNASSIGN.get(e.type);
  if (next === undefined) {
    res[2] = BigInt(skipNonLiveEntries(w, ipa));
    return rmiErrorRtt(RTT_PAGE_LEVEL);
  }
  const dataIdx = granules.find(e.oa);
  assert(
    dataIdx !== NO_GRANULE && granules.states[dataIdx] === GranuleState.Data,
    () => `assigned entry points at 0x${e.oa.toString(16)}, not a DATA granule`,
  );

  // Commit.
  const u = encodeS2tte({ type: next, oa: 0, nsAttrs: 0 }, RTT_PAGE_LEVEL, realm.lpa2);
  writeEntry(w.table, w.index, u.hi, u.lo);
  granules.refcountDec(w.tableIdx);
  scrubGranule(ctx, dataIdx);
  granules.transition(dataIdx, GranuleState.Data, GranuleState.Delegated);
  res[1] = BigInt(e.oa);
  res[2] = BigInt(skipNonLiveEntries(w, ipa));
  return RMI_SUCCESS;
}
