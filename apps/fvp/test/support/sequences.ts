/**
 * Property (b): random *plausible* command sequences against a small reference model. Each
 * command carries random seeds that are resolved against the model's current state when it runs
 * (a delegate picks an undelegated granule, an RTT_CREATE a missing table under an existing
 * parent, a DATA_CREATE an unmapped page of an existing level-3 table, …), so most calls succeed
 * and the state machines go deep; a `wild` flag picks from the whole pool instead.
 *
 * The model keeps, where that is simple: every pool granule's owner (UNDELEGATED, DELEGATED, RD,
 * RTT, REC, REC_AUX, DATA), each realm's state, RIM (replayed with `@islet/rmm`'s measurement
 * functions), RECs, non-root RTTs, DATA and unprotected mappings. After every call: the status
 * matches the model's prediction where it makes one, granule states and realm RIMs equal the
 * model's, every invariant holds, and a call that failed changed nothing.
 * @module
 */
import { fc } from '@fast-check/vitest';
import {
  decodeRealmParams,
  decodeRecParams,
  Gpi,
  GranuleState,
  packReturnCode,
  RealmState,
  type RmiHashAlgorithm,
  RmiRttEntryState,
  RmiStatus,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
} from '@islet/abi';
import { defaultCrypto } from '@islet/arch';
import {
  type MeasurementHash,
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
} from '@islet/rmm';
import { EL3_BASE, RMM_BASE, SECURE_BASE } from '../../src/memory-map.ts';
import type { Platform } from '../../src/platform.ts';
import {
  describeX0,
  G,
  GB1,
  MB2,
  pattern,
  realmParamsPage,
  recParamsPage,
  reg,
  rmiName,
  sameBytes,
} from './host.ts';
import {
  checkInvariants,
  diffSnapshots,
  type Pool,
  type RealmTracker,
  snapshot,
} from './invariants.ts';

const BASE = 0x8900_0000n;
/** The granules the sequences work with. */
export const POOL_B: Pool = {
  granules: Array.from({ length: 72 }, (_, i) => BASE + BigInt(i) * G),
  fixed: [
    { pa: BigInt(SECURE_BASE), gpi: Gpi.Secure },
    { pa: BigInt(RMM_BASE), gpi: Gpi.Realm },
    { pa: BigInt(EL3_BASE), gpi: Gpi.Root },
  ],
};
/** Host pages outside the pool: parameters, a DATA source and the page unprotected IPAs map. */
const PAGES = BASE + 0x10_0000n;
const REALM_PARAMS = PAGES;
const REC_PARAMS = PAGES + G;
const SRC = PAGES + 2n * G;
const NS_PAGE = PAGES + 3n * G;
const NS_ATTRS = [0xd8n, 0xc0n | (0b101n << 2n), 0x40n | (0b110n << 2n)];

export type Owner = 'ns' | 'del' | 'rd' | 'rtt' | 'rec' | 'aux' | 'data';
const OWNER_STATE: Record<Owner, GranuleState> = {
  ns: GranuleState.Undelegated,
  del: GranuleState.Delegated,
  rd: GranuleState.Rd,
  rtt: GranuleState.Rtt,
  rec: GranuleState.Rec,
  aux: GranuleState.RecAux,
  data: GranuleState.Data,
};

export interface MRealm {
  readonly rd: bigint;
  readonly roots: readonly bigint[];
  readonly s2sz: 39 | 40;
  readonly vmid: number;
  readonly h: MeasurementHash;
  state: 'new' | 'active';
  rim: Uint8Array;
  nextRec: number;
  /** Live RECs and their aux granules. */
  readonly recs: Map<bigint, readonly bigint[]>;
  /** Non-root RTTs: `${level}:${ipa}` → granule. */
  readonly tables: Map<string, bigint>;
  /** Protected DATA: IPA → granule and, when known, its RIPAS. */
  readonly data: Map<bigint, { readonly pa: bigint; readonly ripas: number | undefined }>;
  /** Unprotected level-3 mappings: IPA → descriptor. */
  readonly ns: Map<bigint, bigint>;
}

/** The reference model. */
export class Model {
  readonly owner: Map<bigint, Owner> = new Map(POOL_B.granules.map((g) => [g, 'ns']));
  readonly realms: Map<bigint, MRealm> = new Map();
  readonly list = (o: Owner): bigint[] => POOL_B.granules.filter((g) => this.owner.get(g) === o);
}

const key = (level: number, ipa: bigint): string => `${level}:${ipa}`;
const unprot = (r: MRealm): bigint => 2n ** BigInt(r.s2sz - 1);
const blockOf = (level: number): bigint => 2n ** BigInt(12 + 9 * (3 - level));
const down = (ipa: bigint, level: number): bigint => ipa - (ipa % blockOf(level));
/** The RTT tables a realm may have: L2 at 0 and 1 GiB, L3 at 0, 2 MiB and 1 GiB, in both halves. */
const shapes = (r: MRealm): [number, bigint][] => {
  const u = unprot(r);
  return [
    [2, 0n],
    [2, GB1],
    [3, 0n],
    [3, MB2],
    [3, GB1],
    [2, u],
    [3, u],
    [3, u + MB2],
  ];
};
/** The level a walk towards `level` stops at, per the model's tables. */
function walkLevel(r: MRealm, ipa: bigint, level = 3): number {
  let l = 1;
  while (l < level && r.tables.has(key(l + 1, down(ipa, l)))) l++;
  return l;
}

/** One command: its kind and the seeds it resolves its arguments from. */
export interface Op {
  readonly kind: OpKind;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  /** Pick from the whole pool rather than from plausible candidates. */
  readonly wild: boolean;
}
const KINDS = {
  delegate: 6,
  undelegate: 1,
  realmCreate: 2,
  activate: 1,
  realmDestroy: 1,
  rttCreate: 5,
  rttDestroy: 1,
  rttFold: 1,
  initRipas: 2,
  map: 2,
  unmap: 1,
  dataCreate: 4,
  dataCreateUnknown: 2,
  dataDestroy: 1,
  recCreate: 2,
  recDestroy: 1,
  readEntry: 3,
} as const;
export type OpKind = keyof typeof KINDS;
/** Every kind of command. */
export const KIND_NAMES: readonly OpKind[] = Object.keys(KINDS) as OpKind[];
export const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.oneof(
    ...Object.entries(KINDS).map(([k, weight]) => ({
      weight,
      arbitrary: fc.constant(k as OpKind),
    })),
  ),
  a: fc.nat(),
  b: fc.nat(),
  c: fc.nat(),
  wild: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
});

const pick = <T>(xs: readonly T[], seed: number): T | undefined =>
  xs.length === 0 ? undefined : xs[seed % xs.length];

/** What the model expects of a call: a status (X0), or any status (`undefined`). */
type Want = bigint | undefined;
const OK = 0n;
const INPUT = packReturnCode(RmiStatus.ErrorInput);
const REALM = packReturnCode(RmiStatus.ErrorRealm);
const rtt = (level: number): bigint => packReturnCode(RmiStatus.ErrorRtt, level);

/** Runs one op against the platform and the model; returns the violations. */
export function step(
  p: Platform,
  m: Model,
  o: Op,
  tracker: RealmTracker,
  stats?: Map<string, number>,
): string[] {
  const bad: string[] = [];
  const all = POOL_B.granules;
  const g = (list: readonly bigint[], seed: number): bigint =>
    (o.wild ? pick(all, seed) : pick(list, seed)) ?? pick(all, seed)!;
  const realms = [...m.realms.values()];
  // Prefer a realm the command can work on (NEW for measured commands, one with mappings to
  // unmap, DATA to destroy, tables to destroy or fold); any realm otherwise.
  const fit = realms.filter((r) => {
    switch (o.kind) {
      case 'dataCreate':
      case 'initRipas':
      case 'recCreate':
      case 'activate':
        return r.state === 'new';
      case 'unmap':
        return r.ns.size > 0;
      case 'dataDestroy':
        return r.data.size > 0;
      case 'rttDestroy':
      case 'rttFold':
        return r.tables.size > 0;
      default:
        return true;
    }
  });
  const realm = pick(fit, o.a) ?? pick(realms, o.a);
  const rdArg = o.wild || realm === undefined ? pick(all, o.a)! : realm.rd;
  const crypto = defaultCrypto();

  let fid: number;
  let args: bigint[];
  let want: Want;
  let after: (out: bigint[]) => void = () => {};
  switch (o.kind) {
    case 'delegate': {
      const pa = g(m.list('ns'), o.b);
      fid = SMC_RMI_GRANULE_DELEGATE;
      args = [pa];
      want = m.owner.get(pa) === 'ns' ? OK : INPUT;
      after = (out) => {
        if (out[0] === OK) m.owner.set(pa, 'del');
        if (out[0] === OK && p.inspect.granule(pa).hostAccessible)
          bad.push('delegated, still host-accessible');
      };
      break;
    }
    case 'undelegate': {
      const pa = g(m.list('del'), o.b);
      fid = SMC_RMI_GRANULE_UNDELEGATE;
      args = [pa];
      want = m.owner.get(pa) === 'del' ? OK : INPUT;
      after = (out) => {
        if (out[0] === OK) m.owner.set(pa, 'ns');
      };
      break;
    }
    case 'realmCreate': {
      const del = m.list('del');
      const s2sz = o.c % 3 === 0 ? 39 : 40;
      const pairs = del.filter((d) => s2sz === 39 || m.owner.get(d + G) === 'del');
      const root = g(pairs, o.b);
      const roots = s2sz === 40 ? [root, root + G] : [root];
      const rd = g(
        del.filter((d) => !roots.includes(d)),
        o.a,
      );
      const vmid = 1 + (o.c % 5);
      const hashAlgo = ((o.c >> 3) % 2) as RmiHashAlgorithm;
      p.host.memory.write(REALM_PARAMS, realmParamsPage({ hashAlgo, rttBase: root, vmid, s2sz }));
      fid = SMC_RMI_REALM_CREATE;
      args = [rd, REALM_PARAMS];
      const ok =
        [rd, ...roots].every((x) => m.owner.get(x) === 'del') &&
        !roots.includes(rd) &&
        !realms.some((r) => r.vmid === vmid);
      want = ok ? OK : INPUT;
      after = (out) => {
        if (out[0] !== OK) return;
        const h = measurementHash(hashAlgo, crypto);
        const params = decodeRealmParams(p.host.memory.read(REALM_PARAMS, 4096));
        m.owner.set(rd, 'rd');
        for (const r of roots) m.owner.set(r, 'rtt');
        m.realms.set(rd, {
          rd,
          roots,
          s2sz,
          vmid,
          h,
          state: 'new',
          rim: measureRealmCreate(h, params),
          nextRec: 0,
          recs: new Map(),
          tables: new Map(),
          data: new Map(),
          ns: new Map(),
        });
      };
      break;
    }
    case 'activate':
    case 'realmDestroy': {
      fid = o.kind === 'activate' ? SMC_RMI_REALM_ACTIVATE : SMC_RMI_REALM_DESTROY;
      args = [rdArg];
      const r = m.realms.get(rdArg);
      if (r === undefined) want = INPUT;
      else if (o.kind === 'activate') want = r.state === 'new' ? OK : REALM;
      else
        want = r.recs.size > 0 || [...r.tables.keys()].some((k) => k.startsWith('2:')) ? REALM : OK;
      after = (out) => {
        if (out[0] !== OK || r === undefined) return;
        if (o.kind === 'activate') r.state = 'active';
        else {
          m.owner.set(r.rd, 'del');
          for (const x of r.roots) m.owner.set(x, 'del');
          m.realms.delete(r.rd);
        }
      };
      break;
    }
    case 'rttCreate': {
      const cands = realm === undefined ? [] : shapes(realm);
      const fresh = cands.filter(
        ([l, ipa]) =>
          !realm!.tables.has(key(l, ipa)) && (l === 2 || realm!.tables.has(key(2, down(ipa, 1)))),
      );
      const [level, ipa] = (o.wild ? pick(cands, o.c) : (pick(fresh, o.c) ?? pick(cands, o.c))) ?? [
        3,
        0n,
      ];
      const pa = g(m.list('del'), o.b);
      fid = SMC_RMI_RTT_CREATE;
      args = [rdArg, pa, ipa, BigInt(level)];
      if (realm === undefined || m.realms.get(rdArg) === undefined || m.owner.get(pa) !== 'del')
        want = INPUT;
      else {
        const r = m.realms.get(rdArg)!;
        const wl = walkLevel(r, ipa, level - 1);
        want = wl < level - 1 ? rtt(wl) : r.tables.has(key(level, ipa)) ? rtt(level - 1) : OK;
      }
      after = (out) => {
        if (out[0] !== OK) return;
        m.realms.get(rdArg)!.tables.set(key(level, ipa), pa);
        m.owner.set(pa, 'rtt');
      };
      break;
    }
    case 'rttDestroy':
    case 'rttFold': {
      const r = m.realms.get(rdArg);
      const tables = r === undefined ? [] : [...r.tables.entries()];
      const [k, pa] = pick(tables, o.b) ?? ['3:0', 0n];
      const [ls, is] = k.split(':') as [string, string];
      const level = Number(ls);
      const ipa = BigInt(is);
      fid = o.kind === 'rttDestroy' ? SMC_RMI_RTT_DESTROY : SMC_RMI_RTT_FOLD;
      args = [rdArg, ipa, BigInt(level)];
      const inside = (x: bigint): boolean => x >= ipa && x < ipa + blockOf(level - 1);
      const children =
        r !== undefined &&
        [...r.tables.keys()].some(
          (t) => t.startsWith(`${level + 1}:`) && inside(BigInt(t.split(':')[1]!)),
        );
      const data = r !== undefined && [...r.data.keys()].some(inside);
      const ns = r !== undefined && [...r.ns.keys()].some(inside);
      if (r === undefined) want = INPUT;
      else if (!r.tables.has(k)) want = undefined;
      else if (o.kind === 'rttDestroy') want = children || data ? rtt(level) : OK;
      else if (children || data || ns) want = rtt(level);
      else want = ipa >= unprot(r) ? OK : undefined; // protected: homogeneous RIPAS or not
      after = (out) => {
        if (out[0] !== OK || r === undefined) return;
        if (out[1] !== pa) bad.push(`X1 ${out[1]} is not the RTT 0x${pa.toString(16)}`);
        r.tables.delete(k);
        for (const x of [...r.ns.keys()]) if (inside(x)) r.ns.delete(x); // ASSIGNED_NS is not live
        m.owner.set(pa, 'del');
      };
      break;
    }
    case 'initRipas': {
      const r = realm;
      const mr = m.realms.get(rdArg);
      let base = BigInt(o.b % 8) * G + (o.c % 3 === 0 ? MB2 : 0n);
      const wl = mr === undefined ? 3 : walkLevel(mr, base);
      // Plausible: whole entries of the level the walk stops at; wild: whatever the seeds say.
      if (!o.wild) base = down(base, wl);
      const top = wl < 3 || o.wild ? base + MB2 : base + BigInt(1 + (o.c % 4)) * G;
      fid = SMC_RMI_RTT_INIT_RIPAS;
      args = [rdArg, base, top];
      want = mr === undefined ? INPUT : mr.state === 'active' ? REALM : undefined;
      after = (out) => {
        if (out[0] !== OK || mr === undefined || r === undefined) return;
        const size = blockOf(wl);
        for (let e = down(base, wl); e < out[1]!; e += size) {
          mr.rim = measureRipas(mr.h, mr.rim, Number(e), Number(e + size));
        }
      };
      break;
    }
    case 'map':
    case 'unmap': {
      const r = m.realms.get(rdArg);
      const u = r === undefined ? 2n ** 39n : unprot(r);
      const mapped = r === undefined ? [] : [...r.ns.keys()];
      const ipa =
        o.kind === 'unmap' && !o.wild && mapped.length > 0
          ? pick(mapped, o.b)!
          : u + (o.c % 2 === 0 ? 0n : MB2) + BigInt(o.b % 4) * G;
      const desc = NS_PAGE | pick(NS_ATTRS, o.c)!;
      fid = o.kind === 'map' ? SMC_RMI_RTT_MAP_UNPROTECTED : SMC_RMI_RTT_UNMAP_UNPROTECTED;
      args = o.kind === 'map' ? [rdArg, ipa, 3n, desc] : [rdArg, ipa, 3n];
      if (r === undefined) want = INPUT;
      else {
        const wl = walkLevel(r, ipa);
        const isMapped = r.ns.has(ipa);
        if (o.kind === 'map') want = wl < 3 ? rtt(wl) : isMapped ? rtt(3) : OK;
        else want = wl < 3 ? rtt(wl) : isMapped ? OK : rtt(3);
      }
      after = (out) => {
        if (out[0] !== OK || r === undefined) return;
        if (o.kind === 'map') r.ns.set(ipa, desc);
        else r.ns.delete(ipa);
      };
      break;
    }
    case 'dataCreate':
    case 'dataCreateUnknown':
    case 'dataDestroy': {
      const r = m.realms.get(rdArg);
      const l3 =
        r === undefined
          ? []
          : [...r.tables.keys()].filter(
              (t) => t.startsWith('3:') && BigInt(t.slice(2)) < unprot(r),
            );
      const pages = l3.flatMap((t) =>
        Array.from({ length: 6 }, (_, i) => BigInt(t.slice(2)) + BigInt(i) * G),
      );
      const mappedIpas = r === undefined ? [] : [...r.data.keys()];
      if (o.kind === 'dataDestroy') {
        const ipa = (o.wild ? pick(pages, o.c) : pick(mappedIpas, o.c)) ?? BigInt(o.c % 4) * G;
        fid = SMC_RMI_DATA_DESTROY;
        args = [rdArg, ipa];
        const d = r?.data.get(ipa);
        want =
          r === undefined
            ? INPUT
            : d !== undefined
              ? OK
              : walkLevel(r, ipa) < 3
                ? rtt(walkLevel(r, ipa))
                : rtt(3);
        after = (out) => {
          if (out[0] !== OK || r === undefined || d === undefined) return;
          if (out[1] !== d.pa) bad.push(`DATA_DESTROY X1 ${out[1]} ≠ 0x${d.pa.toString(16)}`);
          r.data.delete(ipa);
          m.owner.set(d.pa, 'del');
        };
        break;
      }
      const free = pages.filter((x) => !r!.data.has(x));
      const ipa = (o.wild ? pick(pages, o.c) : pick(free, o.c)) ?? BigInt(o.c % 4) * G;
      const pa = g(m.list('del'), o.b);
      const measure = o.kind === 'dataCreate' ? BigInt(o.a % 2) : 0n;
      const content = pattern(o.c % 251);
      if (o.kind === 'dataCreate') p.host.memory.write(SRC, content);
      fid = o.kind === 'dataCreate' ? SMC_RMI_DATA_CREATE : SMC_RMI_DATA_CREATE_UNKNOWN;
      args = o.kind === 'dataCreate' ? [rdArg, pa, ipa, SRC, measure] : [rdArg, pa, ipa];
      if (r === undefined || m.owner.get(pa) !== 'del') want = INPUT;
      else if (o.kind === 'dataCreate' && r.state === 'active') want = REALM;
      else {
        const wl = walkLevel(r, ipa);
        want = wl < 3 ? rtt(wl) : r.data.has(ipa) ? rtt(3) : OK;
      }
      after = (out) => {
        if (out[0] !== OK || r === undefined) return;
        m.owner.set(pa, 'data');
        r.data.set(ipa, { pa, ripas: o.kind === 'dataCreate' ? 1 : undefined });
        if (o.kind === 'dataCreate') {
          r.rim = measureDataCreate(r.h, r.rim, Number(ipa), Number(measure) as 0 | 1, content);
          const held = p.parts.memory.realm.read(Number(pa) as never, 4096);
          if (!sameBytes(held, content)) bad.push('DATA does not hold the source page');
        }
      };
      break;
    }
    case 'recCreate': {
      const r = m.realms.get(rdArg);
      const del = m.list('del');
      const rec = g(del, o.b);
      const rest = del.filter((d) => d !== rec);
      const start = rest.length > 16 ? o.c % (rest.length - 15) : 0;
      const aux = o.wild ? all.slice(o.c % 50, (o.c % 50) + 16) : rest.slice(start, start + 16);
      const index = (r?.nextRec ?? 0) + (o.a % 7 === 0 ? 1 : 0);
      const runnable = o.a % 3 !== 0;
      p.host.memory.write(REC_PARAMS, recParamsPage(index, aux, runnable, BigInt(o.c) * 4n));
      fid = SMC_RMI_REC_CREATE;
      args = [rdArg, rec, REC_PARAMS];
      const okGranules = [rec, ...aux].every((x) => m.owner.get(x) === 'del') && !aux.includes(rec);
      if (r === undefined || !okGranules) want = INPUT;
      else if (r.state === 'active') want = REALM;
      else want = index === r.nextRec && aux.length === 16 ? OK : INPUT;
      after = (out) => {
        if (out[0] !== OK || r === undefined) return;
        m.owner.set(rec, 'rec');
        for (const x of aux) m.owner.set(x, 'aux');
        r.recs.set(rec, aux);
        r.nextRec++;
        if (runnable)
          r.rim = measureRecCreate(
            r.h,
            r.rim,
            decodeRecParams(p.host.memory.read(REC_PARAMS, 4096)),
          );
      };
      break;
    }
    case 'recDestroy': {
      const owners = [...m.realms.values()].flatMap((r) =>
        [...r.recs.keys()].map((rec) => [r, rec] as const),
      );
      const [r, rec] = pick(owners, o.b) ?? [undefined, g([], o.b)];
      const target = o.wild ? g([], o.b) : rec;
      fid = SMC_RMI_REC_DESTROY;
      args = [target];
      want = m.owner.get(target) === 'rec' ? OK : INPUT;
      after = (out) => {
        if (out[0] !== OK) return;
        const owner =
          r !== undefined && target === rec
            ? r
            : [...m.realms.values()].find((x) => x.recs.has(target))!;
        for (const x of owner.recs.get(target)!) m.owner.set(x, 'del');
        owner.recs.delete(target);
        m.owner.set(target, 'del');
      };
      break;
    }
    case 'readEntry': {
      const r = m.realms.get(rdArg);
      const cands =
        r === undefined
          ? [0n]
          : [
              ...shapes(r).map(([, ipa]) => ipa),
              ...r.data.keys(),
              ...r.ns.keys(),
              BigInt(o.c % 8) * G,
            ];
      const ipa = pick(cands, o.b)!;
      const level = 1 + (o.c % 3);
      const aligned = ipa % blockOf(level) === 0n;
      fid = SMC_RMI_RTT_READ_ENTRY;
      args = [rdArg, ipa, BigInt(level)];
      want = r === undefined || !aligned ? INPUT : OK;
      after = (out) => {
        if (out[0] !== OK || r === undefined) return;
        const wl = walkLevel(r, ipa, level);
        const child = wl < 3 ? r.tables.get(key(wl + 1, down(ipa, wl))) : undefined;
        const d = wl === 3 ? r.data.get(ipa) : undefined;
        const ns = wl === 3 ? r.ns.get(ipa) : undefined;
        const [state, desc] =
          child !== undefined
            ? [RmiRttEntryState.Table, child]
            : d !== undefined
              ? [RmiRttEntryState.Assigned, d.pa]
              : ns !== undefined
                ? [RmiRttEntryState.Assigned, ns]
                : [RmiRttEntryState.Unassigned, 0n];
        const x = [BigInt(wl), BigInt(state), desc];
        if (out[1] !== x[0] || out[2] !== x[1] || out[3] !== x[2]) {
          bad.push(`READ_ENTRY [${out.slice(1, 4).join(', ')}], model [${x.join(', ')}]`);
        }
        if (d?.ripas !== undefined && out[4] !== BigInt(d.ripas))
          bad.push(`RIPAS ${out[4]} ≠ ${d.ripas}`);
        if ((ns !== undefined || ipa >= unprot(r)) && out[4] !== 0n)
          bad.push(`unprotected RIPAS ${out[4]}`);
      };
      break;
    }
  }

  const before = snapshot(p, POOL_B);
  let out: bigint[];
  try {
    out = p.host.smc(BigInt(fid), ...args.map(reg));
  } catch (e) {
    return [`${o.kind}: host.smc threw ${String(e)}`];
  }
  const tally = `${o.kind} ${out[0] === OK ? 'ok' : 'failed'}`;
  stats?.set(tally, (stats.get(tally) ?? 0) + 1);
  if (want !== undefined && out[0] !== want)
    bad.push(`status ${describeX0(out[0])}, model ${describeX0(want)}`);
  after(out);
  if (out[0] !== OK) bad.push(...diffSnapshots(before, snapshot(p, POOL_B)));
  bad.push(...checkInvariants(p, POOL_B, tracker));
  for (const [pa, o2] of m.owner) {
    const s = p.inspect.granule(pa).rmmState;
    if (s !== OWNER_STATE[o2]) bad.push(`0x${pa.toString(16)}: RMM state ${s}, model ${o2}`);
  }
  for (const r of m.realms.values()) {
    const info = p.inspect.realm(r.rd);
    if (info === undefined) bad.push(`realm 0x${r.rd.toString(16)} missing`);
    else {
      if (!sameBytes(info.rim, r.rim))
        bad.push(`realm 0x${r.rd.toString(16)}: RIM differs from the model`);
      const st = r.state === 'new' ? RealmState.New : RealmState.Active;
      if (info.state !== st) bad.push(`realm 0x${r.rd.toString(16)}: state ${info.state}`);
      if (info.refcount !== r.recs.size)
        bad.push(`realm 0x${r.rd.toString(16)}: refcount ${info.refcount}`);
    }
  }
  const call = `${rmiName(fid)}(${args.map((x) => `0x${reg(x).toString(16)}`).join(', ')}) → ${describeX0(out[0])}`;
  return bad.map((b) => `${call}: ${b}`);
}
