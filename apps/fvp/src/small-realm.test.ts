/** A small realm built through RMI on the booted platform, seen through `inspect`. @module */
import { decodeRealmParams, decodeRecParams, Gpi, GranuleState, RealmState } from '@islet/abi';
import { defaultCrypto, physAddr } from '@islet/arch';
import {
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
} from '@islet/rmm';
import { describe, expect, test } from 'vitest';
import { bootPlatform } from './platform.ts';
import { createSmallRealm } from './small-realm.ts';

describe('createSmallRealm', () => {
  test.each([0, 1] as const)(
    'hash algorithm %i: an ACTIVE realm with its image loaded, one REC, and the RIM of it all',
    (hashAlgo) => {
      const p = bootPlatform();
      const image = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13 + 1) & 0xff);
      const realm = createSmallRealm(p, { hashAlgo, image });
      const info = p.inspect.realm(realm.rd)!;
      expect(info.state).toBe(RealmState.Active);
      expect(info.recCount).toBe(1);
      expect(p.inspect.counts()).toEqual({ realms: 1, recs: 1 });

      // The RIM, recomputed from the parameter pages the host wrote (still readable: they are NS)
      // and the image: REALM_CREATE, RIPAS for each L3 entry, DATA for each page, REC.
      const base = p.host.dram[0]!.base + 0x100_0000n;
      const realmPage = p.host.memory.read(base + 0x6000n, 4096);
      const recPage = p.host.memory.read(base + 0x7000n, 4096);
      const h = measurementHash(hashAlgo, defaultCrypto());
      let rim = measureRealmCreate(h, decodeRealmParams(realmPage));
      rim = measureRipas(h, rim, 0, 0x1000);
      rim = measureRipas(h, rim, 0x1000, 0x2000);
      const padded = new Uint8Array(0x2000);
      padded.set(image);
      rim = measureDataCreate(h, rim, 0, 1, padded.subarray(0, 0x1000));
      rim = measureDataCreate(h, rim, 0x1000, 1, padded.subarray(0x1000));
      expect(info.rim).toEqual(measureRecCreate(h, rim, decodeRecParams(recPage)));
      expect(realm.data).toHaveLength(2);
      expect(p.inspect.granule(realm.data[1]!)).toMatchObject({ rmmState: GranuleState.Data });
      expect(p.inspect.rttEntry(realm.rd, 0x1000n)).toMatchObject({
        level: 3,
        desc: realm.data[1],
      });
      // The image is in the data granules, which only the Realm world can read.
      const inRealm = p.parts.memory.realm.read(physAddr(realm.data[1]!), 0x1000);
      expect(inRealm).toEqual(padded.subarray(0x1000));

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
      expect(p.inspect.granule(base + 0x6000n)).toMatchObject({
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
