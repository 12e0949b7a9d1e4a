/** A small realm built through RMI on the booted platform, seen through `inspect`. @module */
import { decodeRealmParams, decodeRecParams, Gpi, GranuleState, RealmState } from '@islet/abi';
import { defaultCrypto } from '@islet/arch';
import { measurementHash, measureRealmCreate, measureRecCreate } from '@islet/rmm';
import { describe, expect, test } from 'vitest';
import { bootPlatform } from './platform.ts';
import { createSmallRealm } from './small-realm.ts';

describe('createSmallRealm', () => {
  test.each([0, 1] as const)(
    'hash algorithm %i: an ACTIVE realm with one REC and the RIM of its parameters',
    (hashAlgo) => {
      const p = bootPlatform();
      const realm = createSmallRealm(p, { hashAlgo });
      const info = p.inspect.realm(realm.rd)!;
      expect(info.state).toBe(RealmState.Active);
      expect(info.recCount).toBe(1);
      expect(p.inspect.counts()).toEqual({ realms: 1, recs: 1 });

      // The RIM, recomputed from the two parameter pages the host wrote (still readable: they are NS).
      const base = p.host.dram[0]!.base + 0x100_0000n;
      const realmPage = p.host.memory.read(base + 0x4000n, 4096);
      const recPage = p.host.memory.read(base + 0x5000n, 4096);
      const h = measurementHash(hashAlgo, defaultCrypto());
      const rim0 = measureRealmCreate(h, decodeRealmParams(realmPage));
      expect(info.rim).toEqual(measureRecCreate(h, rim0, decodeRecParams(recPage)));

      expect(p.inspect.granule(realm.rd)).toMatchObject({
        gpi: Gpi.Realm,
        hostAccessible: false,
        rmmState: GranuleState.Rd,
      });
      expect(p.inspect.granule(realm.rtts[1]!)).toMatchObject({
        gpi: Gpi.Realm,
        rmmState: GranuleState.Rtt,
      });
      expect(p.inspect.granule(realm.rec)).toMatchObject({ rmmState: GranuleState.Rec });
      expect(p.inspect.granule(realm.aux[0]!)).toMatchObject({ rmmState: GranuleState.RecAux });
      expect(p.inspect.granule(base + 0x4000n)).toMatchObject({
        gpi: Gpi.NonSecure,
        hostAccessible: true,
      });
      expect(() => p.host.memory.read(realm.rd, 8)).toThrowError(
        expect.objectContaining({ code: 'GRANULE_PROTECTION_FAULT' }),
      );
    },
  );

  test('a second realm on the same granules is refused with the RMI status named', () => {
    const p = bootPlatform();
    createSmallRealm(p);
    expect(() => createSmallRealm(p)).toThrowError(
      expect.objectContaining({ code: 'FVP_RMI_FAILED' }),
    );
  });
});
