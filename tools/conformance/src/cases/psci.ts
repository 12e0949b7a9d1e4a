/**
 * RMI_PSCI_COMPLETE. A PSCI request becomes pending only when a running REC calls PSCI CPU_ON or
 * AFFINITY_INFO, which needs a realm that runs; the address and granule-state conditions, which
 * TF-RMM checks first, are set up with two RECs of one realm and no request.
 * @see rmm-abi.md §2.23
 * @module
 */
import { SMC_RMI_PSCI_COMPLETE } from '@islet/abi';
import {
  type CaseCall,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  success,
} from '../case.ts';
import type { Fixture } from '../fixture.ts';
import { SkipReason } from '../skips.ts';
import { addressCases } from './common.ts';

interface CompleteArgs extends Record<string, bigint> {
  calling: bigint;
  target: bigint;
  status: bigint;
}

const complete = (a: CompleteArgs): CaseCall => ({
  fid: SMC_RMI_PSCI_COMPLETE,
  args: [a.calling, a.target, a.status],
});

/** REC 0 calling, REC 1 target, PSCI_SUCCESS; an ACTIVE realm. */
function twoRecs(fx: Fixture): CompleteArgs {
  const realm = fx.realm();
  const calling = fx.rec(realm).rec;
  const target = fx.rec(realm).rec;
  fx.activate(realm);
  return { calling, target, status: 0n };
}

const NO_REQUEST_NOTE =
  'no PSCI request can be pending without a running REC, so pending[NO_PSCI_REQUEST] (also RMI_ERROR_INPUT) holds too; the verdict cannot tell the two apart';

/** RMI_PSCI_COMPLETE: every condition is RMI_ERROR_INPUT. */
export const RMI_PSCI_COMPLETE_CASES: ConformanceCase[] = commandCases('RMI_PSCI_COMPLETE', [
  cond(
    'alias',
    'ALIAS',
    INPUT,
    (fx) => {
      const a = twoRecs(fx);
      return complete({ ...a, target: a.calling });
    },
    NO_REQUEST_NOTE,
  ),
  ...addressCases(
    'calling',
    [
      ['calling_align', 'CALLING_UNALIGNED', 'UNALIGNED'],
      ['calling_bound', 'CALLING_DEV_MEM', 'MMIO'],
      ['calling_bound', 'CALLING_OUT_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['calling state', 'CALLING_GRAN_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['calling state', 'CALLING_GRAN_STATE_DELEGATED', 'DELEGATED'],
      ['calling state', 'CALLING_GRAN_STATE_RD', 'RD'],
      ['calling state', 'CALLING_GRAN_STATE_RTT', 'RTT'],
      ['calling state', 'CALLING_GRAN_STATE_DATA', 'DATA'],
    ],
    twoRecs,
    complete,
    INPUT,
    NO_REQUEST_NOTE,
  ),
  ...addressCases(
    'target',
    [
      ['target_align', 'TARGET_UNALIGNED', 'UNALIGNED'],
      ['target_bound', 'TARGET_DEV_MEM', 'MMIO'],
      ['target_bound', 'TARGET_OUT_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['target state', 'TARGET_GRAN_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['target state', 'TARGET_GRAN_STATE_DELEGATED', 'DELEGATED'],
      ['target state', 'TARGET_GRAN_STATE_RD', 'RD'],
      ['target state', 'TARGET_GRAN_STATE_RTT', 'RTT'],
      ['target state', 'TARGET_GRAN_STATE_DATA', 'DATA'],
    ],
    twoRecs,
    complete,
    INPUT,
    NO_REQUEST_NOTE,
  ),
  cond('pending', 'NO_PSCI_REQUEST', INPUT, (fx) => complete(twoRecs(fx))),
  cond('owner', 'TARGET_OTHER_OWNER', INPUT, SkipReason.PsciPending),
  cond('target', 'TARGET_OTHER_MPIDR', INPUT, SkipReason.PsciPending),
  cond('status', 'STATUS_NOT_PERMITTED', INPUT, SkipReason.PsciPending),
  success('completes_request', SkipReason.PsciPending),
]);
