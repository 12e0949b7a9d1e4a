/** Tests of the EC key codecs: fixed OpenSSL encodings, round trips, and malformed inputs. @module */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { fromBase64, fromHex, toBase64, toHex } from '../bytes.ts';
import { isIsletError } from '../errors.ts';
import { derEncode, TAG } from '../internal/der.ts';
import { pemEncode } from '../internal/pem.ts';
import {
  curveFromPointLength,
  ecPrivateKeyFromJwk,
  ecPrivateKeyFromPem,
  ecPrivateKeyFromPkcs8,
  ecPrivateKeyToJwk,
  ecPrivateKeyToPem,
  ecPrivateKeyToPkcs8,
  ecPublicKeyFromJwk,
  ecPublicKeyFromPem,
  ecPublicKeyFromRaw,
  ecPublicKeyFromSpki,
  ecPublicKeyToJwk,
  ecPublicKeyToPem,
  ecPublicKeyToSpki,
} from './keys.ts';
import { nobleCrypto } from './noble.ts';
import { nodeCrypto } from './node.ts';
import type { Curve } from './provider.ts';

// The RFC 6979 §A.2.6 P-384 key, encoded by OpenSSL 3 (node:crypto KeyObject.export) as SPKI,
// PKCS#8 and SEC1 PEM. These strings come from OpenSSL, not from the code under test.
const P384_D =
  '6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5';
const P384_POINT =
  '04ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64def8f0ea9055866064a254515480bc13' +
  '8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1288b231c3ae0d4fe7344fd2533264720';
const P384_SPKI_PEM = `-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE7DpOQVtOGaRWhhgCn0J/pdqai8SukuAu
BqrlKGswDGTe+PDqkFWGYGSiVFFUgLwTgBXZty19VyROqO+awMYhiWcIpZNn+d+5
9UyoSz8cnbEoiyMcOuDU/nNE/SUzJkcg
-----END PUBLIC KEY-----
`;
const P384_PKCS8_PEM = `-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBrnT2tLhuMHAWxmHW2
ZZ9N4jw7Znvyl7qapHdAeHE32JbVck5McKgl+HLJ6mDS7fWhZANiAATsOk5BW04Z
pFaGGAKfQn+l2pqLxK6S4C4GquUoazAMZN748OqQVYZgZKJUUVSAvBOAFdm3LX1X
JE6o75rAxiGJZwilk2f537n1TKhLPxydsSiLIxw64NT+c0T9JTMmRyA=
-----END PRIVATE KEY-----
`;
const P384_SEC1_PEM = `-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDBrnT2tLhuMHAWxmHW2ZZ9N4jw7Znvyl7qapHdAeHE32JbVck5McKgl
+HLJ6mDS7fWgBwYFK4EEACKhZANiAATsOk5BW04ZpFaGGAKfQn+l2pqLxK6S4C4G
quUoazAMZN748OqQVYZgZKJUUVSAvBOAFdm3LX1XJE6o75rAxiGJZwilk2f537n1
TKhLPxydsSiLIxw64NT+c0T9JTMmRyA=
-----END EC PRIVATE KEY-----
`;

const CURVES: readonly Curve[] = ['P-256', 'P-384', 'P-521'];
const PROVIDERS = [nodeCrypto(), nobleCrypto] as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIsletError(err) ? err.code : `not an IsletError: ${String(err)}`;
  }
  return undefined;
}

/** The DER body of a PEM, for building malformed variants. */
function pemBody(pem: string): Uint8Array {
  return fromBase64(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
}

const seq = (...parts: Uint8Array[]): Uint8Array => derEncode(TAG.SEQUENCE, ...parts);
const oid = (hex: string): Uint8Array => derEncode(TAG.OID, fromHex(hex));
const bits = (bytes: Uint8Array): Uint8Array =>
  derEncode(TAG.BIT_STRING, new Uint8Array([0, ...bytes]));
const EC_PUBLIC_KEY = '2a8648ce3d0201';
const P384_OID = '2b81040022';

describe('fixed P-384 key (OpenSSL encodings)', () => {
  test('ecPublicKeyFromPem decodes the SPKI PEM to the RFC 6979 point', () => {
    const key = ecPublicKeyFromPem(P384_SPKI_PEM);
    expect(key.curve).toBe('P-384');
    expect(toHex(key.point)).toBe(P384_POINT);
  });

  test('ecPublicKeyToPem reproduces OpenSSL byte for byte', () => {
    const key = ecPublicKeyFromRaw('P-384', fromHex(P384_POINT));
    expect(ecPublicKeyToPem(key)).toBe(P384_SPKI_PEM);
  });

  test('accepts surrounding whitespace and CRLF line ends', () => {
    const crlf = `\r\n  \t${P384_SPKI_PEM.replace(/\n/g, '\r\n')}\r\n\r\n`;
    expect(toHex(ecPublicKeyFromPem(crlf).point)).toBe(P384_POINT);
  });

  test.each(PROVIDERS)('PKCS#8 and SEC1 PEMs decode with $name', (crypto) => {
    for (const pem of [P384_PKCS8_PEM, P384_SEC1_PEM]) {
      const key = ecPrivateKeyFromPem(pem, crypto);
      expect(key.curve).toBe('P-384');
      expect(toHex(key.d)).toBe(P384_D);
      expect(toHex(key.publicKey.point)).toBe(P384_POINT);
    }
  });

  test('ecPrivateKeyToPem reproduces OpenSSL PKCS#8 byte for byte', () => {
    const key = nobleCrypto.ecFromPrivate('P-384', fromHex(P384_D));
    expect(ecPrivateKeyToPem(key)).toBe(P384_PKCS8_PEM);
  });
});

describe.each(CURVES)('%s round trips', (curve) => {
  test.each(PROVIDERS)('PEM, DER and JWK with keys from $name', (crypto) => {
    const key = crypto.ecGenerate(curve);
    const pub = key.publicKey;
    expect(toHex(ecPublicKeyFromPem(ecPublicKeyToPem(pub)).point)).toBe(toHex(pub.point));
    expect(toHex(ecPublicKeyFromSpki(ecPublicKeyToSpki(pub)).point)).toBe(toHex(pub.point));
    expect(toHex(ecPublicKeyFromJwk(ecPublicKeyToJwk(pub)).point)).toBe(toHex(pub.point));
    const fromPem = ecPrivateKeyFromPem(ecPrivateKeyToPem(key), crypto);
    expect(toHex(fromPem.d)).toBe(toHex(key.d));
    expect(toHex(fromPem.publicKey.point)).toBe(toHex(pub.point));
    const fromJwk = ecPrivateKeyFromJwk(ecPrivateKeyToJwk(key), crypto);
    expect(toHex(fromJwk.d)).toBe(toHex(key.d));
    expect(toHex(ecPrivateKeyFromPkcs8(ecPrivateKeyToPkcs8(key), crypto).d)).toBe(toHex(key.d));
  });

  test('agrees with OpenSSL: SPKI, PKCS#8 and SEC1 exports, and JWK', () => {
    const key = nobleCrypto.ecGenerate(curve);
    const ko = createPrivateKey(ecPrivateKeyToPem(key));
    const spki = createPublicKey(ko).export({ type: 'spki', format: 'der' });
    expect(toHex(spki)).toBe(toHex(ecPublicKeyToSpki(key.publicKey)));
    const sec1 = ko.export({ type: 'sec1', format: 'pem' }) as string;
    expect(toHex(ecPrivateKeyFromPem(sec1, nobleCrypto).d)).toBe(toHex(key.d));
    const pkcs8 = ko.export({ type: 'pkcs8', format: 'der' });
    expect(toHex(pkcs8)).toBe(toHex(ecPrivateKeyToPkcs8(key)));
    expect(ko.export({ format: 'jwk' })).toEqual(ecPrivateKeyToJwk(key));
  });
});

describe('PEM errors', () => {
  const body = P384_SPKI_PEM.split('\n').slice(1, -2).join('\n');
  test.each([
    ['empty', ''],
    ['no END line', P384_SPKI_PEM.replace('-----END PUBLIC KEY-----', '')],
    ['mismatched END label', P384_SPKI_PEM.replace('END PUBLIC KEY', 'END PRIVATE KEY')],
    ['another label', P384_SPKI_PEM.replace(/PUBLIC KEY/g, 'CERTIFICATE')],
    ['a non-base64 character', P384_SPKI_PEM.replace('MHYw', 'MH*w')],
    ['missing padding', P384_SPKI_PEM.replace('JkcG\n', 'Jkc\n').replace('Jkcg', 'Jkc')],
    ['two blocks', P384_SPKI_PEM + P384_SPKI_PEM],
    ['an empty body', '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----'],
    ['text before the block', `hello\n${P384_SPKI_PEM}`],
    ['base64 without framing', body],
  ])('%s → KEY_PEM_INVALID', (_, pem) => {
    expect(codeOf(() => ecPublicKeyFromPem(pem))).toBe('KEY_PEM_INVALID');
  });

  test('private keys: other labels, encrypted keys and headers → KEY_PEM_INVALID', () => {
    const crypto = nobleCrypto;
    expect(codeOf(() => ecPrivateKeyFromPem(P384_SPKI_PEM, crypto))).toBe('KEY_PEM_INVALID');
    const encrypted = P384_PKCS8_PEM.replace(/PRIVATE KEY/g, 'ENCRYPTED PRIVATE KEY');
    expect(codeOf(() => ecPrivateKeyFromPem(encrypted, crypto))).toBe('KEY_PEM_INVALID');
    const headers = P384_SEC1_PEM.replace(
      'KEY-----\n',
      'KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n',
    );
    expect(codeOf(() => ecPrivateKeyFromPem(headers, crypto))).toBe('KEY_PEM_INVALID');
    expect(codeOf(() => ecPublicKeyFromPem(42 as unknown as string))).toBe('KEY_PEM_INVALID');
  });
});

describe('DER errors', () => {
  const spki = pemBody(P384_SPKI_PEM);
  const point = fromHex(P384_POINT);
  const pub = (der: Uint8Array): string | undefined =>
    codeOf(() => ecPublicKeyFromPem(pemEncode('PUBLIC KEY', der)));

  test('the unmodified DER decodes (so the cases below fail for their own reason)', () => {
    expect(pub(spki)).toBeUndefined();
    expect(pub(seq(seq(oid(EC_PUBLIC_KEY), oid(P384_OID)), bits(point)))).toBeUndefined();
  });

  test.each([
    ['truncated', spki.subarray(0, spki.length - 1)],
    ['a trailing byte', new Uint8Array([...spki, 0])],
    ['a non-minimal length', new Uint8Array([0x30, 0x81, 0x76, ...spki.subarray(2)])],
    ['an indefinite length', new Uint8Array([0x30, 0x80, ...spki.subarray(2), 0, 0])],
    ['a SET instead of a SEQUENCE', new Uint8Array([0x31, ...spki.subarray(1)])],
    ['rsaEncryption', seq(seq(oid('2a864886f70d010101'), derEncode(TAG.NULL)), bits(point))],
    [
      'unused bits in the BIT STRING',
      seq(
        seq(oid(EC_PUBLIC_KEY), oid(P384_OID)),
        derEncode(TAG.BIT_STRING, new Uint8Array([1, ...point])),
      ),
    ],
    [
      'an extra field',
      seq(seq(oid(EC_PUBLIC_KEY), oid(P384_OID)), bits(point), derEncode(TAG.NULL)),
    ],
  ])('%s → KEY_DER_INVALID', (_, der) => {
    expect(pub(der)).toBe('KEY_DER_INVALID');
  });

  test('an empty DER input → KEY_DER_INVALID', () => {
    expect(codeOf(() => ecPublicKeyFromSpki(new Uint8Array(0)))).toBe('KEY_DER_INVALID');
    expect(codeOf(() => ecPrivateKeyFromPkcs8(new Uint8Array(0), nobleCrypto))).toBe(
      'KEY_DER_INVALID',
    );
  });

  test('secp256k1 and explicit parameters → KEY_CURVE_UNSUPPORTED', () => {
    expect(pub(seq(seq(oid(EC_PUBLIC_KEY), oid('2b8104000a')), bits(point)))).toBe(
      'KEY_CURVE_UNSUPPORTED',
    );
    expect(pub(seq(seq(oid(EC_PUBLIC_KEY), seq()), bits(point)))).toBe('KEY_CURVE_UNSUPPORTED');
  });

  test('an off-curve, compressed or P-256-sized point → KEY_POINT_INVALID', () => {
    const off = point.slice();
    off[96]! ^= 1;
    const compressed = new Uint8Array([3, ...point.subarray(1, 49)]);
    const alg = seq(oid(EC_PUBLIC_KEY), oid(P384_OID));
    expect(pub(seq(alg, bits(off)))).toBe('KEY_POINT_INVALID');
    expect(pub(seq(alg, bits(compressed)))).toBe('KEY_POINT_INVALID');
    expect(pub(seq(alg, bits(point.subarray(0, 65))))).toBe('KEY_POINT_INVALID');
  });

  test('private keys: bad scalars, a wrong public key, a missing curve', () => {
    const crypto = nobleCrypto;
    const priv = (label: string, der: Uint8Array): string | undefined =>
      codeOf(() => ecPrivateKeyFromPem(pemEncode(label, der), crypto));
    const sec1 = (d: Uint8Array, ...rest: Uint8Array[]): Uint8Array =>
      seq(derEncode(TAG.INTEGER, Uint8Array.of(1)), derEncode(TAG.OCTET_STRING, d), ...rest);
    const params = derEncode(TAG.CTX0, oid(P384_OID));
    const d = fromHex(P384_D);
    expect(priv('EC PRIVATE KEY', sec1(d, params))).toBeUndefined();
    expect(priv('EC PRIVATE KEY', sec1(d))).toBe('KEY_DER_INVALID');
    expect(priv('EC PRIVATE KEY', sec1(new Uint8Array(48), params))).toBe('KEY_DER_INVALID');
    expect(priv('EC PRIVATE KEY', sec1(new Uint8Array(49).fill(1), params))).toBe(
      'KEY_DER_INVALID',
    );
    const otherPoint = crypto.ecGenerate('P-384').publicKey.point;
    expect(priv('EC PRIVATE KEY', sec1(d, params, derEncode(TAG.CTX1, bits(otherPoint))))).toBe(
      'KEY_MISMATCH',
    );
    const p256 = derEncode(TAG.CTX0, oid('2a8648ce3d030107'));
    const pkcs8 = (version: number, inner: Uint8Array): Uint8Array =>
      seq(
        derEncode(TAG.INTEGER, Uint8Array.of(version)),
        seq(oid(EC_PUBLIC_KEY), oid(P384_OID)),
        derEncode(TAG.OCTET_STRING, inner),
      );
    expect(priv('PRIVATE KEY', pkcs8(0, sec1(d)))).toBeUndefined();
    expect(priv('PRIVATE KEY', pkcs8(2, sec1(d)))).toBe('KEY_DER_INVALID');
    expect(priv('PRIVATE KEY', pkcs8(0, sec1(d, p256)))).toBe('KEY_DER_INVALID');
    // A shorter scalar (leading zero bytes dropped, as old OpenSSL wrote) is left-padded.
    const short = crypto.ecFromPrivate('P-384', new Uint8Array(48).fill(0, 0, 47).fill(7, 47));
    expect(
      toHex(
        ecPrivateKeyFromPem(pemEncode('PRIVATE KEY', pkcs8(0, sec1(Uint8Array.of(7)))), crypto)
          .publicKey.point,
      ),
    ).toBe(toHex(short.publicKey.point));
  });

  fcTest.prop([fc.uint8Array({ maxLength: 160 })])('random bytes fail with a KEY_* code', (der) => {
    const code = codeOf(() => ecPublicKeyFromSpki(der));
    expect(code).toMatch(/^KEY_/);
  });

  fcTest.prop([fc.nat({ max: spki.length - 1 }), fc.integer({ min: 1, max: 255 })])(
    'a mutated SPKI decodes or fails with a KEY_* code',
    (at, xor) => {
      const bad = spki.slice();
      bad[at]! ^= xor;
      const code = codeOf(() => ecPublicKeyFromSpki(bad));
      if (code !== undefined) expect(code).toMatch(/^KEY_/);
    },
  );
});

describe('JWK', () => {
  const jwk = ecPublicKeyToJwk(ecPublicKeyFromRaw('P-384', fromHex(P384_POINT)));

  test('matches the RFC 7518 shape', () => {
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(jwk.kty).toBe('EC');
    expect(jwk.x).not.toMatch(/[=+/]/);
    expect(toBase64(fromBase64(jwk.x))).toBe(toBase64(fromHex(P384_POINT.slice(2, 98))));
  });

  test.each([
    ['null', null, 'KEY_JWK_INVALID'],
    ['an array', [], 'KEY_JWK_INVALID'],
    ['kty RSA', { ...jwk, kty: 'RSA' }, 'KEY_JWK_INVALID'],
    ['crv secp256k1', { ...jwk, crv: 'secp256k1' }, 'KEY_CURVE_UNSUPPORTED'],
    ['crv P-256 with P-384 coordinates', { ...jwk, crv: 'P-256' }, 'KEY_JWK_INVALID'],
    ['padded x', { ...jwk, x: `${jwk.x}=` }, 'KEY_JWK_INVALID'],
    [
      'standard base64 y',
      { ...jwk, y: jwk.y.replace(/-/g, '+').replace(/_/g, '/').replace(/^./, '+') },
      'KEY_JWK_INVALID',
    ],
    ['short x', { ...jwk, x: jwk.x.slice(4) }, 'KEY_JWK_INVALID'],
    ['numeric y', { ...jwk, y: 1 }, 'KEY_JWK_INVALID'],
    ['y = x (off the curve)', { ...jwk, y: jwk.x }, 'KEY_POINT_INVALID'],
  ])('%s → %s', (_, input, code) => {
    expect(codeOf(() => ecPublicKeyFromJwk(input))).toBe(code);
  });

  test('private JWKs: missing or bad d, mismatched x', () => {
    const key = nobleCrypto.ecFromPrivate('P-384', fromHex(P384_D));
    const priv = ecPrivateKeyToJwk(key);
    expect(toHex(ecPrivateKeyFromJwk(priv, nodeCrypto()).publicKey.point)).toBe(P384_POINT);
    expect(codeOf(() => ecPrivateKeyFromJwk(jwk, nobleCrypto))).toBe('KEY_JWK_INVALID');
    expect(codeOf(() => ecPrivateKeyFromJwk({ ...priv, d: priv.d?.slice(2) }, nobleCrypto))).toBe(
      'KEY_JWK_INVALID',
    );
    const zero = { ...priv, d: 'A'.repeat(64) };
    expect(codeOf(() => ecPrivateKeyFromJwk(zero, nobleCrypto))).toBe('KEY_JWK_INVALID');
    const other = ecPublicKeyToJwk(nobleCrypto.ecGenerate('P-384').publicKey);
    expect(codeOf(() => ecPrivateKeyFromJwk({ ...priv, x: other.x }, nobleCrypto))).toBe(
      'KEY_MISMATCH',
    );
  });
});

describe('raw points', () => {
  test('curveFromPointLength', () => {
    expect(curveFromPointLength(65)).toBe('P-256');
    expect(curveFromPointLength(97)).toBe('P-384');
    expect(curveFromPointLength(133)).toBe('P-521');
    for (const n of [0, 33, 64, 66, 96, 98, 132, 134]) {
      expect(codeOf(() => curveFromPointLength(n))).toBe('KEY_POINT_INVALID');
    }
  });

  test('ecPublicKeyFromRaw validates and copies', () => {
    const point = fromHex(P384_POINT);
    const key = ecPublicKeyFromRaw('P-384', point);
    point[1] = 0;
    expect(toHex(key.point)).toBe(P384_POINT);
    expect(Object.isFrozen(key)).toBe(true);
    const p = fromHex(P384_POINT);
    expect(codeOf(() => ecPublicKeyFromRaw('P-256', p))).toBe('KEY_POINT_INVALID');
    expect(codeOf(() => ecPublicKeyFromRaw('P-384', p.subarray(1)))).toBe('KEY_POINT_INVALID');
    expect(codeOf(() => ecPublicKeyFromRaw('P-384', new Uint8Array([2, ...p.subarray(1)])))).toBe(
      'KEY_POINT_INVALID',
    );
    expect(
      codeOf(() => ecPublicKeyFromRaw('P-384', new Uint8Array([4, ...new Uint8Array(96)]))),
    ).toBe('KEY_POINT_INVALID');
    expect(codeOf(() => ecPublicKeyFromRaw('X25519' as Curve, p))).toBe('KEY_CURVE_UNSUPPORTED');
  });
});
