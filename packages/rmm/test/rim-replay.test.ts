/**
 * End-to-end replay of `vectors/tf-rmm-host/rim-sequence.json`'s REALM_CREATE and REC_CREATE
 * phases through `IsletRmm.handleRmi`: delegate the granules, write RmiRealmParams /
 * RmiRecParams into the NS memory double, and check the RD's RIM against TF-RMM's rim0 (SHA-256
 * and SHA-512), then the RTT phase (RTT_CREATE ×3, RTT_INIT_RIPAS ×2) against rim1. DATA commands
 * are not implemented yet, so rim2..rim3 cannot be replayed; instead REC_CREATE on a fresh realm
 * must measure exactly `measureRecCreate(rim0, params)` for the runnable REC and nothing for the
 * non-runnable one. Then everything is destroyed and every granule is DELEGATED and zero.
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  GranuleState,
  RmiHashAlgorithm,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_INIT_RIPAS,
  World,
} from '@islet/abi';
import { toHex } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { measurementHash, measureRecCreate } from '../src/measurement/measurement.ts';
import {
  AUX,
  AUX2,
  OK,
  RD,
  REC,
  REC2,
  RealmEnv,
  RTT,
  realmParams,
  recParams,
} from './support/realm.ts';

const vectors = JSON.parse(
  readFileSync(new URL('./vectors/tf-rmm-host/rim-sequence.json', import.meta.url), 'utf8'),
) as Record<'sha256' | 'sha512', { readonly rim0: string; readonly rim1: string }>;

const G = 0x1000;

describe('rim-sequence.json through handleRmi', () => {
  for (const [name, algo] of [
    ['sha256', RmiHashAlgorithm.Sha256],
    ['sha512', RmiHashAlgorithm.Sha512],
  ] as const) {
    it(`${name}: REALM_CREATE → rim0; REC_CREATE measures only the runnable REC`, () => {
      const e = new RealmEnv();
      const len = algo === RmiHashAlgorithm.Sha256 ? 32 : 64;
      // GRANULE_DELEGATE every granule used below.
      const granules = [RD, RTT, RTT + G, REC, REC2, ...AUX, ...AUX2];
      e.delegate(...granules);
      // REALM_CREATE(rd, params) → RIM0.
      expect(e.realmCreate(realmParams({ hashAlgo: algo }))).toEqual(OK);
      const rim0 = e.rmm.inspect.realm(RD)!.rim;
      expect(toHex(rim0.subarray(0, len))).toBe(vectors[name].rim0);
      expect(rim0.subarray(len).every((b) => b === 0)).toBe(true);
      // REC_AUX_COUNT(rd) → 16.
      expect(e.call(SMC_RMI_REC_AUX_COUNT, RD)).toEqual([0n, 16n, 0n, 0n, 0n]);
      // REC_CREATE runnable (flags 1, mpidr 0, pc 0x80000, gprs[i] = i, 16 aux).
      const runnable = recParams();
      expect(e.recCreate(runnable)).toEqual(OK);
      const h = measurementHash(algo, e.rmm.crypto);
      const rimAfter = measureRecCreate(h, rim0, runnable);
      expect(e.rmm.inspect.realm(RD)!.rim).toEqual(rimAfter);
      // REC_CREATE non-runnable (flags 0, mpidr 1, pc 0, gprs 0): not measured.
      const idle = recParams({ flags: 0n, mpidr: 1n, pc: 0n, gprs: new Array(8).fill(0n) }, AUX2);
      expect(e.recCreate(idle, REC2)).toEqual(OK);
      expect(e.rmm.inspect.realm(RD)!.rim).toEqual(rimAfter);
      expect(e.rmm.inspect.realm(RD)!.refcount).toBe(2);

      // Tear down: every granule back to DELEGATED and zero, GPI still Realm.
      expect(e.recDestroy(REC)).toEqual(OK);
      expect(e.recDestroy(REC2)).toEqual(OK);
      expect(e.realmDestroy(RD)).toEqual(OK);
      for (const pa of granules) {
        expect(e.state(pa)).toBe(GranuleState.Delegated);
        expect(e.platform.raw(pa).every((b) => b === 0)).toBe(true);
        expect(e.platform.gpiOf(pa)).toBe(World.Realm);
      }
      expect(e.rmm.inspect.counts()).toEqual({ realms: 0, recs: 0 });
    });
  }
});

describe('rim-sequence.json RTT phase through handleRmi', () => {
  const L2 = 0x8016_0000;
  const L3A = 0x8016_1000;
  const L3B = 0x8016_2000;
  for (const [name, algo] of [
    ['sha256', RmiHashAlgorithm.Sha256],
    ['sha512', RmiHashAlgorithm.Sha512],
  ] as const) {
    it(`${name}: RTT_CREATE ×3 + RTT_INIT_RIPAS ×2 → rim1`, () => {
      const e = new RealmEnv();
      const len = algo === RmiHashAlgorithm.Sha256 ? 32 : 64;
      e.delegate(RD, RTT, RTT + G, L2, L3A, L3B);
      expect(e.realmCreate(realmParams({ hashAlgo: algo }))).toEqual(OK);
      expect(toHex(e.rmm.inspect.realm(RD)!.rim.subarray(0, len))).toBe(vectors[name].rim0);
      // X4 (the level) reads back as the caller's.
      expect(e.call(SMC_RMI_RTT_CREATE, RD, L2, 0, 2)).toEqual([0n, 0n, 0n, 0n, 2n]);
      expect(e.call(SMC_RMI_RTT_CREATE, RD, L3A, 0, 3)).toEqual([0n, 0n, 0n, 0n, 3n]);
      expect(e.call(SMC_RMI_RTT_CREATE, RD, L3B, 0x20_0000, 3)).toEqual([0n, 0n, 0n, 0n, 3n]);
      expect(e.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0, 0x4000)).toEqual([0n, 0x4000n, 0n, 0n, 0n]);
      expect(e.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0x20_0000, 0x20_1000)).toEqual([
        0n,
        0x20_1000n,
        0n,
        0n,
        0n,
      ]);
      const rim1 = e.rmm.inspect.realm(RD)!.rim;
      expect(toHex(rim1.subarray(0, len))).toBe(vectors[name].rim1);
      expect(rim1.subarray(len).every((b) => b === 0)).toBe(true);

      // Tear down bottom-up: RTT_DESTROY then REALM_DESTROY; everything DELEGATED and zero.
      expect(e.call(SMC_RMI_RTT_DESTROY, RD, 0x20_0000, 3)[0]).toBe(0n);
      expect(e.call(SMC_RMI_RTT_DESTROY, RD, 0, 3)[0]).toBe(0n);
      expect(e.call(SMC_RMI_RTT_DESTROY, RD, 0, 2)[0]).toBe(0n);
      expect(e.realmDestroy(RD)).toEqual(OK);
      for (const pa of [RD, RTT, RTT + G, L2, L3A, L3B]) {
        expect(e.state(pa)).toBe(GranuleState.Delegated);
        expect(e.platform.raw(pa).every((b) => b === 0)).toBe(true);
      }
    });
  }
});
