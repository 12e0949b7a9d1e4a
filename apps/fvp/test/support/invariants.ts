/**
 * The invariants of the booted platform, checked from outside through `inspect` and the Realm port
 * of `parts.memory` (rmm-abi.md §4.1, §4.4):
 *
 * - every granule of the pool the RMM holds (not UNDELEGATED) is Realm in the GPT and not
 *   host-accessible; every UNDELEGATED pool granule is Non-secure and host-accessible; the
 *   platform's other PAS carve-outs keep their GPI and stay UNDELEGATED;
 * - every DELEGATED granule is all zero;
 * - refcounts match contents: an RD's = its live RECs; an RTT's = its TABLE entries plus its
 *   protected ASSIGNED entries (ASSIGNED_NS not counted); REC, REC_AUX, DATA, DELEGATED and
 *   UNDELEGATED granules 0 between calls;
 * - the RTT trees are well formed: every entry decodes, protected entries only below 2^(s2sz−1),
 *   each RTT granule hangs in exactly one tree once, each DATA granule is mapped exactly once,
 *   each REC_AUX granule belongs to exactly one REC;
 * - realm states only move NEW → ACTIVE; `inspect.counts()` agrees with the pool.
 *
 * {@link snapshot} and {@link diffSnapshots} give the "nothing half-changes" check: after a call
 * that did not succeed (or a read-only one), granule states, refcounts, GPIs, realms, RIMs and the
 * bytes of every RTT and DATA granule are exactly as before.
 * @module
 */
import { Gpi, GranuleState, RealmState, S2tteType } from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import type { Platform } from '../../src/platform.ts';
import { entryIpa, G, isZero, type RttNode, readRtt, realmRead, sameBytes } from './host.ts';

/** What the invariants look at. */
export interface Pool {
  /** Host DRAM granules the test may delegate and use (all Non-secure at boot). */
  readonly granules: readonly bigint[];
  /** Granules outside the host's DRAM whose GPI must never change (Secure, Realm, Root PAS). */
  readonly fixed: readonly { readonly pa: bigint; readonly gpi: Gpi }[];
}

/** Realm states seen so far, by RD (for "NEW → ACTIVE only"). */
export type RealmTracker = Map<bigint, RealmState>;

const hex = (pa: bigint): string => `0x${pa.toString(16)}`;
const PROTECTED_ASSIGNED: ReadonlySet<number> = new Set([
  S2tteType.AssignedRam,
  S2tteType.AssignedEmpty,
  S2tteType.AssignedDestroyed,
]);

/** The RTT tree of the realm at `rd`, root first, walking TABLE entries; problems go to `bad`. */
export function rttTree(p: Platform, rd: bigint, bad: string[] = []): RttNode[] {
  const info = p.inspect.realm(rd);
  if (info === undefined) return [];
  const nodes: RttNode[] = [];
  const seen = new Set<bigint>();
  const perRoot = 512n * 2n ** BigInt(12 + 9 * (3 - info.rttLevelStart));
  const visit = (pa: bigint, level: number, base: bigint): void => {
    if (seen.has(pa)) {
      bad.push(`realm ${hex(rd)}: RTT ${hex(pa)} reached twice`);
      return;
    }
    seen.add(pa);
    if (p.inspect.granule(pa).rmmState !== GranuleState.Rtt) {
      bad.push(`realm ${hex(rd)}: table entry points at ${hex(pa)}, which is not an RTT`);
      return;
    }
    const node = readRtt(p, pa, level, base);
    nodes.push(node);
    node.entries.forEach((e, i) => {
      if (e?.type === S2tteType.Table) visit(BigInt(e.oa), level + 1, entryIpa(node, i));
    });
  };
  for (let i = 0; i < info.rttNumStart; i++) {
    visit(BigInt(info.rttBase) + BigInt(i) * G, info.rttLevelStart, BigInt(i) * perRoot);
  }
  return nodes;
}

/**
 * Checks every invariant; returns the violations (empty when all hold).
 * @param tracker - realm states seen so far; updated.
 */
export function checkInvariants(p: Platform, pool: Pool, tracker: RealmTracker): string[] {
  const bad: string[] = [];
  const state = new Map<bigint, GranuleState | undefined>();
  const recsOf = new Map<bigint, number>();
  const auxOwner = new Map<bigint, number>();
  let rds = 0;
  let recs = 0;
  for (const pa of pool.granules) {
    const g = p.inspect.granule(pa);
    state.set(pa, g.rmmState);
    if (g.rmmState === undefined) {
      bad.push(`${hex(pa)}: not tracked by the RMM`);
      continue;
    }
    if (g.rmmState === GranuleState.Undelegated) {
      if (g.gpi !== Gpi.NonSecure || !g.hostAccessible) {
        bad.push(`${hex(pa)}: UNDELEGATED but GPI ${g.gpi}, host access ${g.hostAccessible}`);
      }
    } else if (g.gpi !== Gpi.Realm || g.hostAccessible) {
      bad.push(
        `${hex(pa)}: RMM state ${g.rmmState} but GPI ${g.gpi}, host access ${g.hostAccessible}`,
      );
      continue; // the Realm port would fault
    }
    if (g.rmmState === GranuleState.Delegated) {
      const view = p.parts.memory.realm.granule(Number(pa) as PhysAddr);
      if (!isZero(view)) bad.push(`${hex(pa)}: DELEGATED and not zero`);
    }
    if (g.rmmState === GranuleState.Rd) rds++;
    if (g.rmmState === GranuleState.Rec) {
      recs++;
      const rec = p.inspect.rec(pa);
      if (rec === undefined) bad.push(`${hex(pa)}: REC granule without a REC`);
      else {
        const rd = BigInt(rec.rd);
        recsOf.set(rd, (recsOf.get(rd) ?? 0) + 1);
        for (const a of rec.aux) auxOwner.set(BigInt(a), (auxOwner.get(BigInt(a)) ?? 0) + 1);
      }
    }
    const rtt = g.rmmState === GranuleState.Rtt || g.rmmState === GranuleState.Rd;
    if (!rtt && g.refcount !== 0)
      bad.push(`${hex(pa)}: state ${g.rmmState}, refcount ${g.refcount}`);
  }
  for (const { pa, gpi } of pool.fixed) {
    const g = p.inspect.granule(pa);
    if (g.gpi !== gpi || g.hostAccessible) bad.push(`${hex(pa)}: GPI ${g.gpi}, expected ${gpi}`);
    if (g.rmmState !== undefined && g.rmmState !== GranuleState.Undelegated) {
      bad.push(`${hex(pa)}: outside host DRAM but RMM state ${g.rmmState}`);
    }
  }
  for (const [pa, s] of state) {
    if (s === GranuleState.RecAux && auxOwner.get(pa) !== 1) {
      bad.push(`${hex(pa)}: REC_AUX owned by ${auxOwner.get(pa) ?? 0} RECs`);
    }
  }
  for (const [pa, n] of auxOwner) {
    if (state.get(pa) !== GranuleState.RecAux)
      bad.push(`${hex(pa)}: aux of ${n} RECs, not REC_AUX`);
  }

  // Realms: RD refcount, state monotonic, RTT trees.
  const rttSeen = new Map<bigint, number>();
  const dataSeen = new Map<bigint, number>();
  for (const [pa, s] of state) {
    if (s !== GranuleState.Rd) continue;
    const r = p.inspect.realm(pa);
    if (r === undefined) {
      bad.push(`${hex(pa)}: RD granule without a realm`);
      continue;
    }
    const live = recsOf.get(pa) ?? 0;
    const rc = p.inspect.granule(pa).refcount;
    if (r.refcount !== live || rc !== live || r.recCount < live) {
      bad.push(
        `realm ${hex(pa)}: refcount ${rc}/${r.refcount}, live RECs ${live}, recCount ${r.recCount}`,
      );
    }
    const before = tracker.get(pa);
    if (r.state !== RealmState.New && r.state !== RealmState.Active) {
      bad.push(`realm ${hex(pa)}: state ${r.state}`);
    }
    if (before === RealmState.Active && r.state === RealmState.New) {
      bad.push(`realm ${hex(pa)}: ACTIVE → NEW`);
    }
    tracker.set(pa, r.state);
    const par = 2n ** BigInt(r.s2sz - 1);
    for (const node of rttTree(p, pa, bad)) {
      rttSeen.set(node.pa, (rttSeen.get(node.pa) ?? 0) + 1);
      let live = 0;
      node.entries.forEach((e, i) => {
        const ipa = entryIpa(node, i);
        if (e === undefined) {
          bad.push(`RTT ${hex(node.pa)} L${node.level}: entry ${i} does not decode`);
          return;
        }
        if (e.type === S2tteType.Table) live++;
        else if (PROTECTED_ASSIGNED.has(e.type)) {
          live++;
          const size = 2n ** BigInt(12 + 9 * (3 - node.level));
          for (let d = BigInt(e.oa); d < BigInt(e.oa) + size; d += G) {
            dataSeen.set(d, (dataSeen.get(d) ?? 0) + 1);
          }
        }
        const ns = e.type === S2tteType.UnassignedNs || e.type === S2tteType.AssignedNs;
        if (e.type !== S2tteType.Table && ns !== ipa >= par) {
          bad.push(
            `RTT ${hex(node.pa)} L${node.level}: entry ${i} (IPA ${hex(ipa)}) type ${e.type}`,
          );
        }
      });
      const rc = p.inspect.granule(node.pa).refcount;
      if (rc !== live) bad.push(`RTT ${hex(node.pa)} L${node.level}: refcount ${rc}, live ${live}`);
    }
  }
  for (const d of tracker.keys()) if (state.get(d) !== GranuleState.Rd) tracker.delete(d);
  for (const [pa, s] of state) {
    if (s === GranuleState.Rtt && rttSeen.get(pa) !== 1) {
      bad.push(`${hex(pa)}: RTT in ${rttSeen.get(pa) ?? 0} trees`);
    }
    if (s === GranuleState.Data && dataSeen.get(pa) !== 1) {
      bad.push(`${hex(pa)}: DATA mapped ${dataSeen.get(pa) ?? 0} times`);
    }
  }
  for (const [pa] of dataSeen) {
    if (state.get(pa) !== GranuleState.Data) bad.push(`${hex(pa)}: mapped but not DATA`);
  }
  const counts = p.inspect.counts();
  if (counts?.realms !== rds || counts.recs !== recs) {
    bad.push(`counts ${JSON.stringify(counts)} but the pool holds ${rds} RDs and ${recs} RECs`);
  }
  return bad;
}

/** What must not change when a call fails. */
export interface Snapshot {
  readonly granules: ReadonlyMap<bigint, string>;
  readonly realms: ReadonlyMap<bigint, string>;
  readonly bytes: ReadonlyMap<bigint, Uint8Array>;
  readonly counts: string;
}

/** Takes a {@link Snapshot} of the pool. */
export function snapshot(p: Platform, pool: Pool): Snapshot {
  const granules = new Map<bigint, string>();
  const realms = new Map<bigint, string>();
  const bytes = new Map<bigint, Uint8Array>();
  for (const pa of pool.granules) {
    const g = p.inspect.granule(pa);
    granules.set(pa, `${g.rmmState}/${g.refcount}/${g.gpi}/${g.hostAccessible}`);
    if (g.rmmState === GranuleState.Rtt || g.rmmState === GranuleState.Data) {
      bytes.set(pa, realmRead(p, pa));
    }
    if (g.rmmState === GranuleState.Rd) {
      const r = p.inspect.realm(pa);
      if (r !== undefined) {
        const rim = Array.from(r.rim, (b) => b.toString(16).padStart(2, '0')).join('');
        realms.set(pa, `state ${r.state} recCount ${r.recCount} refcount ${r.refcount} rim ${rim}`);
      }
    }
    if (g.rmmState === GranuleState.Rec) {
      const r = p.inspect.rec(pa);
      if (r !== undefined)
        realms.set(pa, `rec of ${r.rd} runnable ${r.runnable} aux ${r.aux.join()}`);
    }
  }
  return { granules, realms, bytes, counts: JSON.stringify(p.inspect.counts()) };
}

/** The differences between two snapshots (empty when equal). */
export function diffSnapshots(a: Snapshot, b: Snapshot): string[] {
  const out: string[] = [];
  for (const [pa, s] of a.granules) {
    const t = b.granules.get(pa);
    if (s !== t) out.push(`${hex(pa)}: granule ${s} → ${t}`);
  }
  for (const key of new Set([...a.realms.keys(), ...b.realms.keys()])) {
    const s = a.realms.get(key);
    const t = b.realms.get(key);
    if (s !== t) out.push(`${hex(key)}: ${s} → ${t}`);
  }
  for (const key of new Set([...a.bytes.keys(), ...b.bytes.keys()])) {
    const s = a.bytes.get(key);
    const t = b.bytes.get(key);
    if (s === undefined || t === undefined || !sameBytes(s, t))
      out.push(`${hex(key)}: contents changed`);
  }
  if (a.counts !== b.counts) out.push(`counts ${a.counts} → ${b.counts}`);
  return out;
}
