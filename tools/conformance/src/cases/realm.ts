/**
 * RMI_REALM_CREATE, RMI_REALM_ACTIVATE and RMI_REALM_DESTROY.
 * @see rmm-abi.md §2.5–§2.7, §3.1, §4.6
 * @module
 */
import {
  encodeRealmParams,
  type RealmParams,
  RmiRealmFlag,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_RTT_DESTROY,
} from '@islet/abi';
import {
  type CaseCall,
  type CaseSetup,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  REALM,
  success,
} from '../case.ts';
import { type Fixture, IPA_PROTECTED } from '../fixture.ts';
import { addressCases, RD_STATES, rdRows } from './common.ts';
import { systemOffRealm } from './realm-calls.ts';

interface CreateArgs extends Record<string, bigint> {
  rd: bigint;
  params: bigint;
}

const create = (a: CreateArgs): CaseCall => ({ fid: SMC_RMI_REALM_CREATE, args: [a.rd, a.params] });

/** A delegated RD, delegated root RTTs and a valid params page. */
function validCreate(fx: Fixture): CreateArgs {
  const rd = fx.delegated();
  const rtts = fx.rootRtts();
  return { rd, params: fx.page(encodeRealmParams(fx.realmParams(rtts[0]!))) };
}

/**
 * REALM_CREATE with params changed by `change` (given feature register 0), or a skip when the
 * platform's features leave no value that makes the condition hold.
 */
function withParams(change: (fx: Fixture) => Partial<RealmParams> | string): CaseSetup {
  return (fx) => {
    const overrides = change(fx);
    if (typeof overrides === 'string') return { skip: overrides };
    const rd = fx.delegated();
    const rtts = fx.rootRtts();
    const params = fx.realmParams(rtts[0]!, overrides);
    return create({ rd, params: fx.page(encodeRealmParams(params)) });
  };
}

/** RMI_REALM_CREATE: every condition is RMI_ERROR_INPUT. */
export const RMI_REALM_CREATE_CASES: ConformanceCase[] = commandCases('RMI_REALM_CREATE', [
  ...addressCases(
    'params',
    [
      ['params_align', 'PARAMS_UNALIGNED', 'UNALIGNED'],
      ['params_bound', 'PARAMS_DEV_MEM', 'MMIO'],
      ['params_bound', 'PARAMS_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['params_pas', 'PARAMS_PAS_REALM', 'DELEGATED'],
      ['params_pas', 'PARAMS_PAS_SECURE', 'SECURE_PAS'],
    ],
    validCreate,
    create,
  ),
  cond(
    'params_valid',
    'HASH_ALGO_INVALID',
    INPUT,
    withParams(() => ({ hashAlgo: 2 })),
  ),
  cond(
    'params_valid',
    'S2SZ_INVALID',
    INPUT,
    // 31 < the minimum IPA width 32; level-2 start with 2 roots is otherwise consistent for 31.
    withParams(() => ({ s2sz: 31, rttLevelStart: 2, rttNumStart: 2 })),
  ),
  cond(
    'params_supp',
    'HASH_ALGO_UNSUPPORTED',
    INPUT,
    withParams((fx) => {
      const f = fx.features();
      if (!f.hashSha512) return { hashAlgo: 1 };
      if (!f.hashSha256) return { hashAlgo: 0 };
      return 'the RMM supports both SHA-256 and SHA-512 (feature register 0 bits 32, 33): no valid hash_algo is unsupported (ACS skips too)';
    }),
  ),
  cond(
    'params_supp',
    'PMU_UNSUPPORTED',
    INPUT,
    withParams((fx) => {
      const f = fx.features();
      if (!f.pmuEn) return { flags: RmiRealmFlag.Pmu, pmuNumCtrs: 1 };
      return { flags: RmiRealmFlag.Pmu, pmuNumCtrs: f.pmuNumCtrs + 1 };
    }),
  ),
  cond(
    'params_supp',
    'SVE_UNSUPPORTED',
    INPUT,
    withParams((fx) => {
      const f = fx.features();
      if (!f.sveEn) return { flags: RmiRealmFlag.Sve };
      if (f.sveVl >= 15) return 'the RMM supports SVE at the largest vector length';
      return { flags: RmiRealmFlag.Sve, sveVl: f.sveVl + 1 };
    }),
  ),
  cond(
    'params_supp',
    'LPA2_UNSUPPORTED',
    INPUT,
    withParams((fx) =>
      fx.features().lpa2
        ? 'the RMM supports LPA2 (feature register 0 bit 8)'
        : { flags: RmiRealmFlag.Lpa2 },
    ),
  ),
  cond(
    'params_supp',
    'BPS_UNSUPPORTED',
    INPUT,
    // TF-RMM compares num_bps with the "minus one" field (rmm-abi.md §3.6): one more fails.
    withParams((fx) => ({ numBps: fx.features().numBps + 1 })),
  ),
  cond(
    'params_supp',
    'WPS_UNSUPPORTED',
    INPUT,
    withParams((fx) => ({ numWps: fx.features().numWps + 1 })),
  ),
  cond('alias', 'RTT_BASE_RD_ALIASED', INPUT, (fx) => {
    const rtts = fx.rootRtts();
    const params = fx.page(encodeRealmParams(fx.realmParams(rtts[0]!)));
    return create({ rd: rtts[0]!, params });
  }),
  ...addressCases(
    'rd',
    rdRows({
      devMem: 'RD_DEV_MEM',
      states: [
        ['RD_STATE_UNDELEGATED', 'UNDELEGATED'],
        ['RD_STATE_RD', 'RD'],
        ['RD_STATE_REC', 'REC'],
        ['RD_STATE_RTT', 'RTT'],
        ['RD_STATE_DATA', 'DATA'],
      ],
    }),
    validCreate,
    create,
  ),
  cond('rtt_align', 'RTT_UNALIGNED', INPUT, (fx) => {
    const rtts = fx.rootRtts();
    return create({
      rd: fx.delegated(),
      params: fx.page(encodeRealmParams(fx.realmParams(rtts[0]! + 0x800n))),
    });
  }),
  cond(
    'rtt_num_level',
    'RTT_START_INVALID',
    INPUT,
    // Level 2 cannot start a 40-bit IPA space (at most 34 bits, rmm-abi.md §4.6).
    withParams(() => ({ rttLevelStart: 2 })),
  ),
  cond('rtt_state', 'RTT_BASE_UNDELEGATED', INPUT, (fx) => {
    const base = fx.granules(2);
    return create({
      rd: fx.delegated(),
      params: fx.page(encodeRealmParams(fx.realmParams(base))),
    });
  }),
  cond(
    'vmid_valid',
    'VMID_INVALID',
    INPUT,
    withParams((fx) =>
      (fx.platform.vmidBits ?? 16) === 16
        ? 'FEAT_VMID16: every 16-bit vmid is valid, so no value makes the condition hold (ACS skips too)'
        : { vmid: 0xff00 },
    ),
  ),
  cond('vmid_valid', 'VMID_USED', INPUT, (fx) => {
    const used = fx.realm().vmid;
    const rd = fx.delegated();
    const rtts = fx.rootRtts();
    const params = fx.page(encodeRealmParams(fx.realmParams(rtts[0]!, { vmid: used })));
    return create({ rd, params });
  }),
  success('rd_protected', (fx) => {
    const a = validCreate(fx);
    return {
      ...create(a),
      check: () => (fx.hostCanRead(a.rd) ? 'the host can read the RD' : undefined),
    };
  }),
]);

const activate = (a: { rd: bigint }): CaseCall => ({ fid: SMC_RMI_REALM_ACTIVATE, args: [a.rd] });

/** RMI_REALM_ACTIVATE. */
export const RMI_REALM_ACTIVATE_CASES: ConformanceCase[] = commandCases('RMI_REALM_ACTIVATE', [
  ...addressCases(
    'rd',
    rdRows({
      devMem: 'RD_DEV_MEM_MMIO',
      states: [
        ['RD_STATE_UNDELEGATED', 'UNDELEGATED'],
        ['RD_STATE_DELEGATED', 'DELEGATED'],
        ['RD_REC', 'REC'],
        ['RD_DATA', 'DATA'],
        ['RD_RTT', 'RTT'],
      ],
    }),
    (fx) => ({ rd: fx.realm().rd }),
    activate,
  ),
  cond('realm_state', 'REALM_SYSTEM_OFF', REALM, (fx) => activate(systemOffRealm(fx).view)),
  cond('realm_state_null', 'REALM_NULL', INPUT, (fx) => activate({ rd: fx.destroyedRd() })),
  success('new_to_active', (fx) => {
    const realm = fx.realm();
    fx.rec(realm);
    return {
      ...activate(realm),
      check: () => {
        // ACTIVE: a second activation is RMI_ERROR_REALM.
        const again = fx.smc(SMC_RMI_REALM_ACTIVATE, realm.rd)[0];
        return again === 2n ? undefined : `a second REALM_ACTIVATE returned X0 = ${again}`;
      },
    };
  }),
]);

const destroy = (a: { rd: bigint }): CaseCall => ({ fid: SMC_RMI_REALM_DESTROY, args: [a.rd] });

/** RMI_REALM_DESTROY. */
export const RMI_REALM_DESTROY_CASES: ConformanceCase[] = commandCases('RMI_REALM_DESTROY', [
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM', order: 'outside-first', states: RD_STATES }),
    (fx) => ({ rd: fx.realm().rd }),
    destroy,
  ),
  cond(
    'realm_live',
    'REALM_LIVE',
    REALM,
    (fx) => {
      const realm = fx.realm();
      fx.rec(realm);
      return destroy(realm);
    },
    'live through a REC (RD refcount); a child RTT would make it live too',
  ),
  success('granules_delegated', (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 2);
    // A realm whose child RTT was destroyed again is not live.
    fx.must(SMC_RMI_RTT_DESTROY, realm.rd, IPA_PROTECTED, 2n);
    return {
      ...destroy(realm),
      check: () => {
        for (const g of [realm.rd, ...realm.rtts]) {
          const x0 = fx.smc(SMC_RMI_GRANULE_UNDELEGATE, g)[0];
          if (x0 !== 0n) return `granule 0x${g.toString(16)} is not DELEGATED after destroy`;
        }
        return undefined;
      },
    };
  }),
]);
