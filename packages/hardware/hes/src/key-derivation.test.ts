import { type CryptoProvider, concatBytes, fromHex, nodeCrypto, toHex } from '@islet/arch';
import { describe, expect, test } from 'vitest';
import { CPAK_SEED_LIFECYCLE, deriveCpak, deriveDak } from './attestation-keys.ts';
import {
  BL1_CPAK_SEED_DERIVATION,
  deriveEcPrivateKey,
  deriveSeed,
  u32le,
} from './key-derivation.ts';
import { ISLET_DUMMY_PROVISIONING } from './provisioning.ts';
import { encodeMeasurements } from './sw-components.ts';

const crypto = nodeCrypto();
const P = ISLET_DUMMY_PROVISIONING;
const N384 = fromHex(
  'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
);

/** A provider whose HKDF returns `okm`, to reach the edges of the scalar rule. */
function withOkm(okm: Uint8Array): CryptoProvider {
  return { ...crypto, hkdf: () => Uint8Array.from(okm) };
}

describe('deriveSeed', () => {
  test('is AES-256-ECB of SHA-256(u32le 1 ‖ label ‖ 00 ‖ context ‖ u32le 32)', () => {
    const context = concatBytes(P.bl2SignedHash, u32le(3), u32le(0));
    const state = concatBytes(
      u32le(1),
      Uint8Array.from(BL1_CPAK_SEED_DERIVATION, (c) => c.charCodeAt(0)),
      Uint8Array.of(0),
      context,
      u32le(32),
    );
    const digest = crypto.hash('sha256', state);
    const expected = concatBytes(
      crypto.aesEncryptBlock(P.guk, digest.subarray(0, 16)),
      crypto.aesEncryptBlock(P.guk, digest.subarray(16)),
    );
    expect(deriveSeed(P.guk, BL1_CPAK_SEED_DERIVATION, context, crypto)).toEqual(expected);
    // A label given as bytes is the same label.
    expect(
      deriveSeed(
        P.guk,
        Uint8Array.from(BL1_CPAK_SEED_DERIVATION, (c) => c.charCodeAt(0)),
        context,
        crypto,
      ),
    ).toEqual(expected);
  });

  test.each([new Uint8Array(31), new Uint8Array(16), 'key'])('refuses the key %o', (key) => {
    expect(() => deriveSeed(key as Uint8Array, 'X', new Uint8Array(0), crypto)).toThrow(
      expect.objectContaining({ code: 'HES_ARGUMENT_INVALID' }),
    );
  });

  test('refuses a context that is not bytes', () => {
    expect(() => deriveSeed(P.guk, 'X', [1, 2] as unknown as Uint8Array, crypto)).toThrow(
      expect.objectContaining({ code: 'HES_ARGUMENT_INVALID' }),
    );
  });
});

describe('deriveEcPrivateKey', () => {
  test('d = k + 1', () => {
    expect(
      toHex(
        deriveEcPrivateKey(
          'P-384',
          new Uint8Array(32),
          new Uint8Array(0),
          withOkm(new Uint8Array(48)),
        ).d,
      ),
    ).toBe(`${'00'.repeat(47)}01`);
  });

  test('k = n − 2 is the largest accepted, giving d = n − 1', () => {
    const k = Uint8Array.from(N384);
    k[47] = k[47]! - 2;
    const key = deriveEcPrivateKey('P-384', new Uint8Array(32), new Uint8Array(0), withOkm(k));
    const d = Uint8Array.from(N384);
    d[47] = d[47]! - 1;
    expect(key.d).toEqual(d);
  });

  test.each(['P-384', 'P-256'] as const)(
    'k > n − 2 on %s is HES_KEY_DERIVATION_FAILED',
    (curve) => {
      const size = curve === 'P-384' ? 48 : 32;
      expect(() =>
        deriveEcPrivateKey(
          curve,
          new Uint8Array(32),
          new Uint8Array(0),
          withOkm(new Uint8Array(size).fill(0xff)),
        ),
      ).toThrow(expect.objectContaining({ code: 'HES_KEY_DERIVATION_FAILED' }));
    },
  );

  test('refuses P-521', () => {
    expect(() =>
      deriveEcPrivateKey('P-521' as 'P-384', new Uint8Array(32), new Uint8Array(0), crypto),
    ).toThrow(expect.objectContaining({ code: 'HES_ARGUMENT_INVALID' }));
  });
});

describe('CPAK and DAK', () => {
  const info = encodeMeasurements(P.bootMeasurements);

  test('the CPAK seed context carries lifecycle word 3', () => {
    expect(CPAK_SEED_LIFECYCLE).toBe(3);
    const context = concatBytes(P.bl2SignedHash, u32le(3), u32le(0));
    const seed = deriveSeed(P.guk, BL1_CPAK_SEED_DERIVATION, context, crypto);
    expect(deriveCpak(P, crypto).d).toEqual(
      deriveEcPrivateKey('P-384', seed, new Uint8Array(0), crypto).d,
    );
  });

  test('the DAK depends on the measurements, the lifecycle word, the GUK and the BL2 hash', () => {
    const base = {
      guk: P.guk,
      bl2SignedHash: P.bl2SignedHash,
      lifecycle: 0x3000,
      swComponents: info,
    };
    const d = (m: Partial<typeof base>) => toHex(deriveDak({ ...base, ...m }, crypto).d);
    const keys = new Set([
      d({}),
      d({ swComponents: encodeMeasurements(P.bootMeasurements.slice(0, 1)) }),
      d({ lifecycle: 3 }),
      d({ guk: new Uint8Array(32) }),
      d({ bl2SignedHash: new Uint8Array(32) }),
    ]);
    expect(keys.size).toBe(5);
    expect(d({})).toBe(d({}));
  });

  test('a P-256 DAK is on P-256', () => {
    const dak = deriveDak(
      {
        guk: P.guk,
        bl2SignedHash: P.bl2SignedHash,
        lifecycle: 0x3000,
        swComponents: info,
        curve: 'P-256',
      },
      crypto,
    );
    expect(dak.curve).toBe('P-256');
    expect(dak.publicKey.point).toHaveLength(65);
  });

  test.each<[string, Record<string, unknown>]>([
    ['a short BL2 hash', { bl2SignedHash: new Uint8Array(31) }],
    ['a long BL2 hash', { bl2SignedHash: new Uint8Array(65) }],
    ['a negative lifecycle', { lifecycle: -1 }],
    ['a 33-bit lifecycle', { lifecycle: 2 ** 32 }],
    ['an empty info', { swComponents: new Uint8Array(0) }],
    ['a short GUK', { guk: new Uint8Array(16) }],
  ])('refuses %s', (_, bad) => {
    const material = {
      guk: P.guk,
      bl2SignedHash: P.bl2SignedHash,
      lifecycle: 0x3000,
      swComponents: info,
      ...bad,
    };
    expect(() => deriveDak(material as never, crypto)).toThrow(
      expect.objectContaining({ code: 'HES_ARGUMENT_INVALID' }),
    );
  });
});
