/**
 * RMI_RTT_MAP_UNPROTECTED and RMI_RTT_UNMAP_UNPROTECTED. The valid calls work on the level-3 RTT
 * at unprotected IPA 2^39 + 2 GiB. "Starting level" conditions use a realm whose RTTs start at
 * level 0, as ACS's do: level 0 is then both the start level and below the lowest block level.
 * @see rmm-abi.md §2.15, §2.16
 * @module
 */
import {
  RmiRipas,
  RmiRttEntryState,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
} from '@islet/abi';
import {
  type CaseCall,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  rtt,
  success,
} from '../case.ts';
import {
  blockSize,
  type Fixture,
  IPA_OUT_OF_RANGE,
  IPA_PROTECTED,
  IPA_UNPROTECTED,
  NS_DESC_MEMATTR_RESERVED,
  nsDesc,
  PAR_SIZE,
  UNALIGNED_OFFSET,
} from '../fixture.ts';
import { addressCases, RD_STATES, rdRows, readEntryIs } from './common.ts';

interface MapArgs extends Record<string, bigint> {
  rd: bigint;
  ipa: bigint;
  level: bigint;
  desc: bigint;
}

const map = (a: MapArgs): CaseCall => ({
  fid: SMC_RMI_RTT_MAP_UNPROTECTED,
  args: [a.rd, a.ipa, a.level, a.desc],
});

/** A realm with the level-3 RTT at the unprotected IPA, and a page descriptor to map. */
function validMap(fx: Fixture, level = 3): MapArgs {
  const realm = fx.realm();
  fx.rtt(realm, IPA_UNPROTECTED, level);
  return { rd: realm.rd, ipa: IPA_UNPROTECTED, level: 3n, desc: nsDesc(fx.granule()) };
}

/** RMI_RTT_MAP_UNPROTECTED. */
export const RMI_RTT_MAP_UNPROTECTED_CASES: ConformanceCase[] = commandCases(
  'RMI_RTT_MAP_UNPROTECTED',
  [
    cond('attr_valid', 'MEM_ATTR_INVALID', INPUT, (fx) => {
      const a = validMap(fx);
      return map({ ...a, desc: fx.granule() | NS_DESC_MEMATTR_RESERVED | (0b11n << 6n) });
    }),
    ...addressCases('rd', rdRows({ devMem: 'RD_DEV_MEM', states: RD_STATES }), validMap, map),
    cond('level_bound', 'LEVEL_STARTING', INPUT, (fx) => {
      const realm = fx.realm({ startLevel: 0 });
      // 2^39 is the first unprotected IPA and aligned to a level-0 block; OA 0 fits any level.
      return map({ rd: realm.rd, ipa: PAR_SIZE, level: 0n, desc: nsDesc(0n) });
    }),
    cond('level_bound', 'LEVEL_OOB', INPUT, (fx) => map({ ...validMap(fx), level: 4n })),
    cond('addr_align', 'ADDR_UNALIGNED', INPUT, (fx) => {
      // A level-2 block whose output address is only 4 KiB aligned.
      const a = validMap(fx, 2);
      return map({ ...a, level: 2n, desc: nsDesc(fx.granules(1, blockSize(2)) + 0x1000n) });
    }),
    cond(
      'addr_bound',
      'ADDR_LPA2_PA',
      INPUT,
      (fx) => map({ ...validMap(fx), desc: nsDesc(1n << 48n) }),
      'an output address at 2^48 in a realm without LPA2: descriptor bits only, no memory needed',
    ),
    cond('ipa_align', 'IPA_UNALIGNED', INPUT, (fx) =>
      map({ ...validMap(fx), ipa: IPA_UNPROTECTED + UNALIGNED_OFFSET }),
    ),
    cond('ipa_bound', 'IPA_PROTECTED', INPUT, (fx) => {
      const realm = fx.realm();
      fx.rtt(realm, IPA_PROTECTED, 3);
      return map({ rd: realm.rd, ipa: IPA_PROTECTED, level: 3n, desc: nsDesc(fx.granule()) });
    }),
    cond('ipa_bound', 'IPA_OOB', INPUT, (fx) => map({ ...validMap(fx), ipa: IPA_OUT_OF_RANGE })),
    cond('rtt_walk', 'IPA_NOT_MAPPED', rtt(2), (fx) => map(validMap(fx, 2))),
    cond('rtte_state', 'RTTE_STATE_ASSIGNED_NS', rtt(3), (fx) => {
      const a = validMap(fx);
      fx.must(SMC_RMI_RTT_MAP_UNPROTECTED, a.rd, a.ipa, a.level, a.desc);
      return map(a);
    }),
    success('assigned_ns_desc', (fx) => {
      const a = validMap(fx);
      return {
        ...map(a),
        check: () =>
          readEntryIs(fx, a.rd, a.ipa, 3, {
            state: RmiRttEntryState.Assigned,
            desc: a.desc,
            ripas: RmiRipas.Empty,
          }),
      };
    }),
  ],
);

interface UnmapArgs extends Record<string, bigint> {
  rd: bigint;
  ipa: bigint;
  level: bigint;
}

const unmap = (a: UnmapArgs): CaseCall => ({
  fid: SMC_RMI_RTT_UNMAP_UNPROTECTED,
  args: [a.rd, a.ipa, a.level],
});

/** A realm with a page mapped at the unprotected IPA. */
function mapped(fx: Fixture): UnmapArgs {
  const realm = fx.realm();
  fx.mapUnprotected(realm, IPA_UNPROTECTED);
  return { rd: realm.rd, ipa: IPA_UNPROTECTED, level: 3n };
}

/** A realm with RTTs down to `level` at `ipa` and nothing mapped. */
function unmapped(fx: Fixture, ipa: bigint, level: number): UnmapArgs {
  const realm = fx.realm();
  fx.rtt(realm, ipa, level);
  return { rd: realm.rd, ipa, level: 3n };
}

/** RMI_RTT_UNMAP_UNPROTECTED. */
export const RMI_RTT_UNMAP_UNPROTECTED_CASES: ConformanceCase[] = commandCases(
  'RMI_RTT_UNMAP_UNPROTECTED',
  [
    ...addressCases(
      'rd',
      rdRows({ devMem: 'RD_DEV_MEM', order: 'outside-first', states: RD_STATES }),
      mapped,
      unmap,
    ),
    cond('level_bound', 'LEVEL_STARTING', INPUT, (fx) =>
      unmap({ rd: fx.realm({ startLevel: 0 }).rd, ipa: PAR_SIZE, level: 0n }),
    ),
    cond('level_bound', 'LEVEL_OOB', INPUT, (fx) => unmap({ ...mapped(fx), level: 4n })),
    cond('ipa_align', 'IPA_UNALIGNED', INPUT, (fx) =>
      unmap({ ...mapped(fx), ipa: IPA_UNPROTECTED + UNALIGNED_OFFSET }),
    ),
    cond('ipa_bound', 'IPA_PROTECTED', INPUT, (fx) => unmap(unmapped(fx, IPA_PROTECTED, 3))),
    cond('ipa_bound', 'IPA_OOB', INPUT, (fx) => unmap({ ...mapped(fx), ipa: IPA_OUT_OF_RANGE })),
    cond('rtt_walk', 'IPA_NOT_MAPPED', rtt(2), (fx) => unmap(unmapped(fx, IPA_UNPROTECTED, 2))),
    cond('rtte_state', 'RTTE_STATE_UNASSIGNED_NS', rtt(3), (fx) =>
      unmap(unmapped(fx, IPA_UNPROTECTED, 3)),
    ),
    cond('level_bound_compare_rtt_walk', 'LEVEL_OOB_IPA_NOT_MAPPED', INPUT, (fx) =>
      unmap({ ...unmapped(fx, IPA_UNPROTECTED, 2), level: 4n }),
    ),
    cond('level_bound_compare_rtte_state', 'LEVEL_OOB_RTTE_STATE_UNASSIGNED_NS', INPUT, (fx) =>
      unmap({ ...unmapped(fx, IPA_UNPROTECTED, 3), level: 4n }),
    ),
    cond('ipa_bound_compare_rtt_walk', 'IPA_PROTECTED_IPA_NOT_MAPPED', INPUT, (fx) =>
      unmap(unmapped(fx, IPA_PROTECTED, 2)),
    ),
    success('X1_top', (fx) => {
      const a = mapped(fx);
      // The entry becomes UNASSIGNED_NS (not live), nothing else in the level-3 RTT is live:
      // top is the end of that RTT (rmm-abi.md §2.16, §4.4).
      const top = IPA_UNPROTECTED + blockSize(2);
      return {
        ...unmap(a),
        check: (out) =>
          out[1] !== top
            ? `X1 = 0x${out[1]?.toString(16)}, expected 0x${top.toString(16)}`
            : readEntryIs(fx, a.rd, a.ipa, 3, {
                state: RmiRttEntryState.Unassigned,
                ripas: RmiRipas.Empty,
              }),
      };
    }),
  ],
);
