/**
 * Curve and hash tables shared by both crypto providers and the key codecs: orders, OIDs and the
 * argument checks every provider applies before it calls into its library, so that both reject the
 * same inputs with the same codes.
 * @module
 */
import type { Bytes } from '../bytes.ts';
import type { Curve, HashAlgorithm } from '../crypto/provider.ts';
import { CURVE_FIELD_BYTES, HASH_BYTES } from '../crypto/provider.ts';
import { IsletError } from '../errors.ts';

/** Per-curve constants. */
export interface CurveInfo {
  /** Byte length of a coordinate and of the scalar. */
  readonly fieldBytes: number;
  /** Byte length of the uncompressed SEC1 point `04 || X || Y`. */
  readonly pointBytes: number;
  /** The group order n. */
  readonly order: bigint;
  /** The OpenSSL curve name (node:crypto `createECDH`). */
  readonly opensslName: string;
  /** DER content bytes of the named-curve OID, as hex. */
  readonly oidHex: string;
}

/** The three NIST curves. Orders from FIPS 186-5 / SEC 2. */
export const CURVES: { readonly [c in Curve]: CurveInfo } = {
  'P-256': {
    fieldBytes: CURVE_FIELD_BYTES['P-256'],
    pointBytes: 65,
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    opensslName: 'prime256v1',
    // 1.2.840.10045.3.1.7
    oidHex: '2a8648ce3d030107',
  },
  'P-384': {
    fieldBytes: CURVE_FIELD_BYTES['P-384'],
    pointBytes: 97,
    order:
      0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    opensslName: 'secp384r1',
    // 1.3.132.0.34
    oidHex: '2b81040022',
  },
  'P-521': {
    fieldBytes: CURVE_FIELD_BYTES['P-521'],
    pointBytes: 133,
    order:
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    opensslName: 'secp521r1',
    // 1.3.132.0.35
    oidHex: '2b81040023',
  },
};

/** The curve with the given OID content (hex), if it is one of ours. */
export function curveFromOidHex(oidHex: string): Curve | undefined {
  for (const c of Object.keys(CURVES) as Curve[]) if (CURVES[c].oidHex === oidHex) return c;
  return undefined;
}

/**
 * Checks that `curve` is one of the supported curves (callers from plain JavaScript may pass
 * anything) and returns its constants.
 * @throws {@link IsletError} `CRYPTO_CURVE_UNSUPPORTED`.
 */
export function curveInfo(curve: Curve): CurveInfo {
  const info = Object.hasOwn(CURVES, curve) ? CURVES[curve] : undefined;
  if (!info) {
    throw new IsletError('CRYPTO_CURVE_UNSUPPORTED', 'unsupported curve', {
      details: `${String(curve)} is not one of ${Object.keys(CURVES).join(', ')}`,
    });
  }
  return info;
}

/**
 * Checks that `alg` is a supported hash.
 * @throws {@link IsletError} `CRYPTO_HASH_UNSUPPORTED`.
 */
export function checkHash(alg: HashAlgorithm): number {
  const len = Object.hasOwn(HASH_BYTES, alg) ? HASH_BYTES[alg] : undefined;
  if (len === undefined) {
    throw new IsletError('CRYPTO_HASH_UNSUPPORTED', 'unsupported hash algorithm', {
      details: `${String(alg)} is not one of ${Object.keys(HASH_BYTES).join(', ')}`,
    });
  }
  return len;
}

/**
 * Checks an AES key (16, 24 or 32 bytes) and a GCM IV (12 bytes).
 * @throws {@link IsletError} `CRYPTO_KEY_LENGTH` or `CRYPTO_IV_LENGTH`.
 */
export function checkAesGcm(key: Uint8Array, iv: Uint8Array): void {
  checkAesKey(key);
  if (iv.length !== 12) {
    throw new IsletError('CRYPTO_IV_LENGTH', 'invalid AES-GCM IV length', {
      details: `expected 12 bytes, got ${iv.length}`,
    });
  }
}

/**
 * Checks an AES key length: 16, 24 or 32 bytes.
 * @throws {@link IsletError} `CRYPTO_KEY_LENGTH`.
 */
export function checkAesKey(key: Uint8Array): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new IsletError('CRYPTO_KEY_LENGTH', 'invalid AES key length', {
      details: `expected 16, 24 or 32 bytes, got ${key.length}`,
    });
  }
}

/**
 * Checks an AES key and a single 16-byte block.
 * @throws {@link IsletError} `CRYPTO_KEY_LENGTH` or `CRYPTO_LENGTH`.
 */
export function checkAesBlock(key: Uint8Array, block: Uint8Array): void {
  checkAesKey(key);
  if (block.length !== 16) {
    throw new IsletError('CRYPTO_LENGTH', 'invalid AES block length', {
      details: `expected 16 bytes, got ${block.length}`,
    });
  }
}

/**
 * Checks an output length: an integer in [0, max].
 * @throws {@link IsletError} `CRYPTO_LENGTH`.
 */
export function checkLength(length: number, max: number, what: string): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > max) {
    throw new IsletError('CRYPTO_LENGTH', `invalid ${what} length`, {
      details: `expected an integer in [0, ${max}], got ${String(length)}`,
    });
  }
}

/** Big-endian bytes as a bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/**
 * Checks a private scalar: exactly the field length and in [1, n-1]. Returns a private copy.
 * @throws {@link IsletError} `CRYPTO_KEY_INVALID`.
 */
export function checkScalar(curve: Curve, d: Uint8Array): Bytes {
  const info = curveInfo(curve);
  if (d.length !== info.fieldBytes) {
    throw new IsletError('CRYPTO_KEY_INVALID', 'invalid private key', {
      details: `a ${curve} scalar is ${info.fieldBytes} bytes, got ${d.length}`,
    });
  }
  const n = bytesToBigInt(d);
  if (n === 0n || n >= info.order) {
    throw new IsletError('CRYPTO_KEY_INVALID', 'invalid private key', {
      details: `the ${curve} scalar must be in [1, n-1]`,
    });
  }
  const out = new Uint8Array(d.length);
  out.set(d);
  return out;
}

/** Whether `point` has the shape of an uncompressed point on `curve`: the length and the 0x04 prefix. */
export function isUncompressedShape(curve: Curve, point: Uint8Array): boolean {
  return point.length === CURVES[curve].pointBytes && point[0] === 0x04;
}
