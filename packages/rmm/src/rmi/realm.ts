/**
 * RMI_REALM_CREATE, RMI_REALM_ACTIVATE and RMI_REALM_DESTROY (TF-RMM `runtime/rmi/realm.c`).
 *
 * Every failure condition is checked, in TF-RMM's order, before anything changes: a failing call
 * leaves granule states, refcounts, realms, VMIDs and memory as they were (TF-RMM's
 * lock-check-transition becomes check-then-commit; the model is single-threaded).
 *
 * The digest (rmm-abi.md §2.5–§2.7):
 *
 * ```text
 * REALM_CREATE (all RMI_ERROR_INPUT):
 * 1. params: find_granule fails or RMM state ≠ NS → INPUT; copy of 0x1000 bytes from NS faults.
 * 2. validate_realm_params:
 *    a. flags.LPA2=1 but feat0.LPA2=0;   b. s2sz < 32 or s2sz > feat0.S2SZ;
 *    c. num_bps == 0 or > feat0.NUM_BPS; num_wps == 0 or > feat0.NUM_WPS;
 *    d. if flags.SVE: feat0.SVE_EN==0 or sve_vl > feat0.SVE_VL;
 *    e. if flags.PMU: pmu_num_ctrs > feat0.PMU_NUM_CTRS, or pmu_num_ctrs==0 without FEAT_HPMN0;
 *    f. (s2sz, rtt_level_start) consistency (§4.6);  g. rtt_num_start ≠ number of root RTTs;
 *    h. hash_algo ∉ {0,1};  i. VMID ≥ 2^16 (2^8 without FEAT_VMID16) or VMID already in use.
 * 3. rd ∈ [rtt_base, rtt_base + rtt_num_start*4K) → INPUT (alias).
 * 4. rd must be DELEGATED, and each root RTT granule rtt_base + i*4K must be DELEGATED.
 * Success: realm NEW, rec_count 0, RIM initialised (§6.2), root RTT entries: IPA < PAR →
 * unassigned/EMPTY, IPA ≥ PAR → unassigned_ns; RD → RD, roots → RTT; num_rec_aux = 16.
 *
 * REALM_ACTIVATE: (1) rd align/bound/state≠RD → INPUT; (2) realm state ≠ NEW → REALM.
 * REALM_DESTROY: (1) rd align/bound/state≠RD → INPUT; (2) RD refcount ≠ 0 → REALM;
 *   (3) sum of root-RTT refcounts ≠ 0 → REALM.
 *   Success: VMID freed, root RTTs zeroed → DELEGATED, RD zeroed → DELEGATED.
 * ```
 *
 * `validateRealmParams` (`@islet/abi`) checks hash_algo (h), the rtt_level_start range (part of f)
 * and rtt_base alignment/bound (part of 4) first; every REALM_CREATE failure is RMI_ERROR_INPUT
 * with index 0, so this does not change what the host sees.
 * @module
 */
import {
  decodeRealmParams,
  encodeS2tte,
  GranuleState,
  MAX_REC_AUX_GRANULES,
  RealmState,
  type RmiArgs,
  RmiHashAlgorithm,
  type RmiReturnCode,
  RTT_MIN_LEVEL_LPA2,
  rttLevelBlockSize,
  S2TTES_PER_S2TT,
  S2TTES_PER_S2TT_LM1,
  S2tteType,
  validateRealmParams,
} from '@islet/abi';
import { assert, GRANULE_SIZE } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import { measurementHash, measureRealmCreate } from '../measurement/measurement.ts';
import {
  isValidS2Geometry,
  MIN_IPA_BITS,
  newMeasurements,
  type Realm,
  rootRttCount,
} from '../realm/realm.ts';
import {
  RMI_ERROR_INPUT,
  RMI_ERROR_REALM,
  RMI_SUCCESS,
  type RmiContext,
  type RmiResultRegs,
} from './context.ts';
import { copyInNsGranule, realmView, scrubGranule } from './memory.ts';

/**
 * The granule index of the RD in register `x`, or {@link NO_GRANULE} when it has no granule or
 * the granule is not in state RD (`find_lock_granule(rd, GRANULE_STATE_RD)`).
 * @since 0.2.0
 */
export function findRd(ctx: RmiContext, x: bigint): number {
  const idx = ctx.granules.findFromRegister(x);
  return idx !== NO_GRANULE && ctx.granules.states[idx] === GranuleState.Rd ? idx : NO_GRANULE;
}

/**
 * The realm of an RD granule in state RD.
 * @throws {@link IsletInvariantError} when there is none (granule table and realms disagree).
 * @since 0.2.0
 */
export function realmAt(ctx: RmiContext, rdIdx: number): Realm {
  const realm = ctx.realms.get(rdIdx);
  assert(realm !== undefined, () => `RD granule ${rdIdx} has no realm`);
  return realm;
}

/**
 * RMI_REALM_CREATE(X1 rd, X2 params_ptr).
 * @see rmm-abi.md §2.5, §3.1, §4.6, §6.2
 * @since 0.2.0
 */
export function rmiRealmCreate(ctx: RmiContext, args: RmiArgs, _res: RmiResultRegs): RmiReturnCode {
  const { granules, features } = ctx;
  // 1. params: an NS granule, copied in once.
  const page = copyInNsGranule(ctx, args[1]);
  if (page === undefined) return RMI_ERROR_INPUT;
  const raw = decodeRealmParams(page);
  const checked = validateRealmParams(raw);
  if (!checked.ok) return RMI_ERROR_INPUT;
  const p = checked.value;
  // 2. validate_realm_params, against this RMM's feature register 0.
  if (p.lpa2 && !features.lpa2) return RMI_ERROR_INPUT; // a
  if (p.s2sz < MIN_IPA_BITS || p.s2sz > features.s2sz) return RMI_ERROR_INPUT; // b
  if (p.numBps === 0 || p.numBps > features.numBps) return RMI_ERROR_INPUT; // c
  if (p.numWps === 0 || p.numWps > features.numWps) return RMI_ERROR_INPUT;
  if (p.sve && (!features.sveEn || p.sveVl > features.sveVl)) return RMI_ERROR_INPUT; // d
  if (p.pmu && (p.pmuNumCtrs > features.pmuNumCtrs || (p.pmuNumCtrs === 0 && !ctx.hpmn0))) {
    return RMI_ERROR_INPUT; // e
  }
  if (!isValidS2Geometry(p.s2sz, p.rttLevelStart, p.lpa2, features.s2sz)) return RMI_ERROR_INPUT;
  const numRtts = rootRttCount(p.s2sz, p.rttLevelStart);
  if (p.rttNumStart !== numRtts) return RMI_ERROR_INPUT; // g
  const hashOk = p.hashAlgo === RmiHashAlgorithm.Sha256 ? features.hashSha256 : features.hashSha512;
  if (!hashOk) return RMI_ERROR_INPUT; // h (supported)
  if (p.vmid >= 2 ** ctx.vmidBits || ctx.realms.vmidInUse(p.vmid)) return RMI_ERROR_INPUT; // i
  // 3. rd must not be one of the root RTTs.
  const rdX = args[0];
  const rttBaseX = BigInt(p.rttBase);
  if (rdX >= rttBaseX && rdX < rttBaseX + BigInt(numRtts * GRANULE_SIZE)) return RMI_ERROR_INPUT;
  // 4. rd and every root RTT granule DELEGATED.
  const rdIdx = granules.findFromRegister(rdX);
  if (rdIdx === NO_GRANULE || granules.states[rdIdx] !== GranuleState.Delegated) {
    return RMI_ERROR_INPUT;
  }
  const rootRttIdx: number[] = [];
  for (let i = 0; i < numRtts; i++) {
    const idx = granules.find(p.rttBase + i * GRANULE_SIZE);
    if (idx === NO_GRANULE || granules.states[idx] !== GranuleState.Delegated) {
      return RMI_ERROR_INPUT;
    }
    rootRttIdx.push(idx);
  }

  // Commit.
  const hash = measurementHash(p.hashAlgo, ctx.crypto);
  const measurements = newMeasurements();
  measurements.set(measureRealmCreate(hash, raw), 0);
  const realm: Realm = {
    rdIdx,
    state: RealmState.New,
    hash,
    measurements,
    rpv: Uint8Array.from(p.rpv),
    flags: p.flags,
    lpa2: p.lpa2,
    s2sz: p.s2sz,
    sveVl: p.sveVl,
    numBps: p.numBps,
    numWps: p.numWps,
    pmuNumCtrs: p.pmuNumCtrs,
    vmid: p.vmid,
    rttBase: p.rttBase,
    rttLevelStart: p.rttLevelStart,
    rttNumStart: numRtts,
    rootRttIdx,
    recCount: 0,
    numRecAux: MAX_REC_AUX_GRANULES,
    l3Table: undefined,
  };
  for (const idx of rootRttIdx) granules.transition(idx, GranuleState.Delegated, GranuleState.Rtt);
  initRootRtts(ctx, realm);
  granules.transition(rdIdx, GranuleState.Delegated, GranuleState.Rd);
  ctx.realms.add(realm);
  return RMI_SUCCESS;
}

/**
 * Writes the initial root RTT entries: unassigned/EMPTY (all-zero descriptor, already there) below
 * the PAR size 2^(s2sz−1), unassigned_ns above it.
 */
function initRootRtts(ctx: RmiContext, realm: Realm): void {
  const sl = realm.rttLevelStart;
  const perTable = sl === RTT_MIN_LEVEL_LPA2 ? S2TTES_PER_S2TT_LM1 : S2TTES_PER_S2TT;
  const block = rttLevelBlockSize(sl);
  const par = 2 ** (realm.s2sz - 1);
  const ns = encodeS2tte({ type: S2tteType.UnassignedNs, oa: 0, nsAttrs: 0 }, sl, realm.lpa2);
  realm.rootRttIdx.forEach((idx, t) => {
    const view = realmView(ctx, ctx.granules.address(idx));
    const words = new DataView(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < perTable; i++) {
      if ((t * perTable + i) * block < par) continue;
      words.setUint32(i * 8, ns.lo, true);
      words.setUint32(i * 8 + 4, ns.hi, true);
    }
  });
}

/**
 * RMI_REALM_ACTIVATE(X1 rd).
 * @see rmm-abi.md §2.6, §4.2
 * @since 0.2.0
 */
export function rmiRealmActivate(
  ctx: RmiContext,
  args: RmiArgs,
  _res: RmiResultRegs,
): RmiReturnCode {
  const rdIdx = findRd(ctx, args[0]);
  if (rdIdx === NO_GRANULE) return RMI_ERROR_INPUT;
  const realm = realmAt(ctx, rdIdx);
  if (realm.state !== RealmState.New) return RMI_ERROR_REALM;
  realm.state = RealmState.Active;
  return RMI_SUCCESS;
}

/**
 * RMI_REALM_DESTROY(X1 rd).
 * @see rmm-abi.md §2.7, §4.2
 * @since 0.2.0
 */
export function rmiRealmDestroy(
  ctx: RmiContext,
  args: RmiArgs,
  _res: RmiResultRegs,
): RmiReturnCode {
  const { granules } = ctx;
  const rdIdx = findRd(ctx, args[0]);
  if (rdIdx === NO_GRANULE) return RMI_ERROR_INPUT;
  const realm = realmAt(ctx, rdIdx);
  if (granules.refcount(rdIdx) !== 0) return RMI_ERROR_REALM;
  let rttRefs = 0;
  for (const idx of realm.rootRttIdx) rttRefs += granules.refcount(idx);
  if (rttRefs !== 0) return RMI_ERROR_REALM;

  // Commit.
  ctx.realms.remove(rdIdx);
  for (const idx of realm.rootRttIdx) {
    scrubGranule(ctx, idx);
    granules.transition(idx, GranuleState.Rtt, GranuleState.Delegated);
  }
  scrubGranule(ctx, rdIdx);
  granules.transition(rdIdx, GranuleState.Rd, GranuleState.Delegated);
  return RMI_SUCCESS;
}
