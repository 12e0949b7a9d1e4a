/**
 * RMI_REC_AUX_COUNT, RMI_REC_CREATE and RMI_REC_DESTROY.
 * @see rmm-abi.md §2.8–§2.10, §3.2
 * @module
 */
import {
  encodeRecParams,
  type RecParams,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
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
import { type Fixture, type GranuleKind, type RealmFixture, UNALIGNED_OFFSET } from '../fixture.ts';
import { addressCases, RD_STATES, rdRows } from './common.ts';
import { systemOffRealm } from './realm-calls.ts';

const auxCount = (a: { rd: bigint }): CaseCall => ({ fid: SMC_RMI_REC_AUX_COUNT, args: [a.rd] });

/** RMI_REC_AUX_COUNT. */
export const RMI_REC_AUX_COUNT_CASES: ConformanceCase[] = commandCases('RMI_REC_AUX_COUNT', [
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM', states: RD_STATES }),
    (fx) => ({ rd: fx.realm().rd }),
    auxCount,
  ),
  success('16', (fx) => ({
    ...auxCount(fx.realm()),
    // TF-RMM's MAX_REC_AUX_GRANULES (rmm-abi.md §2.8, §11.7).
    check: (out) => (out[1] === 16n ? undefined : `X1 = ${out[1]}, expected 16`),
  })),
]);

interface CreateArgs extends Record<string, bigint> {
  rd: bigint;
  rec: bigint;
  params: bigint;
}

const create = (a: CreateArgs): CaseCall => ({
  fid: SMC_RMI_REC_CREATE,
  args: [a.rd, a.rec, a.params],
});

/** A NEW realm, a delegated REC granule and valid params with delegated aux granules. */
function validCreate(fx: Fixture, realm: RealmFixture = fx.realm()): CreateArgs {
  const aux = fx.auxGranules(fx.auxCount(realm));
  return {
    rd: realm.rd,
    rec: fx.delegated(),
    params: fx.page(encodeRecParams(fx.recParams(realm, aux))),
  };
}

/** REC_CREATE on a NEW realm with params changed by `change` (given valid aux granules). */
function withParams(change: (aux: bigint[], fx: Fixture) => Partial<RecParams>): CaseSetup {
  return (fx) => {
    const realm = fx.realm();
    const aux = fx.auxGranules(fx.auxCount(realm));
    const params = fx.recParams(realm, aux, change(aux, fx));
    return create({ rd: realm.rd, rec: fx.delegated(), params: fx.page(encodeRecParams(params)) });
  };
}

/** aux[0] replaced by a granule in state `kind`. */
function auxState(kind: GranuleKind): CaseSetup {
  return withParams((aux, fx) => ({ aux: [fx.granuleIn(kind), ...aux.slice(1)] }));
}

/** RMI_REC_CREATE. */
export const RMI_REC_CREATE_CASES: ConformanceCase[] = commandCases('RMI_REC_CREATE', [
  ...addressCases(
    'params',
    [
      ['params_align', 'PARAMS_UNALIGNED', 'UNALIGNED'],
      ['params_bound', 'PARAMS_DEV_MEM', 'MMIO'],
      ['params_bound', 'PARAMS_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['params_pas', 'PARAMS_PAS_REALM', 'DELEGATED'],
      ['params_pas', 'PARAMS_PAS_SECURE', 'SECURE_PAS'],
    ],
    (fx) => validCreate(fx),
    create,
  ),
  ...addressCases(
    'rec',
    [
      ['rec_align', 'REC_UNALIGNED', 'UNALIGNED'],
      ['rec_bound', 'REC_DEV_MEM', 'MMIO'],
      ['rec_bound', 'REC_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['rec_state', 'REC_GRAN_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['rec_state', 'REC_GRAN_STATE_RD', 'RD'],
      ['rec_state', 'REC_GRAN_STATE_REC', 'REC'],
      ['rec_state', 'REC_GRAN_STATE_RTT', 'RTT'],
      ['rec_state', 'REC_GRAN_STATE_DATA', 'DATA'],
    ],
    (fx) => validCreate(fx),
    create,
  ),
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM', states: RD_STATES }),
    (fx) => validCreate(fx),
    create,
  ),
  cond('realm_state', 'REALM_ACTIVE', REALM, (fx) => {
    const realm = fx.realm({ activate: true });
    return create(validCreate(fx, realm));
  }),
  cond('realm_state', 'REALM_SYSTEM_OFF', REALM, (fx) =>
    // The next REC of the SYSTEM_OFF realm (MPIDR 2), valid were the realm NEW.
    create(validCreate(fx, systemOffRealm(fx).view)),
  ),
  cond(
    'mpidr_index',
    'MPIDR_SKIPPED',
    INPUT,
    withParams(() => ({ mpidr: 1n })),
  ),
  cond(
    'num_aux',
    'NUM_AUX_INVALID',
    INPUT,
    withParams((aux) => ({ numAux: aux.length > 0 ? aux.length - 1 : 1 })),
  ),
  cond(
    'aux_align',
    'AUX_UNALIGNED',
    INPUT,
    withParams((aux) => ({ aux: [aux[0]! + UNALIGNED_OFFSET, ...aux.slice(1)] })),
  ),
  cond(
    'aux_alias',
    'AUX_ALIASED',
    INPUT,
    withParams((aux) => ({ aux: [aux[0]!, aux[0]!, ...aux.slice(2)] })),
  ),
  cond('aux_state', 'AUX_UNDELEGATED', INPUT, auxState('UNDELEGATED')),
  cond('aux_state', 'AUX_RD', INPUT, auxState('RD')),
  cond('aux_state', 'AUX_REC', INPUT, auxState('REC')),
  cond('aux_state', 'AUX_RTT', INPUT, auxState('RTT')),
  cond('aux_state', 'AUX_DATA', INPUT, auxState('DATA')),
  success('rec_protected', (fx) => {
    const a = validCreate(fx);
    return {
      ...create(a),
      check: () => (fx.hostCanRead(a.rec) ? 'the host can read the REC' : undefined),
    };
  }),
]);

const destroy = (a: { rec: bigint }): CaseCall => ({ fid: SMC_RMI_REC_DESTROY, args: [a.rec] });

/** RMI_REC_DESTROY. */
export const RMI_REC_DESTROY_CASES: ConformanceCase[] = commandCases('RMI_REC_DESTROY', [
  ...addressCases(
    'rec',
    [
      ['rec_align', 'REC_UNALIGNED', 'UNALIGNED'],
      ['rec_bound', 'REC_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['rec_bound', 'REC_DEV_MEM', 'MMIO'],
      ['rec_gran_state', 'REC_GRAN_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['rec_gran_state', 'REC_GRAN_STATE_RD', 'RD'],
      ['rec_gran_state', 'REC_GRAN_STATE_REC_AUX', 'REC_AUX'],
      ['rec_gran_state', 'REC_GRAN_STATE_RTT', 'RTT'],
      ['rec_gran_state', 'REC_GRAN_STATE_DATA', 'DATA'],
    ],
    (fx) => ({ rec: fx.rec(fx.realm()).rec }),
    destroy,
  ),
  success('granules_delegated', (fx) => {
    const rec = fx.rec(fx.realm());
    return {
      ...destroy(rec),
      check: () => {
        for (const g of [rec.rec, ...rec.aux]) {
          const x0 = fx.smc(SMC_RMI_GRANULE_UNDELEGATE, g)[0];
          if (x0 !== 0n) return `granule 0x${g.toString(16)} is not DELEGATED after destroy`;
        }
        return undefined;
      },
    };
  }),
]);
