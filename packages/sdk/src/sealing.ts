/**
 * Sealing: data only the same realm, on the same platform, can read back. The key is the realm's
 * sealing key (Islet's RSI_ISLET_REALM_SEALING_KEY), never a constant: Islet's simulated mode
 * seals with a hard-coded key, this one asks the backend's RMM.
 *
 * Blob, version 1 (all of the header is authenticated as AES-GCM associated data, so the key
 * selection cannot be changed without the blob failing):
 *
 * ```text
 * 0      u8      version (1)
 * 1      u8      0
 * 2..3   u16 LE  key flags (IsletSealingKeyFlag bits: VHUK_M, RIM, realm ID, SVN)
 * 4..7   u32 LE  SVN the key is derived for
 * 8..19  12 B    random IV
 * 20..   n B     AES-256-GCM ciphertext, then its 16-byte tag
 * ```
 *
 * Islet's blob (`tag ‖ iv ‖ u64 length ‖ ciphertext`, no associated data) is not read: its key
 * cannot be reproduced off Islet's hardware anyway.
 * @module
 */
import { ISLET_SEALING_KEY_FLAGS_MASK, IsletSealingKeyFlag } from '@islet/abi';
import { type CryptoProvider, defaultCrypto, isIsletError } from '@islet/arch';
import { SdkError } from './errors.ts';
import { assertU32 } from './rsi-arguments.ts';
import type { RsiBackend } from './rsi-dispatcher.ts';

/** The blob format this module writes. */
export const SEALED_VERSION = 1;
/** Bytes before the ciphertext. */
export const SEALED_HEADER_SIZE = 20;
const IV_SIZE = 12;
const TAG_SIZE = 16;
/** IVs drawn from the CSPRNG at once. */
const IV_POOL = 256;

/**
 * The default key selection, Islet's SDK's: VHUK_M (the platform's measured firmware) and the
 * realm's RIM.
 * @since 0.8.0
 */
export const DEFAULT_SEALING_FLAGS: number = IsletSealingKeyFlag.UseVhukM | IsletSealingKeyFlag.Rim;

/** Options of {@link Sealer}. @since 0.8.0 */
export interface SealerOptions {
  /** Key selection bits (`IsletSealingKeyFlag`); default {@link DEFAULT_SEALING_FLAGS}. */
  readonly flags?: number;
  /** The SVN the key is derived for; default 0. */
  readonly svn?: number;
  /** Default: `defaultCrypto()`. */
  readonly crypto?: CryptoProvider;
}

/**
 * Seals and unseals with the sealing keys of one backend's realm. Each key is asked of the RMM
 * once, then kept: a sealing key is an RSI call away, an AES-GCM block is nanoseconds.
 * @example
 * ```ts
 * const sealer = new Sealer(backend);
 * const blob = sealer.seal(new TextEncoder().encode('secret'));
 * sealer.unseal(blob); // the bytes of 'secret'
 * ```
 * @since 0.8.0
 */
export class Sealer {
  readonly #backend: RsiBackend;
  readonly #crypto: CryptoProvider;
  readonly #flags: number;
  readonly #svn: number;
  readonly #keys = new Map<number, Uint8Array>();
  #ivs: Uint8Array = new Uint8Array(0);
  #ivAt = 0;

  /**
   * @throws {@link SdkError} `SDK_ARGUMENT_INVALID` for flag bits Islet does not define or an SVN
   *   that is not a u32.
   */
  constructor(backend: RsiBackend, options: SealerOptions = {}) {
    this.#backend = backend;
    this.#crypto = options.crypto ?? defaultCrypto();
    this.#flags = checkFlags(options.flags ?? DEFAULT_SEALING_FLAGS);
    this.#svn = options.svn ?? 0;
    assertU32(this.#svn, 'SVN');
  }

  /**
   * Encrypts `data` under the realm's key (see the module doc for the blob).
   * @throws {@link SdkError} `SDK_NOT_SUPPORTED` when the backend has no sealing key (configfs-tsm),
   *   `SDK_BACKEND_FAILED` when the RMM refuses.
   */
  seal(data: Uint8Array): Uint8Array {
    const header = new Uint8Array(SEALED_HEADER_SIZE);
    const flags = this.#flags;
    const svn = this.#svn;
    header[0] = SEALED_VERSION;
    header[2] = flags & 0xff;
    header[3] = flags >>> 8;
    header[4] = svn & 0xff;
    header[5] = (svn >>> 8) & 0xff;
    header[6] = (svn >>> 16) & 0xff;
    header[7] = svn >>> 24;
    header.set(this.#nextIv(), 8);
    const key = this.#key(flags, svn);
    const blob = this.#crypto.aesGcmEncrypt(
      key,
      header.subarray(8),
      data,
      header,
      SEALED_HEADER_SIZE,
    );
    blob.set(header);
    return blob;
  }

  /**
   * Decrypts a blob {@link seal} made in a realm with the same identity on the same platform.
   * @throws {@link SdkError} `SDK_SEALED_INVALID` when the blob is truncated, of another version,
   *   or does not authenticate (another realm, another platform, a changed bit).
   */
  unseal(blob: Uint8Array): Uint8Array {
    if (blob.length < SEALED_HEADER_SIZE + TAG_SIZE) {
      throw invalid(`${blob.length} bytes, shorter than a header and a tag`);
    }
    if (blob[0] !== SEALED_VERSION || blob[1] !== 0) {
      throw invalid(`version ${blob[0]}.${blob[1]}; this SDK reads version ${SEALED_VERSION}`);
    }
    const flags = blob[2]! | (blob[3]! << 8);
    if ((flags & ~ISLET_SEALING_KEY_FLAGS_MASK) !== 0) {
      throw invalid(`key flags 0x${flags.toString(16)} are not Islet's`);
    }
    const svn = (blob[4]! | (blob[5]! << 8) | (blob[6]! << 16) | (blob[7]! << 24)) >>> 0;
    const header = blob.subarray(0, SEALED_HEADER_SIZE);
    const key = this.#key(flags, svn);
    try {
      return this.#crypto.aesGcmDecrypt(
        key,
        header.subarray(8),
        blob.subarray(SEALED_HEADER_SIZE),
        header,
      );
    } catch (err) {
      if (isIsletError(err, 'CRYPTO_AEAD_AUTH')) {
        throw invalid('it does not authenticate: sealed by another realm or platform, or changed', {
          cause: err,
        });
      }
      throw err;
    }
  }

  /**
   * A fresh random IV: a slice of a pool filled from the CSPRNG {@link IV_POOL} IVs at a time
   * (each used once), since one random call costs as much as sealing 4 KiB.
   */
  #nextIv(): Uint8Array {
    if (this.#ivAt === this.#ivs.length) {
      this.#ivs = this.#crypto.randomBytes(IV_SIZE * IV_POOL);
      this.#ivAt = 0;
    }
    const iv = this.#ivs.subarray(this.#ivAt, this.#ivAt + IV_SIZE);
    this.#ivAt += IV_SIZE;
    return iv;
  }

  #key(flags: number, svn: number): Uint8Array {
    const id = flags * 2 ** 32 + svn;
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = this.#backend.sealingKey(flags, svn);
      this.#keys.set(id, key);
    }
    return key;
  }
}

function invalid(details: string, options: { cause?: unknown } = {}): SdkError {
  return new SdkError('SDK_SEALED_INVALID', 'the sealed blob cannot be opened', {
    details,
    ...options,
  });
}

function checkFlags(flags: number): number {
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~ISLET_SEALING_KEY_FLAGS_MASK) !== 0) {
    throw new SdkError('SDK_ARGUMENT_INVALID', `sealing key flags ${flags} are not Islet's`, {
      details: `defined bits: 0x${ISLET_SEALING_KEY_FLAGS_MASK.toString(16)}`,
    });
  }
  return flags;
}
