/**
 * The one conformance suite of {@link CryptoProvider}: known-answer vectors, argument errors,
 * ECDSA round trips on every curve and hash, rejection of bad signatures, and cross-checks against
 * the other implementations. Each provider's test file calls {@link describeCryptoProvider}.
 * @module
 */
import { describe, expect, test } from 'vitest';
import { fromHex, toHex } from '../src/bytes.ts';
import type { CryptoProvider, Curve, HashAlgorithm } from '../src/crypto/provider.ts';
import { CURVE_FIELD_BYTES, HASH_BYTES } from '../src/crypto/provider.ts';
import { isIsletError } from '../src/errors.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const CURVES: readonly Curve[] = ['P-256', 'P-384', 'P-521'];
const HASHES: readonly HashAlgorithm[] = ['sha256', 'sha384', 'sha512'];

/** FIPS 180-2 appendix examples and the empty-string digests. */
const SHA_VECTORS: readonly [HashAlgorithm, string, string][] = [
  ['sha256', 'abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['sha256', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  [
    'sha384',
    'abc',
    'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  ],
  [
    'sha384',
    '',
    '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b',
  ],
  [
    'sha512',
    'abc',
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  ],
  [
    'sha512',
    '',
    'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
  ],
];

/** RFC 4231 §4.3, test case 2: key "Jefe", data "what do ya want for nothing?". */
const HMAC_CASE_2: readonly [HashAlgorithm, string][] = [
  ['sha256', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
  [
    'sha384',
    'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
  ],
  [
    'sha512',
    '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  ],
];

/** RFC 6979 §A.2.5: the P-256 key and the SHA-256 signature of "sample" (a high-S signature). */
const RFC6979_P256 = {
  d: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  point:
    '04' +
    '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' +
    '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
  sig:
    'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
    'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
};

/** RFC 6979 §A.2.6: the P-384 key and the SHA-384 signature of "sample". */
const RFC6979_P384 = {
  d: '6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5',
  point:
    '04' +
    'ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13' +
    '8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720',
  sig:
    '94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46' +
    '99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8',
};

/** The P-256 group order n, big-endian. */
const P256_N = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIsletError(err) ? err.code : `not an IsletError: ${String(err)}`;
  }
  return undefined;
}

/**
 * Registers the conformance tests of one provider.
 * @param crypto - the provider under test.
 * @param peers - other providers its signatures and keys must agree with.
 */
export function describeCryptoProvider(
  crypto: CryptoProvider,
  peers: readonly CryptoProvider[],
): void {
  describe(`CryptoProvider conformance: ${crypto.name}`, () => {
    describe('hash', () => {
      test.each(SHA_VECTORS)('%s(%j)', (alg, msg, want) => {
        expect(toHex(crypto.hash(alg, utf8(msg)))).toBe(want);
      });

      test('returns a plain Uint8Array over an ArrayBuffer of its own length', () => {
        const h = crypto.hash('sha256', utf8('abc'));
        expect(Object.getPrototypeOf(h)).toBe(Uint8Array.prototype);
        expect(h.buffer).toBeInstanceOf(ArrayBuffer);
        expect(h.byteLength).toBe(HASH_BYTES.sha256);
      });

      test('hashes a subarray view, not its whole buffer', () => {
        const buf = utf8('xxabcxx');
        expect(toHex(crypto.hash('sha256', buf.subarray(2, 5)))).toBe(SHA_VECTORS[0]![2]);
      });

      test('rejects an unknown algorithm', () => {
        expect(codeOf(() => crypto.hash('md5' as HashAlgorithm, utf8('')))).toBe(
          'CRYPTO_HASH_UNSUPPORTED',
        );
      });
    });

    describe('hmac', () => {
      test.each(HMAC_CASE_2)('RFC 4231 case 2, %s', (alg, want) => {
        const mac = crypto.hmac(alg, utf8('Jefe'), utf8('what do ya want for nothing?'));
        expect(toHex(mac)).toBe(want);
      });
    });

    describe('hkdf', () => {
      const ikm = new Uint8Array(22).fill(0x0b);

      test('RFC 5869 test case 1 (SHA-256)', () => {
        const okm = crypto.hkdf(
          'sha256',
          ikm,
          fromHex('000102030405060708090a0b0c'),
          fromHex('f0f1f2f3f4f5f6f7f8f9'),
          42,
        );
        expect(toHex(okm)).toBe(
          '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
        );
      });

      test('RFC 5869 test case 3 (SHA-256, empty salt and info)', () => {
        const okm = crypto.hkdf('sha256', ikm, new Uint8Array(0), new Uint8Array(0), 42);
        expect(toHex(okm)).toBe(
          '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
        );
      });

      test('length 0 and the 255·HashLen limit', () => {
        const none = new Uint8Array(0);
        expect(crypto.hkdf('sha256', ikm, none, none, 0)).toHaveLength(0);
        expect(crypto.hkdf('sha256', ikm, none, none, 255 * 32)).toHaveLength(255 * 32);
        expect(codeOf(() => crypto.hkdf('sha256', ikm, none, none, 255 * 32 + 1))).toBe(
          'CRYPTO_LENGTH',
        );
        expect(codeOf(() => crypto.hkdf('sha256', ikm, none, none, -1))).toBe('CRYPTO_LENGTH');
        expect(codeOf(() => crypto.hkdf('sha256', ikm, none, none, 1.5))).toBe('CRYPTO_LENGTH');
      });
    });

    describe('AES block', () => {
      // FIPS-197 Appendix C.1 (AES-128), C.2 (AES-192), C.3 (AES-256).
      const pt = fromHex('00112233445566778899aabbccddeeff');
      const key32 = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
      test.each([
        [16, '69c4e0d86a7b0430d8cdb78070b4c55a'],
        [24, 'dda97ca4864cdfe06eaf70a0ec0d7191'],
        [32, '8ea2b7ca516745bfeafc49904b496089'],
      ])('FIPS-197 with a %i-byte key', (n, ct) => {
        expect(toHex(crypto.aesEncryptBlock(key32.subarray(0, n), pt))).toBe(ct);
      });
      test('wrong key or block lengths', () => {
        expect(codeOf(() => crypto.aesEncryptBlock(new Uint8Array(15), pt))).toBe(
          'CRYPTO_KEY_LENGTH',
        );
        expect(codeOf(() => crypto.aesEncryptBlock(key32, new Uint8Array(32)))).toBe(
          'CRYPTO_LENGTH',
        );
      });
    });

    describe('AES-GCM', () => {
      // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13, 14 and 16.
      const zeroKey = new Uint8Array(32);
      const zeroIv = new Uint8Array(12);
      const key16 = fromHex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
      const iv16 = fromHex('cafebabefacedbaddecaf888');
      const pt16 = fromHex(
        'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
          '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
      );
      const aad16 = fromHex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
      const sealed16 =
        '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
        '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
        '76fc6ece0f4e1768cddf8853bb2d551b';

      test('GCM spec test case 13 (empty plaintext)', () => {
        const sealed = crypto.aesGcmEncrypt(zeroKey, zeroIv, new Uint8Array(0));
        expect(toHex(sealed)).toBe('530f8afbc74536b9a963b4f1c4cb738b');
        expect(crypto.aesGcmDecrypt(zeroKey, zeroIv, sealed)).toHaveLength(0);
      });

      test('GCM spec test case 14', () => {
        const sealed = crypto.aesGcmEncrypt(zeroKey, zeroIv, new Uint8Array(16));
        expect(toHex(sealed)).toBe(
          'cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919',
        );
      });

      test('GCM spec test case 16 (with AAD), seal and open', () => {
        expect(toHex(crypto.aesGcmEncrypt(key16, iv16, pt16, aad16))).toBe(sealed16);
        expect(toHex(crypto.aesGcmDecrypt(key16, iv16, fromHex(sealed16), aad16))).toBe(
          toHex(pt16),
        );
      });

      test('an offset puts zero bytes before the sealed bytes; a bad one is CRYPTO_LENGTH', () => {
        const out = crypto.aesGcmEncrypt(key16, iv16, pt16, aad16, 20);
        expect(toHex(out)).toBe('00'.repeat(20) + sealed16);
        expect(toHex(crypto.aesGcmDecrypt(key16, iv16, out.subarray(20), aad16))).toBe(toHex(pt16));
        for (const bad of [-1, 1.5, 2 ** 31]) {
          expect(codeOf(() => crypto.aesGcmEncrypt(key16, iv16, pt16, aad16, bad))).toBe(
            'CRYPTO_LENGTH',
          );
        }
      });

      test('a flipped bit in the tag, the ciphertext or the AAD fails with CRYPTO_AEAD_AUTH', () => {
        const good = fromHex(sealed16);
        for (const at of [0, good.length - 1]) {
          const bad = good.slice();
          bad[at]! ^= 0x01;
          expect(codeOf(() => crypto.aesGcmDecrypt(key16, iv16, bad, aad16))).toBe(
            'CRYPTO_AEAD_AUTH',
          );
        }
        const badAad = aad16.slice();
        badAad[0]! ^= 0x80;
        expect(codeOf(() => crypto.aesGcmDecrypt(key16, iv16, good, badAad))).toBe(
          'CRYPTO_AEAD_AUTH',
        );
        expect(codeOf(() => crypto.aesGcmDecrypt(key16, iv16, good))).toBe('CRYPTO_AEAD_AUTH');
        expect(codeOf(() => crypto.aesGcmDecrypt(key16, iv16, good.subarray(0, 15)))).toBe(
          'CRYPTO_AEAD_AUTH',
        );
      });

      test('round trips with 128- and 192-bit keys', () => {
        for (const len of [16, 24]) {
          const key = crypto.randomBytes(len);
          const iv = crypto.randomBytes(12);
          const pt = crypto.randomBytes(100);
          const sealed = crypto.aesGcmEncrypt(key, iv, pt);
          expect(sealed).toHaveLength(116);
          expect(crypto.aesGcmDecrypt(key, iv, sealed)).toEqual(pt);
        }
      });

      test('rejects bad key and IV lengths', () => {
        const pt = new Uint8Array(1);
        expect(codeOf(() => crypto.aesGcmEncrypt(new Uint8Array(31), zeroIv, pt))).toBe(
          'CRYPTO_KEY_LENGTH',
        );
        expect(codeOf(() => crypto.aesGcmEncrypt(zeroKey, new Uint8Array(16), pt))).toBe(
          'CRYPTO_IV_LENGTH',
        );
        expect(codeOf(() => crypto.aesGcmDecrypt(zeroKey, new Uint8Array(8), pt))).toBe(
          'CRYPTO_IV_LENGTH',
        );
      });
    });

    describe('randomBytes', () => {
      test('lengths, freshness and argument checks', () => {
        expect(crypto.randomBytes(0)).toHaveLength(0);
        const a = crypto.randomBytes(32);
        const b = crypto.randomBytes(32);
        expect(a).toHaveLength(32);
        expect(toHex(a)).not.toBe(toHex(b));
        expect(crypto.randomBytes(70_000)).toHaveLength(70_000);
        expect(codeOf(() => crypto.randomBytes(-1))).toBe('CRYPTO_LENGTH');
      });
    });

    describe('EC keys', () => {
      test('ecFromPrivate derives the RFC 6979 P-256 public key', () => {
        const key = crypto.ecFromPrivate('P-256', fromHex(RFC6979_P256.d));
        expect(toHex(key.publicKey.point)).toBe(RFC6979_P256.point);
        expect(key.publicKey.curve).toBe('P-256');
      });

      test('ecFromPrivate derives the RFC 6979 P-384 public key', () => {
        const key = crypto.ecFromPrivate('P-384', fromHex(RFC6979_P384.d));
        expect(toHex(key.publicKey.point)).toBe(RFC6979_P384.point);
        expect(toHex(key.d)).toBe(RFC6979_P384.d);
      });

      test('ecFromPrivate rejects zero, n, and a wrong length', () => {
        expect(codeOf(() => crypto.ecFromPrivate('P-256', new Uint8Array(32)))).toBe(
          'CRYPTO_KEY_INVALID',
        );
        expect(codeOf(() => crypto.ecFromPrivate('P-256', fromHex(P256_N)))).toBe(
          'CRYPTO_KEY_INVALID',
        );
        expect(codeOf(() => crypto.ecFromPrivate('P-384', fromHex(RFC6979_P256.d)))).toBe(
          'CRYPTO_KEY_INVALID',
        );
        expect(codeOf(() => crypto.ecFromPrivate('P-512' as Curve, fromHex(RFC6979_P256.d)))).toBe(
          'CRYPTO_CURVE_UNSUPPORTED',
        );
      });

      test.each(CURVES)('ecGenerate(%s) gives consistent lengths and a valid point', (curve) => {
        const key = crypto.ecGenerate(curve);
        const f = CURVE_FIELD_BYTES[curve];
        expect(key.curve).toBe(curve);
        expect(key.d).toHaveLength(f);
        expect(key.publicKey.point).toHaveLength(1 + 2 * f);
        expect(key.publicKey.point[0]).toBe(4);
        expect(crypto.ecIsValidPoint(curve, key.publicKey.point)).toBe(true);
        expect(toHex(crypto.ecFromPrivate(curve, key.d).publicKey.point)).toBe(
          toHex(key.publicKey.point),
        );
      });

      test.each(CURVES)('ecIsValidPoint(%s) rejects malformed points', (curve) => {
        const p = crypto.ecGenerate(curve).publicKey.point;
        const offCurve = p.slice();
        offCurve[offCurve.length - 1]! ^= 1;
        const compressed = p.slice();
        compressed[0] = 2;
        expect(crypto.ecIsValidPoint(curve, offCurve)).toBe(false);
        expect(crypto.ecIsValidPoint(curve, compressed)).toBe(false);
        expect(crypto.ecIsValidPoint(curve, p.subarray(0, p.length - 1))).toBe(false);
        expect(crypto.ecIsValidPoint(curve, new Uint8Array(p.length))).toBe(false);
        expect(crypto.ecIsValidPoint(curve === 'P-256' ? 'P-384' : 'P-256', p)).toBe(false);
      });
    });

    describe('ECDSA', () => {
      const msg = utf8('sample');

      test('verifies the RFC 6979 P-256/SHA-256 signature (high S)', () => {
        const pub = { curve: 'P-256', point: fromHex(RFC6979_P256.point) } as const;
        expect(crypto.ecdsaVerify('sha256', pub, msg, fromHex(RFC6979_P256.sig))).toBe(true);
        expect(crypto.ecdsaVerify('sha256', pub, utf8('test'), fromHex(RFC6979_P256.sig))).toBe(
          false,
        );
        expect(crypto.ecdsaVerify('sha384', pub, msg, fromHex(RFC6979_P256.sig))).toBe(false);
      });

      test('verifies the RFC 6979 P-384/SHA-384 signature', () => {
        const pub = { curve: 'P-384', point: fromHex(RFC6979_P384.point) } as const;
        expect(crypto.ecdsaVerify('sha384', pub, msg, fromHex(RFC6979_P384.sig))).toBe(true);
        expect(crypto.ecdsaVerify('sha512', pub, msg, fromHex(RFC6979_P384.sig))).toBe(false);
      });

      for (const curve of CURVES) {
        const key = crypto.ecGenerate(curve);
        const other = crypto.ecGenerate(curve);
        const f = CURVE_FIELD_BYTES[curve];

        test.each(HASHES)(`${curve} with %s: sign, verify, reject`, (hash) => {
          const sig = crypto.ecdsaSign(hash, key, msg);
          expect(sig).toHaveLength(2 * f);
          expect(crypto.ecdsaVerify(hash, key.publicKey, msg, sig)).toBe(true);
          expect(crypto.ecdsaVerify(hash, other.publicKey, msg, sig)).toBe(false);
          expect(crypto.ecdsaVerify(hash, key.publicKey, utf8('samplf'), sig)).toBe(false);
          for (const at of [0, f - 1, f, 2 * f - 1]) {
            const bad = sig.slice();
            bad[at]! ^= 0x10;
            expect(crypto.ecdsaVerify(hash, key.publicKey, msg, bad)).toBe(false);
          }
          expect(crypto.ecdsaVerify(hash, key.publicKey, msg, sig.subarray(1))).toBe(false);
          expect(crypto.ecdsaVerify(hash, key.publicKey, msg, new Uint8Array([...sig, 0]))).toBe(
            false,
          );
          expect(crypto.ecdsaVerify(hash, key.publicKey, msg, new Uint8Array(0))).toBe(false);
          expect(crypto.ecdsaVerify(hash, key.publicKey, msg, new Uint8Array(2 * f))).toBe(false);
          expect(
            crypto.ecdsaVerify(hash, key.publicKey, msg, new Uint8Array(2 * f).fill(0xff)),
          ).toBe(false);
        });

        test(`${curve}: verify returns false for malformed public keys`, () => {
          const sig = crypto.ecdsaSign('sha256', key, msg);
          const p = key.publicKey.point;
          const offCurve = p.slice();
          offCurve[5]! ^= 1;
          const malformed = [
            { curve, point: offCurve },
            { curve, point: p.subarray(0, p.length - 1) },
            { curve, point: new Uint8Array([2, ...p.subarray(1)]) },
            { curve, point: new Uint8Array(0) },
            { curve: 'P-999' as Curve, point: p },
          ];
          for (const pub of malformed) {
            expect(crypto.ecdsaVerify('sha256', pub, msg, sig)).toBe(false);
          }
        });
      }

      test('a key object is reusable: many signatures with one key all verify', () => {
        const key = crypto.ecGenerate('P-384');
        for (let i = 0; i < 20; i++) {
          const m = utf8(`message ${i}`);
          expect(
            crypto.ecdsaVerify('sha384', key.publicKey, m, crypto.ecdsaSign('sha384', key, m)),
          ).toBe(true);
        }
      });

      test('a fresh key object with the same values verifies the same way', () => {
        const key = crypto.ecGenerate('P-256');
        const sig = crypto.ecdsaSign('sha256', key, msg);
        const copy = { curve: key.curve, point: key.publicKey.point.slice() };
        expect(crypto.ecdsaVerify('sha256', copy, msg, sig)).toBe(true);
      });
    });

    for (const peer of peers) {
      describe(`cross-check with ${peer.name}`, () => {
        test.each(CURVES)('%s: both derive the same public key from one d', (curve) => {
          const d = crypto.ecGenerate(curve).d;
          expect(toHex(peer.ecFromPrivate(curve, d).publicKey.point)).toBe(
            toHex(crypto.ecFromPrivate(curve, d).publicKey.point),
          );
        });

        for (const curve of CURVES) {
          test.each(HASHES)(`${curve}/%s: each verifies the other's signatures`, (hash) => {
            const msg = crypto.randomBytes(57);
            const mine = crypto.ecGenerate(curve);
            const theirs = peer.ecFromPrivate(curve, mine.d);
            // Several signatures, so that both low-S and high-S ones are exercised.
            for (let i = 0; i < 4; i++) {
              const m = msg.subarray(i);
              expect(
                peer.ecdsaVerify(hash, mine.publicKey, m, crypto.ecdsaSign(hash, mine, m)),
              ).toBe(true);
              expect(
                crypto.ecdsaVerify(hash, mine.publicKey, m, peer.ecdsaSign(hash, theirs, m)),
              ).toBe(true);
            }
          });
        }

        test('same hashes, MACs, HKDF output and AES-GCM output on random inputs', () => {
          const data = crypto.randomBytes(1000);
          const key = crypto.randomBytes(32);
          const iv = crypto.randomBytes(12);
          for (const alg of HASHES) {
            expect(toHex(peer.hash(alg, data))).toBe(toHex(crypto.hash(alg, data)));
            expect(toHex(peer.hmac(alg, key, data))).toBe(toHex(crypto.hmac(alg, key, data)));
            expect(toHex(peer.hkdf(alg, data, key, iv, 100))).toBe(
              toHex(crypto.hkdf(alg, data, key, iv, 100)),
            );
          }
          const sealed = crypto.aesGcmEncrypt(key, iv, data, iv);
          expect(toHex(peer.aesGcmEncrypt(key, iv, data, iv))).toBe(toHex(sealed));
          expect(toHex(peer.aesGcmDecrypt(key, iv, sealed, iv))).toBe(toHex(data));
        });
      });
    }
  });
}
