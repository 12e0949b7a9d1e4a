/**
 * Realm sealing keys, as Islet's RMM derives them for `RSI_ISLET_REALM_SEALING_KEY(flags, svn)`
 * from the VHUKs that HES provides:
 *
 * ```
 * key  = HKDF-SHA256(salt = SEALING_KEY_SALT, ikm = flags & USE_VHUK_M ? VHUK_M : VHUK_A, info, L = 32)
 * info = packed, little-endian, 369 bytes:
 *   public_key[96]  realm metadata public key (P-384 X ‖ Y)   whenever metadata exists
 *   realm_id[128]   realm metadata realm ID, NUL-padded        if flags & REALM_ID (and metadata)
 *   rpv[64]         realm personalization value                always
 *   flags   u64     the flags exactly as given                 always
 *   rim[64]         RIM, zero-padded to 64 bytes               if flags & RIM, or when no metadata
 *   hash_algo u8    always 0 (Islet never fills it)
 *   svn     u64     the requested SVN                          if flags & SVN (and metadata)
 * ```
 *
 * With metadata and `flags & SVN`, an SVN above the metadata's SVN is refused. Fields not selected
 * are zero, so each selected input changes the key and each unselected one does not.
 * @see islet-reference.md §2.10; Islet `rmm/src/rsi/sealing.rs`, `doc/components/sealing.md`
 * @module
 */
import type { Bytes, CryptoProvider } from '@islet/arch';
import { fromHex } from '@islet/arch';
import { HesError } from './errors.ts';
import { checkBytes } from './internal/check.ts';

/** Flag bits of `RSI_ISLET_REALM_SEALING_KEY` X1. */
export const SealingKeyFlag = {
  /** `RSI_ISLET_USE_VHUK_M`: derive from VHUK_M (firmware-bound) instead of VHUK_A. */
  UseVhukM: 0x1,
  /** `RSI_ISLET_SLK_RIM`: bind to the realm initial measurement. */
  Rim: 0x2,
  /** `RSI_ISLET_SLK_REALM_ID`: bind to the realm ID of the realm metadata. */
  RealmId: 0x4,
  /** `RSI_ISLET_SLK_SVN`: bind to the requested security version number. */
  Svn: 0x8,
} as const;

/** One of the {@link SealingKeyFlag} bits. */
export type SealingKeyFlag = (typeof SealingKeyFlag)[keyof typeof SealingKeyFlag];

/** The HKDF salt of every sealing key (Islet `SALT`). */
export const SEALING_KEY_SALT: Bytes = fromHex(
  'd5775f524ace3221ce771ed274bb74a460ce3fb9749ce37d0ae6d2e907f8b54b',
);
/** Length of a sealing key. */
export const SEALING_KEY_SIZE = 32;
/** Length of the packed HKDF info. */
export const SEALING_KEY_INFO_SIZE = 369;
/** Length of the realm metadata public key (P-384 X ‖ Y). */
export const REALM_METADATA_PUBLIC_KEY_SIZE = 96;
/** Length of the realm metadata realm ID field. */
export const REALM_ID_SIZE = 128;
/** Length of the realm personalization value. */
export const RPV_SIZE = 64;
/** Length of the RIM field (the longest measurement). */
const RIM_FIELD_SIZE = 64;

/** The fields of Islet realm metadata (`RMI_ISLET_REALM_SET_METADATA`) that sealing uses. */
export interface RealmSealingMetadata {
  /** The metadata signing key, P-384 `X ‖ Y`, 96 bytes. */
  readonly publicKey: Uint8Array;
  /** The realm ID: printable ASCII of at most 127 characters, or the 128-byte NUL-padded field. */
  readonly realmId: string | Uint8Array;
  /** The realm's security version number. */
  readonly svn: number | bigint;
}

/** The realm-side inputs of a sealing key. */
export interface RealmSealingInput {
  /** `RSI_ISLET_REALM_SEALING_KEY` X1: a combination of {@link SealingKeyFlag} bits (a u64). */
  readonly flags: number | bigint;
  /** `RSI_ISLET_REALM_SEALING_KEY` X2: the requested SVN (a u64). */
  readonly svn: number | bigint;
  /** The realm personalization value, 64 bytes. */
  readonly rpv: Uint8Array;
  /** The realm initial measurement, 32 or 64 bytes (zero-padded to 64). */
  readonly rim: Uint8Array;
  /** The realm's metadata, if the host set any. */
  readonly metadata?: RealmSealingMetadata;
}

/** Everything a sealing key is derived from. */
export interface SealingKeyInput extends RealmSealingInput {
  /** VHUK_A from HES, 32 bytes. */
  readonly vhukA: Uint8Array;
  /** VHUK_M from HES, 32 bytes. */
  readonly vhukM: Uint8Array;
}

/**
 * The packed HKDF info of a sealing key (see the module header for the layout).
 * @returns 369 bytes.
 * @throws {@link HesError} `HES_ARGUMENT_INVALID` for a field of the wrong size or range,
 * `HES_SEALING_SVN_INVALID` for an SVN above the metadata's.
 * @since 0.1.0
 */
export function sealingKeyInfo(input: RealmSealingInput): Bytes {
  const flags = toU64(input.flags, 'the sealing key flags');
  const svn = toU64(input.svn, 'the SVN');
  checkBytes(input.rpv, 'the RPV', RPV_SIZE);
  checkBytes(input.rim, 'the RIM', 32, RIM_FIELD_SIZE);
  const info = new Uint8Array(SEALING_KEY_INFO_SIZE);
  const view = new DataView(info.buffer);
  const has = (bit: number): boolean => (flags & BigInt(bit)) !== 0n;
  let offset = REALM_METADATA_PUBLIC_KEY_SIZE + REALM_ID_SIZE;
  info.set(input.rpv, offset);
  offset += RPV_SIZE;
  view.setBigUint64(offset, flags, true);
  offset += 8;
  const rimOffset = offset;
  const svnOffset = rimOffset + RIM_FIELD_SIZE + 1;

  const metadata = input.metadata;
  if (metadata !== undefined) {
    checkBytes(metadata.publicKey, 'the metadata public key', REALM_METADATA_PUBLIC_KEY_SIZE);
    const metadataSvn = toU64(metadata.svn, 'the metadata SVN');
    if (has(SealingKeyFlag.Svn) && metadataSvn < svn) {
      throw new HesError('HES_SEALING_SVN_INVALID', "the requested SVN is above the realm's SVN", {
        details: `requested ${svn}, realm metadata has ${metadataSvn}`,
      });
    }
    info.set(metadata.publicKey, 0);
    if (has(SealingKeyFlag.RealmId)) {
      info.set(realmIdField(metadata.realmId), REALM_METADATA_PUBLIC_KEY_SIZE);
    }
    if (has(SealingKeyFlag.Svn)) view.setBigUint64(svnOffset, svn, true);
  }
  if (has(SealingKeyFlag.Rim) || metadata === undefined) info.set(input.rim, rimOffset);
  return info;
}

/**
 * Derives a realm sealing key.
 * @returns 32 bytes.
 * @throws {@link HesError} as {@link sealingKeyInfo}; `HES_ARGUMENT_INVALID` for a VHUK that is not
 * 32 bytes.
 * @example
 * ```ts
 * const key = deriveSealingKey(
 *   { vhukA, vhukM, flags: SealingKeyFlag.UseVhukM | SealingKeyFlag.Rim, svn: 0, rpv, rim },
 *   crypto,
 * );
 * ```
 * @since 0.1.0
 */
export function deriveSealingKey(input: SealingKeyInput, crypto: CryptoProvider): Bytes {
  checkBytes(input.vhukA, 'VHUK_A', 32);
  checkBytes(input.vhukM, 'VHUK_M', 32);
  const info = sealingKeyInfo(input);
  const flags = toU64(input.flags, 'the sealing key flags');
  const ikm = (flags & BigInt(SealingKeyFlag.UseVhukM)) !== 0n ? input.vhukM : input.vhukA;
  return crypto.hkdf('sha256', ikm, SEALING_KEY_SALT, info, SEALING_KEY_SIZE);
}

function toU64(v: unknown, what: string): bigint {
  if (typeof v === 'bigint' && v >= 0n && v < 1n << 64n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new HesError('HES_ARGUMENT_INVALID', `${what} must be an unsigned 64-bit integer`);
}

function realmIdField(id: unknown): Uint8Array {
  if (id instanceof Uint8Array) {
    checkBytes(id, 'the realm ID field', REALM_ID_SIZE);
    return id;
  }
  if (typeof id !== 'string' || id.length >= REALM_ID_SIZE || !/^[\x20-\x7e]*$/.test(id)) {
    throw new HesError(
      'HES_ARGUMENT_INVALID',
      `the realm ID must be printable ASCII of at most ${REALM_ID_SIZE - 1} characters`,
    );
  }
  const field = new Uint8Array(REALM_ID_SIZE);
  for (let i = 0; i < id.length; i++) field[i] = id.charCodeAt(i);
  return field;
}
