/**
 * COSE_Key (RFC 9053 §7.1.1) for EC2 public keys: the encoding of the realm attestation key in
 * profiled realm tokens. TF-RMM writes exactly `{1: 2, -1: crv, -2: x, -3: y}`, with no alg and no kid.
 * @module
 */
import {
  type Bytes,
  type CryptoProvider,
  CURVE_FIELD_BYTES,
  type Curve,
  concatBytes,
  type EcPublicKey,
} from '@islet/arch';
import { TokenError } from './errors.ts';
import { decodeCbor, encodeCbor } from './internal/cbor.ts';

/** COSE key type EC2. */
const KTY_EC2 = 2;
/** COSE curve identifiers. */
const COSE_CURVES: ReadonlyMap<number, Curve> = new Map([
  [1, 'P-256'],
  [2, 'P-384'],
  [3, 'P-521'],
]);
const CURVE_IDS: { readonly [c in Curve]: number } = { 'P-256': 1, 'P-384': 2, 'P-521': 3 };

/**
 * Encodes an EC public key as a COSE_Key in TF-RMM's field order.
 * @example
 * ```ts
 * encodeCoseKey(rak).length; // 107 for a P-384 key
 * ```
 */
export function encodeCoseKey(key: EcPublicKey): Bytes {
  const n = CURVE_FIELD_BYTES[key.curve];
  return encodeCbor(
    new Map<number, unknown>([
      [1, KTY_EC2],
      [-1, CURVE_IDS[key.curve]],
      [-2, key.point.subarray(1, 1 + n)],
      [-3, key.point.subarray(1 + n, 1 + 2 * n)],
    ]),
  );
}

/**
 * Decodes a COSE_Key holding an EC2 public key and checks that the point is on its curve.
 * @throws {@link TokenError} `TOKEN_RAK_INVALID` for anything else.
 */
export function decodeCoseKey(bytes: Uint8Array, crypto: CryptoProvider): EcPublicKey {
  let item: unknown;
  try {
    item = decodeCbor(bytes, 'COSE_Key');
  } catch (cause) {
    throw rakInvalid('the COSE_Key is not well-formed CBOR', cause);
  }
  if (!(item instanceof Map)) throw rakInvalid('a COSE_Key is a map');
  const kty = item.get(1);
  if (kty !== KTY_EC2) throw rakInvalid(`key type (1) must be EC2 (2), got ${String(kty)}`);
  const curve = COSE_CURVES.get(item.get(-1) as number);
  if (!curve) throw rakInvalid(`unsupported curve (-1) ${String(item.get(-1))}`);
  const n = CURVE_FIELD_BYTES[curve];
  const x = item.get(-2);
  const y = item.get(-3);
  if (!(x instanceof Uint8Array) || x.length !== n) throw rakInvalid(`x (-2) must be ${n} bytes`);
  if (!(y instanceof Uint8Array) || y.length !== n) {
    throw rakInvalid(`y (-3) must be ${n} bytes (compressed points are not supported)`);
  }
  const point = concatBytes(Uint8Array.of(4), x, y);
  if (!crypto.ecIsValidPoint(curve, point)) throw rakInvalid(`the point is not on ${curve}`);
  return { curve, point };
}

/**
 * Reads a raw uncompressed SEC1 point as a public key on `curve` (the legacy RAK encoding).
 * @throws {@link TokenError} `TOKEN_RAK_INVALID` on a wrong length, prefix or off-curve point.
 */
export function decodeRawPoint(
  bytes: Uint8Array,
  curve: Curve,
  crypto: CryptoProvider,
): EcPublicKey {
  const len = 1 + 2 * CURVE_FIELD_BYTES[curve];
  if (bytes.length !== len || bytes[0] !== 4) {
    throw rakInvalid(`a raw ${curve} key is ${len} bytes starting 0x04, got ${bytes.length} bytes`);
  }
  if (!crypto.ecIsValidPoint(curve, bytes)) throw rakInvalid(`the point is not on ${curve}`);
  return { curve, point: bytes };
}

function rakInvalid(details: string, cause?: unknown): TokenError {
  return new TokenError('TOKEN_RAK_INVALID', 'invalid realm attestation key', {
    details,
    ...(cause === undefined ? {} : { cause }),
  });
}
