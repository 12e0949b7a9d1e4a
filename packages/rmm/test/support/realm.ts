/**
 * Helpers for the realm and REC command tests: fixed granule addresses, default RmiRealmParams /
 * RmiRecParams (those of the TF-RMM RIM vector sequence), and a snapshot of everything a failing
 * command must leave unchanged.
 * @module
 */
import {
  encodeRealmParams,
  encodeRecParams,
  GranuleState,
  type RealmParams,
  type RecParams,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { expect } from 'vitest';
import type { RealmInfo, RecInfo } from '../../src/inspect.ts';
import type { Realm } from '../../src/realm/realm.ts';
import type { RmiContext } from '../../src/rmi/context.ts';
import type { IsletRmm, IsletRmmOptions } from '../../src/rmm.ts';
import { FakePlatform, regs } from './platform.ts';
import { bind, context, setup } from './rmm.ts';

const G = 0x1000;
/** The RD. */
export const RD = 0x8010_0000;
/** Two contiguous root RTTs (s2sz 40, level 1). */
export const RTT = 0x8010_1000;
/** A second RD and its root RTTs. */
export const RD2 = 0x8010_8000;
export const RTT2 = 0x8010_9000;
/** NS pages for RmiRealmParams and RmiRecParams. */
export const REALM_PARAMS = 0x8020_0000;
export const REC_PARAMS = 0x8020_1000;
/** Two REC granules and two sets of 16 aux granules. */
export const REC = 0x8011_0000;
export const REC2 = 0x8011_1000;
export const AUX: readonly number[] = Array.from({ length: 16 }, (_, i) => 0x8012_0000 + i * G);
export const AUX2: readonly number[] = Array.from({ length: 16 }, (_, i) => 0x8013_0000 + i * G);
/** A DELEGATED granule used as "something else". */
export const SPARE = 0x8014_0000;

export const OK: readonly bigint[] = [0n, 0n, 0n, 0n, 0n];
export const INPUT: readonly bigint[] = [1n, 0n, 0n, 0n, 0n];
export const REALM: readonly bigint[] = [2n, 0n, 0n, 0n, 0n];
export const REC_ERR: readonly bigint[] = [3n, 0n, 0n, 0n, 0n];

/** The REALM_CREATE params of rim-sequence.json (hash algorithm `algo`). */
export function realmParams(over: Partial<RealmParams> = {}): RealmParams {
  const hashAlgo = over.hashAlgo ?? 0;
  return {
    flags: 0n,
    s2sz: 40,
    sveVl: 0,
    numBps: 1,
    numWps: 1,
    pmuNumCtrs: 0,
    hashAlgo,
    rpv: new Uint8Array(64).fill(0xa5),
    vmid: 7 + hashAlgo,
    rttBase: BigInt(RTT),
    rttLevelStart: 1,
    rttNumStart: 2,
    ...over,
  };
}

/** The runnable REC of rim-sequence.json, with the given aux granules. */
export function recParams(over: Partial<RecParams> = {}, aux: readonly number[] = AUX): RecParams {
  return {
    flags: 1n,
    mpidr: 0n,
    pc: 0x80000n,
    gprs: [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n],
    numAux: 16,
    aux: Array.from({ length: 16 }, (_, i) => BigInt(aux[i] ?? 0)),
    ...over,
  };
}

type Regs5 = readonly bigint[];

/** What a failing command must leave unchanged. */
export interface Snapshot {
  readonly states: Uint8Array;
  readonly refcounts: Uint16Array;
  readonly gpi: Map<number, World>;
  /** RMM-owned granule contents, as base64 (deep-comparing 4 KiB typed arrays is slow). */
  readonly bytes: Map<number, string>;
  readonly realms: readonly (RealmInfo | undefined)[];
  readonly recs: readonly (RecInfo | undefined)[];
  readonly counts: { readonly realms: number; readonly recs: number };
}

/** An RMM on the doubles with realm/REC helpers. */
export class RealmEnv {
  readonly rmm: IsletRmm;
  readonly platform: FakePlatform;

  constructor(options: Partial<IsletRmmOptions> = {}, on?: FakePlatform) {
    const { rmm, platform } = setup(options, on);
    this.rmm = rmm;
    this.platform = platform;
  }

  call(fid: number, ...xs: (number | bigint)[]): Regs5 {
    return this.rmm.handleRmi(fid, regs(...xs.map((x) => BigInt(x))));
  }

  delegate(...pas: number[]): void {
    for (const pa of pas) {
      expect(this.call(SMC_RMI_GRANULE_DELEGATE, pa), `delegate ${pa}`).toEqual(OK);
    }
  }

  writeNs(pa: number, page: Uint8Array): void {
    expect(this.platform.memory.write(World.Normal, pa as PhysAddr, page)).toBe(0);
  }

  realmCreate(p: RealmParams = realmParams(), rd: number | bigint = RD): Regs5 {
    this.writeNs(REALM_PARAMS, encodeRealmParams(p));
    return this.call(SMC_RMI_REALM_CREATE, rd, REALM_PARAMS);
  }

  recCreate(
    p: RecParams = recParams(),
    rec: number | bigint = REC,
    rd: number | bigint = RD,
  ): Regs5 {
    this.writeNs(REC_PARAMS, encodeRecParams(p));
    return this.call(SMC_RMI_REC_CREATE, rd, rec, REC_PARAMS);
  }

  activate(rd: number | bigint = RD): Regs5 {
    return this.call(SMC_RMI_REALM_ACTIVATE, rd);
  }

  realmDestroy(rd: number | bigint = RD): Regs5 {
    return this.call(SMC_RMI_REALM_DESTROY, rd);
  }

  recDestroy(rec: number | bigint = REC): Regs5 {
    return this.call(SMC_RMI_REC_DESTROY, rec);
  }

  auxCount(rd: number | bigint = RD): Regs5 {
    return this.call(SMC_RMI_REC_AUX_COUNT, rd);
  }

  /** Delegates RD + roots and creates the default realm. */
  withRealm(p: RealmParams = realmParams()): this {
    this.delegate(RD, RTT, RTT + G);
    expect(this.realmCreate(p)).toEqual(OK);
    return this;
  }

  /** {@link withRealm}, then delegates REC + AUX. */
  withRecGranules(): this {
    this.withRealm();
    this.delegate(REC, ...AUX);
    return this;
  }

  /** Puts a fresh DELEGATED granule into state `s` behind the RMM's back. */
  into(pa: number, s: GranuleState): number {
    this.delegate(pa);
    if (s !== GranuleState.Delegated) {
      this.rmm.granules.transition(this.rmm.granules.find(pa), GranuleState.Delegated, s);
    }
    return pa;
  }

  state(pa: number): GranuleState | undefined {
    return this.rmm.inspect.granuleState(pa);
  }

  snapshot(): Snapshot {
    const { rmm, platform } = this;
    return {
      states: rmm.granules.states.slice(),
      refcounts: rmm.granules.refcounts.slice(),
      gpi: new Map(platform.gpi),
      // The RMM's own memory (NS pages are the host's to write).
      bytes: new Map(
        [...platform.bytes]
          .filter(([k]) => {
            const idx = rmm.granules.find(k * G);
            return idx >= 0 && rmm.granules.states[idx] !== GranuleState.Undelegated;
          })
          .map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      realms: [RD, RD2].map((r) => rmm.inspect.realm(r)),
      recs: [REC, REC2].map((r) => rmm.inspect.rec(r)),
      counts: rmm.inspect.counts(),
    };
  }

  /** Whether every DELEGATED granule is zero. */
  delegatedAreZero(): boolean {
    const { rmm, platform } = this;
    for (let i = 0; i < rmm.granules.count; i++) {
      if (rmm.granules.states[i] !== GranuleState.Delegated) continue;
      const b = platform.bytes.get(rmm.granules.address(i) / G);
      if (b !== undefined && !b.every((x) => x === 0)) return false;
    }
    return true;
  }
}

/** A bare RMI context (reachable realm objects) holding the default realm, with REC granules. */
export interface ContextWithRealm {
  readonly ctx: RmiContext;
  readonly platform: FakePlatform;
  readonly call: (fid: number, ...xs: (number | bigint)[]) => readonly bigint[];
  readonly realm: Realm;
}

/** Builds a {@link ContextWithRealm}: RD, roots, REC and AUX delegated; the realm created. */
export function contextWithRealm(): ContextWithRealm {
  const platform = new FakePlatform();
  const ctx = context(platform);
  const dispatch = bind(ctx);
  const call = (fid: number, ...xs: (number | bigint)[]) =>
    dispatch(fid, regs(...xs.map((x) => BigInt(x))));
  for (const pa of [RD, RTT, RTT + G, REC, ...AUX]) {
    expect(call(SMC_RMI_GRANULE_DELEGATE, pa)).toEqual(OK);
  }
  platform.memory.write(World.Normal, REALM_PARAMS as PhysAddr, encodeRealmParams(realmParams()));
  expect(call(SMC_RMI_REALM_CREATE, RD, REALM_PARAMS)).toEqual(OK);
  const realm = ctx.realms.get(ctx.granules.find(RD));
  expect(realm).toBeDefined();
  return { ctx, platform, call, realm: realm! };
}
