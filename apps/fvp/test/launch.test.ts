/**
 * The proof of `@islet/host`: a realm launched through RMI on the booted platform has exactly the
 * RIM that its plan folds to offline, and `destroy()` gives every granule back.
 * @module
 */
import { Gpi, GranuleState, hashDigestLength, RmiRipas, RmiRttEntryState } from '@islet/abi';
import { defaultCrypto, toHex } from '@islet/arch';
import {
  GranuleAllocator,
  type HashAlgorithmName,
  launchRealm,
  planRealm,
  type RealmLaunch,
  type RealmPlan,
  RmiCallError,
  realmParamsOf,
} from '@islet/host';
import {
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
} from '@islet/rmm';
import { describe, expect, test } from 'vitest';
import { bootPlatform } from '../src/platform.ts';

/** A second fold of the plan, independent of apps/cli's `computeRim`. */
function foldRim(plan: RealmPlan): Uint8Array {
  const h = measurementHash(plan.hashAlgo, defaultCrypto());
  let rim = measureRealmCreate(h, realmParamsOf(plan, 0n, 0));
  for (const s of plan.steps) {
    if (s.kind === 'ripas') rim = measureRipas(h, rim, s.base, s.top);
    if (s.kind === 'data') rim = measureDataCreate(h, rim, s.ipa, s.flags, s.content);
    if (s.kind === 'rec' && s.runnable) {
      rim = measureRecCreate(h, rim, { ...s.params, numAux: 0, aux: [] });
    }
  }
  return rim;
}

const image = (length: number, seed: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

const MiB = 0x10_0000;
const cases: [string, HashAlgorithmName, RealmLaunch][] = [
  ['1 page, 2 MiB', 'sha256', { image: image(0x1000, 1), memorySize: 2 * MiB }],
  ['5000 bytes, 2 MiB', 'sha512', { image: image(5000, 2), memorySize: 2 * MiB }],
  ['1 MiB, 8 MiB', 'sha256', { image: image(MiB, 3), memorySize: 8 * MiB }],
  ['1 MiB, 8 MiB', 'sha512', { image: image(MiB, 3), memorySize: 8 * MiB }],
  ['5000 bytes, default memory, 3 vCPUs', 'sha256', { image: image(5000, 4), vcpus: 3 }],
];

describe('launchRealm on the booted platform', () => {
  test.each(cases)(
    '%s, %s: the RIM is the plan folded; destroy() returns every granule',
    (_name, hashAlgo, base) => {
      const p = bootPlatform();
      const launch: RealmLaunch = { ...base, hashAlgo };
      const progress: number[] = [];
      const realm = launchRealm(p.host, launch, { onProgress: (done) => progress.push(done) });
      const plan = planRealm(launch);
      expect(progress).toHaveLength(plan.data.length);

      const info = p.inspect.realm(realm.rd)!;
      expect(info.rim).toEqual(foldRim(plan));
      expect(toHex(info.rim.subarray(hashDigestLength(plan.hashAlgo)))).toMatch(/^(00)*$/);
      expect(info.recCount).toBe(plan.recs.length);
      expect(p.inspect.counts()).toEqual({ realms: 1, recs: plan.recs.length });
      // The image is mapped from IPA 0 under a level-3 RTT; RAM past the image's blocks stays a
      // level-2 block entry, RIPAS RAM and unassigned, so it was measured once per 2 MiB.
      expect(p.inspect.rttEntry(realm.rd, 0n)).toMatchObject({ level: 3, desc: realm.data[0] });
      const last = BigInt(plan.launch.memorySize - 0x1000);
      const lastEntry = p.inspect.rttEntry(realm.rd, last);
      const underL3 = [...plan.rtt.tables, ...plan.rtt.dataTables].some(
        (t) => t.level === 3 && BigInt(t.ipa) === last - (last % 0x20_0000n),
      );
      expect(lastEntry).toMatchObject({
        level: underL3 ? 3 : 2,
        state: RmiRttEntryState.Unassigned,
        ripas: RmiRipas.Ram,
      });

      realm.destroy();
      expect(p.inspect.counts()).toEqual({ realms: 0, recs: 0 });
      for (const g of realm.granules) {
        expect(p.inspect.granule(g)).toMatchObject({
          gpi: Gpi.NonSecure,
          hostAccessible: true,
          rmmState: GranuleState.Undelegated,
        });
      }
      for (const g of [realm.rd, realm.rttBase, ...realm.data, realm.recs[0]!.rec]) {
        expect(p.host.memory.read(g, 0x1000).every((b) => b === 0)).toBe(true);
      }
    },
  );

  test('two realms share an allocator; a failing launch leaves nothing behind', () => {
    const p = bootPlatform();
    const granules = new GranuleAllocator(p.host.dram);
    const a = launchRealm(p.host, { image: image(100, 5) }, { allocator: granules, vmid: 1 });
    const b = launchRealm(p.host, { image: image(100, 6) }, { allocator: granules, vmid: 2 });
    expect(p.inspect.counts()).toEqual({ realms: 2, recs: 2 });
    expect(new Set([...a.granules, ...b.granules]).size).toBe(
      a.granules.length + b.granules.length,
    );
    // Same image, same launch: same RIM; a different image: another RIM.
    expect(p.inspect.realm(a.rd)!.rim).not.toEqual(p.inspect.realm(b.rd)!.rim);
    const inUse = granules.inUse;
    // VMID 2 is taken: REALM_CREATE refuses, and the launcher undoes what it delegated.
    expect(() =>
      launchRealm(p.host, { image: image(100, 7) }, { allocator: granules, vmid: 2 }),
    ).toThrowError(
      expect.objectContaining({ code: 'HOST_RMI_FAILED', command: 'RMI_REALM_CREATE' }),
    );
    expect(granules.inUse).toBe(inUse);
    a.destroy();
    b.destroy();
    expect(granules.inUse).toBe(0);
    expect(p.inspect.counts()).toEqual({ realms: 0, recs: 0 });
  });

  test('a refused command names the status and index', () => {
    const p = bootPlatform();
    const realm = launchRealm(p.host, { image: image(10, 8) });
    let error: unknown;
    try {
      // A second allocator over the same DRAM hands out the first realm's RD again.
      launchRealm(p.host, { image: image(10, 8) }, { vmid: 2 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RmiCallError);
    expect((error as RmiCallError).command).toBe('RMI_GRANULE_DELEGATE');
    expect((error as RmiCallError).message).toMatch(/RMI_ERROR_INPUT \(status 1, index 0\)/);
    expect(p.inspect.counts()).toEqual({ realms: 1, recs: 1 });
    realm.destroy();
  });
});
