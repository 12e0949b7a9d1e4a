/**
 * End-to-end replay of `vectors/tf-rmm-host/rim-sequence.json` through `IsletRmm.handleRmi`:
 * delegate the granules, write RmiRealmParams / RmiRecParams / the DATA source pages into the NS
 * memory double, and check the RD's RIM against TF-RMM's rim0, rim1 (RTT_CREATE ×3,
 * RTT_INIT_RIPAS ×2), rim2 (DATA_CREATE ×3), rim2b (DATA_CREATE_UNKNOWN) and rim3 (REC_CREATE ×2),
 * for SHA-256 and SHA-512. Then everything is destroyed in reverse and undelegated: every granule
 * is UNDELEGATED, NS in the GPI double, and zero. The shorter phases are kept as their own tests.
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  GranuleState,
  RmiHashAlgorithm,
  RmiRipas,
  RmiRttEntryState,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_READ_ENTRY,
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
) as Record<
  'sha256' | 'sha512',
  {
    readonly rim0: string;
    readonly rim1: string;
    readonly rim2: string;
    readonly rim2b: string;
    readonly rim3: string;
  }
>;

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

describe('rim-sequence.json, the whole sequence, through handleRmi', () => {
  const L2 = 0x8016_0000;
  const L3A = 0x8016_1000;
  const L3B = 0x8016_2000;
  const DATA = [0x8017_0000, 0x8017_1000, 0x8017_2000, 0x8017_3000] as const;
  const SRC_A = 0x8020_2000;
  const SRC_B = 0x8020_3000;
  const pageA = Uint8Array.from({ length: G }, (_, i) => (i * 5) & 0xff);
  const pageB = Uint8Array.from({ length: G }, (_, i) => (i * 11 + 1) & 0xff);
  for (const [name, algo] of [
    ['sha256', RmiHashAlgorithm.Sha256],
    ['sha512', RmiHashAlgorithm.Sha512],
  ] as const) {
    it(`${name}: rim0 → rim1 → rim2 → rim2b → rim3, then torn down to UNDELEGATED`, () => {
      const e = new RealmEnv();
      const len = algo === RmiHashAlgorithm.Sha256 ? 32 : 64;
      const rimHex = () => {
        const rim = e.rmm.inspect.realm(RD)!.rim;
        expect(rim.subarray(len).every((b) => b === 0)).toBe(true);
        return toHex(rim.subarray(0, len));
      };
      const granules = [RD, RTT, RTT + G, L2, L3A, L3B, ...DATA, REC, REC2, ...AUX, ...AUX2];
      e.delegate(...granules);
      expect(e.realmCreate(realmParams({ hashAlgo: algo }))).toEqual(OK);
      expect(rimHex()).toBe(vectors[name].rim0);

      // RTT phase → rim1.
      expect(e.call(SMC_RMI_RTT_CREATE, RD, L2, 0, 2)[0]).toBe(0n);
      expect(e.call(SMC_RMI_RTT_CREATE, RD, L3A, 0, 3)[0]).toBe(0n);
      expect(e.call(SMC_RMI_RTT_CREATE, RD, L3B, 0x20_0000, 3)[0]).toBe(0n);
      expect(e.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0, 0x4000)[1]).toBe(0x4000n);
      expect(e.call(SMC_RMI_RTT_INIT_RIPAS, RD, 0x20_0000, 0x20_1000)[1]).toBe(0x20_1000n);
      expect(rimHex()).toBe(vectors[name].rim1);

      // DATA phase → rim2. X4 (src) reads back as the caller's.
      e.writeNs(SRC_A, pageA);
      e.writeNs(SRC_B, pageB);
      const reads: number[] = [];
      const read = e.platform.memory.read;
      e.platform.memory.read = (world, pa, dst) => {
        if (world === World.Normal) reads.push(pa);
        return read(world, pa, dst);
      };
      expect(e.call(SMC_RMI_DATA_CREATE, RD, DATA[0], 0, SRC_A, 1)).toEqual([
        0n,
        0n,
        0n,
        0n,
        BigInt(SRC_A),
      ]);
      expect(e.call(SMC_RMI_DATA_CREATE, RD, DATA[1], 0x1000, SRC_B, 1)[0]).toBe(0n);
      expect(e.call(SMC_RMI_DATA_CREATE, RD, DATA[2], 0x20_0000, SRC_A, 0)[0]).toBe(0n);
      e.platform.memory.read = read;
      // The source is read from the Normal world once per call.
      expect(reads).toEqual([SRC_A, SRC_B, SRC_A]);
      expect(rimHex()).toBe(vectors[name].rim2);
      expect(e.platform.raw(DATA[0])).toEqual(pageA);
      expect(e.platform.raw(DATA[1])).toEqual(pageB);
      expect(e.platform.raw(DATA[2])).toEqual(pageA);

      // DATA_CREATE_UNKNOWN → rim2b (not measured).
      expect(e.call(SMC_RMI_DATA_CREATE_UNKNOWN, RD, DATA[3], 0x3000)).toEqual(OK);
      expect(rimHex()).toBe(vectors[name].rim2b);
      expect(e.platform.raw(DATA[3]).every((b) => b === 0)).toBe(true);
      for (const [i, ipa] of [0, 0x1000, 0x20_0000, 0x3000].entries()) {
        expect(e.state(DATA[i]!)).toBe(GranuleState.Data);
        expect(e.call(SMC_RMI_RTT_READ_ENTRY, RD, ipa, 3)).toEqual([
          0n,
          3n,
          BigInt(RmiRttEntryState.Assigned),
          BigInt(DATA[i]!),
          BigInt(RmiRipas.Ram),
        ]);
      }
      expect(e.rmm.inspect.refcount(L3A)).toBe(3);
      expect(e.rmm.inspect.refcount(L3B)).toBe(1);

      // REC phase → rim3.
      expect(e.call(SMC_RMI_REC_AUX_COUNT, RD)).toEqual([0n, 16n, 0n, 0n, 0n]);
      expect(e.recCreate(recParams())).toEqual(OK);
      const idle = recParams({ flags: 0n, mpidr: 1n, pc: 0n, gprs: new Array(8).fill(0n) }, AUX2);
      expect(e.recCreate(idle, REC2)).toEqual(OK);
      expect(rimHex()).toBe(vectors[name].rim3);

      // Tear down in reverse.
      expect(e.recDestroy(REC2)).toEqual(OK);
      expect(e.recDestroy(REC)).toEqual(OK);
      expect(e.call(SMC_RMI_DATA_DESTROY, RD, 0x3000)).toEqual([
        0n,
        BigInt(DATA[3]),
        0x20_0000n,
        0n,
        0n,
      ]);
      expect(e.call(SMC_RMI_DATA_DESTROY, RD, 0x20_0000)).toEqual([
        0n,
        BigInt(DATA[2]),
        0x40_0000n,
        0n,
        0n,
      ]);
      expect(e.call(SMC_RMI_DATA_DESTROY, RD, 0x1000)).toEqual([
        0n,
        BigInt(DATA[1]),
        0x20_0000n,
        0n,
        0n,
      ]);
      expect(e.call(SMC_RMI_DATA_DESTROY, RD, 0)).toEqual([
        0n,
        BigInt(DATA[0]),
        0x20_0000n,
        0n,
        0n,
      ]);
      // assigned_ram → unassigned_destroyed.
      expect(e.call(SMC_RMI_RTT_READ_ENTRY, RD, 0, 3)).toEqual([
        0n,
        3n,
        BigInt(RmiRttEntryState.Unassigned),
        0n,
        BigInt(RmiRipas.Destroyed),
      ]);
      expect(e.call(SMC_RMI_RTT_DESTROY, RD, 0x20_0000, 3)[0]).toBe(0n);
      expect(e.call(SMC_RMI_RTT_DESTROY, RD, 0, 3)[0]).toBe(0n);
      expect(e.call(SMC_RMI_RTT_DESTROY, RD, 0, 2)[0]).toBe(0n);
      expect(e.realmDestroy(RD)).toEqual(OK);
      for (const pa of granules) {
        expect(e.call(SMC_RMI_GRANULE_UNDELEGATE, pa), `undelegate ${pa}`).toEqual(OK);
      }
      for (const pa of granules) {
        expect(e.state(pa)).toBe(GranuleState.Undelegated);
        expect(e.platform.gpiOf(pa)).toBe(World.Normal);
        expect(e.platform.raw(pa).every((b) => b === 0)).toBe(true);
      }
      expect(e.rmm.inspect.counts()).toEqual({ realms: 0, recs: 0 });
    });
  }
});
