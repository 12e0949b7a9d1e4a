/**
 * The realm plan: from a {@link RealmLaunch}, the exact, ordered list of the operations that
 * change the Realm Initial Measurement, and the RTT tree they need. The launcher executes it and
 * an offline calculator folds the RMM's measurement functions over it, so the two cannot disagree
 * (rmm-abi.md §6).
 *
 * **The RTT layout.** Root RTTs at `rtt_level_start` (level 1 for IPA widths 32..43, with
 * `2^(s2sz-39)` concatenated roots above 39 bits; level 0 for 44..48), then level-1 and level-2
 * tables over all of protected RAM `[0, memorySize)` (one level-2 table per 1 GiB), and level-3
 * tables (one per 2 MiB) only where they are needed: under the image, and over a last 2 MiB
 * block that RAM covers only in part. RTT_INIT_RIPAS measures one RIPAS descriptor per RTT entry
 * it walks (§6.5), so RAM away from the image costs **one descriptor per 2 MiB**, not 512: a
 * 64 MiB realm measures 32 RIPAS descriptors instead of 16384, which is what keeps a large launch
 * fast. (kvmtool with KVM makes the same choice of block entries where it can; a different RTT
 * shape gives a different RIM, which is why the shape is part of the plan.)
 *
 * The level-3 tables under the image are created **after** RTT_INIT_RIPAS: creating a table under
 * an unassigned RAM block gives 512 unassigned RAM entries (RTT_CREATE "unfold", §2.12), which
 * DATA_CREATE then fills, without 512 more RIPAS descriptors. The level-3 table of a partial last
 * block is created before, since INIT_RIPAS cannot cover part of a block entry.
 * **The measured order** (the RIM is a hash chain, so order matters):
 * 1. REALM_CREATE: flags, s2sz, sve_vl, num_bps, num_wps, pmu_num_ctrs, hash_algo. The RPV, VMID,
 *    `rtt_base`, `rtt_level_start` and `rtt_num_start` are not measured (§6.2).
 * 2. RTT_INIT_RIPAS over `[0, memorySize)`: one RIPAS step per entry in IPA order,
 *    `[block, block + 2 MiB)` for whole blocks and `[page, page + 4 KiB)` in a partial last block.
 * 3. DATA_CREATE with RMI_MEASURE_CONTENT for each page of the image, in IPA order from the image
 *    base, the last page padded with zeros.
 * 4. REC_CREATE for each vCPU in MPIDR order: REC 0 runnable with PC = entry and X0..X7 = args;
 *    the others not runnable (created, but not measured).
 * @module
 */
import {
  type RealmParams,
  type RecParams,
  RmiDataMeasureContent,
  RmiHashAlgorithm,
  RmiRecCreateFlag,
} from '@islet/abi';
import { type RealmLaunch, type ResolvedLaunch, resolveLaunch } from './launch.ts';

const PAGE = 0x1000;

/** The RmiRealmParams a plan fixes: everything but the host-chosen `rtt_base` and `vmid`. @since 0.1.0 */
export type PlannedRealmParams = Omit<RealmParams, 'rttBase' | 'vmid'>;
/** The RmiRecParams a plan fixes: everything but the aux granules. @since 0.1.0 */
export type PlannedRecParams = Omit<RecParams, 'numAux' | 'aux'>;

/** One RTT below the roots: the level-`level` table that maps IPAs from `ipa`. @since 0.1.0 */
export interface PlannedRtt {
  readonly ipa: number;
  readonly level: number;
}

/** The stage-2 tree the launcher builds. @since 0.1.0 */
export interface RttLayout {
  /** `rtt_level_start`. */
  readonly levelStart: number;
  /** `rtt_num_start`: concatenated root tables. */
  readonly numStart: number;
  /**
   * The tables created before RTT_INIT_RIPAS, in creation order (by level, then IPA): levels
   * below the root down to 2 over all RAM, and level 3 over a partial last 2 MiB block.
   */
  readonly tables: readonly PlannedRtt[];
  /**
   * The level-3 tables under the image, created after RTT_INIT_RIPAS and before DATA_CREATE.
   * @since 0.2.0
   */
  readonly dataTables: readonly PlannedRtt[];
}

/** REALM_CREATE: the initial RIM. @since 0.1.0 */
export interface RealmStep {
  readonly kind: 'realm';
  readonly params: PlannedRealmParams;
}
/** One RTT entry RTT_INIT_RIPAS makes RAM (and measures). @since 0.1.0 */
export interface RipasStep {
  readonly kind: 'ripas';
  readonly base: number;
  readonly top: number;
}
/** One DATA_CREATE. @since 0.1.0 */
export interface DataStep {
  readonly kind: 'data';
  readonly ipa: number;
  readonly flags: RmiDataMeasureContent;
  /** The 4 KiB page: a view of the image, or a zero-padded copy of its partial last page. */
  readonly content: Uint8Array;
}
/** One REC_CREATE (measured only when runnable). @since 0.1.0 */
export interface RecStep {
  readonly kind: 'rec';
  readonly index: number;
  readonly runnable: boolean;
  readonly params: PlannedRecParams;
}
/** A measurement-relevant operation. @since 0.1.0 */
export type PlanStep = RealmStep | RipasStep | DataStep | RecStep;

/** Everything the launcher does and the calculator folds. @since 0.1.0 */
export interface RealmPlan {
  readonly launch: ResolvedLaunch;
  readonly hashAlgo: RmiHashAlgorithm;
  readonly realm: PlannedRealmParams;
  readonly rtt: RttLayout;
  /** The RTT_INIT_RIPAS ranges the launcher requests (it loops each until done). */
  readonly ripasRanges: readonly { readonly base: number; readonly top: number }[];
  readonly data: readonly DataStep[];
  readonly recs: readonly RecStep[];
  /** Every measured operation in order: realm, RIPAS entries, data pages, RECs. */
  readonly steps: readonly PlanStep[];
}

/** Bytes one entry of a level-`level` RTT maps. */
export function rttBlockSize(level: number): number {
  return PAGE * 512 ** (3 - level);
}

/**
 * The root geometry of a `s2sz`-bit IPA space without LPA2 (rmm-abi.md §4.6).
 * @since 0.1.0
 */
export function rootGeometry(s2sz: number): { levelStart: number; numStart: number } {
  const levelStart = s2sz <= 43 ? 1 : 0;
  const covered = (3 - levelStart) * 9 + 21;
  return { levelStart, numStart: covered >= s2sz ? 1 : 2 ** (s2sz - covered) };
}

/** The RMI MPIDR of REC `index`: Aff0[3:0], Aff1[15:8], Aff2[23:16], Aff3[31:24]. */
export function recMpidr(index: number): bigint {
  const aff0 = index & 0xf;
  const aff1 = (index >>> 4) & 0xff;
  const aff2 = (index >>> 12) & 0xff;
  const aff3 = (index >>> 20) & 0xff;
  return BigInt(aff0 | (aff1 << 8) | (aff2 << 16)) | (BigInt(aff3) << 24n);
}

/**
 * The realm plan of `launch`: deterministic (the same launch gives the same plan).
 * @throws {@link IsletError} `HOST_LAUNCH_INVALID` when the launch is inconsistent.
 * @example
 * ```ts
 * const plan = planRealm({ image, memorySize: 0x20_0000 });
 * plan.steps.filter((s) => s.kind === 'ripas').length; // 1: one 2 MiB block
 * ```
 * @since 0.1.0
 */
export function planRealm(launch: RealmLaunch): RealmPlan {
  const l = resolveLaunch(launch);
  const { levelStart, numStart } = rootGeometry(l.ipaBits);
  const realm: PlannedRealmParams = {
    flags: l.flags,
    s2sz: l.ipaBits,
    sveVl: l.sveVl,
    numBps: l.numBps,
    numWps: l.numWps,
    pmuNumCtrs: l.pmuNumCtrs,
    hashAlgo: l.hashAlgo,
    rpv: l.rpv,
    rttLevelStart: levelStart,
    rttNumStart: numStart,
  };

  const BLOCK = rttBlockSize(2);
  const tables: PlannedRtt[] = [];
  for (let level = levelStart + 1; level <= 2; level++) {
    const span = rttBlockSize(level - 1);
    for (let ipa = 0; ipa < l.memorySize; ipa += span) tables.push({ ipa, level });
  }
  const wholeBlocksEnd = Math.floor(l.memorySize / BLOCK) * BLOCK;
  if (wholeBlocksEnd < l.memorySize) tables.push({ ipa: wholeBlocksEnd, level: 3 });
  const imageTop = l.imageBase + Math.ceil(l.image.length / PAGE) * PAGE;
  const dataTables: PlannedRtt[] = [];
  for (let ipa = Math.floor(l.imageBase / BLOCK) * BLOCK; ipa < imageTop; ipa += BLOCK) {
    if (ipa < wholeBlocksEnd) dataTables.push({ ipa, level: 3 });
  }

  const steps: PlanStep[] = [{ kind: 'realm', params: realm }];
  for (let base = 0; base < wholeBlocksEnd; base += BLOCK) {
    steps.push({ kind: 'ripas', base, top: base + BLOCK });
  }
  for (let base = wholeBlocksEnd; base < l.memorySize; base += PAGE) {
    steps.push({ kind: 'ripas', base, top: base + PAGE });
  }

  // Whole pages are views of the image (no copy of a large image); a partial last page is a
  // zero-padded copy.
  const pages = Math.ceil(l.image.length / PAGE);
  const data: DataStep[] = [];
  for (let i = 0; i < pages; i++) {
    const page = l.image.subarray(i * PAGE, (i + 1) * PAGE);
    const content = page.length === PAGE ? page : new Uint8Array(PAGE);
    if (content !== page) content.set(page);
    data.push({
      kind: 'data',
      ipa: l.imageBase + i * PAGE,
      flags: RmiDataMeasureContent.Measure,
      content,
    });
  }
  steps.push(...data);

  const zero = Array.from({ length: 8 }, () => 0n);
  const recs: RecStep[] = [];
  for (let index = 0; index < l.vcpus; index++) {
    const runnable = index === 0;
    recs.push({
      kind: 'rec',
      index,
      runnable,
      params: {
        flags: runnable ? RmiRecCreateFlag.Runnable : 0n,
        mpidr: recMpidr(index),
        pc: runnable ? l.entry : 0n,
        gprs: runnable ? l.args : zero,
      },
    });
  }
  steps.push(...recs);

  return {
    launch: l,
    hashAlgo: l.hashAlgo,
    realm,
    rtt: { levelStart, numStart, tables, dataTables },
    ripasRanges: [{ base: 0, top: l.memorySize }],
    data,
    recs,
    steps,
  };
}

/** The full RmiRealmParams of a plan, with the host's `rtt_base` and `vmid`. @since 0.1.0 */
export function realmParamsOf(plan: RealmPlan, rttBase: bigint, vmid: number): RealmParams {
  return { ...plan.realm, rttBase, vmid };
}

/** The full RmiRecParams of a planned REC, with its aux granules. @since 0.1.0 */
export function recParamsOf(rec: RecStep, aux: readonly bigint[]): RecParams {
  return { ...rec.params, numAux: aux.length, aux };
}

/** The hash algorithm's name. */
export function hashAlgorithmName(algo: RmiHashAlgorithm): 'sha256' | 'sha512' {
  return algo === RmiHashAlgorithm.Sha256 ? 'sha256' : 'sha512';
}
