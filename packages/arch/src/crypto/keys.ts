/**
 * EC key encodings shared by every provider, without node:crypto: SPKI and PKCS#8 / SEC1 PEM,
 * JWK (RFC 7518 §6.2) and raw SEC1 points, for the NIST curves P-256, P-384 and P-521.
 *
 * Decoders are strict and fail with coded {@link IsletError}s:
 * - `KEY_PEM_INVALID`: PEM framing, label or base64.
 * - `KEY_DER_INVALID`: DER structure, versions, algorithm, or a scalar out of range.
 * - `KEY_CURVE_UNSUPPORTED`: a curve OID or `crv` other than P-256/384/521.
 * - `KEY_JWK_INVALID`: JWK shape, `kty`, base64url or coordinate lengths.
 * - `KEY_POINT_INVALID`: a point that is not uncompressed, has the wrong length, or is off the curve.
 * - `KEY_MISMATCH`: an embedded public key that does not belong to the private scalar.
 *
 * Public points are checked against the curve equation with @noble/curves.
 * @module
 */
import type { Bytes } from '../bytes.ts';
import { equalBytes, toBase64Url } from '../bytes.ts';
import { IsletError, isIsletError } from '../errors.ts';
import { CURVES, curveFromOidHex } from '../internal/curves.ts';
import { DerReader, derEncode, derError, TAG } from '../internal/der.ts';
import { fromBase64UrlStrict, pemDecode, pemEncode } from '../internal/pem.ts';
import { nobleCrypto } from './noble.ts';
import type { CryptoProvider, Curve, EcPrivateKey, EcPublicKey } from './provider.ts';

/** An EC JSON Web Key (RFC 7518 §6.2); `d` is present on private keys only. */
export interface EcJwk {
  readonly kty: 'EC';
  readonly crv: Curve;
  /** base64url of the X coordinate, the curve's field length. */
  readonly x: string;
  /** base64url of the Y coordinate. */
  readonly y: string;
  /** base64url of the private scalar. */
  readonly d?: string;
}

/** id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480). */
const ID_EC_PUBLIC_KEY = '2a8648ce3d0201';

const POINT_LENGTHS: ReadonlyMap<number, Curve> = new Map(
  (Object.keys(CURVES) as Curve[]).map((c) => [CURVES[c].pointBytes, c]),
);

function isCurve(value: unknown): value is Curve {
  return typeof value === 'string' && Object.hasOwn(CURVES, value);
}

function curveFromOid(oidHex: string): Curve {
  const curve = curveFromOidHex(oidHex);
  if (curve === undefined) {
    throw new IsletError('KEY_CURVE_UNSUPPORTED', 'unsupported curve', {
      details: `named-curve OID ${oidHex} is not P-256, P-384 or P-521`,
    });
  }
  return curve;
}

function oidBytes(hex: string): Bytes {
  return derEncode(
    TAG.OID,
    Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16)),
  );
}

function algorithmIdentifier(curve: Curve): Bytes {
  return derEncode(TAG.SEQUENCE, oidBytes(ID_EC_PUBLIC_KEY), oidBytes(CURVES[curve].oidHex));
}

/** Reads `AlgorithmIdentifier { id-ecPublicKey, namedCurve }` and returns the curve. */
function readAlgorithm(outer: DerReader): Curve {
  const alg = new DerReader(outer.read(TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const oid = alg.readOid('algorithm');
  if (oid !== ID_EC_PUBLIC_KEY) derError(`algorithm ${oid} is not id-ecPublicKey`);
  if (alg.peekTag() !== TAG.OID) {
    throw new IsletError('KEY_CURVE_UNSUPPORTED', 'unsupported curve', {
      details: 'only namedCurve parameters are supported (no implicitCA or explicit curves)',
    });
  }
  const curve = curveFromOid(alg.readOid('namedCurve'));
  alg.end('AlgorithmIdentifier');
  return curve;
}

/**
 * The curve whose uncompressed point is `length` bytes: 65 → P-256, 97 → P-384, 133 → P-521.
 * @throws {@link IsletError} `KEY_POINT_INVALID` for any other length.
 * @since 0.1.0
 */
export function curveFromPointLength(length: number): Curve {
  const curve = POINT_LENGTHS.get(length);
  if (curve === undefined) {
    throw new IsletError('KEY_POINT_INVALID', 'invalid EC point', {
      details: `${length} bytes is not an uncompressed P-256, P-384 or P-521 point`,
    });
  }
  return curve;
}

/**
 * Checks a raw uncompressed SEC1 point (`04 || X || Y`) and returns it as a key. The point is
 * copied, so later writes to `point` do not reach the key.
 * @param curve - the curve the point must lie on.
 * @param point - the uncompressed point.
 * @throws {@link IsletError} `KEY_CURVE_UNSUPPORTED` for an unknown curve; `KEY_POINT_INVALID` for
 * a wrong length, a prefix other than 0x04, or a point off the curve.
 * @since 0.1.0
 */
export function ecPublicKeyFromRaw(curve: Curve, point: Uint8Array): EcPublicKey {
  if (!isCurve(curve)) {
    throw new IsletError('KEY_CURVE_UNSUPPORTED', 'unsupported curve', {
      details: `${String(curve)} is not P-256, P-384 or P-521`,
    });
  }
  const want = CURVES[curve].pointBytes;
  if (point.length !== want) {
    throw new IsletError('KEY_POINT_INVALID', 'invalid EC point', {
      details: `a ${curve} point is ${want} bytes, got ${point.length}`,
    });
  }
  if (point[0] !== 0x04) {
    throw new IsletError('KEY_POINT_INVALID', 'invalid EC point', {
      details: `expected the uncompressed prefix 0x04, got 0x${(point[0] ?? 0).toString(16)}`,
    });
  }
  const copy = new Uint8Array(point);
  if (!nobleCrypto.ecIsValidPoint(curve, copy)) {
    throw new IsletError('KEY_POINT_INVALID', 'invalid EC point', {
      details: `the point is not on ${curve}`,
    });
  }
  return Object.freeze({ curve, point: copy });
}

/**
 * Decodes a `PUBLIC KEY` PEM (SubjectPublicKeyInfo, RFC 5480) of an id-ecPublicKey with a named
 * curve.
 *
 * @example
 * ```ts
 * const key = ecPublicKeyFromPem(pem);
 * key.curve; // 'P-384'
 * ```
 * @param pem - the PEM text; surrounding whitespace and CRLF line ends are accepted.
 * @throws {@link IsletError} `KEY_PEM_INVALID`, `KEY_DER_INVALID`, `KEY_CURVE_UNSUPPORTED` or
 * `KEY_POINT_INVALID`.
 * @since 0.1.0
 */
export function ecPublicKeyFromPem(pem: string): EcPublicKey {
  const { label, der } = pemDecode(pem);
  if (label !== 'PUBLIC KEY') {
    throw new IsletError('KEY_PEM_INVALID', 'malformed PEM', {
      details: `expected PUBLIC KEY, got ${label}`,
    });
  }
  return ecPublicKeyFromSpki(der);
}

/**
 * Decodes a DER SubjectPublicKeyInfo of an EC key.
 * @throws {@link IsletError} `KEY_DER_INVALID`, `KEY_CURVE_UNSUPPORTED` or `KEY_POINT_INVALID`.
 * @since 0.1.0
 */
export function ecPublicKeyFromSpki(der: Uint8Array): EcPublicKey {
  const top = new DerReader(der);
  const spki = new DerReader(top.read(TAG.SEQUENCE, 'SubjectPublicKeyInfo'));
  top.end('SubjectPublicKeyInfo');
  const curve = readAlgorithm(spki);
  const point = spki.readBitString('subjectPublicKey');
  spki.end('SubjectPublicKeyInfo');
  return ecPublicKeyFromRaw(curve, point);
}

/**
 * Encodes a public key as DER SubjectPublicKeyInfo.
 * @since 0.1.0
 */
export function ecPublicKeyToSpki(key: EcPublicKey): Bytes {
  const bits = new Uint8Array(key.point.length + 1);
  bits.set(key.point, 1);
  return derEncode(TAG.SEQUENCE, algorithmIdentifier(key.curve), derEncode(TAG.BIT_STRING, bits));
}

/**
 * Encodes a public key as a `PUBLIC KEY` PEM (SubjectPublicKeyInfo), 64-character lines, `\n`
 * line ends and a final newline, as OpenSSL writes it.
 * @since 0.1.0
 */
export function ecPublicKeyToPem(key: EcPublicKey): string {
  return pemEncode('PUBLIC KEY', ecPublicKeyToSpki(key));
}

/**
 * Reads SEC1 `ECPrivateKey` (RFC 5915): version 1, the scalar, optional `[0]` curve, optional `[1]`
 * public key. Returns the scalar (left-padded to the field length), the curve if present and the
 * public point if present.
 */
function readEcPrivateKey(der: Uint8Array): {
  d: Uint8Array;
  curve: Curve | undefined;
  point: Uint8Array | undefined;
} {
  const top = new DerReader(der);
  const r = new DerReader(top.read(TAG.SEQUENCE, 'ECPrivateKey'));
  top.end('ECPrivateKey');
  if (r.readSmallInt('ECPrivateKey version') !== 1) derError('ECPrivateKey version must be 1');
  const d = r.read(TAG.OCTET_STRING, 'privateKey');
  let curve: Curve | undefined;
  const params = r.readOptional(TAG.CTX0, 'parameters');
  if (params !== undefined) {
    const p = new DerReader(params);
    if (p.peekTag() !== TAG.OID) {
      throw new IsletError('KEY_CURVE_UNSUPPORTED', 'unsupported curve', {
        details: 'only namedCurve parameters are supported',
      });
    }
    curve = curveFromOid(p.readOid('namedCurve'));
    p.end('parameters');
  }
  let point: Uint8Array | undefined;
  const pub = r.readOptional(TAG.CTX1, 'publicKey');
  if (pub !== undefined) {
    const p = new DerReader(pub);
    point = p.readBitString('publicKey');
    p.end('publicKey');
  }
  r.end('ECPrivateKey');
  return { d, curve, point };
}

/** Builds the key pair from a decoded scalar, checking it and any embedded public point. */
function privateFromParts(
  curve: Curve,
  d: Uint8Array,
  point: Uint8Array | undefined,
  crypto: CryptoProvider,
  code: 'KEY_DER_INVALID' | 'KEY_JWK_INVALID',
): EcPrivateKey {
  const size = CURVES[curve].fieldBytes;
  if (d.length === 0 || d.length > size) {
    throw new IsletError(code, 'invalid private key', {
      details: `a ${curve} scalar is at most ${size} bytes, got ${d.length}`,
    });
  }
  const scalar = new Uint8Array(size);
  scalar.set(d, size - d.length);
  let key: EcPrivateKey;
  try {
    key = crypto.ecFromPrivate(curve, scalar);
  } catch (cause) {
    if (!isIsletError(cause, 'CRYPTO_KEY_INVALID')) throw cause;
    throw new IsletError(code, 'invalid private key', {
      details: `the scalar is not in [1, n-1] for ${curve}`,
      cause,
    });
  }
  if (point !== undefined && !equalBytes(point, key.publicKey.point)) {
    throw new IsletError('KEY_MISMATCH', 'the public key does not match the private key', {
      details: `the embedded ${curve} public point is not d·G`,
    });
  }
  return key;
}

/**
 * Decodes an EC private key from PEM: PKCS#8 `PRIVATE KEY` (RFC 5958) or SEC1 `EC PRIVATE KEY`
 * (RFC 5915). The public key is computed with `crypto.ecFromPrivate`, and any public key embedded
 * in the file must match it.
 *
 * @param pem - the PEM text.
 * @param crypto - the provider that derives the public key.
 * @throws {@link IsletError} `KEY_PEM_INVALID` (including `ENCRYPTED PRIVATE KEY`),
 * `KEY_DER_INVALID`, `KEY_CURVE_UNSUPPORTED` or `KEY_MISMATCH`.
 * @since 0.1.0
 */
export function ecPrivateKeyFromPem(pem: string, crypto: CryptoProvider): EcPrivateKey {
  const { label, der } = pemDecode(pem);
  if (label === 'PRIVATE KEY') return ecPrivateKeyFromPkcs8(der, crypto);
  if (label === 'EC PRIVATE KEY') {
    const { d, curve, point } = readEcPrivateKey(der);
    if (curve === undefined) derError('a SEC1 EC PRIVATE KEY must name its curve');
    return privateFromParts(curve, d, point, crypto, 'KEY_DER_INVALID');
  }
  throw new IsletError('KEY_PEM_INVALID', 'malformed PEM', {
    details: `expected PRIVATE KEY or EC PRIVATE KEY, got ${label}`,
  });
}

/**
 * Decodes a DER PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` of an EC key.
 * @throws {@link IsletError} `KEY_DER_INVALID`, `KEY_CURVE_UNSUPPORTED` or `KEY_MISMATCH`.
 * @since 0.1.0
 */
export function ecPrivateKeyFromPkcs8(der: Uint8Array, crypto: CryptoProvider): EcPrivateKey {
  const top = new DerReader(der);
  const r = new DerReader(top.read(TAG.SEQUENCE, 'PrivateKeyInfo'));
  top.end('PrivateKeyInfo');
  const version = r.readSmallInt('PrivateKeyInfo version');
  if (version !== 0 && version !== 1) derError(`PrivateKeyInfo version ${version} is not 0 or 1`);
  const curve = readAlgorithm(r);
  const inner = readEcPrivateKey(r.read(TAG.OCTET_STRING, 'privateKey'));
  if (inner.curve !== undefined && inner.curve !== curve) {
    derError(`ECPrivateKey names ${inner.curve} but the algorithm names ${curve}`);
  }
  r.readOptional(TAG.CTX0, 'attributes');
  let point = inner.point;
  if (version === 1) {
    const pub = r.readOptional(TAG.CTX1_PRIM, 'publicKey');
    if (pub !== undefined) {
      if (pub.length === 0 || pub[0] !== 0)
        derError('publicKey: a key BIT STRING has no unused bits');
      const outer = pub.subarray(1);
      if (point !== undefined && !equalBytes(point, outer)) {
        throw new IsletError('KEY_MISMATCH', 'the public key does not match the private key', {
          details: 'the two embedded public keys differ',
        });
      }
      point = outer;
    }
  }
  r.end('PrivateKeyInfo');
  return privateFromParts(curve, inner.d, point, crypto, 'KEY_DER_INVALID');
}

/**
 * Encodes a private key as DER PKCS#8 (version 0), with the public key inside the SEC1 structure,
 * as OpenSSL writes it.
 * @since 0.1.0
 */
export function ecPrivateKeyToPkcs8(key: EcPrivateKey): Bytes {
  const bits = new Uint8Array(key.publicKey.point.length + 1);
  bits.set(key.publicKey.point, 1);
  const sec1 = derEncode(
    TAG.SEQUENCE,
    derEncode(TAG.INTEGER, Uint8Array.of(1)),
    derEncode(TAG.OCTET_STRING, key.d),
    derEncode(TAG.CTX1, derEncode(TAG.BIT_STRING, bits)),
  );
  return derEncode(
    TAG.SEQUENCE,
    derEncode(TAG.INTEGER, Uint8Array.of(0)),
    algorithmIdentifier(key.curve),
    derEncode(TAG.OCTET_STRING, sec1),
  );
}

/**
 * Encodes a private key as a PKCS#8 `PRIVATE KEY` PEM.
 * @since 0.1.0
 */
export function ecPrivateKeyToPem(key: EcPrivateKey): string {
  return pemEncode('PRIVATE KEY', ecPrivateKeyToPkcs8(key));
}

function jwkError(details: string): never {
  throw new IsletError('KEY_JWK_INVALID', 'invalid JWK', { details });
}

/** Checks `kty`, `crv`, `x` and `y` of a JWK and returns the curve and the point. */
function readJwkPublic(jwk: unknown): { curve: Curve; point: Bytes; obj: Record<string, unknown> } {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) jwkError('expected an object');
  const obj = jwk as Record<string, unknown>;
  if (obj.kty !== 'EC') jwkError(`kty must be "EC", got ${JSON.stringify(obj.kty)}`);
  const crv = obj.crv;
  if (!isCurve(crv)) {
    throw new IsletError('KEY_CURVE_UNSUPPORTED', 'unsupported curve', {
      details: `crv ${JSON.stringify(crv)} is not P-256, P-384 or P-521`,
    });
  }
  const size = CURVES[crv].fieldBytes;
  const coord = (name: 'x' | 'y'): Bytes => {
    const v = obj[name];
    if (typeof v !== 'string') jwkError(`${name} must be a string`);
    const b = fromBase64UrlStrict(v, name);
    if (b.length !== size) jwkError(`${name} must be ${size} bytes for ${crv}, got ${b.length}`);
    return b;
  };
  const x = coord('x');
  const y = coord('y');
  const point = new Uint8Array(1 + 2 * size);
  point[0] = 0x04;
  point.set(x, 1);
  point.set(y, 1 + size);
  return { curve: crv, point, obj };
}

/**
 * Decodes a public EC JWK (`kty: "EC"`, `crv`, `x`, `y`). A `d` member, if present, is ignored.
 * @param jwk - the parsed JSON object.
 * @throws {@link IsletError} `KEY_JWK_INVALID`, `KEY_CURVE_UNSUPPORTED` or `KEY_POINT_INVALID`.
 * @since 0.1.0
 */
export function ecPublicKeyFromJwk(jwk: unknown): EcPublicKey {
  const { curve, point } = readJwkPublic(jwk);
  return ecPublicKeyFromRaw(curve, point);
}

/**
 * Encodes a public key as a JWK.
 * @since 0.1.0
 */
export function ecPublicKeyToJwk(key: EcPublicKey): EcJwk {
  const size = CURVES[key.curve].fieldBytes;
  return {
    kty: 'EC',
    crv: key.curve,
    x: toBase64Url(key.point.subarray(1, 1 + size)),
    y: toBase64Url(key.point.subarray(1 + size, 1 + 2 * size)),
  };
}

/**
 * Decodes a private EC JWK. The public key is computed with `crypto.ecFromPrivate` and must match
 * `x` and `y`.
 * @param jwk - the parsed JSON object.
 * @param crypto - the provider that derives the public key.
 * @throws {@link IsletError} `KEY_JWK_INVALID` (including a missing or out-of-range `d`),
 * `KEY_CURVE_UNSUPPORTED`, or `KEY_MISMATCH` when `x`, `y` are not d·G.
 * @since 0.1.0
 */
export function ecPrivateKeyFromJwk(jwk: unknown, crypto: CryptoProvider): EcPrivateKey {
  const { curve, point, obj } = readJwkPublic(jwk);
  if (typeof obj.d !== 'string') jwkError('d must be a string');
  const d = fromBase64UrlStrict(obj.d, 'd');
  if (d.length !== CURVES[curve].fieldBytes) {
    jwkError(`d must be ${CURVES[curve].fieldBytes} bytes for ${curve}, got ${d.length}`);
  }
  return privateFromParts(curve, d, point, crypto, 'KEY_JWK_INVALID');
}

/**
 * Encodes a private key as a JWK with `d`.
 * @since 0.1.0
 */
export function ecPrivateKeyToJwk(key: EcPrivateKey): EcJwk {
  return { ...ecPublicKeyToJwk(key.publicKey), d: toBase64Url(key.d) };
}
