/**
 * RMI_DATA_CREATE, RMI_DATA_CREATE_UNKNOWN and RMI_DATA_DESTROY. The valid call works at
 * protected IPA 2 GiB with the level-2 and level-3 RTTs in place; the walk conditions drop the
 * level-3 RTT (walk stops at level 2) or fill the entry.
 * @see rmm-abi.md §2.18–§2.20
 * @module
 */
import {
  RmiRipas,
  RmiRttEntryState,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
} from '@islet/abi';
import {
  type CaseCall,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  REALM,
  rtt,
  success,
} from '../case.ts';
import {
  blockSize,
  type Fixture,
  IPA_OUT_OF_RANGE,
  IPA_PROTECTED,
  IPA_UNPROTECTED,
  type RealmFixture,
  UNALIGNED_OFFSET,
} from '../fixture.ts';
import { SkipReason } from '../skips.ts';
import { type AddressRow, addressCases, RD_STATES, rdRows, readEntryIs } from './common.ts';
import { SYSTEM_OFF_FREE_IPA, systemOffRealm } from './realm-calls.ts';

interface CreateArgs extends Record<string, bigint> {
  rd: bigint;
  data: bigint;
  ipa: bigint;
  src: bigint;
  flags: bigint;
}

const create = (a: CreateArgs): CaseCall => ({
  fid: SMC_RMI_DATA_CREATE,
  args: [a.rd, a.data, a.ipa, a.src, a.flags],
});

/** A delegated data granule, a host src page and the level-3 RTT at `ipa` when `level3`. */
function createArgs(fx: Fixture, realm: RealmFixture, ipa: bigint, level = 3): CreateArgs {
  fx.rtt(realm, ipa, level);
  return { rd: realm.rd, data: fx.delegated(), ipa, src: fx.granule(), flags: 0n };
}

/** RMI_DATA_CREATE. */
/** The data-granule conditions DATA_CREATE and DATA_CREATE_UNKNOWN share (ACS lists both alike). */
const DATA_ROWS: readonly AddressRow[] = [
  ['data_align', 'DATA_UNALIGNED', 'UNALIGNED'],
  ['data_bound', 'DATA_DEV_MEM_MMIO', 'MMIO'],
  ['data_bound', 'DATA_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
  ['data_state', 'DATA_STATE_UNDELEGATED', 'UNDELEGATED'],
  ['data_state', 'DATA_STATE_RD', 'RD'],
  ['data_state', 'DATA_STATE_REC', 'REC'],
  ['data_state', 'DATA_STATE_RTT', 'RTT'],
  ['data_state', 'DATA_STATE_DATA', 'DATA'],
];

export const RMI_DATA_CREATE_CASES: ConformanceCase[] = commandCases('RMI_DATA_CREATE', [
  ...addressCases(
    'src',
    [
      ['src_align', 'SRC_UNALIGNED', 'UNALIGNED'],
      ['src_bound', 'SRC_DEV_MEM_MMIO', 'MMIO'],
      ['src_bound', 'SRC_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['src_pas', 'SRC_PAS_REALM', 'DELEGATED'],
      ['src_pas', 'SRC_PAS_SECURE', 'SECURE_PAS'],
    ],
    (fx) => createArgs(fx, fx.realm(), IPA_PROTECTED),
    create,
  ),
  ...addressCases('data', DATA_ROWS, (fx) => createArgs(fx, fx.realm(), IPA_PROTECTED), create),
  cond('data_bound2', 'DATA_LPA2_PA', INPUT, SkipReason.Lpa2Pa),
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM_MMIO', states: RD_STATES }),
    (fx) => createArgs(fx, fx.realm(), IPA_PROTECTED),
    create,
  ),
  cond('ipa_align', 'IPA_UNALIGNED', INPUT, (fx) => {
    const a = createArgs(fx, fx.realm(), IPA_PROTECTED);
    return create({ ...a, ipa: a.ipa + UNALIGNED_OFFSET });
  }),
  cond(
    'ipa_bound',
    'IPA_UNPROTECTED',
    INPUT,
    (fx) => create(createArgs(fx, fx.realm(), IPA_UNPROTECTED)),
    'the level-3 RTT exists at the unprotected IPA, so only its entry state (UNASSIGNED_NS) also differs from a valid call',
  ),
  cond('ipa_bound', 'IPA_OUTSIDE_OF_PERMITTED_IPA', INPUT, (fx) => {
    const a = createArgs(fx, fx.realm(), IPA_PROTECTED);
    return create({ ...a, ipa: IPA_OUT_OF_RANGE });
  }),
  cond('realm_state', 'REALM_ACTIVE', REALM, (fx) => {
    const realm = fx.realm();
    const a = createArgs(fx, realm, IPA_PROTECTED);
    fx.activate(realm);
    return create(a);
  }),
  cond('realm_state', 'REALM_SYSTEM_OFF', REALM, (fx) =>
    // Under the SYSTEM_OFF realm's level-3 RTT, at an unassigned RAM page: valid were it NEW.
    create(createArgs(fx, systemOffRealm(fx).view, SYSTEM_OFF_FREE_IPA)),
  ),
  cond('realm_state_null', 'REALM_NULL', INPUT, (fx) => {
    const a = createArgs(fx, fx.realm(), IPA_PROTECTED);
    return create({ ...a, rd: fx.destroyedRd() });
  }),
  cond('rtt_walk', 'IPA_NOT_MAPPED', rtt(2), (fx) =>
    create(createArgs(fx, fx.realm(), IPA_PROTECTED, 2)),
  ),
  cond('rtte_state', 'RTTE_STATE_ASSIGNED', rtt(3), (fx) => {
    const realm = fx.realm();
    fx.data(realm, IPA_PROTECTED);
    return create(createArgs(fx, realm, IPA_PROTECTED));
  }),
  cond('ipa_bound_compare_rtt_walk', 'IPA_UNPROTECTED_NOT_MAPPED', INPUT, (fx) =>
    create(createArgs(fx, fx.realm(), IPA_UNPROTECTED, 2)),
  ),
  cond('ipa_bound_compare_rtte_state', 'IPA_UNPROTECTED_RTTE_ASSIGNED', INPUT, (fx) => {
    const realm = fx.realm();
    fx.mapUnprotected(realm, IPA_UNPROTECTED);
    return create(createArgs(fx, realm, IPA_UNPROTECTED));
  }),
  success('measured_assigned_ram', (fx) => {
    const realm = fx.realm();
    const a = { ...createArgs(fx, realm, IPA_PROTECTED), flags: 1n };
    fx.target.host.memory.write(a.src, new Uint8Array(0x1000).fill(0x5a));
    return {
      ...create(a),
      check: () =>
        (fx.hostCanRead(a.data) ? 'the host can read the DATA granule' : undefined) ??
        readEntryIs(fx, realm.rd, a.ipa, 3, {
          state: RmiRttEntryState.Assigned,
          desc: a.data,
          ripas: RmiRipas.Ram,
        }),
    };
  }),
]);

interface UnknownArgs extends Record<string, bigint> {
  rd: bigint;
  data: bigint;
  ipa: bigint;
}

const createUnknown = (a: UnknownArgs): CaseCall => ({
  fid: SMC_RMI_DATA_CREATE_UNKNOWN,
  args: [a.rd, a.data, a.ipa],
});

function unknownArgs(fx: Fixture, realm: RealmFixture, ipa: bigint, level = 3): UnknownArgs {
  fx.rtt(realm, ipa, level);
  return { rd: realm.rd, data: fx.delegated(), ipa };
}

/** RMI_DATA_CREATE_UNKNOWN. */
export const RMI_DATA_CREATE_UNKNOWN_CASES: ConformanceCase[] = commandCases(
  'RMI_DATA_CREATE_UNKNOWN',
  [
    ...addressCases(
      'data',
      DATA_ROWS,
      (fx) => unknownArgs(fx, fx.realm(), IPA_PROTECTED),
      createUnknown,
    ),
    cond('data_bound2', 'DATA_LPA2_PA', INPUT, SkipReason.Lpa2Pa),
    ...addressCases(
      'rd',
      rdRows({ devMem: 'RD_DEV_MEM_MMIO', states: RD_STATES }),
      (fx) => unknownArgs(fx, fx.realm(), IPA_PROTECTED),
      createUnknown,
    ),
    cond('ipa_align', 'IPA_UNALIGNED', INPUT, (fx) => {
      const a = unknownArgs(fx, fx.realm(), IPA_PROTECTED);
      return createUnknown({ ...a, ipa: a.ipa + UNALIGNED_OFFSET });
    }),
    cond(
      'ipa_bound',
      'IPA_UNPROTECTED',
      INPUT,
      (fx) => createUnknown(unknownArgs(fx, fx.realm(), IPA_UNPROTECTED)),
      'the level-3 RTT exists at the unprotected IPA, so only its entry state (UNASSIGNED_NS) also differs from a valid call',
    ),
    cond('ipa_bound', 'IPA_OUTSIDE_OF_PERMITTED_IPA', INPUT, (fx) => {
      const a = unknownArgs(fx, fx.realm(), IPA_PROTECTED);
      return createUnknown({ ...a, ipa: IPA_OUT_OF_RANGE });
    }),
    cond('rtt_walk', 'IPA_NOT_MAPPED', rtt(2), (fx) =>
      createUnknown(unknownArgs(fx, fx.realm(), IPA_PROTECTED, 2)),
    ),
    cond('rtte_state', 'RTTE_STATE_ASSIGNED', rtt(3), (fx) => {
      const realm = fx.realm();
      fx.dataUnknown(realm, IPA_PROTECTED);
      return createUnknown(unknownArgs(fx, realm, IPA_PROTECTED));
    }),
    cond('ipa_bound_compare_rtt_walk', 'IPA_UNPROTECTED_NOT_MAPPED', INPUT, (fx) =>
      createUnknown(unknownArgs(fx, fx.realm(), IPA_UNPROTECTED, 2)),
    ),
    cond('ipa_bound_compare_rtte_state', 'IPA_UNPROTECTED_RTTE_ASSIGNED', INPUT, (fx) => {
      const realm = fx.realm();
      fx.mapUnprotected(realm, IPA_UNPROTECTED);
      return createUnknown(unknownArgs(fx, realm, IPA_UNPROTECTED));
    }),
    success('assigned_ripas_unchanged', (fx) => {
      // On an ACTIVE realm, where DATA_CREATE is refused: the entry keeps RIPAS EMPTY.
      const realm = fx.realm({ activate: true });
      const a = unknownArgs(fx, realm, IPA_PROTECTED);
      return {
        ...createUnknown(a),
        check: () =>
          readEntryIs(fx, realm.rd, a.ipa, 3, {
            state: RmiRttEntryState.Assigned,
            desc: a.data,
            ripas: RmiRipas.Empty,
          }),
      };
    }),
  ],
);

interface DestroyArgs extends Record<string, bigint> {
  rd: bigint;
  ipa: bigint;
}

const destroy = (a: DestroyArgs): CaseCall => ({
  fid: SMC_RMI_DATA_DESTROY,
  args: [a.rd, a.ipa],
});

/** A realm with DATA at the protected IPA. */
function withData(fx: Fixture): DestroyArgs {
  const realm = fx.realm();
  fx.data(realm, IPA_PROTECTED);
  return { rd: realm.rd, ipa: IPA_PROTECTED };
}

/** RMI_DATA_DESTROY. */
export const RMI_DATA_DESTROY_CASES: ConformanceCase[] = commandCases('RMI_DATA_DESTROY', [
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM_MMIO', states: RD_STATES }),
    withData,
    destroy,
  ),
  cond('ipa_align', 'IPA_UNALIGNED', INPUT, (fx) => {
    const a = withData(fx);
    return destroy({ ...a, ipa: a.ipa + UNALIGNED_OFFSET });
  }),
  cond(
    'ipa_bound',
    'IPA_UNPROTECTED',
    INPUT,
    (fx) => {
      const realm = fx.realm();
      fx.mapUnprotected(realm, IPA_UNPROTECTED);
      return destroy({ rd: realm.rd, ipa: IPA_UNPROTECTED });
    },
    'the unprotected entry is ASSIGNED_NS, the nearest an unprotected IPA gets to a destroyable entry',
  ),
  cond('ipa_bound', 'IPA_OUTSIDE_OF_PERMITTED_IPA', INPUT, (fx) =>
    destroy({ ...withData(fx), ipa: IPA_OUT_OF_RANGE }),
  ),
  cond('rtt_walk', 'IPA_NOT_MAPPED', rtt(2), (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 2);
    return destroy({ rd: realm.rd, ipa: IPA_PROTECTED });
  }),
  cond('rtte_state', 'RTTE_STATE_UNASSIGNED', rtt(3), (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 3);
    return destroy({ rd: realm.rd, ipa: IPA_PROTECTED });
  }),
  cond('ipa_bound_compare_rtt_walk', 'IPA_UNPROTECTED_NOT_MAPPED', INPUT, (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_UNPROTECTED, 2);
    return destroy({ rd: realm.rd, ipa: IPA_UNPROTECTED });
  }),
  cond('ipa_bound_compare_rtte_state', 'IPA_UNPROTECTED_RTTE_UNASSIGNED', INPUT, (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_UNPROTECTED, 3);
    return destroy({ rd: realm.rd, ipa: IPA_UNPROTECTED });
  }),
  success('X1_data_X2_top', (fx) => {
    const realm = fx.realm();
    const data = fx.data(realm, IPA_PROTECTED);
    // The entry becomes UNASSIGNED/DESTROYED (not live) and nothing else in its level-3 RTT is
    // live, so top is the end of that RTT (rmm-abi.md §4.4).
    const top = IPA_PROTECTED + blockSize(2);
    return {
      ...destroy({ rd: realm.rd, ipa: IPA_PROTECTED }),
      check: (out) => {
        if (out[1] !== data || out[2] !== top) {
          return `X1/X2 = 0x${out[1]?.toString(16)}/0x${out[2]?.toString(16)}, expected 0x${data.toString(16)}/0x${top.toString(16)}`;
        }
        return readEntryIs(fx, realm.rd, IPA_PROTECTED, 3, {
          state: RmiRttEntryState.Unassigned,
          ripas: RmiRipas.Destroyed,
        });
      },
    };
  }),
]);
