/**
 * Realm sealing keys (Islet `rmm/src/rsi/sealing.rs realm_sealing_key`): HKDF-SHA256 over a VHUK
 * and a packed description of the realm, so that a key is bound to the platform (the VHUK) and to
 * the realm's identity.
 *
 * ```text
 * key  = HKDF-SHA256(salt = d5775f52…f8b54b, ikm = flags & USE_VHUK_M ? VHUK_M : VHUK_A, info, L = 32)
 * info = packed, little-endian, 369 bytes (Islet `KdfInfo`, `#[repr(C, packed)]`):
 *   0x000 public_key[96]  realm metadata public key       (no metadata here: zero)
 *   0x060 realm_id[128]   realm metadata realm ID         (no metadata here: zero)
 *   0x0E0 rpv[64]         realm personalization value
 *   0x120 flags u64       X1 exactly as given
 *   0x128 rim[64]         RIM slot (zero-padded): always, since the realm has no metadata
 *   0x168 hash_algo u8    0 (Islet never fills it)
 *   0x169 svn u64         (no metadata here: zero)
 * ```
 *
 * This RMM has no realm metadata (Islet's vendor RMI_ISLET_REALM_SET_METADATA), so every realm
 * derives from its RPV and RIM, as an Islet realm without metadata does. `@islet/hes`
 * `sealing-key.ts` is the same derivation with metadata, from HES's side.
 * @see islet-reference.md §2.10
 * @module
 */
import { ISLET_SEALING_KEY_SIZE, IsletSealingKeyFlag } from '@islet/abi';
import type { CryptoProvider } from '@islet/arch';
import { fromHex } from '@islet/arch';
import type { RealmVhuks } from './vhuk.ts';

/** The HKDF salt of every sealing key (Islet `SALT`). */
const SALT: Uint8Array = fromHex(
  'd5775f524ace3221ce771ed274bb74a460ce3fb9749ce37d0ae6d2e907f8b54b',
);
/** Offsets in the packed info. */
const RPV_OFFSET = 0xe0;
const FLAGS_OFFSET = 0x120;
const RIM_OFFSET = 0x128;
/** Bytes of the packed info. */
const INFO_SIZE = 369;

/**
 * The sealing key of a realm without metadata.
 * @param rpv - the realm personalization value (64 bytes).
 * @param rim - the RIM slot (64 bytes, zero beyond the digest).
 * @param flags - X1 of the call (USE_VHUK_M picks the VHUK; the whole word is bound).
 * @returns {@link ISLET_SEALING_KEY_SIZE} bytes.
 * @since 0.7.0
 */
export function realmSealingKey(
  crypto: CryptoProvider,
  vhuks: RealmVhuks,
  rpv: Uint8Array,
  rim: Uint8Array,
  flags: bigint,
): Uint8Array {
  const info = new Uint8Array(INFO_SIZE);
  info.set(rpv, RPV_OFFSET);
  new DataView(info.buffer).setBigUint64(FLAGS_OFFSET, flags, true);
  info.set(rim, RIM_OFFSET);
  const ikm = (flags & BigInt(IsletSealingKeyFlag.UseVhukM)) !== 0n ? vhuks.m : vhuks.a;
  return crypto.hkdf('sha256', ikm, SALT, info, ISLET_SEALING_KEY_SIZE);
}
