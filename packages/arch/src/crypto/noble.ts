/**
 * The {@link CryptoProvider} backed by @noble/hashes, @noble/curves and @noble/ciphers: pure
 * JavaScript, for browsers and as an independent cross-check of {@link nodeCrypto}.
 *
 * ECDSA signs `hash(message)` with the requested hash (`prehash: false` on the precomputed digest),
 * uses RFC 6979 deterministic nonces, and neither produces nor requires low-S signatures
 * (`lowS: false`), matching OpenSSL: node:crypto emits high-S signatures half of the time.
 *
 * **Security**: noble aims at constant time but JavaScript gives no guarantees; this is an
 * emulator's provider, not a security boundary.
 * @module
 */
import { ecb, gcm } from '@noble/ciphers/aes.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import type { Bytes } from '../bytes.ts';
import { IsletError } from '../errors.ts';
import {
  CURVES,
  checkAesBlock,
  checkAesGcm,
  checkHash,
  checkLength,
  checkScalar,
  curveInfo,
  isUncompressedShape,
} from '../internal/curves.ts';
import type {
  CryptoProvider,
  Curve,
  EcPrivateKey,
  EcPublicKey,
  HashAlgorithm,
} from './provider.ts';

const ECDSA_CURVES: { readonly [c in Curve]: ECDSA } = {
  'P-256': p256,
  'P-384': p384,
  'P-521': p521,
};
const HASHES = { sha256, sha384, sha512 } as const;
const SIGN_OPTS = { prehash: false, lowS: false, format: 'compact' } as const;
const RANDOM_MAX = 2 ** 31 - 1;
const RANDOM_CHUNK = 65536;

function digest(alg: HashAlgorithm, data: Uint8Array): Bytes {
  checkHash(alg);
  return HASHES[alg](data);
}

function fromPrivate(curve: Curve, d: Uint8Array): EcPrivateKey {
  curveInfo(curve);
  const scalar = checkScalar(curve, d);
  const point: Bytes = ECDSA_CURVES[curve].getPublicKey(scalar, false);
  return Object.freeze({ curve, d: scalar, publicKey: Object.freeze({ curve, point }) });
}

function isValidPoint(curve: Curve, point: Uint8Array): boolean {
  if (!Object.hasOwn(CURVES, curve) || !isUncompressedShape(curve, point)) return false;
  try {
    ECDSA_CURVES[curve].Point.fromBytes(point);
    return true;
  } catch {
    return false;
  }
}

/**
 * The provider backed by @noble. Stateless; works in every JavaScript runtime with
 * `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * const key = nobleCrypto.ecGenerate('P-384');
 * const sig = nobleCrypto.ecdsaSign('sha384', key, msg);
 * nobleCrypto.ecdsaVerify('sha384', key.publicKey, msg, sig); // true
 * ```
 * @since 0.1.0
 */
export const nobleCrypto: CryptoProvider = Object.freeze({
  name: 'noble',

  hash: digest,

  hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Bytes {
    checkHash(alg);
    return hmac(HASHES[alg], key, data);
  },

  hkdf(
    alg: HashAlgorithm,
    ikm: Uint8Array,
    salt: Uint8Array,
    info: Uint8Array,
    length: number,
  ): Bytes {
    checkLength(length, 255 * checkHash(alg), 'HKDF output');
    if (length === 0) return new Uint8Array(0);
    return hkdf(HASHES[alg], ikm, salt, info, length);
  },

  aesGcmEncrypt(
    key: Uint8Array,
    iv: Uint8Array,
    plaintext: Uint8Array,
    aad?: Uint8Array,
    offset = 0,
  ): Bytes {
    checkAesGcm(key, iv);
    checkLength(offset, 2 ** 30, 'ciphertext offset');
    const sealed = gcm(key, iv, aad).encrypt(plaintext);
    if (offset === 0) return sealed;
    const out = new Uint8Array(offset + sealed.length);
    out.set(sealed, offset);
    return out;
  },

  aesEncryptBlock(key: Uint8Array, block: Uint8Array): Bytes {
    checkAesBlock(key, block);
    return ecb(key, { disablePadding: true }).encrypt(block);
  },

  aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Bytes {
    checkAesGcm(key, iv);
    try {
      return gcm(key, iv, aad).decrypt(sealed);
    } catch (cause) {
      throw new IsletError('CRYPTO_AEAD_AUTH', 'AES-GCM authentication failed', { cause });
    }
  },

  randomBytes(length: number): Bytes {
    checkLength(length, RANDOM_MAX, 'random');
    if (length <= RANDOM_CHUNK) return randomBytes(length);
    // crypto.getRandomValues, under noble, fills at most 64 KiB per call.
    const out = new Uint8Array(length);
    for (let off = 0; off < length; off += RANDOM_CHUNK) {
      out.set(randomBytes(Math.min(RANDOM_CHUNK, length - off)), off);
    }
    return out;
  },

  ecGenerate(curve: Curve): EcPrivateKey {
    curveInfo(curve);
    return fromPrivate(curve, ECDSA_CURVES[curve].utils.randomSecretKey());
  },

  ecFromPrivate: fromPrivate,

  ecIsValidPoint: isValidPoint,

  ecdsaSign(hash: HashAlgorithm, key: EcPrivateKey, message: Uint8Array): Bytes {
    const h = digest(hash, message);
    curveInfo(key.curve);
    return ECDSA_CURVES[key.curve].sign(h, key.d, SIGN_OPTS);
  },

  ecdsaVerify(
    hash: HashAlgorithm,
    key: EcPublicKey,
    message: Uint8Array,
    signature: Uint8Array,
  ): boolean {
    if (!Object.hasOwn(CURVES, key.curve)) return false;
    if (signature.length !== 2 * CURVES[key.curve].fieldBytes) return false;
    if (!isUncompressedShape(key.curve, key.point)) return false;
    const h = digest(hash, message);
    try {
      return ECDSA_CURVES[key.curve].verify(signature, h, key.point, SIGN_OPTS);
    } catch {
      return false;
    }
  },
});
