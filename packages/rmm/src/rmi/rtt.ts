/**
 * The RTT commands (TF-RMM `runtime/rmi/rtt.c`): RMI_RTT_CREATE, RMI_RTT_DESTROY,
 * RMI_RTT_READ_ENTRY, RMI_RTT_INIT_RIPAS, RMI_RTT_MAP_UNPROTECTED, RMI_RTT_UNMAP_UNPROTECTED and
 * RMI_RTT_FOLD (its digest text is on {@link rmiRttFold}).
 *
 * Every failure condition is checked in the digest's order before anything changes
 * (check-then-commit); RTT_INIT_RIPAS's partial progress is its defined success.
 *
 * ```text
 * RTT_CREATE(rd, rtt, ipa, level):
 * 1. lock rtt (DELEGATED) + rd (RD) → INPUT.
 * 2. level ∉ [start_level+1, 3] → INPUT; ipa not aligned to (level-1) block or ≥ 2^s2sz → INPUT.
 * 3. !LPA2 and rtt PA ≥ 2^48 → INPUT (rtt_bound2).
 * 4. walk to level-1: walk stopped at l < level-1 → (RMI_ERROR_RTT, l).
 * 5. parent RTTE is TABLE → (RMI_ERROR_RTT, level-1).
 * Success, by parent state: unassigned_{empty,ram,destroyed,ns} → all 512 children same state,
 * parent RTT refcount+1; assigned_{empty,ram,destroyed} block (level-1 ≥ 1) → 512 children
 * assigned with consecutive PAs, same RIPAS, child refcount=512 ("unfold"); assigned_ns block →
 * 512 assigned_ns pages with same attrs, parent refcount+1. Parent := TABLE(rtt). RTT → RTT.
 *
 * RTT_DESTROY(rd, ipa, level) → X1 rtt, X2 top:
 * 1. rd → INPUT (X2=0). 2. level ∉ [start+1,3] or ipa misaligned for level-1 / out of range →
 *    INPUT (X2=0).
 * 3. walk to level-1; if walk level ≠ level-1 OR parent RTTE not TABLE → (RMI_ERROR_RTT,
 *    walk_level); X2 = top (skip-non-live from the parent table).
 * 4. child RTT refcount ≠ 0 → (RMI_ERROR_RTT, level); X2 = ipa (unchanged).
 * Success: parent := unassigned DESTROYED if ipa in PAR, else unassigned_ns; child zeroed →
 * DELEGATED; X1 = child PA; X2 = top.
 *
 * RTT_MAP_UNPROTECTED(rd, ipa, level, desc):
 * 1. level ∉ [1,3] → INPUT (checked before rd!). 2. rd → INPUT. 3. desc invalid → INPUT.
 * 4. ipa misaligned for level / ≥ 2^s2sz → INPUT. 5. ipa in PAR → INPUT.
 * 6. walk to level; walk level ≠ level → (RTT, walk_level). 7. RTTE ≠ unassigned_ns → (RTT, level).
 * Success: RTTE := assigned_ns.
 *
 * RTT_UNMAP_UNPROTECTED(rd, ipa, level) → X1 top:
 * 1. level ∉ [1,3] → INPUT. 2. rd → INPUT. 3. ipa misaligned/out of range → INPUT.
 * 4. ipa in PAR → INPUT.
 * 5. walk to level; if walk level ≠ level OR RTTE ≠ assigned_ns → (RTT, walk_level); X1 = top.
 * Success: RTTE := unassigned_ns; X1 = top.
 *
 * RTT_READ_ENTRY(rd, ipa, level) → X1 walk_level, X2 state, X3 desc, X4 ripas:
 * 1. rd → INPUT. 2. level ∉ [start_level, 3] → INPUT; ipa misaligned for level / ≥ 2^s2sz → INPUT.
 * Walk to `level` (stops at first non-TABLE entry); X3 = 0 for unassigned entries, the PA for
 * assigned ones (also assigned_destroyed: the post-rel0 fix f5257c6e), the host bits for
 * assigned_ns, the child RTT PA for a TABLE.
 *
 * RTT_INIT_RIPAS(rd, base, top) → X1 out_top:
 * 1. top ≤ base → INPUT. 2. rd → INPUT.
 * 3. base or top not 4K aligned / ≥ 2^s2sz, base ∉ PAR, (top-4K) ∉ PAR → INPUT.
 * 4. realm state ≠ NEW → RMI_ERROR_REALM.
 * 5. walk to L3 at base; l = walk level; base not aligned to l's block → (RTT, l).
 * 6. for each RTTE from base within that RTT while entry_end ≤ top: unassigned_empty →
 *    unassigned_ram; unassigned_ram → unchanged; anything else → stop. Each processed entry
 *    extends the RIM with one RIPAS descriptor [entry_base, entry_end) (§6.5).
 * 7. progress made → SUCCESS, X1 = last processed end; none → (RTT, l).
 * ```
 *
 * **Refcounts** (TF-RMM): an RTT's refcount counts its TABLE entries and its protected ASSIGNED
 * entries, not ASSIGNED_NS ones; RTT_DESTROY needs a refcount of 0.
 *
 * **Deviation kept small**: MAP/UNMAP_UNPROTECTED also answer RMI_ERROR_INPUT for a level below
 * the realm's start level (the spec's `RttLevelIsValid`; TF-RMM's walk assumes it), checked right
 * after the RD.
 * @module
 */
import {
  decodeS2tte,
  encodeS2tte,
  GranuleState,
  isValidNsHostDesc,
  RealmState,
  type RmiArgs,
  type RmiReturnCode,
  type RmiRipas,
  type RmiRttEntryState,
  RmiStatus,
  RTT_MIN_BLOCK_LEVEL,
  RTT_PAGE_LEVEL,
  rttLevelBlockSize,
  rttReadEntryState,
  S2TTES_PER_S2TT,
  type S2tte,
  S2tteType,
  s2tteIsTable,
  s2tteNsHostMask,
  s2tteOutputAddress,
} from '@islet/abi';
import { assert, GRANULE_SIZE, U64 } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import { measureRipas } from '../measurement/measurement.ts';
import { type Realm, rimOf } from '../realm/realm.ts';
import { addrInPar, levelFromRegister, NO_IPA, validateMapAddr } from '../rtt/rtt-args.ts';
import { skipNonLiveEntries } from '../rtt/rtt-live.ts';
import { entryHi, entryLo, type RttTable, rttTableAt, writeEntry } from '../rtt/rtt-table.ts';
import { forgetL3Table, type RttWalk, rttEntriesPerTable, rttWalk } from '../rtt/rtt-walk.ts';
import {
  RMI_ERROR_INPUT,
  RMI_ERROR_REALM,
  RMI_SUCCESS,
  type RmiContext,
  type RmiResultRegs,
} from './context.ts';
import { scrubGranule } from './memory.ts';
import { findRd, realmAt } from './realm.ts';

/**
 * `RMI_ERROR_RTT` with the level as index (level −1 packs as 0xFF).
 * @see rmm-abi.md §1.2
 * @since 0.3.0
 */
export function rmiErrorRtt(level: number): RmiReturnCode {
  return { status: RmiStatus.ErrorRtt, index: level & 0xff };
}

const MAX_PA_NO_LPA2 = 2 ** 48;

function walk(ctx: RmiContext, realm: Realm, ipa: number, level: number): RttWalk {
  return rttWalk(ctx.granules, ctx.memory, realm, ipa, level);
}

/** The entry a walk stopped at, decoded; RTT granules hold only what the RMM wrote. */
function entryOf(w: RttWalk, realm: Realm): S2tte {
  const e = decodeS2tte(w.hi, w.lo, w.level, realm.lpa2);
  assert(
    e !== undefined,
    () =>
      `RTT 0x${w.tablePa.toString(16)}[${w.index}] at level ${w.level} holds an unknown descriptor`,
  );
  return e;
}

/** The realm of the RD in register `x`, or `undefined` (→ RMI_ERROR_INPUT). */
function realmOf(ctx: RmiContext, x: bigint): Realm | undefined {
  const rdIdx = findRd(ctx, x);
  return rdIdx === NO_GRANULE ? undefined : realmAt(ctx, rdIdx);
}

/**
 * RMI_RTT_CREATE(X1 rd, X2 rtt, X3 ipa, X4 level).
 * @see rmm-abi.md §2.12
 * @since 0.3.0
 */
export function rmiRttCreate(ctx: RmiContext, args: RmiArgs, _res: RmiResultRegs): RmiReturnCode {
  const { granules } = ctx;
  // 1. find_lock_two_granules(rtt DELEGATED, rd RD).
  const rttIdx = granules.findFromRegister(args[1]);
  if (rttIdx === NO_GRANULE || granules.states[rttIdx] !== GranuleState.Delegated) {
    return RMI_ERROR_INPUT;
  }
  const realm = realmOf(ctx, args[0]);
  if (realm === undefined) return RMI_ERROR_INPUT;
  // 2. level and ipa.
  const level = levelFromRegister(args[3]);
  if (level < realm.rttLevelStart + 1 || level > RTT_PAGE_LEVEL) return RMI_ERROR_INPUT;
  const ipa = validateMapAddr(args[2], level - 1, realm);
  if (ipa === NO_IPA) return RMI_ERROR_INPUT;
  // 3. rtt_bound2.
  const rttPa = granules.address(rttIdx);
  if (!realm.lpa2 && rttPa >= MAX_PA_NO_LPA2) return RMI_ERROR_INPUT;
  // 4., 5. the parent entry.
  const w = walk(ctx, realm, ipa, level - 1);
  if (w.level < level - 1) return rmiErrorRtt(w.level);
  const parent = entryOf(w, realm);
  if (parent.type === S2tteType.Table) return rmiErrorRtt(level - 1);

  // Commit: fill the child, then link it.
  const child = rttTableAt(ctx.memory, rttPa);
  const lpa2 = realm.lpa2;
  switch (parent.type) {
    case S2tteType.UnassignedEmpty:
    case S2tteType.UnassignedRam:
    case S2tteType.UnassignedDestroyed:
    case S2tteType.UnassignedNs: {
      const e = encodeS2tte(parent, level, lpa2);
      for (let i = 0; i < S2TTES_PER_S2TT; i++) writeEntry(child, i, e.hi, e.lo);
      granules.refcountInc(w.tableIdx);
      break;
    }
    case S2tteType.AssignedEmpty:
    case S2tteType.AssignedRam:
    case S2tteType.AssignedDestroyed:
    case S2tteType.AssignedNs: {
      // Unfold a block (only levels ≥ RTT_MIN_BLOCK_LEVEL hold assigned entries).
      assert(level - 1 >= RTT_MIN_BLOCK_LEVEL, () => `assigned entry at level ${level - 1}`);
      const size = rttLevelBlockSize(level);
      for (let i = 0; i < S2TTES_PER_S2TT; i++) {
        const e = encodeS2tte(
          { type: parent.type, oa: parent.oa + i * size, nsAttrs: parent.nsAttrs },
          level,
          lpa2,
        );
        writeEntry(child, i, e.hi, e.lo);
      }
      if (parent.type === S2tteType.AssignedNs) granules.refcountInc(w.tableIdx);
      else granules.refcountInc(rttIdx, S2TTES_PER_S2TT);
      break;
    }
  }
  granules.transition(rttIdx, GranuleState.Delegated, GranuleState.Rtt);
  const table = encodeS2tte({ type: S2tteType.Table, oa: rttPa, nsAttrs: 0 }, level - 1, lpa2);
  writeEntry(w.table, w.index, table.hi, table.lo);
  forgetL3Table(realm);
  return RMI_SUCCESS;
}

/**
 * RMI_RTT_DESTROY(X1 rd, X2 ipa, X3 level) → X1 rtt, X2 top.
 * @see rmm-abi.md §2.13
 * @since 0.3.0
 */
export function rmiRttDestroy(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  const { granules } = ctx;
  const realm = realmOf(ctx, args[0]);
  if (realm === undefined) return RMI_ERROR_INPUT;
  const level = levelFromRegister(args[2]);
  if (level < realm.rttLevelStart + 1 || level > RTT_PAGE_LEVEL) return RMI_ERROR_INPUT;
  const ipa = validateMapAddr(args[1], level - 1, realm);
  if (ipa === NO_IPA) return RMI_ERROR_INPUT;
  const w = walk(ctx, realm, ipa, level - 1);
  if (w.level !== level - 1 || !s2tteIsTable(w.lo, w.level)) {
    res[2] = BigInt(skipNonLiveEntries(w, ipa));
    return rmiErrorRtt(w.level);
  }
  const childPa = s2tteOutputAddress(w.hi, w.lo, RTT_PAGE_LEVEL, realm.lpa2);
  const childIdx = granules.find(childPa);
  assert(
    childIdx !== NO_GRANULE,
    () => `TABLE entry points at untracked 0x${childPa.toString(16)}`,
  );
  if (granules.refcount(childIdx) !== 0) {
    res[2] = BigInt(ipa);
    return rmiErrorRtt(level);
  }

  // Commit.
  const type = addrInPar(ipa, realm) ? S2tteType.UnassignedDestroyed : S2tteType.UnassignedNs;
  const e = encodeS2tte({ type, oa: 0, nsAttrs: 0 }, level - 1, realm.lpa2);
  writeEntry(w.table, w.index, e.hi, e.lo);
  forgetL3Table(realm);
  granules.refcountDec(w.tableIdx);
  scrubGranule(ctx, childIdx);
  granules.transition(childIdx, GranuleState.Rtt, GranuleState.Delegated);
  res[1] = BigInt(childPa);
  res[2] = BigInt(skipNonLiveEntries(w, ipa));
  return RMI_SUCCESS;
}

/**
 * RMI_RTT_READ_ENTRY(X1 rd, X2 ipa, X3 level) → X1 walk_level, X2 state, X3 desc, X4 ripas.
 * @see rmm-abi.md §2.17
 * @since 0.3.0
 */
export function rmiRttReadEntry(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  const realm = realmOf(ctx, args[0]);
  if (realm === undefined) return RMI_ERROR_INPUT;
  const level = levelFromRegister(args[2]);
  if (level < realm.rttLevelStart || level > RTT_PAGE_LEVEL) return RMI_ERROR_INPUT;
  const ipa = validateMapAddr(args[1], level, realm);
  if (ipa === NO_IPA) return RMI_ERROR_INPUT;
  const w = walk(ctx, realm, ipa, level);
  const read = readEntry(w, realm);
  res[1] = BigInt.asUintN(64, BigInt(w.level));
  res[2] = BigInt(read.state);
  res[3] = read.desc;
  res[4] = BigInt(read.ripas);
  return RMI_SUCCESS;
}

/**
 * What RTT_READ_ENTRY reports for the entry a walk stopped at: state, RIPAS and X3 desc.
 * @see rmm-abi.md §2.17
 * @since 0.3.0
 */
export function readEntry(
  w: RttWalk,
  realm: Realm,
): {
  readonly type: S2tteType;
  readonly state: RmiRttEntryState;
  readonly ripas: RmiRipas;
  readonly desc: bigint;
} {
  const e = entryOf(w, realm);
  const { state, ripas } = rttReadEntryState(e.type);
  let desc = 0n;
  switch (e.type) {
    case S2tteType.AssignedEmpty:
    case S2tteType.AssignedRam:
    case S2tteType.AssignedDestroyed:
    case S2tteType.Table:
      desc = BigInt(e.oa);
      break;
    case S2tteType.AssignedNs: {
      const m = s2tteNsHostMask(w.level, realm.lpa2);
      desc = U64.toBig(w.hi & m.hi, w.lo & m.lo);
      break;
    }
    default:
      break;
  }
  return { type: e.type, state, ripas, desc };
}

/**
 * RMI_RTT_INIT_RIPAS(X1 rd, X2 base, X3 top) → X1 out_top.
 * @see rmm-abi.md §2.21, §6.5
 * @since 0.3.0
 */
export function rmiRttInitRipas(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  const [rdX, baseX, topX] = args;
  if (topX <= baseX) return RMI_ERROR_INPUT;
  const realm = realmOf(ctx, rdX);
  if (realm === undefined) return RMI_ERROR_INPUT;
  const base = validateMapAddr(baseX, RTT_PAGE_LEVEL, realm);
  const top = validateMapAddr(topX, RTT_PAGE_LEVEL, realm);
  if (base === NO_IPA || top === NO_IPA) return RMI_ERROR_INPUT;
  if (!addrInPar(base, realm) || !addrInPar(top - GRANULE_SIZE, realm)) return RMI_ERROR_INPUT;
  if (realm.state !== RealmState.New) return RMI_ERROR_REALM;
  const w = walk(ctx, realm, base, RTT_PAGE_LEVEL);
  const size = rttLevelBlockSize(w.level);
  if (base % size !== 0) return rmiErrorRtt(w.level);

  const ram = encodeS2tte(
    { type: S2tteType.UnassignedRam, oa: 0, nsAttrs: 0 },
    w.level,
    realm.lpa2,
  );
  const rim = rimOf(realm);
  const per = rttEntriesPerTable(w.level);
  let addr = base;
  for (let i = w.index; i < per; i++, addr += size) {
    const next = addr + size;
    if (next > top) break;
    const lo = entryLo(w.table, i);
    const hi = entryHi(w.table, i);
    const e = decodeS2tte(hi, lo, w.level, realm.lpa2);
    if (e?.type === S2tteType.UnassignedEmpty) writeEntry(w.table, i, ram.hi, ram.lo);
    else if (e?.type !== S2tteType.UnassignedRam) break;
    rim.set(measureRipas(realm.hash, rim, addr, next));
  }
  if (addr === base) return rmiErrorRtt(w.level);
  res[1] = BigInt(addr);
  return RMI_SUCCESS;
}

/** The checks MAP and UNMAP_UNPROTECTED share (steps 1–2, the start-level guard). */
function unprotectedTarget(
  ctx: RmiContext,
  args: RmiArgs,
): { readonly realm: Realm; readonly level: number } | undefined {
  const level = levelFromRegister(args[2]);
  if (level < RTT_MIN_BLOCK_LEVEL || level > RTT_PAGE_LEVEL) return undefined;
  const realm = realmOf(ctx, args[0]);
  if (realm === undefined || level < realm.rttLevelStart) return undefined;
  return { realm, level };
}

/**
 * RMI_RTT_MAP_UNPROTECTED(X1 rd, X2 ipa, X3 level, X4 desc).
 * @see rmm-abi.md §2.15
 * @since 0.3.0
 */
export function rmiRttMapUnprotected(
  ctx: RmiContext,
  args: RmiArgs,
  _res: RmiResultRegs,
): RmiReturnCode {
  const t = unprotectedTarget(ctx, args);
  if (t === undefined) return RMI_ERROR_INPUT;
  const { realm, level } = t;
  const desc = U64.fromBig(args[3]);
  if (!isValidNsHostDesc(desc.hi, desc.lo, level, realm.lpa2)) return RMI_ERROR_INPUT;
  const ipa = validateMapAddr(args[1], level, realm);
  if (ipa === NO_IPA || addrInPar(ipa, realm)) return RMI_ERROR_INPUT;
  const w = walk(ctx, realm, ipa, level);
  if (w.level !== level) return rmiErrorRtt(w.level);
  if (entryOf(w, realm).type !== S2tteType.UnassignedNs) return rmiErrorRtt(level);

  const e = encodeS2tte(
    {
      type: S2tteType.AssignedNs,
      oa: s2tteOutputAddress(desc.hi, desc.lo, level, realm.lpa2),
      nsAttrs: desc.lo & 0xfc,
    },
    level,
    realm.lpa2,
  );
  writeEntry(w.table, w.index, e.hi, e.lo);
  return RMI_SUCCESS;
}

/**
 * RMI_RTT_UNMAP_UNPROTECTED(X1 rd, X2 ipa, X3 level) → X1 top.
 * @see rmm-abi.md §2.16
 * @since 0.3.0
 */
export function rmiRttUnmapUnprotected(
  ctx: RmiContext,
  args: RmiArgs,
  res: RmiResultRegs,
): RmiReturnCode {
  const t = unprotectedTarget(ctx, args);
  if (t === undefined) return RMI_ERROR_INPUT;
  const { realm, level } = t;
  const ipa = validateMapAddr(args[1], level, realm);
  if (ipa === NO_IPA || addrInPar(ipa, realm)) return RMI_ERROR_INPUT;
  const w = walk(ctx, realm, ipa, level);
  if (w.level !== level || entryOf(w, realm).type !== S2tteType.AssignedNs) {
    res[1] = BigInt(skipNonLiveEntries(w, ipa));
    return rmiErrorRtt(w.level);
  }
  const e = encodeS2tte({ type: S2tteType.UnassignedNs, oa: 0, nsAttrs: 0 }, level, realm.lpa2);
  writeEntry(w.table, w.index, e.hi, e.lo);
  res[1] = BigInt(skipNonLiveEntries(w, ipa));
  return RMI_SUCCESS;
}

/** What folding a child RTT at `level` gives its parent, or the RTT error index. */
type FoldResult =
  | { readonly ok: true; readonly parent: S2tte; readonly parentDec: boolean }
  | { readonly ok: false; readonly index: number };

/**
 * TF-RMM's homogeneity tests of `smc_rtt_fold` over the 512 entries of the child RTT at `level`
 * (its parent, where the walk stopped, is at level − 1).
 */
function foldChild(child: RttTable, level: number, refcount: number, realm: Realm): FoldResult {
  const lpa2 = realm.lpa2;
  const first = decodeS2tte(entryHi(child, 0), entryLo(child, 0), level, lpa2);
  assert(first !== undefined, () => `RTT at level ${level} holds an unknown descriptor`);
  const t = first.type;
  const size = rttLevelBlockSize(level);
  const homogeneous = (contiguous: boolean): boolean => {
    if (contiguous && first.oa % rttLevelBlockSize(level - 1) !== 0) return false;
    for (let i = 1; i < S2TTES_PER_S2TT; i++) {
      const e = decodeS2tte(entryHi(child, i), entryLo(child, i), level, lpa2);
      if (e === undefined || e.type !== t) return false;
      if (contiguous && (e.oa !== first.oa + i * size || e.nsAttrs !== first.nsAttrs)) {
        return false;
      }
    }
    return true;
  };
  const none = { ok: false, index: level } as const;
  if (refcount === 0) {
    switch (t) {
      case S2tteType.UnassignedDestroyed:
      case S2tteType.UnassignedEmpty:
      case S2tteType.UnassignedRam:
      case S2tteType.UnassignedNs:
        return homogeneous(false)
          ? { ok: true, parent: { type: t, oa: 0, nsAttrs: 0 }, parentDec: true }
          : none;
      case S2tteType.AssignedNs:
        if (!homogeneous(true)) return none;
        if (level <= RTT_MIN_BLOCK_LEVEL) return { ok: false, index: level - 1 };
        return { ok: true, parent: first, parentDec: true };
      default:
        return none;
    }
  }
  if (refcount === S2TTES_PER_S2TT) {
    if (level <= RTT_MIN_BLOCK_LEVEL) return { ok: false, index: level - 1 };
    switch (t) {
      case S2tteType.AssignedEmpty:
      case S2tteType.AssignedRam:
      case S2tteType.AssignedDestroyed:
        return homogeneous(true) ? { ok: true, parent: first, parentDec: false } : none;
      default:
        return none;
    }
  }
  return none;
}

/**
 * RMI_RTT_FOLD(X1 rd, X2 ipa, X3 level) → X1 the folded RTT's PA.
 *
 * ```text
 * 1. rd → INPUT. 2. level ∉ [start+1,3], ipa misaligned for level-1, out of range → INPUT.
 * 3. walk to level-1; walk level ≠ level-1 → (RTT, walk_level). 4. parent not TABLE → (RTT, level-1).
 * 5. child refcount == 0: homogeneous unassigned_destroyed / unassigned_empty / unassigned_ram /
 *    unassigned_ns → parent becomes that unassigned state; all-assigned_ns, contiguous,
 *    level-1-aligned, identical MemAttr/S2AP → parent assigned_ns block, but if level ≤ 1 →
 *    (RTT, walk_level); else mixture → (RTT, level).
 *    child refcount == 512: level ≤ 1 → (RTT, walk_level); all assigned_empty / assigned_ram /
 *    assigned_destroyed with contiguous PAs aligned to level-1 → parent assigned block of that
 *    type; else (RTT, level).
 *    other refcount → (RTT, level).
 * Success: X1 = child RTT PA; child zeroed → DELEGATED; parent refcount adjusted (−1 for
 * unassigned/ns cases).
 * ```
 * @see rmm-abi.md §2.14
 * @since 0.4.0
 */
export function rmiRttFold(ctx: RmiContext, args: RmiArgs, res: RmiResultRegs): RmiReturnCode {
  const { granules } = ctx;
  const realm = realmOf(ctx, args[0]);
  if (realm === undefined) return RMI_ERROR_INPUT;
  const level = levelFromRegister(args[2]);
  if (level < realm.rttLevelStart + 1 || level > RTT_PAGE_LEVEL) return RMI_ERROR_INPUT;
  const ipa = validateMapAddr(args[1], level - 1, realm);
  if (ipa === NO_IPA) return RMI_ERROR_INPUT;
  const w = walk(ctx, realm, ipa, level - 1);
  if (w.level !== level - 1) return rmiErrorRtt(w.level);
  if (!s2tteIsTable(w.lo, w.level)) return rmiErrorRtt(level - 1);
  const childPa = s2tteOutputAddress(w.hi, w.lo, RTT_PAGE_LEVEL, realm.lpa2);
  const childIdx = granules.find(childPa);
  assert(
    childIdx !== NO_GRANULE && granules.states[childIdx] === GranuleState.Rtt,
    () => `TABLE entry points at 0x${childPa.toString(16)}, not an RTT`,
  );
  const refcount = granules.refcount(childIdx);
  const fold = foldChild(rttTableAt(ctx.memory, childPa), level, refcount, realm);
  if (!fold.ok) return rmiErrorRtt(fold.index);

  // Commit.
  const e = encodeS2tte(fold.parent, level - 1, realm.lpa2);
  writeEntry(w.table, w.index, e.hi, e.lo);
  forgetL3Table(realm);
  if (fold.parentDec) granules.refcountDec(w.tableIdx);
  else granules.refcountDec(childIdx, S2TTES_PER_S2TT);
  scrubGranule(ctx, childIdx);
  granules.transition(childIdx, GranuleState.Rtt, GranuleState.Delegated);
  res[1] = BigInt(childPa);
  return RMI_SUCCESS;
}
