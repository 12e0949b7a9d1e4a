/**
 * RMI_RTT_CREATE, RMI_RTT_DESTROY, RMI_RTT_FOLD and RMI_RTT_READ_ENTRY. The valid calls work on
 * the level-3 RTT at protected IPA 2 GiB (parent: a level-2 RTT below the level-1 roots).
 * @see rmm-abi.md §2.12–§2.14, §2.17, §4.4
 * @module
 */
import {
  RmiRipas,
  RmiRttEntryState,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_READ_ENTRY,
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
  UNALIGNED_OFFSET,
} from '../fixture.ts';
import { SkipReason } from '../skips.ts';
import { addressCases, RD_STATES, rdRows, readEntryIs } from './common.ts';

interface CreateArgs extends Record<string, bigint> {
  rd: bigint;
  rtt: bigint;
  ipa: bigint;
  level: bigint;
}

const create = (a: CreateArgs): CaseCall => ({
  fid: SMC_RMI_RTT_CREATE,
  args: [a.rd, a.rtt, a.ipa, a.level],
});

/** A level-2 RTT at the protected IPA of a new realm (parent: the level-1 root). */
function validCreate(fx: Fixture): CreateArgs {
  return { rd: fx.realm().rd, rtt: fx.delegated(), ipa: IPA_PROTECTED, level: 2n };
}

/** RMI_RTT_CREATE. */
export const RMI_RTT_CREATE_CASES: ConformanceCase[] = commandCases('RMI_RTT_CREATE', [
  ...addressCases('rd', rdRows({ devMem: 'RD_DEV_MEM', states: RD_STATES }), validCreate, create),
  cond('level_bound', 'LEVEL_STARTING', INPUT, (fx) => ({
    ...create({ ...validCreate(fx), ipa: 0n, level: 1n }),
  })),
  cond('level_bound', 'LEVEL_OOB', INPUT, (fx) => create({ ...validCreate(fx), level: 4n })),
  cond('ipa_align', 'IPA_UNALIGNED', INPUT, (fx) =>
    // A level-2 RTT covers a level-1 block (1 GiB): 2 MiB past one is unaligned.
    create({ ...validCreate(fx), ipa: IPA_PROTECTED + blockSize(2) }),
  ),
  cond('ipa_bound', 'IPA_OOB', INPUT, (fx) =>
    create({ ...validCreate(fx), ipa: IPA_OUT_OF_RANGE }),
  ),
  ...addressCases(
    'rtt',
    [
      ['rtt_align', 'RTT_UNALIGNED', 'UNALIGNED'],
      ['rtt_bound', 'RTT_DEV_MEM', 'MMIO'],
      ['rtt_bound', 'RTT_OUTSIDE_PERMITTED_PA', 'OUTSIDE_PA'],
      ['rtt_state', 'RTT_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['rtt_state', 'RTT_STATE_RD', 'RD'],
      ['rtt_state', 'RTT_STATE_REC', 'REC'],
      ['rtt_state', 'RTT_STATE_RTT', 'RTT'],
      ['rtt_state', 'RTT_STATE_DATA', 'DATA'],
    ],
    validCreate,
    create,
  ),
  cond('rtt_bound2', 'RTT_LPA2_PA', INPUT, SkipReason.Lpa2Pa),
  cond('rtt_walk', 'LEVEL_NO_PARENT_RTTE', rtt(1), (fx) =>
    // A level-3 RTT without the level-2 parent: the walk to level 2 stops at level 1.
    create({ ...validCreate(fx), level: 3n }),
  ),
  cond('rtte_state', 'RTTE_STATE_TABLE', rtt(1), (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 2);
    return create({ rd: realm.rd, rtt: fx.delegated(), ipa: IPA_PROTECTED, level: 2n });
  }),
  success('parent_table', (fx) => {
    const a = validCreate(fx);
    return {
      ...create(a),
      check: () =>
        readEntryIs(fx, a.rd, IPA_PROTECTED, 1, {
          state: RmiRttEntryState.Table,
          desc: a.rtt,
          ripas: RmiRipas.Empty,
        }),
    };
  }),
]);

interface LevelArgs extends Record<string, bigint> {
  rd: bigint;
  ipa: bigint;
  level: bigint;
}

const destroy = (a: LevelArgs): CaseCall => ({
  fid: SMC_RMI_RTT_DESTROY,
  args: [a.rd, a.ipa, a.level],
});

/** An empty level-3 RTT at the protected IPA: RTT_DESTROY and RTT_FOLD of it succeed. */
function withL3(fx: Fixture): LevelArgs & { rtt: bigint } {
  const realm = fx.realm();
  const l3 = fx.rtt(realm, IPA_PROTECTED, 3);
  return { rd: realm.rd, ipa: IPA_PROTECTED, level: 3n, rtt: l3 };
}

/** An unprotected 2 MiB block mapped at level 2: its level-2 entry is ASSIGNED(_NS), not a table. */
function withAssignedL2(fx: Fixture): LevelArgs {
  const realm = fx.realm();
  fx.mapUnprotected(realm, IPA_UNPROTECTED, 2);
  return { rd: realm.rd, ipa: IPA_UNPROTECTED, level: 3n };
}

const ASSIGNED_NOTE =
  'the ASSIGNED level-2 entry is an unprotected block (ASSIGNED_NS, reported as ASSIGNED); a protected ASSIGNED block needs 512 contiguous DATA granules folded';

/** RMI_RTT_DESTROY. */
export const RMI_RTT_DESTROY_CASES: ConformanceCase[] = commandCases('RMI_RTT_DESTROY', [
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM', order: 'outside-first', states: RD_STATES }),
    withL3,
    destroy,
  ),
  cond('level_bound', 'LEVEL_INVALID', INPUT, (fx) => destroy({ ...withL3(fx), level: 4n })),
  cond('level_bound', 'LEVEL_STARTING_LEVEL', INPUT, (fx) =>
    // Level 1 is the start level; IPA 0 is aligned to the level-0 block it would need.
    destroy({ ...withL3(fx), ipa: 0n, level: 1n }),
  ),
  cond('ipa_align', 'IPA_LEVEL_UNALIGNED', INPUT, (fx) =>
    destroy({ ...withL3(fx), ipa: IPA_PROTECTED + 0x1000n }),
  ),
  cond('ipa_bound', 'IPA_OUT_OF_PERMITTED_IPA', INPUT, (fx) =>
    destroy({ ...withL3(fx), ipa: IPA_OUT_OF_RANGE }),
  ),
  cond('rtt_walk', 'IPA_NO_PARENT_RTTE', rtt(1), (fx) =>
    destroy({ rd: fx.realm().rd, ipa: IPA_PROTECTED, level: 3n }),
  ),
  cond('rtte_state', 'RTTE_STATE_UNASSIGNED', rtt(2), (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 2);
    return destroy({ rd: realm.rd, ipa: IPA_PROTECTED, level: 3n });
  }),
  cond(
    'rtte_state',
    'RTTE_STATE_ASSIGNED',
    rtt(2),
    (fx) => destroy(withAssignedL2(fx)),
    ASSIGNED_NOTE,
  ),
  cond('rtt_live', 'RTT_LIVE', rtt(3), (fx) => {
    const realm = fx.realm();
    fx.data(realm, IPA_PROTECTED);
    return destroy({ rd: realm.rd, ipa: IPA_PROTECTED, level: 3n });
  }),
  success('X1_rtt_X2_top', (fx) => {
    const a = withL3(fx);
    // The parent entry becomes UNASSIGNED/DESTROYED and nothing else in the level-2 RTT is
    // live: top is the end of that RTT (rmm-abi.md §2.13, §4.4).
    const top = IPA_PROTECTED + blockSize(1);
    return {
      ...destroy(a),
      check: (out) =>
        out[1] !== a.rtt || out[2] !== top
          ? `X1/X2 = 0x${out[1]?.toString(16)}/0x${out[2]?.toString(16)}, expected 0x${a.rtt.toString(16)}/0x${top.toString(16)}`
          : readEntryIs(fx, a.rd, IPA_PROTECTED, 2, {
              state: RmiRttEntryState.Unassigned,
              ripas: RmiRipas.Destroyed,
            }),
    };
  }),
]);

const fold = (a: LevelArgs): CaseCall => ({ fid: SMC_RMI_RTT_FOLD, args: [a.rd, a.ipa, a.level] });

/** RMI_RTT_FOLD. */
export const RMI_RTT_FOLD_CASES: ConformanceCase[] = commandCases('RMI_RTT_FOLD', [
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM', order: 'outside-first', states: RD_STATES }),
    withL3,
    fold,
  ),
  cond('level_bound', 'LEVEL_STARTING_LEVLE', INPUT, (fx) =>
    fold({ ...withL3(fx), ipa: 0n, level: 1n }),
  ),
  cond('level_bound', 'LEVEL_OUT_OF_BOUND', INPUT, (fx) => fold({ ...withL3(fx), level: 4n })),
  cond('ipa_align', 'IPA_L2_UNALIGNED', INPUT, (fx) =>
    fold({ ...withL3(fx), ipa: IPA_PROTECTED + 0x1000n }),
  ),
  cond('ipa_bound', 'IPA_OUT_OF_BOUND', INPUT, (fx) =>
    fold({ ...withL3(fx), ipa: IPA_OUT_OF_RANGE }),
  ),
  cond(
    'rtt_walk',
    'IPA_NOT_MAPPED',
    rtt(0),
    (fx) =>
      // Index 0 needs a level-0 root: folding a level-2 RTT whose level-1 parent does not exist.
      fold({ rd: fx.realm({ startLevel: 0 }).rd, ipa: IPA_PROTECTED, level: 2n }),
    'index 0 only with a realm whose RTTs start at level 0 (one root RTT); this one does',
  ),
  cond('rtte_state', 'RTTE_UNASSIGED', rtt(2), (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 2);
    return fold({ rd: realm.rd, ipa: IPA_PROTECTED, level: 3n });
  }),
  cond('rtte_state', 'RTTE_ASSIGNED', rtt(2), (fx) => fold(withAssignedL2(fx)), ASSIGNED_NOTE),
  cond('rtte_homo', 'RTT_NON_HOMOGENEOUS', rtt(3), (fx) => {
    const realm = fx.realm();
    fx.data(realm, IPA_PROTECTED);
    return fold({ rd: realm.rd, ipa: IPA_PROTECTED, level: 3n });
  }),
  cond('level_bound_compare_rtt_walk', 'LEVEL_BOUND_RTT_WALK', INPUT, (fx) =>
    // Level 4 is out of bound, and the walk to level 3 stops at level 1.
    fold({ rd: fx.realm().rd, ipa: IPA_PROTECTED, level: 4n }),
  ),
  cond('level_bound_compare_rtte_state', 'LEVEL_BOUND_RTTE_STATE', INPUT, (fx) =>
    // Level 4 is out of bound, and the level-3 entry is not a table.
    fold({ ...withL3(fx), level: 4n }),
  ),
  success('X1_rtt_parent_unassigned', (fx) => {
    const a = withL3(fx);
    return {
      ...fold(a),
      check: (out) =>
        out[1] !== a.rtt
          ? `X1 = 0x${out[1]?.toString(16)}, expected 0x${a.rtt.toString(16)}`
          : readEntryIs(fx, a.rd, IPA_PROTECTED, 2, {
              state: RmiRttEntryState.Unassigned,
              ripas: RmiRipas.Empty,
            }),
    };
  }),
]);

const readEntry = (a: LevelArgs): CaseCall => ({
  fid: SMC_RMI_RTT_READ_ENTRY,
  args: [a.rd, a.ipa, a.level],
});

/** RMI_RTT_READ_ENTRY. */
export const RMI_RTT_READ_ENTRY_CASES: ConformanceCase[] = commandCases('RMI_RTT_READ_ENTRY', [
  ...addressCases('rd', rdRows({ devMem: 'RD_DEV_MEM', states: RD_STATES }), withL3, readEntry),
  cond('level_bound', 'LEVEL_OOB', INPUT, (fx) => readEntry({ ...withL3(fx), level: 4n })),
  cond('ipa_align', 'IPA_UNALIGNED', INPUT, (fx) =>
    readEntry({ ...withL3(fx), ipa: IPA_PROTECTED + UNALIGNED_OFFSET }),
  ),
  cond('ipa_bound', 'IPA_OOB', INPUT, (fx) => readEntry({ ...withL3(fx), ipa: IPA_OUT_OF_RANGE })),
  success('assigned_ram', (fx) => {
    const realm = fx.realm();
    const data = fx.data(realm, IPA_PROTECTED);
    return {
      ...readEntry({ rd: realm.rd, ipa: IPA_PROTECTED, level: 3n }),
      check: (out) => {
        const want = [3n, BigInt(RmiRttEntryState.Assigned), data, BigInt(RmiRipas.Ram)];
        return want.every((w, i) => out[i + 1] === w)
          ? undefined
          : `X1..X4 = ${out.slice(1).join(', ')}, expected ${want.join(', ')}`;
      },
    };
  }),
  success('unassigned_walk_level', (fx) => {
    // Asking for level 3 where only the root exists: the walk stops at level 1.
    const realm = fx.realm();
    return {
      ...readEntry({ rd: realm.rd, ipa: IPA_PROTECTED, level: 3n }),
      check: (out) => {
        const want = [1n, BigInt(RmiRttEntryState.Unassigned), 0n, BigInt(RmiRipas.Empty)];
        return want.every((w, i) => out[i + 1] === w)
          ? undefined
          : `X1..X4 = ${out.slice(1).join(', ')}, expected ${want.join(', ')}`;
      },
    };
  }),
]);
