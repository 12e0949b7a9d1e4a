/**
 * The kvmtool-like realm launcher: executes a {@link RealmPlan} through the {@link RmiDriver}
 * and tears the realm down again.
 *
 * Launch order: delegate the RD and the root RTTs, write RmiRealmParams into an NS page and
 * REALM_CREATE; RTT_CREATE every table of the plan's layout, top down; RTT_INIT_RIPAS over RAM
 * (looping until done); for each image page, write it into an NS source page and DATA_CREATE it
 * measured; REC_AUX_COUNT, then for each vCPU delegate the REC and its aux granules and
 * REC_CREATE; REALM_ACTIVATE. If a step fails, what was built is torn down before the error is
 * rethrown.
 *
 * Teardown order (`destroy()`): DATA_DESTROY every page, REC_DESTROY in reverse, RTT_DESTROY
 * bottom up, REALM_DESTROY, then UNDELEGATE every granule the realm used, so every granule is
 * Non-secure (and zero) again and back in the allocator.
 * @module
 */
import { encodeRealmParams, encodeRecParams, RmiDataMeasureContent } from '@islet/abi';
import { GranuleAllocator } from './allocator.ts';
import { RmiDriver } from './driver.ts';
import type { RealmLaunch } from './launch.ts';
import { planRealm, type RealmPlan, realmParamsOf, recParamsOf } from './plan.ts';
import type { HostPorts } from './ports.ts';

/** Options of {@link launchRealm}. @since 0.1.0 */
export interface LaunchRealmOptions {
  /** Where granules come from; share one between realms. Default: a new one over `ports.dram`. */
  readonly allocator?: GranuleAllocator;
  /** The VMID (not measured); default 1. Each live realm needs its own. */
  readonly vmid?: number;
  /** Called after each image page is loaded, with pages done and the page count. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A REC and its auxiliary granules. @since 0.1.0 */
export interface LaunchedRec {
  readonly rec: bigint;
  readonly aux: readonly bigint[];
}

/** A launched (ACTIVE) realm. @since 0.1.0 */
export interface LaunchedRealm {
  readonly rd: bigint;
  /** The first root RTT (`rtt_base`); the others follow it. */
  readonly rttBase: bigint;
  /** The RTTs below the roots, in the plan's order. */
  readonly rtts: readonly bigint[];
  /** The data granules of the image, in the plan's order. */
  readonly data: readonly bigint[];
  readonly recs: readonly LaunchedRec[];
  /** Every granule delegated to the realm. */
  readonly granules: readonly bigint[];
  readonly plan: RealmPlan;
  readonly vmid: number;
  /**
   * Tears the realm down and returns every granule to the Normal world and the allocator.
   * @throws {@link RmiCallError} when the RMM refuses a step (the realm is then partly torn down).
   */
  destroy(): void;
}

const PAGE = 0x1000n;

/** What has been built so far, so a failure or `destroy()` can undo exactly that. */
interface Built {
  rd?: bigint;
  realm: boolean;
  rttBase?: bigint;
  rootCount: number;
  rtts: { pa: bigint; ipa: bigint; level: number }[];
  data: { pa: bigint; ipa: bigint; mapped: boolean }[];
  recs: { rec: bigint; aux: bigint[]; created: boolean }[];
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
  const b: Built = { realm: false, rootCount: 0, rtts: [], data: [], recs: [], delegated: [] };
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

    for (const t of plan.rtt.tables) {
      const pa = take();
      const ipa = BigInt(t.ipa);
      rmi.rttCreate(b.rd, pa, ipa, t.level);
      b.rtts.push({ pa, ipa, level: t.level });
    }

    for (const r of plan.ripasRanges) rmi.rttInitRipas(b.rd, BigInt(r.base), BigInt(r.top));

    const source = nsPage();
    plan.data.forEach((d, i) => {
      const pa = take();
      const entry = { pa, ipa: BigInt(d.ipa), mapped: false };
      b.data.push(entry);
      ports.memory.write(source, d.content);
      rmi.dataCreate(b.rd!, pa, entry.ipa, source, RmiDataMeasureContent.Measure);
      entry.mapped = true;
      options.onProgress?.(i + 1, plan.data.length);
    });

    const auxCount = rmi.recAuxCount(b.rd);
    const recParams = nsPage();
    for (const r of plan.recs) {
      const entry = { rec: take(), aux: [] as bigint[], created: false };
      b.recs.push(entry);
      for (let i = 0; i < auxCount; i++) entry.aux.push(take());
      ports.memory.write(recParams, encodeRecParams(recParamsOf(r, entry.aux)));
      rmi.recCreate(b.rd, entry.rec, recParams);
      entry.created = true;
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

  let destroyed = false;
  return {
    rd: b.rd,
    rttBase: b.rttBase,
    rtts: b.rtts.map((t) => t.pa),
    data: b.data.map((d) => d.pa),
    recs: b.recs.map((r) => ({ rec: r.rec, aux: [...r.aux] })),
    granules: [...b.delegated],
    plan,
    vmid,
    destroy() {
      if (destroyed) return;
      teardown(rmi, granules, b);
      destroyed = true;
    },
  };
}

/** Undoes `b` in reverse, emptying it as it goes (so a retry resumes where a refusal stopped). */
function teardown(rmi: RmiDriver, granules: GranuleAllocator, b: Built): void {
  const rd = b.rd;
  if (rd !== undefined && b.realm) {
    drain(b.data, (d) => {
      if (d.mapped) rmi.dataDestroy(rd, d.ipa);
    });
    drain(b.recs, (r) => {
      if (r.created) rmi.recDestroy(r.rec);
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
}

/** Undoes the items of `list` last first, removing each once `undo` returns. */
function drain<T>(list: T[], undo: (item: T) => void): void {
  for (let last = list.at(-1); last !== undefined; last = list.at(-1)) {
    undo(last);
    list.pop();
  }
}
