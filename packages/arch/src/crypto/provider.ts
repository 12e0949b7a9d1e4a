/**
 * The crypto provider port: every hash, MAC, KDF, cipher and signature in the stack goes through it,
 * so one implementation backed by node:crypto and one backed by @noble run the same code and the
 * same tests. All calls are synchronous: the RMM and HES models use them inside ABI handlers.
 * @module
 */
import type { Bytes } from '../bytes.ts';

/** Hash algorithms of the CCA stack (RMM measurements, token binding, HKDF, HMAC). */
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** NIST curves used by CCA keys (CPAK, RAK, platform attestation). */
export type Curve = 'P-256' | 'P-384' | 'P-521';

/**
 * An EC public key as an uncompressed SEC1 point `04 || X || Y`.
 *
 * Providers may cache a parsed form keyed by the object, so treat keys as immutable values.
 */
export interface EcPublicKey {
  readonly curve: Curve;
  /** `0x04 || X || Y`: 65 bytes for P-256, 97 for P-384, 133 for P-521. */
  readonly point: Uint8Array;
}

/** An EC private key: its scalar `d`, big-endian, the curve's field length. */
export interface EcPrivateKey {
  readonly curve: Curve;
  /** The private scalar, big-endian, 32/48/66 bytes. */
  readonly d: Uint8Array;
  /** The matching public key. */
  readonly publicKey: EcPublicKey;
}

/**
 * The operations every layer needs. Implementations: {@link nodeCrypto} (node:crypto) and
 * {@link nobleCrypto} (@noble/hashes and @noble/curves, for browsers and as a cross-check).
 *
 * **Errors**: argument errors (wrong key or IV length, a point off the curve) throw `IsletError`
 * with a `CRYPTO_*` code; a failed verification returns `false`; a failed AEAD open throws
 * `CRYPTO_AEAD_AUTH`.
 */
export interface CryptoProvider {
  /** The implementation's name, for reports and benchmarks. */
  readonly name: string;
  /** Digest of `data`. */
  hash(alg: HashAlgorithm, data: Uint8Array): Bytes;
  /** HMAC of `data` under `key`. */
  hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Bytes;
  /** HKDF (RFC 5869) extract-and-expand to `length` bytes. */
  hkdf(
    alg: HashAlgorithm,
    ikm: Uint8Array,
    salt: Uint8Array,
    info: Uint8Array,
    length: number,
  ): Bytes;
  /**
   * AES encryption of one 16-byte block (AES-ECB of a single block), the primitive of the
   * NIST SP 800-108 style seed derivation HES uses. Key 16/24/32 bytes.
   */
  aesEncryptBlock(key: Uint8Array, block: Uint8Array): Bytes;
  /**
   * AES-GCM seal with a 16-byte tag: returns `ciphertext || tag`, after `offset` zero bytes (room
   * for a header, without copying the ciphertext again). Key 16/24/32 bytes, IV 12 bytes.
   */
  aesGcmEncrypt(
    key: Uint8Array,
    iv: Uint8Array,
    plaintext: Uint8Array,
    aad?: Uint8Array,
    offset?: number,
  ): Bytes;
  /** AES-GCM open of `ciphertext || tag`; throws `CRYPTO_AEAD_AUTH` when the tag does not match. */
  aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Bytes;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Bytes;
  /** A fresh random key pair. */
  ecGenerate(curve: Curve): EcPrivateKey;
  /** The key pair of a given scalar; throws `CRYPTO_KEY_INVALID` if `d` is zero or not below the order. */
  ecFromPrivate(curve: Curve, d: Uint8Array): EcPrivateKey;
  /** Whether `point` is an uncompressed point on `curve`. */
  ecIsValidPoint(curve: Curve, point: Uint8Array): boolean;
  /** ECDSA over `hash(message)`; returns raw `r || s` (IEEE P1363), each the curve's field length. */
  ecdsaSign(hash: HashAlgorithm, key: EcPrivateKey, message: Uint8Array): Bytes;
  /** Verifies a raw `r || s` signature over `hash(message)`; false on any mismatch or malformed input. */
  ecdsaVerify(
    hash: HashAlgorithm,
    key: EcPublicKey,
    message: Uint8Array,
    signature: Uint8Array,
  ): boolean;
}

/** Byte length of one coordinate (and of the scalar) on each curve. */
export const CURVE_FIELD_BYTES: { readonly [c in Curve]: number } = {
  'P-256': 32,
  'P-384': 48,
  'P-521': 66,
};

/** Digest length of each hash. */
export const HASH_BYTES: { readonly [h in HashAlgorithm]: number } = {
  sha256: 32,
  sha384: 48,
  sha512: 64,
};
