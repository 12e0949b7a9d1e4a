/**
 * Decoding the level and address arguments of the RTT commands, once, at the handler boundary
 * (STYLE.md §6: registers are bigint, levels and IPAs become numbers).
 *
 * ```text
 * Level arguments are 64-bit signed ((long)ulevel); -1 = 0xFFFFFFFFFFFFFFFF (LPA2 only).
 * validate_map_addr(ipa, level): ipa < 2^s2sz AND ipa aligned to the level's block size
 * (L3 4K, L2 2M, L1 1G, L0 512G, L-1 256T) and < 2^48 (2^52 LPA2).
 * PAR (protected IPA range) = [0, 2^(s2sz-1)); unprotected = [2^(s2sz-1), 2^s2sz).
 * ```
 * @module
 */
import { RTT_MIN_LEVEL_LPA2, RTT_PAGE_LEVEL, rttLevelBlockSize } from '@islet/abi';
import type { Realm } from '../realm/realm.ts';

/**
 * A level no RTT has: what {@link levelFromRegister} returns for any register value outside
 * −1..3, so every range check fails on it.
 * @since 0.3.0
 */
export const RTT_LEVEL_NONE = 4;

/**
 * A level register as TF-RMM reads it (`(long)ulevel`): 0..3 and −1 (0xFFFF_FFFF_FFFF_FFFF) as
 * themselves, anything else as {@link RTT_LEVEL_NONE}.
 * @since 0.3.0
 */
export function levelFromRegister(x: bigint): number {
  if (x <= BigInt(RTT_PAGE_LEVEL)) return Number(x);
  return x === 0xffff_ffff_ffff_ffffn ? RTT_MIN_LEVEL_LPA2 : RTT_LEVEL_NONE;
}

/**
 * What {@link validateMapAddr} returns for an address that fails.
 * @since 0.3.0
 */
export const NO_IPA = -1;

/**
 * TF-RMM `validate_map_addr(ipa, level, rd)`: the IPA as a number if it is below 2^s2sz (which is
 * at most 2^48, or 2^52 with LPA2) and aligned to `level`'s block size, else {@link NO_IPA}.
 * @param level - in −1..3.
 * @see rmm-abi.md §1.5
 * @since 0.3.0
 */
export function validateMapAddr(x: bigint, level: number, realm: Realm): number {
  if (x >= IPA_LIMIT[realm.s2sz]!) return NO_IPA;
  const ipa = Number(x);
  return ipa % rttLevelBlockSize(level) === 0 ? ipa : NO_IPA;
}

/**
 * Whether `ipa` is in the realm's protected IPA range [0, 2^(s2sz−1)).
 * @see rmm-abi.md §1.5
 * @since 0.3.0
 */
export function addrInPar(ipa: number, realm: Realm): boolean {
  return ipa < PAR_SIZE[realm.s2sz]!;
}

/** 2^s2sz as a bigint and 2^(s2sz−1) as a number, for s2sz 0..52: computed once, not per call. */
const IPA_LIMIT: readonly bigint[] = Array.from({ length: 53 }, (_, s) => 1n << BigInt(s));
const PAR_SIZE: readonly number[] = Array.from({ length: 53 }, (_, s) => 2 ** (s - 1));
