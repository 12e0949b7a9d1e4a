/**
 * RSI_ISLET_REALM_SEALING_KEY, Islet's vendor RSI call (Islet `rmm/src/rsi/sealing.rs`; the
 * TF-RMM fork's `handle_rsi_islet_realm_sealing_key`): the calling realm's sealing key.
 *
 * ```text
 * RSI_ISLET_REALM_SEALING_KEY(X1 flags, X2 svn) → X1..X4 = 32-byte key
 * flags bit0 KEY (0=VHUK_A, 1=VHUK_M), bit1 RIM, bit2 REALM_ID, bit3 SVN.
 * SVN greater than metadata SVN → error. (TF-RMM fork: X0 = RSI_ERROR_INPUT)
 * ```
 *
 * X0 = RSI_SUCCESS with X1..X4 = the key as four little-endian u64 words (derivation in
 * `attest/sealing-key.ts`); the key depends only on the platform's VHUK, the realm's RPV and RIM,
 * and X1, so the same realm always gets the same key and realms with different RIMs different
 * keys. Errors, each returned to the realm with nothing changed:
 * - X1 with a bit outside the four defined → RSI_ERROR_INPUT;
 * - REALM_ID or SVN in X1: they bind the key to realm metadata, which this RMM does not have
 *   (no RMI_ISLET_REALM_SET_METADATA) → RSI_ERROR_INPUT (so also any SVN the realm asks for is
 *   above its metadata's);
 * - no VHUKs from EL3 at boot → RSI_ERROR_UNKNOWN.
 *
 * **Deviation from Islet, on purpose**: Islet hashes undefined flag bits into the key, and without
 * metadata it ignores REALM_ID and SVN and returns a key that is bound to neither. Refusing them
 * keeps a realm from believing a key is bound to an SVN or a realm ID when it is not.
 * @see islet-reference.md §2.10
 * @module
 */
import {
  ISLET_SEALING_KEY_FLAGS_MASK,
  IsletSealingKeyFlag,
  type RsiOutcome,
  RsiStatus,
} from '@islet/abi';
import { realmSealingKey } from '../attest/sealing-key.ts';
import { rimOf } from '../realm/realm.ts';
import type { RsiCall, RsiContext, RsiResultRegs } from './context.ts';
import { rsiReturn } from './context.ts';

/** X1 bits that need realm metadata. */
const METADATA_FLAGS = BigInt(IsletSealingKeyFlag.RealmId | IsletSealingKeyFlag.Svn);
const UNDEFINED_FLAGS = ~BigInt(ISLET_SEALING_KEY_FLAGS_MASK);

/**
 * RSI_ISLET_REALM_SEALING_KEY(X1 flags, X2 svn) → X1..X4 key.
 * @see islet-reference.md §2.10
 * @since 0.7.0
 */
export function rsiIsletRealmSealingKey(
  ctx: RsiContext,
  call: RsiCall,
  res: RsiResultRegs,
): RsiOutcome {
  const flags = call.args[0];
  if ((flags & UNDEFINED_FLAGS) !== 0n || (flags & METADATA_FLAGS) !== 0n) {
    return rsiReturn(res, RsiStatus.ErrorInput);
  }
  const vhuks = ctx.vhuks();
  if (vhuks === undefined) return rsiReturn(res, RsiStatus.ErrorUnknown);
  const { realm } = call;
  const key = realmSealingKey(ctx.crypto, vhuks, realm.rpv, rimOf(realm), flags);
  const words = new DataView(key.buffer, key.byteOffset, key.byteLength);
  for (let i = 0; i < 4; i++) res[1 + i] = words.getBigUint64(i * 8, true);
  return rsiReturn(res, RsiStatus.Success);
}
