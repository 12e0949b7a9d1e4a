/**
 * The {@link CryptoProvider} backed by node:crypto (OpenSSL).
 *
 * node:crypto is never imported statically, so this module loads in a browser; it is fetched with
 * `process.getBuiltinModule` (Node >= 20.16) when {@link nodeCrypto} is first called.
 *
 * **Performance**: importing an EC key into OpenSSL costs far more than one signature, so the
 * provider caches one `KeyObject` per {@link EcPrivateKey} / {@link EcPublicKey} object in a
 * `WeakMap`. Treat key objects as immutable values: mutating `d` or `point` after the first use is
 * not seen by the cache. Public keys are imported as SPKI DER (OpenSSL checks the point is on the
 * curve; a JWK import also multiplies by the order and costs six times as much), and the last
 * {@link PUBLIC_KEY_CACHE_SIZE} imported points are also cached by value: a verifier that checks a
 * RAK's point and then verifies with it, or sees the same platform's RAK in token after token,
 * imports it once.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import type { Bytes } from '../bytes.ts';
import { fromBase64, toBase64Url, toHex } from '../bytes.ts';
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
import { ecPublicKeyToSpki } from './keys.ts';
import type {
  CryptoProvider,
  Curve,
  EcPrivateKey,
  EcPublicKey,
  HashAlgorithm,
} from './provider.ts';

type NodeCryptoModule = typeof NodeCrypto;
type KeyObject = NodeCrypto.KeyObject;

const RANDOM_MAX = 2 ** 31 - 1;

/** node:crypto if this runtime has it, else `undefined`. Never throws. */
function loadNodeCrypto(): NodeCryptoModule | undefined {
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    const mod = proc?.getBuiltinModule?.('node:crypto');
    return mod === undefined || mod === null ? undefined : (mod as NodeCryptoModule);
  } catch {
    return undefined;
  }
}

/** Bytes of plaintext per `update` when sealing (see `aesGcmEncrypt`). */
const GCM_CHUNK = 64 * 1024;

/** A view of a node Buffer as `Bytes`; copies only when the Buffer shares a pool slab. */
function fromBuffer(buf: Uint8Array): Bytes {
  const ab = buf.buffer;
  if (ab instanceof ArrayBuffer && buf.byteOffset === 0 && buf.byteLength === ab.byteLength) {
    return new Uint8Array(ab, 0, buf.byteLength);
  }
  return new Uint8Array(buf);
}

function privateJwk(key: EcPrivateKey): NodeCrypto.JsonWebKey {
  const f = CURVES[key.curve].fieldBytes;
  const p = key.publicKey.point;
  return {
    kty: 'EC',
    crv: key.curve,
    d: toBase64Url(key.d),
    x: toBase64Url(p.subarray(1, 1 + f)),
    y: toBase64Url(p.subarray(1 + f)),
  };
}

/** node:crypto's AES-GCM cipher name by key length: made once, not per call. */
const GCM_BY_KEY_LENGTH: Readonly<Record<number, NodeCrypto.CipherGCMTypes>> = {
  16: 'aes-128-gcm',
  24: 'aes-192-gcm',
  32: 'aes-256-gcm',
};

/** How many public keys the provider keeps imported by value. */
export const PUBLIC_KEY_CACHE_SIZE = 256;

function makeNodeProvider(c: NodeCryptoModule): CryptoProvider {
  /**
   * The one-shot digest, `crypto.hash` (Node >= 20.12), asked for a `'binary'` (latin1) string:
   * it builds no `Hash` object and allocates no `Buffer`, so a digest costs ~0.35 µs of call
   * overhead instead of ~1.2 µs through `createHash().update().digest()` (Node 20.20). That
   * overhead is most of the cost of hashing a 256-byte measurement descriptor, and a quarter of
   * hashing a 4 KiB granule. `createHash` stays the fallback.
   */
  const oneShot = typeof c.hash === 'function' ? c.hash : undefined;
  const privateKeys = new WeakMap<EcPrivateKey, KeyObject>();
  const publicKeys = new WeakMap<EcPublicKey, KeyObject>();
  /** Imported points by value (`curve:hex`), oldest first; `null` records an off-curve point. */
  const publicKeysByValue = new Map<string, KeyObject | null>();

  /** The KeyObject of a well-shaped point, or `null` when OpenSSL rejects it (off the curve). */
  const importPoint = (curve: Curve, point: Uint8Array): KeyObject | null => {
    const id = `${curve}:${toHex(point)}`;
    let ko = publicKeysByValue.get(id);
    if (ko === undefined) {
      try {
        const der = ecPublicKeyToSpki({ curve, point });
        ko = c.createPublicKey({ key: der as Buffer, format: 'der', type: 'spki' });
      } catch {
        ko = null;
      }
      if (publicKeysByValue.size >= PUBLIC_KEY_CACHE_SIZE) {
        publicKeysByValue.delete(publicKeysByValue.keys().next().value as string);
      }
      publicKeysByValue.set(id, ko);
    }
    return ko;
  };

  const privateKeyObject = (key: EcPrivateKey): KeyObject => {
    let ko = privateKeys.get(key);
    if (ko === undefined) {
      curveInfo(key.curve);
      try {
        ko = c.createPrivateKey({ key: privateJwk(key), format: 'jwk' });
      } catch (cause) {
        throw new IsletError('CRYPTO_KEY_INVALID', 'invalid private key', {
          details: `node:crypto rejected the ${key.curve} key`,
          cause,
        });
      }
      privateKeys.set(key, ko);
    }
    return ko;
  };

  /** The KeyObject of a public key, or `undefined` when the point is not on the curve. */
  const publicKeyObject = (key: EcPublicKey): KeyObject | undefined => {
    let ko = publicKeys.get(key);
    if (ko === undefined) {
      if (!Object.hasOwn(CURVES, key.curve) || !isUncompressedShape(key.curve, key.point)) {
        return undefined;
      }
      const imported = importPoint(key.curve, key.point);
      if (imported === null) return undefined;
      ko = imported;
      publicKeys.set(key, ko);
    }
    return ko;
  };

  const fromPrivate = (curve: Curve, d: Uint8Array): EcPrivateKey => {
    const info = curveInfo(curve);
    const scalar = checkScalar(curve, d);
    let point: Bytes;
    try {
      const ecdh = c.createECDH(info.opensslName);
      ecdh.setPrivateKey(scalar);
      point = fromBuffer(ecdh.getPublicKey());
    } catch (cause) {
      throw new IsletError('CRYPTO_KEY_INVALID', 'invalid private key', { cause });
    }
    return Object.freeze({ curve, d: scalar, publicKey: Object.freeze({ curve, point }) });
  };

  return Object.freeze({
    name: 'node',

    hash(alg: HashAlgorithm, data: Uint8Array): Bytes {
      const len = checkHash(alg);
      if (oneShot !== undefined) {
        const s = oneShot(alg, data, 'binary');
        const out = new Uint8Array(len);
        for (let i = 0; i < len; i++) out[i] = s.charCodeAt(i);
        return out;
      }
      return fromBuffer(c.createHash(alg).update(data).digest());
    },

    hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Bytes {
      checkHash(alg);
      return fromBuffer(c.createHmac(alg, key).update(data).digest());
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
      return new Uint8Array(c.hkdfSync(alg, ikm, salt, info, length));
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
      const alg = GCM_BY_KEY_LENGTH[key.length]!;
      // GCM's tag is 16 bytes unless asked otherwise.
      const cipher = c.createCipheriv(alg, key, iv);
      if (aad !== undefined) cipher.setAAD(aad);
      // GCM's ciphertext is as long as the plaintext: the result is allocated once and filled a
      // chunk at a time, each chunk copied while it is still in cache (a whole-input `update`
      // and one copy of it cost about half again as much for a MiB).
      // Uninitialised memory, every byte of which is written below: a zeroed MiB is a fresh mapping
      // whose page faults cost as much as the copy.
      const size = offset + plaintext.length + 16;
      const out = new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);
      out.fill(0, 0, offset);
      let at = offset;
      for (let i = 0; i < plaintext.length; i += GCM_CHUNK) {
        const part = cipher.update(plaintext.subarray(i, i + GCM_CHUNK));
        out.set(part, at);
        at += part.length;
      }
      const tail = cipher.final();
      out.set(tail, at);
      out.set(cipher.getAuthTag(), at + tail.length);
      return out;
    },

    aesEncryptBlock(key: Uint8Array, block: Uint8Array): Bytes {
      checkAesBlock(key, block);
      const cipher = c.createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
      cipher.setAutoPadding(false);
      return fromBuffer(cipher.update(block));
    },

    aesGcmDecrypt(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Bytes {
      checkAesGcm(key, iv);
      if (sealed.length < 16) {
        throw new IsletError('CRYPTO_AEAD_AUTH', 'AES-GCM authentication failed', {
          details: `the sealed input is ${sealed.length} bytes, shorter than the 16-byte tag`,
        });
      }
      const alg = GCM_BY_KEY_LENGTH[key.length]!;
      const split = sealed.length - 16;
      try {
        const decipher = c.createDecipheriv(alg, key, iv, { authTagLength: 16 });
        decipher.setAuthTag(sealed.subarray(split));
        if (aad !== undefined) decipher.setAAD(aad);
        const head = decipher.update(sealed.subarray(0, split));
        const tail = decipher.final();
        // GCM's final adds nothing: the plaintext is `head`, viewed rather than copied.
        if (tail.length === 0) return fromBuffer(head);
        const out = new Uint8Array(head.length + tail.length);
        out.set(head, 0);
        out.set(tail, head.length);
        return out;
      } catch (cause) {
        throw new IsletError('CRYPTO_AEAD_AUTH', 'AES-GCM authentication failed', { cause });
      }
    },

    randomBytes(length: number): Bytes {
      checkLength(length, RANDOM_MAX, 'random');
      return c.randomFillSync(new Uint8Array(length));
    },

    ecGenerate(curve: Curve): EcPrivateKey {
      curveInfo(curve);
      const pair = c.generateKeyPairSync('ec', { namedCurve: curve });
      const jwk = pair.privateKey.export({ format: 'jwk' });
      const d = fromBase64(jwk.d ?? '');
      const x = fromBase64(jwk.x ?? '');
      const y = fromBase64(jwk.y ?? '');
      const point = new Uint8Array(1 + x.length + y.length);
      point[0] = 0x04;
      point.set(x, 1);
      point.set(y, 1 + x.length);
      const publicKey: EcPublicKey = Object.freeze({ curve, point });
      const key: EcPrivateKey = Object.freeze({ curve, d, publicKey });
      privateKeys.set(key, pair.privateKey);
      publicKeys.set(publicKey, pair.publicKey);
      return key;
    },

    ecFromPrivate: fromPrivate,

    ecIsValidPoint(curve: Curve, point: Uint8Array): boolean {
      if (!Object.hasOwn(CURVES, curve) || !isUncompressedShape(curve, point)) return false;
      return importPoint(curve, point) !== null;
    },

    ecdsaSign(hash: HashAlgorithm, key: EcPrivateKey, message: Uint8Array): Bytes {
      checkHash(hash);
      const ko = privateKeyObject(key);
      return fromBuffer(c.sign(hash, message, { key: ko, dsaEncoding: 'ieee-p1363' }));
    },

    ecdsaVerify(
      hash: HashAlgorithm,
      key: EcPublicKey,
      message: Uint8Array,
      signature: Uint8Array,
    ): boolean {
      if (!Object.hasOwn(CURVES, key.curve)) return false;
      if (signature.length !== 2 * CURVES[key.curve].fieldBytes) return false;
      checkHash(hash);
      const ko = publicKeyObject(key);
      if (ko === undefined) return false;
      try {
        return c.verify(hash, message, { key: ko, dsaEncoding: 'ieee-p1363' }, signature);
      } catch {
        return false;
      }
    },
  });
}

let provider: CryptoProvider | undefined;

/**
 * The provider backed by node:crypto. Memoized: every call returns the same object, which shares
 * one KeyObject cache.
 *
 * @example
 * ```ts
 * const crypto = nodeCrypto();
 * toHex(crypto.hash('sha256', new TextEncoder().encode('abc'))); // 'ba7816bf…'
 * ```
 * @returns the provider.
 * @throws {@link IsletError} `CRYPTO_UNAVAILABLE` when this runtime has no node:crypto (a browser,
 * or Node older than 20.16).
 * @since 0.1.0
 */
export function nodeCrypto(): CryptoProvider {
  if (provider !== undefined) return provider;
  const c = loadNodeCrypto();
  if (c === undefined) {
    throw new IsletError('CRYPTO_UNAVAILABLE', 'node:crypto is not available', {
      details: 'use nobleCrypto in browsers; Node needs process.getBuiltinModule (>= 20.16)',
    });
  }
  provider = makeNodeProvider(c);
  return provider;
}

/** Whether {@link nodeCrypto} can be used in this runtime. */
export function hasNodeCrypto(): boolean {
  return loadNodeCrypto() !== undefined;
}
