/**
 * RMI_RTT_INIT_RIPAS and RMI_RTT_SET_RIPAS. INIT_RIPAS works on a NEW realm at protected IPA
 * 2 GiB. SET_RIPAS needs a REC with a pending RSI_IPA_STATE_SET for most of its conditions; only
 * the rd/rec/size conditions, which TF-RMM checks before the REC's request, can be set up from
 * the host alone.
 * @see rmm-abi.md §2.21, §2.22
 * @module
 */
import {
  RmiRipas,
  RmiRttEntryState,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_SET_RIPAS,
} from '@islet/abi';
import {
  type CaseCall,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  REALM,
  REC,
  rmiCode,
  rtt,
  success,
} from '../case.ts';
import { type Fixture, IPA_PROTECTED, PAR_SIZE } from '../fixture.ts';
import { SkipReason } from '../skips.ts';
import { addressCases, RD_STATES, rdRows, readEntryIs } from './common.ts';

interface InitArgs extends Record<string, bigint> {
  rd: bigint;
  base: bigint;
  top: bigint;
}

const init = (a: InitArgs): CaseCall => ({
  fid: SMC_RMI_RTT_INIT_RIPAS,
  args: [a.rd, a.base, a.top],
});

/** A NEW realm with the level-3 RTT at the protected IPA; one granule to initialise. */
function validInit(fx: Fixture, level = 3): InitArgs {
  const realm = fx.realm();
  fx.rtt(realm, IPA_PROTECTED, level);
  return { rd: realm.rd, base: IPA_PROTECTED, top: IPA_PROTECTED + 0x1000n };
}

/** RMI_RTT_INIT_RIPAS. */
export const RMI_RTT_INIT_RIPAS_CASES: ConformanceCase[] = commandCases('RMI_RTT_INIT_RIPAS', [
  ...addressCases('rd', rdRows({ devMem: 'RD_DEV_MEM', states: RD_STATES }), validInit, init),
  cond('size_valid', 'SIZE_INVALID', INPUT, (fx) => {
    const a = validInit(fx);
    return init({ ...a, top: a.base });
  }),
  cond('top_bound', 'TOP_UNPROTECTED', INPUT, (fx) =>
    init({ ...validInit(fx), top: PAR_SIZE + 0x1000n }),
  ),
  cond('realm_state', 'REALM_SYSTEM_OFF', REALM, SkipReason.SystemOff),
  cond('realm_state', 'REALM_ACTIVE', REALM, (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 3);
    fx.activate(realm);
    return init({ rd: realm.rd, base: IPA_PROTECTED, top: IPA_PROTECTED + 0x1000n });
  }),
  cond('realm_state_null', 'REALM_NULL', INPUT, (fx) =>
    init({ ...validInit(fx), rd: fx.destroyedRd() }),
  ),
  cond('base_align', 'BASE_LEVEL_UNALIGNED', rtt(2), (fx) =>
    // The walk stops at level 2 (no level-3 RTT) and base is not 2 MiB aligned.
    init({ ...validInit(fx, 2), base: IPA_PROTECTED + 0x1000n, top: IPA_PROTECTED + 0x2000n }),
  ),
  cond('rtte_state', 'RTTE_STATE_ASSIGNED', rtt(3), (fx) => {
    const realm = fx.realm();
    fx.data(realm, IPA_PROTECTED);
    return init({ rd: realm.rd, base: IPA_PROTECTED, top: IPA_PROTECTED + 0x1000n });
  }),
  cond('top_gran_align', 'TOP_GRAN_UNALIGNED', INPUT, (fx) =>
    init({ ...validInit(fx), top: IPA_PROTECTED + 0x1800n }),
  ),
  cond('no_progress', 'TOP_LEVEL_UNALIGNED', rtt(2), (fx) =>
    // The walk stops at level 2 and top ends inside the first 2 MiB entry: nothing to do.
    init(validInit(fx, 2)),
  ),
  cond(
    'top_gran_align_compare_no_progress',
    'TOP_GRAN_UNALIGNED_TOP_LEVEL_UNALIGNED',
    INPUT,
    (fx) => init({ ...validInit(fx, 2), top: IPA_PROTECTED + 0x800n }),
  ),
  success('X1_top_ram', (fx) => {
    const a = { ...validInit(fx), top: IPA_PROTECTED + 0x2000n };
    return {
      ...init(a),
      check: (out) =>
        out[1] !== a.top
          ? `X1 = 0x${out[1]?.toString(16)}, expected 0x${a.top.toString(16)}`
          : readEntryIs(fx, a.rd, IPA_PROTECTED + 0x1000n, 3, {
              state: RmiRttEntryState.Unassigned,
              ripas: RmiRipas.Ram,
            }),
    };
  }),
]);

interface SetArgs extends Record<string, bigint> {
  rd: bigint;
  rec: bigint;
  base: bigint;
  top: bigint;
}

const setRipas = (a: SetArgs): CaseCall => ({
  fid: SMC_RMI_RTT_SET_RIPAS,
  args: [a.rd, a.rec, a.base, a.top],
});

/** An active realm with a REC and the level-3 RTT at the protected IPA. */
function validSet(fx: Fixture): SetArgs {
  const realm = fx.realm();
  fx.rtt(realm, IPA_PROTECTED, 3);
  const { rec } = fx.rec(realm);
  fx.activate(realm);
  return { rd: realm.rd, rec, base: IPA_PROTECTED, top: IPA_PROTECTED + 0x1000n };
}

const NO_REQUEST_NOTE =
  'the REC has no pending RSI_IPA_STATE_SET, so base_bound/top_bound also hold; TF-RMM checks this condition first (rmm-abi.md §2.22 steps 1-4)';

/** RMI_RTT_SET_RIPAS. */
export const RMI_RTT_SET_RIPAS_CASES: ConformanceCase[] = commandCases('RMI_RTT_SET_RIPAS', [
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM', order: 'outside-first', states: RD_STATES }),
    validSet,
    setRipas,
    INPUT,
    NO_REQUEST_NOTE,
  ),
  ...addressCases(
    'rec',
    [
      ['rec_align', 'REC_UNALIGNED', 'UNALIGNED'],
      ['rec_bound', 'REC_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['rec_bound', 'REC_DEV_MEM', 'MMIO'],
      ['rec_gran_state', 'REC_GRAN_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['rec_gran_state', 'REC_GRAN_STATE_DELEGATED', 'DELEGATED'],
      ['rec_gran_state', 'REC_GRAN_STATE_RD', 'RD'],
      ['rec_gran_state', 'REC_GRAN_STATE_RTT', 'RTT'],
      ['rec_gran_state', 'REc_GRAN_STATE_DATA', 'DATA'],
    ],
    validSet,
    setRipas,
    INPUT,
    NO_REQUEST_NOTE,
  ),
  cond(
    'rec_owner',
    'REC_OTHER_OWNER',
    REC,
    (fx) => {
      const other = fx.realm();
      const { rec } = fx.rec(other);
      return setRipas({ ...validSet(fx), rec });
    },
    NO_REQUEST_NOTE,
  ),
  cond(
    'size_valid',
    'INVALID_SIZE',
    INPUT,
    (fx) => {
      const a = validSet(fx);
      return setRipas({ ...a, top: a.base });
    },
    NO_REQUEST_NOTE,
  ),
  cond('base_bound', 'BASE_MISMATCH', INPUT, SkipReason.RipasPending),
  cond('top_bound', 'TOP_OUT_OF_BOUND', INPUT, SkipReason.RipasPending),
  cond('base_align', 'BASE_UNALIGNED', rtt(2), SkipReason.RipasPending),
  cond('top_gran_align', 'TOP_GRAN_UNALIGNED', INPUT, SkipReason.RipasPending),
  cond('no_progress', 'TOP_LEVEL_UNALIGNED', rtt(2), SkipReason.RipasPending),
  cond('aux_live', 'IPA_AUX_LIVE', rmiCode('RMI_ERROR_RTT_AUX', 3), SkipReason.Planes),
  cond(
    'base_bound_compare_base_align',
    'BASE_MISMATCH_BASE_UNALIGNED',
    INPUT,
    SkipReason.RipasPending,
  ),
  cond(
    'top_gran_align_compare_no_progress',
    'TOP_GRAN_UNALIGNED_TOP_LEVEL_UNALIGNED',
    INPUT,
    SkipReason.RipasPending,
  ),
  success('applies_request', SkipReason.RipasPending),
]);
