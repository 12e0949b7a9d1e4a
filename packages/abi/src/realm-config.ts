/**
 * RsiRealmConfig: the structure RSI_REALM_CONFIG writes into a realm granule.
 *
 * The digest's layout (`struct rsi_realm_config`, written by RSI_REALM_CONFIG into a Realm granule):
 *
 * ```text
 * | Offset | Field |
 * |---|---|
 * | 0x000 | ipa_width u64 (= s2sz) |
 * | 0x008 | hash_algo u8 (0/1) (EAC5: u64) |
 * | 0x200 | rpv[64] (rel0 only) |
 * TF-RMM writes ONLY these fields; the rest of the granule is left untouched.
 * ```
 *
 * Hence the RMM uses {@link writeRealmConfig} on the mapped realm granule, never
 * {@link encodeRealmConfig} + a full-page copy.
 * @module
 */
import type { Bytes } from '@islet/arch';
import {
  checkBytes,
  checkUint,
  readSmallU64,
  structView,
  writeSmallU64,
} from './internal/codec.ts';

/** Size of the granule RsiRealmConfig lives in. @see rmm-abi.md §3.4 @since 0.1.0 */
export const REALM_CONFIG_SIZE = 0x1000;

/**
 * Offset and size (bytes) of every field of RsiRealmConfig.
 * @see rmm-abi.md §3.4
 * @since 0.1.0
 */
export const REALM_CONFIG_LAYOUT = {
  ipa_width: { offset: 0x000, size: 8 },
  hash_algo: { offset: 0x008, size: 1 },
  rpv: { offset: 0x200, size: 64 },
} as const;

/**
 * RsiRealmConfig as it is in memory.
 * @see rmm-abi.md §3.4
 * @since 0.1.0
 */
export interface RealmConfig {
  /** `ipa_width` u64 @ 0x000: the realm's s2sz (beyond 2^53 decodes as Infinity). */
  readonly ipaWidth: number;
  /** `hash_algo` u8 @ 0x008: an RsiHashAlgorithm (raw). */
  readonly hashAlgo: number;
  /** `rpv[64]` @ 0x200: Realm Personalization Value (rel0 only). */
  readonly rpv: Bytes;
}

const L = REALM_CONFIG_LAYOUT;

/**
 * Decodes RsiRealmConfig from its 4 KiB granule. Never throws on content.
 * @throws {RangeError} when `page` is not 0x1000 bytes long.
 * @see rmm-abi.md §3.4
 * @since 0.1.0
 */
export function decodeRealmConfig(page: Uint8Array): RealmConfig {
  const v = structView(page, REALM_CONFIG_SIZE, 'RsiRealmConfig');
  return {
    ipaWidth: readSmallU64(v, L.ipa_width.offset),
    hashAlgo: v.getUint8(L.hash_algo.offset),
    rpv: page.slice(L.rpv.offset, L.rpv.offset + L.rpv.size),
  };
}

/**
 * Writes ONLY the fields of RsiRealmConfig into `page`, leaving every other byte untouched, as
 * TF-RMM does.
 * @throws {RangeError} when `page` is not 0x1000 bytes or a field does not fit.
 * @see rmm-abi.md §3.4, §5.7
 * @since 0.1.0
 */
export function writeRealmConfig(page: Uint8Array, config: RealmConfig): void {
  const v = structView(page, REALM_CONFIG_SIZE, 'RsiRealmConfig');
  writeSmallU64(v, L.ipa_width.offset, config.ipaWidth, 'ipa_width');
  v.setUint8(L.hash_algo.offset, checkUint(config.hashAlgo, 8, 'hash_algo'));
  page.set(checkBytes(config.rpv, L.rpv.size, 'rpv'), L.rpv.offset);
}

/**
 * Encodes RsiRealmConfig into a fresh zeroed granule.
 * @throws {RangeError} as {@link writeRealmConfig}.
 * @see rmm-abi.md §3.4
 * @since 0.1.0
 */
export function encodeRealmConfig(config: RealmConfig): Bytes {
  const out = new Uint8Array(REALM_CONFIG_SIZE);
  writeRealmConfig(out, config);
  return out;
}
