/**
 * The EL3 monitor with the REAL GPT, MMU and HES and a test-double RMM: boot, the RMM-EL3
 * services, and SMC routing from every world.
 * @module
 */
import { test as propTest } from '@fast-check/vitest';
import {
  Gpi,
  PSCI_VERSION_1_1,
  RMM_EL3_IFC_VERSION_TFA_2_12,
  RmmBootError,
  RmmEl3Status,
  RmmIsletVhukId,
  RsiAction,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_VERSION,
  SMC_RMM_ATTEST_GET_PLAT_TOKEN,
  SMC_RMM_ATTEST_GET_REALM_KEY,
  SMC_RMM_BOOT_COMPLETE,
  SMC_RMM_EL3_FEATURES,
  SMC_RMM_EL3_TOKEN_SIGN,
  SMC_RMM_GTSI_DELEGATE,
  SMC_RMM_GTSI_UNDELEGATE,
  SMC_RMM_ISLET_GET_VHUK,
  SMC_RMM_REQ_COMPLETE,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC_RSI_VERSION,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_VERSION,
  SMC64_PSCI_CPU_ON,
  SMCCC_VERSION,
  SMCCC_VERSION_1_2,
  vhukFromRegisters,
  World,
} from '@islet/abi';
import { equalBytes, type PhysAddr, physAddr } from '@islet/arch';
import { VhukId } from '@islet/hes';
import { GranuleProtectionFault } from '@islet/mmu';
import { encodeCoseKey, verifyPlatformToken } from '@islet/token';
import fc from 'fast-check';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  BOOT_MANIFEST_VERSION,
  EL3_CALL_LOG_SIZE,
  type El3Monitor,
  El3MonitorError,
  El3State,
  type FirmwareImage,
  MEASUREMENT_SLOT,
} from '../src/index.ts';
import {
  EL3_BASE,
  monitorOf,
  type Platform,
  platform,
  RMM_BASE,
  RmmDouble,
  SHARED_BUFFER,
  TABLES,
  thrown,
} from './platform.ts';

const signerId = new Uint8Array(32).fill(0x5a);
const IMAGES: readonly FirmwareImage[] = [
  { swType: 'BL31', image: new TextEncoder().encode('bl31 image'), signerId, swVersion: '2.12' },
  { swType: 'RMM', image: new TextEncoder().encode('rmm image'), signerId, swVersion: '1.0' },
];
const NS_GRANULE = physAddr(0x9000_0000);
const u64 = (n: number): bigint => BigInt.asUintN(64, BigInt(n));

/** A platform, a monitor and a double RMM wired together (the composition root's job). */
function booted(via: 'services' | 'smc' = 'services', options = {}) {
  const p = platform();
  const monitor = monitorOf(p, options);
  const rmm = new RmmDouble(
    monitor,
    p.mem.physMemory,
    p.crypto,
    via === 'smc' ? monitor.conduit(World.Realm) : undefined,
  );
  monitor.attachRmm(rmm);
  const report = monitor.boot({ images: IMAGES });
  return { p, monitor, rmm, report };
}

describe('boot', () => {
  test('measures the images, boots the RMM with the §7.4 arguments and serves RMI', () => {
    const { p, monitor, rmm, report } = booted();
    expect(report.state).toBe(El3State.Running);
    expect(report.reason).toBeUndefined();
    expect(report.rmmBootError).toBe(RmmBootError.Success);
    expect(report.bootArgs).toEqual({
      cpuId: 0,
      ifcVersion: RMM_EL3_IFC_VERSION_TFA_2_12,
      numCpus: 4,
      sharedBuffer: SHARED_BUFFER,
    });
    expect(rmm.calls[0]).toEqual({ method: 'coldBoot', args: report.bootArgs });
    expect(rmm.manifestVersion).toBe(BOOT_MANIFEST_VERSION);
    expect(report.measurements.map((m) => [m.slot, m.status])).toEqual([
      [MEASUREMENT_SLOT.BL31, 0],
      [MEASUREMENT_SLOT.RMM, 0],
    ]);
    for (const m of report.measurements) {
      const slot = p.hes.readMeasurement(m.slot);
      expect(slot.status).toBe(0);
      if (slot.status === 0) {
        expect(slot.measurement.metadata.swType).toBe(m.measurement.metadata.swType);
        expect(slot.measurement.metadata.swVersion).toBe(m.measurement.metadata.swVersion);
      }
    }
    expect(report.measurements[1]?.measurement.value).toEqual(
      p.crypto.hash('sha256', new TextEncoder().encode('rmm image')),
    );
    expect(equalBytes(report.cpakPublicKey.point, p.hes.cpakPublicKey.point)).toBe(true);
    const state = monitor.inspect();
    expect(state.state).toBe(El3State.Running);
    expect(state.cpusOn).toEqual([true, false, false, false]);
  });

  test('the RMM gets the RAK and a platform token over its hash that verifies with the CPAK', () => {
    for (const via of ['services', 'smc'] as const) {
      const { p, rmm, report, monitor } = booted(via);
      const dak = p.hes.getDelegatedKey({ curve: 'P-384' });
      expect(dak.status).toBe(0);
      if (dak.status !== 0 || rmm.rak === undefined || rmm.platformToken === undefined) {
        throw new Error('boot did not deliver the RAK and token');
      }
      expect(equalBytes(rmm.rak.d, dak.key.d)).toBe(true);
      const { platform: claims } = verifyPlatformToken(rmm.platformToken, {
        cpak: report.cpakPublicKey,
        crypto: p.crypto,
      });
      expect(equalBytes(claims.challenge, rmm.rakHash ?? new Uint8Array())).toBe(true);
      expect(
        equalBytes(claims.challenge, p.crypto.hash('sha256', encodeCoseKey(rmm.rak.publicKey))),
      ).toBe(true);
      expect(claims.swComponents.map((c) => c.type)).toEqual(['BL1', 'BL2', 'BL31', 'RMM']);
      const calls = monitor.inspect().el3Calls.map((c) => [c.fid, c.status]);
      expect(calls).toEqual([
        [SMC_RMM_ATTEST_GET_REALM_KEY, RmmEl3Status.Ok],
        [SMC_RMM_ATTEST_GET_PLAT_TOKEN, RmmEl3Status.Ok],
      ]);
      expect(
        equalBytes(monitor.inspect().lastPlatformToken ?? new Uint8Array(), rmm.platformToken),
      ).toBe(true);
    }
  });

  test('hands the token out in hunks with remaining counts, after E_RMM_AGAIN while busy', () => {
    const { monitor, rmm } = booted('smc', {
      platformTokenHunkSize: 100,
      platformTokenBusyCalls: 2,
    });
    const token = rmm.platformToken;
    expect(token).toBeDefined();
    const n = Math.ceil((token?.length ?? 0) / 100);
    expect(rmm.hunks).toEqual([...Array(n - 1).fill(100), (token?.length ?? 0) - 100 * (n - 1)]);
    const tokenCalls = monitor
      .inspect()
      .el3Calls.filter((c) => c.fid === SMC_RMM_ATTEST_GET_PLAT_TOKEN);
    expect(tokenCalls.map((c) => c.status).slice(0, 3)).toEqual([
      RmmEl3Status.Again,
      RmmEl3Status.Again,
      RmmEl3Status.Ok,
    ]);
    expect(tokenCalls.map((c) => c.args[2])).toEqual([32, 32, 32, ...Array(n - 1).fill(0)]);
    expect(monitor.inspect().platformTokenTransfer).toBeUndefined();
  });

  test('a refused measurement stops the boot before the RMM runs', () => {
    const p = platform();
    const monitor = monitorOf(p);
    const rmm = new RmmDouble(monitor, p.mem.physMemory, p.crypto);
    monitor.attachRmm(rmm);
    // Slot 1 holds BL2 from the HES provisioning, signed by another key: NotPermitted.
    const report = monitor.boot({
      images: [
        {
          swType: 'BL2',
          digest: new Uint8Array(64),
          signerId,
          swVersion: '9',
          algorithm: 'sha-512',
        },
      ],
    });
    expect(report.state).toBe(El3State.BootFailed);
    expect(report.measurements[0]?.status).not.toBe(0);
    expect(rmm.calls).toEqual([]);
    expect(monitor.smc(World.Normal, SMC_RMI_VERSION, [0x1_0000n])[0]).toBe(SMC_UNKNOWN);
  });

  test('an RMM boot error disables RMI; no RMM answers SMC_UNKNOWN too', () => {
    const failing = booted('services', { ifcVersion: 0x1_0000 }); // major 1: unsupported
    expect(failing.report.state).toBe(El3State.RmmFailed);
    expect(failing.report.rmmBootError).toBe(RmmBootError.VersionMismatch);
    expect(failing.monitor.smc(World.Normal, SMC_RMI_VERSION, [0x1_0000n])[0]).toBe(SMC_UNKNOWN);
    expect(failing.rmm.calls.filter((c) => c.method === 'handleRmi')).toEqual([]);

    const bare = monitorOf(platform());
    expect(bare.boot().state).toBe(El3State.NoRmm);
    expect(bare.smc(World.Normal, SMC_RMI_VERSION, [0x1_0000n])[0]).toBe(SMC_UNKNOWN);
  });

  test('set-up misuse throws coded errors', () => {
    const { monitor, rmm } = booted();
    expect(thrown(() => monitor.boot())).toMatchObject({ code: 'EL3_ALREADY_BOOTED' });
    expect(thrown(() => monitor.attachRmm(rmm))).toMatchObject({
      code: 'EL3_RMM_ALREADY_ATTACHED',
    });
    const p = platform();
    for (const sharedBuffer of [0, 0x1234, -4096, 2 ** 52, Number.NaN]) {
      const e = thrown(() => monitorOf(p, { sharedBuffer: sharedBuffer as PhysAddr }));
      expect(e).toBeInstanceOf(El3MonitorError);
      expect(e).toMatchObject({ code: 'EL3_CONFIG_INVALID' });
    }
    expect(thrown(() => monitorOf(p, { numCpus: 0 }))).toMatchObject({
      code: 'EL3_CONFIG_INVALID',
    });
    const fresh = monitorOf(p);
    const both = {
      swType: 'RMM',
      image: new Uint8Array(1),
      digest: new Uint8Array(32),
      signerId,
      swVersion: '1',
    };
    expect(thrown(() => fresh.boot({ images: [both] }))).toMatchObject({
      code: 'EL3_IMAGE_INVALID',
    });
    const noSlot = { swType: 'XYZ', digest: new Uint8Array(32), signerId, swVersion: '1' };
    expect(thrown(() => fresh.boot({ images: [noSlot] }))).toMatchObject({
      code: 'EL3_IMAGE_INVALID',
    });
    expect(fresh.inspect().state).toBe(El3State.Off);
  });
});

describe('El3Services', () => {
  let p: Platform;
  let monitor: El3Monitor;
  beforeEach(() => {
    ({ p, monitor } = booted());
  });

  test('the call log keeps the last EL3_CALL_LOG_SIZE calls, oldest first', () => {
    const before = monitor.inspect().el3Calls.length;
    const n = EL3_CALL_LOG_SIZE + 7;
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) monitor.gtsiDelegate(NS_GRANULE);
      else monitor.gtsiUndelegate(NS_GRANULE);
    }
    const calls = monitor.inspect().el3Calls;
    expect(calls).toHaveLength(EL3_CALL_LOG_SIZE);
    expect(before).toBeLessThan(EL3_CALL_LOG_SIZE);
    // The last call made (i = n - 1, even: a delegate) is last; they alternate before it.
    calls.forEach((c, k) => {
      const i = n - EL3_CALL_LOG_SIZE + k;
      expect(c.fid).toBe(i % 2 === 0 ? SMC_RMM_GTSI_DELEGATE : SMC_RMM_GTSI_UNDELEGATE);
    });
  });

  test('GTSI delegate of an NS granule: the Normal world then faults on it', () => {
    p.mem.normal.write(NS_GRANULE, Uint8Array.of(1, 2, 3));
    expect(monitor.gtsiDelegate(NS_GRANULE)).toBe(RmmEl3Status.Ok);
    expect(p.gpt.gpiOf(NS_GRANULE)).toBe(Gpi.Realm);
    const fault = thrown(() => p.mem.normal.read(NS_GRANULE, 8));
    expect(fault).toBeInstanceOf(GranuleProtectionFault);
    expect(fault).toMatchObject({ code: 'GRANULE_PROTECTION_FAULT', gpi: Gpi.Realm });
    expect(p.mem.realm.read(NS_GRANULE, 3)).toEqual(Uint8Array.of(1, 2, 3)); // no zeroing at EL3
    expect(monitor.gtsiDelegate(NS_GRANULE)).toBe(RmmEl3Status.BadPas); // already Realm
    expect(monitor.gtsiUndelegate(NS_GRANULE)).toBe(RmmEl3Status.Ok);
    expect(p.mem.normal.read(NS_GRANULE, 3)).toEqual(Uint8Array.of(1, 2, 3));
    expect(monitor.gtsiUndelegate(NS_GRANULE)).toBe(RmmEl3Status.BadPas); // NS now
  });

  test('delegate of Realm, Root or out-of-range granules returns the TF-A codes', () => {
    expect(monitor.gtsiDelegate(physAddr(RMM_BASE))).toBe(RmmEl3Status.BadPas); // Realm
    expect(monitor.gtsiDelegate(physAddr(EL3_BASE))).toBe(RmmEl3Status.BadPas); // Root
    expect(monitor.gtsiDelegate(physAddr(TABLES.base))).toBe(RmmEl3Status.BadPas); // GPT tables
    expect(monitor.gtsiDelegate(physAddr(0x9000_0010))).toBe(RmmEl3Status.BadAddr); // unaligned
    expect(monitor.gtsiDelegate(physAddr(2 ** 36))).toBe(RmmEl3Status.BadAddr); // beyond PPS
    expect(monitor.gtsiDelegate(Number.NaN as PhysAddr)).toBe(RmmEl3Status.BadAddr);
    expect(monitor.gtsiUndelegate(physAddr(EL3_BASE))).toBe(RmmEl3Status.BadPas);
    expect(p.gpt.gpiOf(EL3_BASE)).toBe(Gpi.Root);
  });

  test('scrubOnUndelegate zeroes the granule on its way back to NS', () => {
    const { p: q, monitor: m } = booted('services', { scrubOnUndelegate: true });
    q.mem.normal.write(NS_GRANULE, Uint8Array.of(9, 9));
    expect(m.gtsiDelegate(NS_GRANULE)).toBe(RmmEl3Status.Ok);
    expect(m.gtsiUndelegate(NS_GRANULE)).toBe(RmmEl3Status.Ok);
    expect(q.mem.normal.read(NS_GRANULE, 2)).toEqual(Uint8Array.of(0, 0));
  });

  test('GTSI through SMCs from the Realm world, with E_RMM codes as u64 registers', () => {
    const realm = monitor.conduit(World.Realm);
    expect(realm(SMC_RMM_GTSI_DELEGATE, [BigInt(NS_GRANULE)])[0]).toBe(0n);
    expect(realm(SMC_RMM_GTSI_DELEGATE, [BigInt(NS_GRANULE)])[0]).toBe(u64(RmmEl3Status.BadPas));
    expect(realm(SMC_RMM_GTSI_DELEGATE, [2n ** 64n - 1n])[0]).toBe(u64(RmmEl3Status.BadAddr));
    expect(realm(SMC_RMM_GTSI_UNDELEGATE, [BigInt(NS_GRANULE)])[0]).toBe(0n);
    expect(realm(SMC_RMM_EL3_FEATURES, [0n])[0]).toBe(0n);
    expect(realm(SMC_RMM_EL3_FEATURES, [1n])[0]).toBe(u64(RmmEl3Status.Inval));
    expect(realm(SMC_RMM_EL3_TOKEN_SIGN, [])[0]).toBe(SMC_UNKNOWN);
    expect(realm(SMC_RMM_REQ_COMPLETE, [0n])[0]).toBe(SMC_UNKNOWN);
    expect(realm(SMC_RMM_BOOT_COMPLETE, [u64(-5)])[0]).toBe(0n);
    expect(monitor.inspect().bootCompleteSmc).toBe(-5);
  });

  test('realm key and platform token refuse bad buffers, curves, sizes and challenges', () => {
    const buf = SHARED_BUFFER;
    expect(monitor.getRealmAttestKey(buf, 4096, 1 as 0).status).toBe(RmmEl3Status.Inval);
    expect(monitor.getRealmAttestKey(physAddr(0x9000_0000), 4096, 0).status).toBe(
      RmmEl3Status.Inval,
    );
    expect(monitor.getRealmAttestKey(physAddr(buf + 4064), 64, 0).status).toBe(RmmEl3Status.Inval);
    expect(monitor.getRealmAttestKey(buf, 16, 0).status).toBe(RmmEl3Status.NoMem);
    expect(monitor.getPlatformToken(buf, 4096, 0).status).toBe(RmmEl3Status.Inval); // no transfer
    expect(monitor.getPlatformToken(buf, 4096, 31).status).toBe(RmmEl3Status.Inval);
    expect(monitor.getPlatformToken(buf, 16, 32).status).toBe(RmmEl3Status.Inval);
    p.mem.realm.write(buf, new Uint8Array(32).fill(7)); // not the hash of the DAK
    expect(monitor.getPlatformToken(buf, 4096, 32)).toEqual({
      status: RmmEl3Status.Inval,
      hunkSize: 0,
      remaining: 0,
    });
  });

  test("RMM_ISLET_GET_VHUK hands the RMM HES's VHUK_A and VHUK_M, in x1..x4 over SMC", () => {
    const a = p.hes.getVhuk(VhukId.A);
    const m = p.hes.getVhuk(VhukId.M);
    if (!('key' in a) || !('key' in m)) throw new Error('HES has no VHUKs');
    expect(monitor.getVhuk(RmmIsletVhukId.A)).toEqual({ status: RmmEl3Status.Ok, key: a.key });
    expect(monitor.getVhuk(RmmIsletVhukId.M)).toEqual({ status: RmmEl3Status.Ok, key: m.key });
    expect(equalBytes(a.key, m.key)).toBe(false);
    const realm = monitor.conduit(World.Realm);
    const out = Array.from(realm(SMC_RMM_ISLET_GET_VHUK, [2n, 0n, 0n, 0n, 0n, 0x66n]));
    expect(out[0]).toBe(0n);
    expect(vhukFromRegisters(out[1]!, out[2]!, out[3]!, out[4]!)).toEqual(m.key);
    expect(out.slice(5)).toEqual([0n, 0x66n, 0n]);
    expect(monitor.inspect().el3Calls.at(-1)).toEqual({
      fid: SMC_RMM_ISLET_GET_VHUK,
      args: [2],
      status: RmmEl3Status.Ok,
    });
  });

  test('RMM_ISLET_GET_VHUK refuses other key ids; the rest of the vendor range is unknown', () => {
    const realm = monitor.conduit(World.Realm);
    for (const id of [0, 3, 0xff, -1]) {
      expect(monitor.getVhuk(id)).toEqual({ status: RmmEl3Status.Inval });
    }
    for (const x1 of [0n, 3n, 0x1_0000_0001n, 2n ** 64n - 1n]) {
      expect(Array.from(realm(SMC_RMM_ISLET_GET_VHUK, [x1, 7n, 7n, 7n, 7n]))).toEqual([
        u64(RmmEl3Status.Inval),
        0n,
        0n,
        0n,
        0n,
        7n,
        0n,
        0n,
      ]);
    }
    expect(realm(SMC_RMM_ISLET_GET_VHUK + 1, [1n])[0]).toBe(SMC_UNKNOWN);
    expect(realm(0xc700_01cf, [1n])[0]).toBe(SMC_UNKNOWN);
  });

  test('RMM_ISLET_GET_VHUK answers Unknown when the root of trust fails', () => {
    const q = platform();
    const m = monitorOf(q, {
      hes: {
        extendMeasurement: (...a) => q.hes.extendMeasurement(...a),
        getDelegatedKey: (r) => q.hes.getDelegatedKey(r),
        getPlatformToken: (c) => q.hes.getPlatformToken(c),
        getVhuk: () => ({ status: -132 }),
        cpakPublicKey: q.hes.cpakPublicKey,
      },
    });
    expect(m.getVhuk(RmmIsletVhukId.A)).toEqual({ status: RmmEl3Status.Unknown });
  });

  test('a shared buffer in a PAS EL3 was not told about fails cleanly', () => {
    const q = platform();
    const m = monitorOf(q, { sharedBuffer: physAddr(0x9000_0000) }); // NS page, accessed as Realm
    expect(m.boot()).toMatchObject({ state: El3State.BootFailed });
    expect(m.getRealmAttestKey(physAddr(0x9000_0000), 4096, 0).status).toBe(RmmEl3Status.BadPas);
  });
});

describe('SMC routing', () => {
  let p: Platform;
  let monitor: El3Monitor;
  let rmm: RmmDouble;
  beforeEach(() => {
    ({ p, monitor, rmm } = booted());
  });

  test('RMI from Normal reaches the RMM: X0..X4 from it, X5..X7 of the caller kept', () => {
    const args = [0x1_0000n, 2n, 3n, 0x4444n, 0x5555n, 0x6666n, 0x7777n];
    const out = monitor.smc(World.Normal, SMC_RMI_VERSION, args);
    expect(Array.from(out)).toEqual([
      0n,
      0x1_0000n,
      0x1_0000n,
      0n,
      0x4444n,
      0x5555n,
      0x6666n,
      0x7777n,
    ]);
    expect(rmm.calls.at(-1)).toEqual({
      method: 'handleRmi',
      fid: SMC_RMI_VERSION,
      args: args.slice(0, 6),
    });
    // The SVE hint reaches the RMM as the host set it.
    const hinted = (SMC_RMI_VERSION | SMC_SVE_HINT) >>> 0;
    expect(monitor.smc(World.Normal, hinted, [1n])[0]).toBe(1n);
    expect(rmm.calls.at(-1)).toMatchObject({ fid: hinted });
    // A BigUint64Array register file works the same; short arrays read 0.
    const file = BigUint64Array.of(0x1_0000n, 0n, 0n, 0n, 5n, 6n, 7n);
    expect(Array.from(monitor.smc(World.Normal, SMC_RMI_VERSION, file)).slice(5)).toEqual([
      5n,
      6n,
      7n,
    ]);
    expect(Array.from(monitor.smc(World.Normal, SMC_RMI_VERSION, [])).slice(4)).toEqual([
      0n,
      0n,
      0n,
      0n,
    ]);
  });

  test('RMI_GRANULE_DELEGATE: the RMM calls back into GTSI during the host SMC', () => {
    const out = monitor.smc(World.Normal, SMC_RMI_GRANULE_DELEGATE, [
      BigInt(NS_GRANULE),
      0n,
      0n,
      0n,
      0n,
      0n,
      9n,
    ]);
    expect(out[0]).toBe(0n);
    expect(out[7]).toBe(9n);
    expect(thrown(() => p.mem.normal.read(NS_GRANULE, 1))).toBeInstanceOf(GranuleProtectionFault);
    expect(monitor.smc(World.Normal, SMC_RMI_GRANULE_DELEGATE, [BigInt(RMM_BASE)])[0]).toBe(1n);
  });

  test('the Normal world cannot reach RMM-EL3 or RSI: SMC_UNKNOWN, registers kept', () => {
    for (const fid of [
      SMC_RMM_ISLET_GET_VHUK,
      SMC_RSI_ISLET_REALM_SEALING_KEY,
      SMC_RMM_GTSI_DELEGATE,
      SMC_RMM_GTSI_UNDELEGATE,
      SMC_RMM_ATTEST_GET_REALM_KEY,
      SMC_RMM_ATTEST_GET_PLAT_TOKEN,
      SMC_RMM_EL3_FEATURES,
      SMC_RMM_BOOT_COMPLETE,
      SMC_RMM_REQ_COMPLETE,
      SMC_RSI_VERSION,
      0xc200_0000,
    ]) {
      const out = monitor.smc(World.Normal, fid, [BigInt(NS_GRANULE), 4096n, 0n]);
      expect(Array.from(out)).toEqual([SMC_UNKNOWN, BigInt(NS_GRANULE), 4096n, 0n, 0n, 0n, 0n, 0n]);
    }
    expect(p.gpt.gpiOf(NS_GRANULE)).toBe(Gpi.NonSecure);
    expect(monitor.inspect().el3Calls).toHaveLength(2); // only the boot's two calls
  });

  test('SMCCC and PSCI from Normal: versions, features, CPU_ON with the RMM warm boot', () => {
    const smc = monitor.conduit(World.Normal);
    expect(smc(SMCCC_VERSION, [])[0]).toBe(BigInt(SMCCC_VERSION_1_2));
    expect(smc(SMC32_PSCI_VERSION, [])[0]).toBe(BigInt(PSCI_VERSION_1_1));
    expect(smc(SMC32_PSCI_FEATURES, [BigInt(SMC64_PSCI_CPU_ON)])[0]).toBe(0n);
    expect(smc(SMC32_PSCI_FEATURES, [BigInt(SMC32_PSCI_CPU_OFF)])[0]).toBe(u64(-1));
    expect(smc(SMC32_PSCI_AFFINITY_INFO, [2n, 0n])[0]).toBe(1n); // OFF
    expect(smc(SMC64_PSCI_CPU_ON, [2n, 0x8000_0000n, 0n])[0]).toBe(0n);
    expect(rmm.calls.at(-1)).toEqual({ method: 'warmBoot', cpuId: 2 });
    expect(smc(SMC32_PSCI_AFFINITY_INFO, [2n, 0n])[0]).toBe(0n); // ON
    expect(smc(SMC64_PSCI_CPU_ON, [2n, 0n, 0n])[0]).toBe(u64(-4)); // ALREADY_ON
    expect(smc(SMC64_PSCI_CPU_ON, [0x100n, 0n, 0n])[0]).toBe(u64(-2)); // INVALID_PARAMS
    expect(smc(SMC64_PSCI_CPU_ON, [4n, 0n, 0n])[0]).toBe(u64(-2));
    expect(smc(SMC32_PSCI_CPU_OFF, [])[0]).toBe(u64(-1)); // NOT_SUPPORTED
    expect(smc(SMC32_PSCI_SYSTEM_OFF, [])[0]).toBe(0n);
    expect(monitor.inspect()).toMatchObject({ cpusOn: [true, false, true, false], system: 'off' });
  });

  test("Realm world: a REC's RSI goes to handleRsi; without a REC it is not an EL3 service", () => {
    const rec = physAddr(RMM_BASE + 0x10_000);
    const out = monitor.smc(
      World.Realm,
      SMC_RSI_VERSION,
      [0x1_0000n, 0n, 0n, 0n, 0n, 0n, 0x77n],
      rec,
    );
    expect(Array.from(out)).toEqual([0n, 0x1_0000n, 0x1_0000n, 0n, 0n, 0n, 0n, 0x77n]);
    expect(rmm.calls.at(-1)).toEqual({ method: 'handleRsi', rec, fid: SMC_RSI_VERSION });
    expect(monitor.lastRsiAction).toBe(RsiAction.ReturnToRealm);
    expect(monitor.rsi(rec, SMC_RSI_VERSION, [0x1_0000n])?.action).toBe(RsiAction.ReturnToRealm);
    expect(monitor.smc(World.Realm, SMC_RSI_VERSION, [0x1_0000n])[0]).toBe(SMC_UNKNOWN);
    expect(monitor.smc(World.Realm, SMC_RMM_GTSI_DELEGATE, [0n], rec)[0]).toBe(SMC_UNKNOWN);
    // A realm's vCPU never gets the VHUKs; Islet's vendor RSI calls go to the RMM.
    expect(monitor.smc(World.Realm, SMC_RMM_ISLET_GET_VHUK, [1n], rec)[0]).toBe(SMC_UNKNOWN);
    const hinted = (SMC_RSI_ISLET_REALM_SEALING_KEY | SMC_SVE_HINT) >>> 0;
    monitor.smc(World.Realm, hinted, [3n, 0n], rec);
    expect(rmm.calls.at(-1)).toEqual({ method: 'handleRsi', rec, fid: hinted });
    expect(monitor.smc(World.Realm, SMC_RSI_ISLET_REALM_SEALING_KEY, [3n])[0]).toBe(SMC_UNKNOWN);
    expect(monitor.smc(World.Realm, SMCCC_VERSION, [])[0]).toBe(BigInt(SMCCC_VERSION_1_2));
    expect(monitor.smc(World.Realm, SMC_RMI_VERSION, [0x1_0000n])[0]).toBe(SMC_UNKNOWN);
  });

  test('Secure, Root and invalid worlds: SMCCC_VERSION, else SMC_UNKNOWN', () => {
    for (const world of [World.Secure, World.Root, 7 as World, -1 as World]) {
      expect(monitor.smc(world, SMCCC_VERSION, [])[0]).toBe(BigInt(SMCCC_VERSION_1_2));
      expect(monitor.smc(world, SMC_RMI_VERSION, [0x1_0000n])[0]).toBe(SMC_UNKNOWN);
      expect(monitor.smc(world, SMC_RMM_GTSI_DELEGATE, [BigInt(NS_GRANULE)])[0]).toBe(SMC_UNKNOWN);
    }
    expect(p.gpt.gpiOf(NS_GRANULE)).toBe(Gpi.NonSecure);
  });
});

describe('never throws on register values', () => {
  const { monitor } = booted('smc');
  const interesting = [
    SMC_RMI_VERSION,
    SMC_RMI_GRANULE_DELEGATE,
    SMC_RMM_GTSI_DELEGATE,
    SMC_RMM_GTSI_UNDELEGATE,
    SMC_RMM_ATTEST_GET_REALM_KEY,
    SMC_RMM_ATTEST_GET_PLAT_TOKEN,
    SMC_RMM_EL3_FEATURES,
    SMC_RMM_BOOT_COMPLETE,
    SMC_RMM_REQ_COMPLETE,
    SMC_RMM_ISLET_GET_VHUK,
    SMC_RSI_ISLET_REALM_SEALING_KEY,
    SMC_RSI_VERSION,
    SMCCC_VERSION,
    SMC32_PSCI_VERSION,
    SMC32_PSCI_FEATURES,
    SMC64_PSCI_CPU_ON,
    SMC32_PSCI_AFFINITY_INFO,
    SMC32_PSCI_CPU_OFF,
  ];
  const reg = fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.constantFrom(0n, BigInt(SHARED_BUFFER), BigInt(NS_GRANULE), 4096n, 32n, 2n ** 64n - 1n),
  );
  const fid = fc.oneof(
    fc.constantFrom(...interesting),
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.double(),
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
  );
  const world = fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.integer({ min: -3, max: 9 }));
  propTest.prop([world, fid, fc.array(reg, { maxLength: 12 }), fc.boolean()], { numRuns: 400 })(
    'X0..X7 come back as u64 values',
    (w, f, regs, withRec) => {
      const rec = withRec ? physAddr(RMM_BASE) : undefined;
      const out = monitor.smc(w as World, f, regs, rec);
      expect(out).toHaveLength(8);
      for (const x of Array.from(out)) expect(x >= 0n && x < 2n ** 64n).toBe(true);
    },
  );
});
