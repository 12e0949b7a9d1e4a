/**
 * COSE_Sign1 (RFC 9052 §4.2) as CCA uses it: tag 18, protected header `{1: alg}`, an empty or
 * ignored unprotected header, the claims as the payload, and a raw `r || s` ECDSA signature over
 * `Sig_structure = ["Signature1", protected, h'', payload]`.
 * @module
 */
import {
  type Bytes,
  type CryptoProvider,
  CURVE_FIELD_BYTES,
  type Curve,
  concatBytes,
  type EcPrivateKey,
  type EcPublicKey,
  type HashAlgorithm,
} from '@islet/arch';
import { TokenError } from './errors.ts';
import { CborTag, decodeCbor, encodeCbor } from './internal/cbor.ts';

/** CBOR tag of a COSE_Sign1 structure. */
export const COSE_SIGN1_TAG = 18;

/** COSE algorithm identifiers of the ECDSA signatures CCA tokens use. */
export const CoseAlgorithm = {
  ES256: -7,
  ES384: -35,
  ES512: -36,
} as const;

/** One of the {@link CoseAlgorithm} values. */
export type CoseAlgorithm = (typeof CoseAlgorithm)[keyof typeof CoseAlgorithm];

/** The hash and curve each algorithm implies. */
const ALGORITHMS: ReadonlyMap<number, { hash: HashAlgorithm; curve: Curve; name: string }> =
  new Map([
    [CoseAlgorithm.ES256, { hash: 'sha256', curve: 'P-256', name: 'ES256' }],
    [CoseAlgorithm.ES384, { hash: 'sha384', curve: 'P-384', name: 'ES384' }],
    [CoseAlgorithm.ES512, { hash: 'sha512', curve: 'P-521', name: 'ES512' }],
  ]);

/** The algorithm that signs with a key on `curve`. */
export function coseAlgorithmForCurve(curve: Curve): CoseAlgorithm {
  return curve === 'P-256'
    ? CoseAlgorithm.ES256
    : curve === 'P-384'
      ? CoseAlgorithm.ES384
      : CoseAlgorithm.ES512;
}

/** The name (`ES384`) of a COSE algorithm identifier, or its number if unknown. */
export function coseAlgorithmName(alg: number): string {
  return ALGORITHMS.get(alg)?.name ?? String(alg);
}

/** A decoded COSE_Sign1, keeping the exact bytes that the signature covers. */
export interface CoseSign1 {
  /** The serialized protected header, exactly as carried. */
  readonly protectedHeader: Bytes;
  /** The algorithm from the protected header. */
  readonly alg: CoseAlgorithm;
  /** The payload bytes, exactly as carried. */
  readonly payload: Bytes;
  /** The raw `r || s` signature. */
  readonly signature: Bytes;
}

/**
 * Decodes a tagged COSE_Sign1.
 * @param bytes - the encoded `#6.18([protected, unprotected, payload, signature])`.
 * @param what - names the token in errors ("platform token").
 * @throws {@link TokenError} `TOKEN_CBOR_*`, `TOKEN_TAG_INVALID`, `TOKEN_COSE_INVALID` or
 * `TOKEN_COSE_ALG_UNSUPPORTED`.
 */
export function decodeCoseSign1(bytes: Uint8Array, what: string): CoseSign1 {
  const item = decodeCbor(bytes, what);
  if (!(item instanceof CborTag) || item.tag !== COSE_SIGN1_TAG) {
    throw new TokenError('TOKEN_TAG_INVALID', `the ${what} is not a tagged COSE_Sign1`, {
      details: `expected tag ${COSE_SIGN1_TAG}, got ${item instanceof CborTag ? `tag ${item.tag}` : 'no tag'}`,
    });
  }
  const body = item.value;
  if (!Array.isArray(body) || body.length !== 4) {
    throw coseInvalid(what, 'a COSE_Sign1 is an array of 4 items');
  }
  const [protectedHeader, unprotected, payload, signature] = body as unknown[];
  if (!(protectedHeader instanceof Uint8Array))
    throw coseInvalid(what, 'the protected header is not a byte string');
  if (!(unprotected instanceof Map)) throw coseInvalid(what, 'the unprotected header is not a map');
  if (!(payload instanceof Uint8Array))
    throw coseInvalid(what, 'the payload is not a byte string (detached payloads are not allowed)');
  if (!(signature instanceof Uint8Array))
    throw coseInvalid(what, 'the signature is not a byte string');
  const header =
    protectedHeader.length === 0
      ? new Map()
      : decodeCbor(protectedHeader, `${what} protected header`);
  if (!(header instanceof Map)) throw coseInvalid(what, 'the protected header is not a map');
  const alg = header.get(1);
  if (alg === undefined) throw coseInvalid(what, 'the protected header has no alg (1)');
  if (typeof alg !== 'number' || !ALGORITHMS.has(alg)) {
    throw new TokenError(
      'TOKEN_COSE_ALG_UNSUPPORTED',
      `unsupported COSE algorithm in the ${what}`,
      {
        details: `expected ES256 (-7), ES384 (-35) or ES512 (-36), got ${String(alg)}`,
      },
    );
  }
  return {
    protectedHeader: protectedHeader as Bytes,
    alg: alg as CoseAlgorithm,
    payload: payload as Bytes,
    signature: signature as Bytes,
  };
}

function coseInvalid(what: string, details: string): TokenError {
  return new TokenError('TOKEN_COSE_INVALID', `malformed COSE_Sign1 in the ${what}`, { details });
}

/** The CBOR head of a byte string of `length` bytes. */
function bstrHead(length: number): Uint8Array {
  if (length < 24) return Uint8Array.of(0x40 | length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  return Uint8Array.of(
    0x5a,
    length >>> 24,
    (length >> 16) & 0xff,
    (length >> 8) & 0xff,
    length & 0xff,
  );
}

/** `84 6a "Signature1"`: the head of the Sig_structure array and its context string. */
const SIG_STRUCTURE_PREFIX = Uint8Array.of(
  0x84,
  0x6a,
  ...Array.from('Signature1', (c) => c.charCodeAt(0)),
);
/** `40`: the empty external AAD. */
const EMPTY_AAD = Uint8Array.of(0x40);

/**
 * The bytes a COSE_Sign1 signature covers: `["Signature1", protected, h'', payload]`, written
 * directly so that the carried bytes are hashed exactly as received.
 */
export function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Bytes {
  return concatBytes(
    SIG_STRUCTURE_PREFIX,
    bstrHead(protectedHeader.length),
    protectedHeader,
    EMPTY_AAD,
    bstrHead(payload.length),
    payload,
  );
}

/**
 * Verifies a decoded COSE_Sign1 with `key`. The algorithm must match the key's curve.
 * @returns whether the signature verifies.
 */
export function verifyCoseSign1(
  sign1: CoseSign1,
  key: EcPublicKey,
  crypto: CryptoProvider,
): boolean {
  const spec = ALGORITHMS.get(sign1.alg);
  if (!spec || spec.curve !== key.curve) return false;
  if (sign1.signature.length !== 2 * CURVE_FIELD_BYTES[key.curve]) return false;
  const tbs = sigStructure(sign1.protectedHeader, sign1.payload);
  return crypto.ecdsaVerify(spec.hash, key, tbs, sign1.signature);
}

/**
 * Signs `payload` as a tagged COSE_Sign1 with the algorithm of the key's curve.
 * @returns the encoded `#6.18([h'a1 01 alg', {}, payload, signature])`.
 */
export function signCoseSign1(
  payload: Uint8Array,
  key: EcPrivateKey,
  crypto: CryptoProvider,
): Bytes {
  const alg = coseAlgorithmForCurve(key.curve);
  const protectedHeader = encodeCbor(new Map([[1, alg]]));
  const spec = ALGORITHMS.get(alg)!;
  const signature = crypto.ecdsaSign(spec.hash, key, sigStructure(protectedHeader, payload));
  return encodeCbor(new CborTag(COSE_SIGN1_TAG, [protectedHeader, new Map(), payload, signature]));
}
