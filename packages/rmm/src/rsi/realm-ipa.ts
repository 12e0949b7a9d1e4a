/**
 * Translating a realm IPA for the RSI commands that access a realm buffer (TF-RMM
 * `runtime/rsi/realm_ipa_helper.c realm_ipa_to_pa`): RSI_REALM_CONFIG, RSI_HOST_CALL and
 * RSI_ATTESTATION_TOKEN_CONTINUE.
 *
 * ```text
 * For RSI commands that access a Realm buffer (REALM_CONFIG, HOST_CALL, ATTESTATION_TOKEN_CONTINUE):
 * assigned_ram → accessible; RIPAS EMPTY (assigned_empty/unassigned_empty) → RSI_ERROR_INPUT;
 * anything else (unassigned_ram, *_destroyed) → emulated stage-2 data abort exit to the Host
 * (REC exit SYNC, PC not advanced; SMC is re-executed after the Host fixes the mapping).
 * ```
 *
 * The walk goes towards level 3 and stops at the first entry that is not a TABLE; an ASSIGNED RAM
 * block at level 1 or 2 maps the IPA at `OA + (ipa mod block size)`.
 * @module
 */

import type { PhysMemory } from '@islet/abi';
import {
  decodeS2tte,
  GranuleState,
  RsiRipas,
  RTT_PAGE_LEVEL,
  rttLevelBlockSize,
  S2tteType,
} from '@islet/abi';
import { assert, GRANULE_SIZE, IsletInvariantError, type PhysAddr } from '@islet/arch';
import { type GranuleTable, NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import { rttWalk } from '../rtt/rtt-walk.ts';

/**
 * How {@link realmIpaToPa} found an IPA (TF-RMM `enum s2_walk_status`).
 * @since 0.5.0
 */
export const RealmIpaStatus = {
  /** ASSIGNED with RIPAS RAM: mapped, the RMM may access it (`WALK_SUCCESS`). */
  Ram: 0,
  /** RIPAS EMPTY, assigned or not: the command answers RSI_ERROR_INPUT (`WALK_INVALID_PARAMS`). */
  Empty: 1,
  /**
   * Not mapped: UNASSIGNED RAM, or DESTROYED (`WALK_FAIL`). The command exits with an emulated
   * stage-2 data abort at the walk level.
   */
  Unmapped: 2,
} as const;
/** A {@link RealmIpaStatus}. @since 0.5.0 */
export type RealmIpaStatus = (typeof RealmIpaStatus)[keyof typeof RealmIpaStatus];

/**
 * The result of {@link realmIpaToPa}.
 * @since 0.5.0
 */
export type RealmIpa =
  | {
      readonly status: typeof RealmIpaStatus.Ram;
      /** PA of the byte at the IPA, in a DATA granule. */
      readonly pa: PhysAddr;
      /** The level of the entry that maps it (3, or 1..2 for a block). */
      readonly level: number;
    }
  | {
      readonly status: typeof RealmIpaStatus.Empty;
      /** The level the walk stopped at. */
      readonly level: number;
    }
  | {
      readonly status: typeof RealmIpaStatus.Unmapped;
      /** The level the walk stopped at (the fault level of the emulated abort). */
      readonly level: number;
      /** The entry's RIPAS: RAM or DESTROYED. */
      readonly ripas: RsiRipas;
    };

/**
 * Translates `ipa` through the realm's RTTs, walking towards level 3.
 * @param ipa - an IPA in the realm's protected range (the caller checks it first, as TF-RMM's
 * `addr_in_rec_par`).
 * @returns the PA (ASSIGNED RAM), EMPTY, or "unmapped at level l" with the entry's RIPAS.
 * @throws {@link IsletInvariantError} on a broken invariant only: an entry in the protected range
 * that has no RIPAS (a TABLE at the walk's last level, an NS entry) or an unknown encoding, or an
 * ASSIGNED RAM entry whose output address is not a DATA granule.
 * @example
 * ```ts
 * const t = realmIpaToPa(ctx.granules, ctx.memory, realm, 0x1000);
 * if (t.status === RealmIpaStatus.Ram) ctx.memory.granule(World.Realm, t.pa);
 * ```
 * @see rmm-abi.md §4.4, §4.5
 * @since 0.5.0
 */
export function realmIpaToPa(
  granules: GranuleTable,
  memory: PhysMemory,
  realm: Realm,
  ipa: number,
): RealmIpa {
  const w = rttWalk(granules, memory, realm, ipa, RTT_PAGE_LEVEL);
  const e = decodeS2tte(w.hi, w.lo, w.level, realm.lpa2);
  assert(
    e !== undefined,
    () => `RTT 0x${w.tablePa.toString(16)}[${w.index}] holds an unknown descriptor`,
  );
  switch (e.type) {
    case S2tteType.AssignedRam: {
      const pa = e.oa + (ipa % rttLevelBlockSize(w.level));
      const idx = granules.find(pa - (pa % GRANULE_SIZE));
      assert(
        idx !== NO_GRANULE && granules.states[idx] === GranuleState.Data,
        () => `IPA 0x${ipa.toString(16)} maps 0x${pa.toString(16)}, which is not a DATA granule`,
      );
      return { status: RealmIpaStatus.Ram, pa: pa as PhysAddr, level: w.level };
    }
    case S2tteType.UnassignedEmpty:
    case S2tteType.AssignedEmpty:
      return { status: RealmIpaStatus.Empty, level: w.level };
    case S2tteType.UnassignedRam:
      return { status: RealmIpaStatus.Unmapped, level: w.level, ripas: RsiRipas.Ram };
    case S2tteType.UnassignedDestroyed:
    case S2tteType.AssignedDestroyed:
      return { status: RealmIpaStatus.Unmapped, level: w.level, ripas: RsiRipas.Destroyed };
    default:
      throw new IsletInvariantError(
        `protected IPA 0x${ipa.toString(16)} has an entry without RIPAS (type ${e.type})`,
      );
  }
}
