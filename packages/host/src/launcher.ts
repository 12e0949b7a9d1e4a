/**
 * The kvmtool-like realm launcher: executes a {@link RealmPlan} through the {@link RmiDriver}
 * and tears the realm down again.
 *
 * Launch order: delegate the RD and the root RTTs, write RmiRealmParams into an NS page and
 * REALM_CREATE; RTT_CREATE the plan's tables, top down; RTT_INIT_RIPAS over RAM (looping until
 * done); RTT_CREATE the level-3 tables under the image; stage the image into NS pages 64 at a time and DATA_CREATE each page
 * measured; REC_AUX_COUNT, then for each vCPU delegate the REC and its aux granules and
 * REC_CREATE and take an NS page for its RmiRecRun (KVM allocates `rec->run` with the REC);
 * REALM_ACTIVATE. If a step fails, what was built is torn down before the error is rethrown.
 *
 * While the realm runs, the vCPU loop backs protected pages on demand
 * ({@link LaunchedRealm.dataCreateUnknown}) and adds RTTs below the plan's layout
 * ({@link LaunchedRealm.createRtts}); the host shares NS pages with the realm in its unprotected
 * IPA half ({@link LaunchedRealm.mapUnprotected}: bounce buffers, virtqueues), with the RTTs that
 * half needs. All of it is recorded here, so teardown undoes it too.
 *
 * Teardown order (`destroy()`): DATA_DESTROY every page (image and faulted in) in the order they
 * were mapped (the image's in IPA order), REC_DESTROY in reverse, RTT_UNMAP_UNPROTECTED every
 * shared page (an RTT that still maps one may count as live),
 * RTT_DESTROY in reverse creation order (children before parents), REALM_DESTROY, then
 * UNDELEGATE every granule the realm used and free the run pages and the shared pages, so every
 * granule is Non-secure (and zero) again and back in the allocator.
 * @module
 */
import {
  encodeRealmParams,
  encodeRecParams,
  RmiDataMeasureContent,
  S2TTE_MEMATTR_FWB_NORMAL_WB,
  S2TTE_MEMATTR_SHIFT,
  S2TTE_S2AP_RW,
  S2TTE_S2AP_SHIFT,
} from '@islet/abi';
import { IsletError } from '@islet/arch';
import { GranuleAllocator } from './allocator.ts';
import { RmiDriver } from './driver.ts';
import type { RealmLaunch } from './launch.ts';
import {
  type DataStep,
  planRealm,
  type RealmPlan,
  realmParamsOf,
  recParamsOf,
  rttBlockSize,
} from './plan.ts';
import type { HostPorts } from './ports.ts';
import { missingRttLevel } from './rmi-error.ts';

/** Options of {@link launchRealm}. @since 0.1.0 */
export interface LaunchRealmOptions {
  /** Where granules come from; share one between realms. Default: a new one over `ports.dram`. */
  readonly allocator?: GranuleAllocator;
  /** The VMID (not measured); default 1. Each live realm needs its own. */
  readonly vmid?: number;
  /** Called after each image page is loaded, with pages done and the page count. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A REC, its auxiliary granules and its run page. @since 0.1.0 */
export interface LaunchedRec {
  readonly rec: bigint;
  readonly aux: readonly bigint[];
  /** The NS page the host enters the REC with (RmiRecRun); not delegated. */
  readonly run: bigint;
}

/** A launched (ACTIVE) realm. @since 0.1.0 */
export interface LaunchedRealm {
  readonly rd: bigint;
  /** The first root RTT (`rtt_base`); the others follow it. */
  readonly rttBase: bigint;
  /** The RTTs below the roots: the plan's, in its order, then those {@link createRtts} added. */
  readonly rtts: readonly bigint[];
  /** The data granules: the image's, in the plan's order, then the pages faulted in. */
  readonly data: readonly bigint[];
  readonly recs: readonly LaunchedRec[];
  /** Every granule delegated to the realm (still listed after `destroy()`). */
  readonly granules: readonly bigint[];
  readonly plan: RealmPlan;
  readonly vmid: number;
  /**
   * RMI_RTT_CREATEs the tables of levels `fromLevel`..3 that map `ipa` (either IPA half): what a
   * command that stopped its walk at level `fromLevel - 1` (RMI_ERROR_RTT, index
   * `fromLevel - 1`) needs.
   * @throws {@link RmiCallError} `HOST_RMI_FAILED` when the RMM refuses one (e.g. it exists).
   * @throws {@link IsletError} `HOST_IPA_INVALID` when `ipa` is outside the IPA space or
   *   `fromLevel` is not below the root level, `HOST_REALM_DESTROYED`, `HOST_OUT_OF_MEMORY`.
   */
  createRtts(ipa: bigint, fromLevel: number): void;
  /**
   * Shares a fresh, zeroed NS granule with the realm at the unprotected page `ipa` (IPA bit
   * `ipaBits - 1` set): RMI_RTT_MAP_UNPROTECTED at level 3 with Normal write-back, read-write
   * attributes, creating the RTTs the walk lacks. The granule stays Non-secure: host and realm
   * both reach it, so the realm must treat what it reads there as hostile.
   * `destroy()` unmaps it and frees the granule.
   * @returns the granule's PA, where the host reads and writes what the realm sees at `ipa`.
   * @throws {@link RmiCallError} `HOST_RMI_FAILED` when the RMM refuses (RMI_ERROR_RTT index 3:
   *   the page is mapped already); the granule is then freed.
   * @throws {@link IsletError} `HOST_IPA_INVALID` when `ipa` is not a page of the unprotected
   *   half, `HOST_REALM_DESTROYED`, `HOST_OUT_OF_MEMORY`.
   * @see rmm-abi.md §2.15
   */
  mapUnprotected(ipa: bigint): bigint;
  /**
   * Stops sharing the page at `ipa` (RMI_RTT_UNMAP_UNPROTECTED) and frees its granule; the
   * tables stay until `destroy()`.
   * @throws {@link RmiCallError} `HOST_RMI_FAILED` when the RMM refuses.
   * @throws {@link IsletError} `HOST_IPA_INVALID` when {@link mapUnprotected} did not map `ipa`,
   *   `HOST_REALM_DESTROYED`.
   * @see rmm-abi.md §2.16
   */
  unmapUnprotected(ipa: bigint): void;
  /** The pages {@link mapUnprotected} shares now: unprotected IPA and NS granule, in map order. */
  readonly unprotected: readonly { readonly ipa: bigint; readonly pa: bigint }[];
  /**
   * Backs the protected page at `ipa` with a fresh zero granule (RMI_DATA_CREATE_UNKNOWN, unmeasured,
   * the RIPAS unchanged), creating the RTTs the walk lacks; `destroy()` DATA_DESTROYs it.
   * @returns the granule's PA.
   * @throws {@link RmiCallError} `HOST_RMI_FAILED` when the RMM refuses (RMI_ERROR_RTT index 3: the
   *   page is already assigned); the granule is then given back.
   * @throws {@link IsletError} `HOST_IPA_INVALID` when `ipa` is not a page of the protected half,
   *   `HOST_REALM_DESTROYED`, `HOST_OUT_OF_MEMORY`.
   */
  dataCreateUnknown(ipa: bigint): bigint;
  /**
   * Tears the realm down and returns every granule to the Normal world and the allocator.
   * @throws {@link RmiCallError} when the RMM refuses a step (the realm is then partly torn down).
   */
  destroy(): void;
}

const PAGE = 0x1000n;

/**
 * The host's attributes of a shared page (X4 of RMI_RTT_MAP_UNPROTECTED besides the PA): Normal
 * write-back memory, read-write, as Linux maps its decrypted (shared) pages.
 */
const NS_PAGE_ATTRS = BigInt(
  (S2TTE_MEMATTR_FWB_NORMAL_WB << S2TTE_MEMATTR_SHIFT) | (S2TTE_S2AP_RW << S2TTE_S2AP_SHIFT),
);

/**
 * NS pages the image is staged through, a batch at a time (256 KiB): one host write per run of
 * pages that are contiguous in the image, rather than one per page.
 */
const STAGING_PAGES = 64;

/** Writes the pages of `steps[first..end)` into the NS pages from `staging`, coalescing contiguous views. */
function stage(
  ports: HostPorts,
  staging: bigint,
  steps: readonly DataStep[],
  first: number,
  end: number,
): void {
  let run = first;
  for (let j = first + 1; j <= end; j++) {
    const head = steps[run]!.content;
    const next = j < end ? steps[j]!.content : undefined;
    const contiguous =
      next !== undefined &&
      next.buffer === head.buffer &&
      next.byteOffset === head.byteOffset + (j - run) * Number(PAGE);
    if (contiguous) continue;
    const bytes = new Uint8Array(head.buffer, head.byteOffset, (j - run) * Number(PAGE));
    ports.memory.write(staging + BigInt(run - first) * PAGE, bytes);
    run = j;
  }
}

/** What has been built so far, so a failure or `destroy()` can undo exactly that. */
interface Built {
  rd?: bigint;
  realm: boolean;
  rttBase?: bigint;
  rootCount: number;
  rtts: { pa: bigint; ipa: bigint; level: number }[];
  data: { pa: bigint; ipa: bigint; mapped: boolean }[];
  /** NS granules shared at unprotected IPAs: unmapped before the RTTs go, then freed. */
  shared: { pa: bigint; ipa: bigint }[];
  recs: { rec: bigint; aux: bigint[]; created: boolean }[];
  /** NS run pages, freed (not undelegated) last. */
  runs: bigint[];
  delegated: bigint[];
}

/**
 * Launches `launch` on the platform behind `ports`: the realm is ACTIVE and its RIM is what
 * {@link planRealm} folds to. Running it (REC_ENTER) is the caller's.
 * @throws {@link RmiCallError} `HOST_RMI_FAILED` when the RMM refuses a step (after tearing down
 *   what was built), {@link IsletError} `HOST_LAUNCH_INVALID` for a bad launch, `HOST_OUT_OF_MEMORY`.
 * @example
 * ```ts
 * const p = bootPlatform();
 * const realm = launchRealm(p.host, { image, memorySize: 0x20_0000 });
 * p.inspect.realm(realm.rd)?.rim; // = computeRim({ image, memorySize: 0x20_0000 })
 * realm.destroy();
 * ```
 * @since 0.1.0
 */
export function launchRealm(
  ports: HostPorts,
  launch: RealmLaunch,
  options: LaunchRealmOptions = {},
): LaunchedRealm {
  const plan = planRealm(launch);
  const rmi = new RmiDriver(ports);
  const granules = options.allocator ?? new GranuleAllocator(ports.dram);
  const vmid = options.vmid ?? 1;
  const b: Built = {
    realm: false,
    rootCount: 0,
    rtts: [],
    data: [],
    shared: [],
    recs: [],
    runs: [],
    delegated: [],
  };
  const delegate = (pa: bigint): bigint => {
    rmi.delegate(pa);
    b.delegated.push(pa);
    return pa;
  };
  const take = (): bigint => {
    const pa = granules.alloc();
    try {
      return delegate(pa);
    } catch (err) {
      granules.free(pa);
      throw err;
    }
  };
  const scratch: bigint[] = [];
  const nsPage = (): bigint => {
    const pa = granules.alloc();
    scratch.push(pa);
    return pa;
  };

  try {
    // The RD and the concatenated root RTTs.
    b.rd = take();
    const roots = plan.rtt.numStart;
    b.rttBase = granules.allocContiguous(roots);
    for (let i = 0n; i < BigInt(roots); i++) {
      const pa = b.rttBase + i * PAGE;
      try {
        delegate(pa);
      } catch (err) {
        for (let j = i; j < BigInt(roots); j++) granules.free(b.rttBase + j * PAGE);
        throw err;
      }
      b.rootCount++;
    }
    const params = nsPage();
    ports.memory.write(params, encodeRealmParams(realmParamsOf(plan, b.rttBase, vmid)));
    rmi.realmCreate(b.rd, params);
    b.realm = true;

    const createRtt = (rd: bigint, t: { readonly ipa: number; readonly level: number }) => {
      const pa = take();
      const ipa = BigInt(t.ipa);
      rmi.rttCreate(rd, pa, ipa, t.level);
      b.rtts.push({ pa, ipa, level: t.level });
    };
    for (const t of plan.rtt.tables) createRtt(b.rd, t);

    for (const r of plan.ripasRanges) rmi.rttInitRipas(b.rd, BigInt(r.base), BigInt(r.top));

    for (const t of plan.rtt.dataTables) createRtt(b.rd, t);

    const staging = granules.allocContiguous(STAGING_PAGES);
    const sources: bigint[] = [];
    for (let i = 0n; i < BigInt(STAGING_PAGES); i++) sources.push(staging + i * PAGE);
    scratch.push(...sources);
    const rd = b.rd;
    const pages = plan.data.length;
    for (let first = 0; first < pages; first += STAGING_PAGES) {
      const end = Math.min(first + STAGING_PAGES, pages);
      stage(ports, staging, plan.data, first, end);
      for (let i = first; i < end; i++) {
        const entry = { pa: take(), ipa: BigInt(plan.data[i]!.ipa), mapped: false };
        b.data.push(entry);
        rmi.dataCreate(rd, entry.pa, entry.ipa, sources[i - first]!, RmiDataMeasureContent.Measure);
        entry.mapped = true;
        options.onProgress?.(i + 1, pages);
      }
    }

    const auxCount = rmi.recAuxCount(b.rd);
    const recParams = nsPage();
    for (const r of plan.recs) {
      const entry = { rec: take(), aux: [] as bigint[], created: false };
      b.recs.push(entry);
      for (let i = 0; i < auxCount; i++) entry.aux.push(take());
      ports.memory.write(recParams, encodeRecParams(recParamsOf(r, entry.aux)));
      rmi.recCreate(b.rd, entry.rec, recParams);
      entry.created = true;
      b.runs.push(granules.alloc());
    }

    rmi.realmActivate(b.rd);
  } catch (err) {
    try {
      teardown(rmi, granules, b);
    } catch {
      // The launch error is the one to report; a refused teardown step leaves granules delegated.
    }
    throw err;
  } finally {
    for (const pa of scratch) granules.free(pa);
  }

  const rd = b.rd;
  // What the realm was given, for its accessors: appended to, never drained (teardown drains `b`).
  const rtts = b.rtts.map((t) => t.pa);
  const data = b.data.map((d) => d.pa);
  const all = [...b.delegated];
  const protectedTop = 1n << BigInt(plan.launch.ipaBits - 1);
  const ipaTop = protectedTop * 2n;
  const levelStart = plan.rtt.levelStart;
  let destroyed = false;

  /** Checks that the realm is live and `ipa` is a page of `[base, top)`, the half `what` names. */
  const checkPage = (ipa: bigint, base: bigint, top: bigint, what: string): void => {
    if (destroyed) {
      throw new IsletError('HOST_REALM_DESTROYED', 'the realm has been destroyed');
    }
    if (ipa < base || ipa >= top || ipa % PAGE !== 0n) {
      throw new IsletError('HOST_IPA_INVALID', `not a page of the ${what} IPA space`, {
        details: `0x${ipa.toString(16)}, ${what} space [0x${base.toString(16)}, 0x${top.toString(16)})`,
      });
    }
  };
  const checkIpa = (ipa: bigint): void => checkPage(ipa, 0n, protectedTop, 'protected');
  const takeForRealm = (): bigint => {
    const pa = take();
    all.push(pa);
    return pa;
  };

  /** Returns a delegated granule the RMM did not take; if it refuses, `destroy()` retries. */
  const giveBack = (pa: bigint): void => {
    try {
      rmi.undelegate(pa);
    } catch {
      return;
    }
    b.delegated.splice(b.delegated.lastIndexOf(pa), 1);
    all.splice(all.lastIndexOf(pa), 1);
    granules.free(pa);
  };
  const createRtts = (ipa: bigint, fromLevel: number): void => {
    checkPage(ipa - (ipa % PAGE), 0n, ipaTop, 'realm');
    if (!Number.isInteger(fromLevel) || fromLevel <= levelStart || fromLevel > 3) {
      throw new IsletError('HOST_IPA_INVALID', `no RTT level ${fromLevel} below the root`);
    }
    for (let level = fromLevel; level <= 3; level++) {
      const span = BigInt(rttBlockSize(level - 1));
      const at = ipa - (ipa % span);
      const pa = takeForRealm();
      try {
        rmi.rttCreate(rd, pa, at, level);
      } catch (err) {
        giveBack(pa);
        throw err;
      }
      b.rtts.push({ pa, ipa: at, level });
      rtts.push(pa);
    }
  };

  return {
    rd,
    rttBase: b.rttBase,
    get rtts() {
      return rtts;
    },
    get data() {
      return data;
    },
    recs: b.recs.map((r, i) => ({ rec: r.rec, aux: [...r.aux], run: b.runs[i]! })),
    get granules() {
      return all;
    },
    get unprotected() {
      return b.shared.map(({ ipa, pa }) => ({ ipa, pa }));
    },
    plan,
    vmid,
    createRtts,
    dataCreateUnknown(ipa) {
      checkIpa(ipa);
      const pa = takeForRealm();
      try {
        try {
          rmi.dataCreateUnknown(rd, pa, ipa);
        } catch (err) {
          const level = missingRttLevel(err, levelStart);
          if (level === undefined) throw err;
          createRtts(ipa, level + 1);
          rmi.dataCreateUnknown(rd, pa, ipa);
        }
      } catch (err) {
        giveBack(pa);
        throw err;
      }
      b.data.push({ pa, ipa, mapped: true });
      data.push(pa);
      return pa;
    },
    mapUnprotected(ipa) {
      checkPage(ipa, protectedTop, ipaTop, 'unprotected');
      const pa = granules.alloc();
      try {
        // The granule may hold what the host staged before: the realm gets zeros.
        ports.memory.write(pa, new Uint8Array(Number(PAGE)));
        const desc = pa | NS_PAGE_ATTRS;
        try {
          rmi.rttMapUnprotected(rd, ipa, 3, desc);
        } catch (err) {
          const level = missingRttLevel(err, levelStart);
          if (level === undefined) throw err;
          createRtts(ipa, level + 1);
          rmi.rttMapUnprotected(rd, ipa, 3, desc);
        }
      } catch (err) {
        granules.free(pa);
        throw err;
      }
      b.shared.push({ pa, ipa });
      return pa;
    },
    unmapUnprotected(ipa) {
      checkPage(ipa, protectedTop, ipaTop, 'unprotected');
      const at = b.shared.findIndex((s) => s.ipa === ipa);
      if (at < 0) {
        throw new IsletError('HOST_IPA_INVALID', 'no page shared at this IPA', {
          details: `0x${ipa.toString(16)}`,
        });
      }
      rmi.rttUnmapUnprotected(rd, ipa, 3);
      granules.free(b.shared[at]!.pa);
      b.shared.splice(at, 1);
    },
    destroy() {
      if (destroyed) return;
      teardown(rmi, granules, b);
      destroyed = true;
    },
  };
}

/** Undoes `b`, emptying it as it goes (so a retry resumes where a refusal stopped). */
function teardown(rmi: RmiDriver, granules: GranuleAllocator, b: Built): void {
  const rd = b.rd;
  if (rd !== undefined && b.realm) {
    // In IPA order: DATA_DESTROY reports the next live entry of the table, which is then the next
    // page, found at once (last first, the RMM scans the rest of the table each time).
    drainInOrder(b.data, (d) => {
      if (d.mapped) rmi.dataDestroy(rd, d.ipa);
    });
    drain(b.recs, (r) => {
      if (r.created) rmi.recDestroy(r.rec);
    });
    drain(b.shared, (s) => {
      rmi.rttUnmapUnprotected(rd, s.ipa, 3);
      granules.free(s.pa);
    });
    drain(b.rtts, (t) => {
      rmi.rttDestroy(rd, t.ipa, t.level);
    });
    rmi.realmDestroy(rd);
    b.realm = false;
  }
  drain(b.delegated, (pa) => {
    rmi.undelegate(pa);
    granules.free(pa);
  });
  drain(b.runs, (pa) => {
    granules.free(pa);
  });
}

/** Undoes the items of `list` first first; those undone are removed even when one is refused. */
function drainInOrder<T>(list: T[], undo: (item: T) => void): void {
  let done = 0;
  try {
    for (const item of list) {
      undo(item);
      done++;
    }
  } finally {
    list.splice(0, done);
  }
}

/** Undoes the items of `list` last first, removing each once `undo` returns. */
function drain<T>(list: T[], undo: (item: T) => void): void {
  for (let last = list.at(-1); last !== undefined; last = list.at(-1)) {
    undo(last);
    list.pop();
  }
}
