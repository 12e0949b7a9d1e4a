import {
  type Bytes,
  ecPublicKeyFromPem,
  ecPublicKeyToPem,
  nobleCrypto,
  nodeCrypto,
  toHex,
} from '@islet/arch';
import {
  decodeCoseSign1,
  decodePlatformClaims,
  PlatformProfile,
  rakBinding,
  verifyPlatformToken,
} from '@islet/token';
import { describe, expect, test, vi } from 'vitest';
import { Hes } from './hes.ts';
import type { Measurement } from './measurement.ts';
import { ISLET_DUMMY_PROVISIONING, ISLET_LEGACY_DUMMY_PROVISIONING } from './provisioning.ts';
import { PsaStatus } from './psa-status.ts';
import { SealingKeyFlag } from './sealing-key.ts';
import { measurementToSwComponent } from './sw-components.ts';
import { VhukId } from './vhuk.ts';

const crypto = nodeCrypto();

const RMM: Measurement = {
  metadata: {
    signerId: new Uint8Array(32),
    swType: 'RMM',
    swVersion: '',
    algorithm: 'sha-256',
  },
  value: new Uint8Array(32).fill(0x42),
};

function dakKey(hes: Hes, request?: Parameters<Hes['getDelegatedKey']>[0]) {
  const r = hes.getDelegatedKey(request);
  if (r.status !== PsaStatus.Success) throw new Error(`GET_DELEGATED_KEY: ${r.status}`);
  return r.key;
}

function token(r: ReturnType<Hes['getPlatformToken']>): Bytes {
  if (r.status !== PsaStatus.Success) throw new Error(`GET_PLATFORM_TOKEN: ${r.status}`);
  return r.token;
}

describe('Hes platform token', () => {
  test('verifies with the CPAK, also through its PEM, and lists the measured-boot slots', () => {
    const hes = new Hes({ crypto });
    expect(hes.extendMeasurement(2, RMM)).toBe(PsaStatus.Success);
    const dak = dakKey(hes);
    const { challenge } = rakBinding(dak.publicKey, 'sha-256', crypto);
    const t = token(hes.getPlatformToken(challenge));
    const cpak = ecPublicKeyFromPem(ecPublicKeyToPem(hes.cpakPublicKey));
    const { platform, platformAlg } = verifyPlatformToken(t, { cpak, crypto });
    expect(platformAlg).toBe(-35);
    expect(platform.challenge).toEqual(challenge);
    expect(platform.profile).toBe(PlatformProfile.V1);
    expect(platform.instanceId).toEqual(hes.instanceId);
    expect(platform.lifecycle).toBe(0x3000);
    expect(platform.hashAlgorithm).toBe('sha-256');
    expect(platform.verificationServiceIndicator).toBe('http://whatever.com');
    expect(toHex(platform.config)).toBe('efbeadde');
    expect(platform.swComponents).toEqual(hes.measurements().map(measurementToSwComponent));
    expect(platform.swComponents.map((c) => c.type)).toEqual(['BL1', 'BL2', 'RMM']);
    const slot2 = hes.readMeasurement(2);
    expect(slot2.status === PsaStatus.Success && slot2.measurement.value).toEqual(
      platform.swComponents[2]!.measurement,
    );
  });

  test('is refused without a DAK or with a challenge that is not the DAK’s hash', () => {
    const hes = new Hes({ crypto });
    const challenge = new Uint8Array(32);
    expect(hes.getPlatformToken(challenge)).toEqual({ status: PsaStatus.InvalidArgument });
    const dak = dakKey(hes);
    expect(hes.getPlatformToken(challenge)).toEqual({ status: PsaStatus.InvalidArgument });
    expect(hes.getPlatformToken('x' as unknown as Uint8Array)).toEqual({
      status: PsaStatus.InvalidArgument,
    });
    // Either binding form is accepted: the raw SEC1 point (Islet HES) or the COSE_Key (RMM 1.0).
    expect(hes.getPlatformToken(crypto.hash('sha256', dak.publicKey.point)).status).toBe(
      PsaStatus.Success,
    );
    // After a reset the DAK is forgotten.
    hes.reset();
    expect(hes.getPlatformToken(crypto.hash('sha256', dak.publicKey.point)).status).toBe(
      PsaStatus.InvalidArgument,
    );
  });

  test.each([
    ['sha-384', 48],
    ['sha-512', 64],
  ] as const)('a %s DAK hash gives a %d-byte challenge and claim 2402', (hashAlgorithm, size) => {
    const hes = new Hes({ crypto });
    const dak = dakKey(hes, { hashAlgorithm });
    const challenge = crypto.hash(
      hashAlgorithm === 'sha-384' ? 'sha384' : 'sha512',
      dak.publicKey.point,
    );
    expect(challenge).toHaveLength(size);
    const t = token(hes.getPlatformToken(challenge));
    expect(verifyPlatformToken(t, { cpak: hes.cpakPublicKey, crypto }).platform.hashAlgorithm).toBe(
      hashAlgorithm,
    );
  });

  test('issuePlatformToken takes any challenge of 32, 48 or 64 bytes, and refuses others', () => {
    const hes = new Hes({ crypto });
    for (const n of [32, 48, 64]) {
      const t = hes.issuePlatformToken(new Uint8Array(n).fill(n));
      expect(
        verifyPlatformToken(t, { cpak: hes.cpakPublicKey, crypto }).platform.challenge,
      ).toHaveLength(n);
    }
    expect(() => hes.issuePlatformToken(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'TOKEN_CLAIM_SIZE' }),
    );
  });

  test('the payload is in Islet’s claim order', () => {
    const hes = new Hes({ crypto });
    const payload = decodeCoseSign1(hes.issuePlatformToken(new Uint8Array(32)), 'p').payload;
    // a9 (map of 9), then 0a (10: challenge) 58 20 …
    expect(toHex(payload.subarray(0, 4))).toBe('a90a5820');
    expect(decodePlatformClaims(payload).swComponents).toHaveLength(2);
  });
});

describe('Hes delegated key', () => {
  test('is deterministic for the same measurements and changes with them', () => {
    const a = dakKey(new Hes({ crypto }));
    expect(dakKey(new Hes({ crypto: nobleCrypto })).d).toEqual(a.d);
    const hes = new Hes({ crypto });
    hes.extendMeasurement(2, RMM);
    expect(dakKey(hes).d).not.toEqual(a.d);
    hes.reset();
    expect(dakKey(hes).d).toEqual(a.d);
  });

  test('answers P-521 with NotSupported and nonsense with InvalidArgument', () => {
    const hes = new Hes({ crypto });
    expect(hes.getDelegatedKey({ curve: 'P-521' })).toEqual({ status: PsaStatus.NotSupported });
    expect(hes.getDelegatedKey({ curve: 'P-192' as 'P-256' })).toEqual({
      status: PsaStatus.InvalidArgument,
    });
    expect(hes.getDelegatedKey({ hashAlgorithm: 'md5' as 'sha-256' })).toEqual({
      status: PsaStatus.InvalidArgument,
    });
    expect(dakKey(hes, { curve: 'P-256' }).curve).toBe('P-256');
  });

  test('an HKDF output above n − 2 is GenericError for the DAK, a provisioning error for the CPAK', () => {
    // Both providers return all-ones from HKDF: for the DAK only (non-empty info), then for both.
    const dakOnly = {
      ...crypto,
      hkdf: (...a: Parameters<typeof crypto.hkdf>) =>
        a[3].length > 0 ? new Uint8Array(a[4]).fill(0xff) : crypto.hkdf(...a),
    };
    expect(new Hes({ crypto: dakOnly }).getDelegatedKey()).toEqual({
      status: PsaStatus.GenericError,
    });
    const always = {
      ...crypto,
      hkdf: (...a: Parameters<typeof crypto.hkdf>) => new Uint8Array(a[4]).fill(0xff),
    };
    expect(() => new Hes({ crypto: always })).toThrow(
      expect.objectContaining({ code: 'HES_PROVISIONING_INVALID' }),
    );
  });

  test('the legacy provisioning uses lifecycle word 3 in the DAK seed only', () => {
    const legacy = new Hes({ crypto, provisioning: ISLET_LEGACY_DUMMY_PROVISIONING });
    const current = new Hes({ crypto });
    expect(legacy.cpakPublicKey).toEqual(current.cpakPublicKey);
    expect(dakKey(legacy).d).not.toEqual(dakKey(current).d);
    const same = new Hes({
      crypto,
      provisioning: { ...ISLET_DUMMY_PROVISIONING, dakSeedLifecycle: 3 },
    });
    expect(dakKey(same).d).toEqual(dakKey(legacy).d);
  });
});

describe('Hes VHUKs and sealing keys', () => {
  test('getVhuk answers ids 1 and 2 and refuses others', () => {
    const hes = new Hes({ crypto });
    const a = hes.getVhuk(VhukId.A);
    const m = hes.getVhuk(VhukId.M);
    expect(a.status).toBe(PsaStatus.Success);
    expect(m.status).toBe(PsaStatus.Success);
    expect(a).not.toEqual(m);
    expect(hes.getVhuk(3 as VhukId)).toEqual({ status: PsaStatus.InvalidArgument });
  });

  test('a realm sealing key follows VHUK_M across firmware changes, VHUK_A does not', () => {
    const hes = new Hes({ crypto });
    const realm = { svn: 0, rpv: new Uint8Array(64), rim: new Uint8Array(32).fill(1) };
    const m = hes.deriveSealingKey({
      ...realm,
      flags: SealingKeyFlag.UseVhukM | SealingKeyFlag.Rim,
    });
    const a = hes.deriveSealingKey({ ...realm, flags: SealingKeyFlag.Rim });
    hes.extendMeasurement(1, {
      ...ISLET_DUMMY_PROVISIONING.bootMeasurements[1]!,
      value: new Uint8Array(64),
    });
    expect(hes.deriveSealingKey({ ...realm, flags: SealingKeyFlag.Rim })).toEqual(a);
    expect(
      hes.deriveSealingKey({ ...realm, flags: SealingKeyFlag.UseVhukM | SealingKeyFlag.Rim }),
    ).not.toEqual(m);
  });
});

describe('Hes measured boot', () => {
  test('reads, extends and locks with PSA statuses', () => {
    const hes = new Hes({ crypto });
    expect(hes.readMeasurement(2)).toEqual({ status: PsaStatus.DoesNotExist });
    expect(hes.extendMeasurement(2, RMM, true)).toBe(PsaStatus.Success);
    expect(hes.extendMeasurement(2, RMM)).toBe(PsaStatus.BadState);
    expect(hes.lockMeasurement(0)).toBe(PsaStatus.Success);
    expect(hes.extendMeasurement(0, ISLET_DUMMY_PROVISIONING.bootMeasurements[0]!)).toBe(
      PsaStatus.BadState,
    );
    expect(hes.extendMeasurement(40, RMM)).toBe(PsaStatus.InvalidArgument);
    expect(hes.readMeasurement(-1)).toEqual({ status: PsaStatus.InvalidArgument });
    hes.reset();
    expect(hes.measurements()).toHaveLength(2);
    expect(hes.extendMeasurement(0, ISLET_DUMMY_PROVISIONING.bootMeasurements[0]!)).toBe(
      PsaStatus.Success,
    );
  });
});

describe('Hes provisioning', () => {
  test('derives its seeds with the injected provider', () => {
    const aes = vi.fn(crypto.aesEncryptBlock);
    const hes = new Hes({ crypto: { ...crypto, aesEncryptBlock: aes } });
    expect(aes).toHaveBeenCalledTimes(2); // the CPAK seed
    dakKey(hes);
    expect(aes).toHaveBeenCalledTimes(4);
  });

  test('copies the configuration', () => {
    const guk = Uint8Array.from(ISLET_DUMMY_PROVISIONING.guk);
    const hes = new Hes({ crypto, provisioning: { ...ISLET_DUMMY_PROVISIONING, guk } });
    const before = dakKey(hes).d;
    guk.fill(0);
    expect(dakKey(hes).d).toEqual(before);
  });

  test.each<[string, Record<string, unknown>]>([
    ['a 31-byte HUK', { huk: new Uint8Array(31) }],
    ['a 33-byte GUK', { guk: new Uint8Array(33) }],
    ['a 16-byte BL2 hash', { bl2SignedHash: new Uint8Array(16) }],
    ['a 31-byte implementation ID', { implementationId: new Uint8Array(31) }],
    ['an unknown profile', { profile: 'http://example.com/profile' }],
    ['a lifecycle in no PSA range', { lifecycle: 0x7000 }],
    ['a negative lifecycle', { lifecycle: -1 }],
    ['a DAK seed lifecycle of 2^32', { dakSeedLifecycle: 2 ** 32 }],
    ['an empty verification service', { verificationService: '' }],
    ['a config that is not bytes', { config: 'deadbeef' }],
    ['33 boot measurements', { bootMeasurements: Array(33).fill(RMM) }],
    ['a malformed boot measurement', { bootMeasurements: [{ ...RMM, value: new Uint8Array(3) }] }],
    ['no boot measurement (claim 2399 needs one)', { bootMeasurements: [] }],
  ])('refuses %s with HES_PROVISIONING_INVALID', (_, bad) => {
    expect(
      () => new Hes({ crypto, provisioning: { ...ISLET_DUMMY_PROVISIONING, ...bad } as never }),
    ).toThrow(expect.objectContaining({ code: 'HES_PROVISIONING_INVALID' }));
  });
});
