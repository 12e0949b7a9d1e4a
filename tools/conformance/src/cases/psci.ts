/**
 * RMI_PSCI_COMPLETE. A PSCI request is pending on a REC that called PSCI CPU_ON or AFFINITY_INFO
 * and exited to the host; {@link psciRequest} makes one: a realm of three RECs whose REC 0 asks
 * CPU_ON of REC 1 and stops there. Every failing case completes that request with one argument
 * wrong (a failing call changes nothing, so they share it); the success case completes it, then
 * runs the realm on to see what REC 0 was told. `pending[NO_PSCI_REQUEST]` needs no realm that
 * runs: two RECs of a realm that never ran.
 * @see rmm-abi.md §2.23, §5.11
 * @module
 */
import {
  PsciReturnCode,
  SMC_RMI_PSCI_COMPLETE,
  SMC32_PSCI_SYSTEM_OFF,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
} from '@islet/abi';
import {
  type CaseCall,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  success,
} from '../case.ts';
import type { Fixture } from '../fixture.ts';
import { psciFidOf, RunningRealm } from '../running-realm.ts';
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

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * REC 0 asks CPU_ON of REC 1 (MPIDR 1, entry IPA 0), then AFFINITY_INFO of REC 1, prints both
 * answers and returns (Exit, SYSTEM_OFF). REC 2 is there to be the wrong target.
 */
const PSCI_PROGRAM = `// @islet/conformance: a pending PSCI request.
const on = smc(${hex(SMC64_PSCI_CPU_ON)}, 1, 0, 0);
const info = smc(${hex(SMC64_PSCI_AFFINITY_INFO)}, 1, 0);
console.log('psci', on[0].toString(16), info[0].toString(16));
`;

/** A REC stopped at its CPU_ON of another REC of its realm. */
export interface PsciRequest {
  readonly realm: RunningRealm;
  /** REC 0: the calling REC, its request pending. */
  readonly calling: bigint;
  /** REC 1: the target the request names. */
  readonly target: bigint;
  /** REC 2: a REC of the same realm that the request does not name. */
  readonly other: bigint;
}

const KEY = 'psci-request';

/**
 * The platform's pending PSCI request (made once, shared until a case completes it).
 * @throws {@link SetupError} when the realm cannot be launched or does not stop at its CPU_ON.
 */
export function psciRequest(fx: Fixture): PsciRequest {
  return fx.memo(KEY, (): PsciRequest => {
    const realm = RunningRealm.launch(fx, { program: PSCI_PROGRAM, vcpus: 3 });
    realm.runUntil(0, (exit) => psciFidOf(exit) === SMC64_PSCI_CPU_ON, 'its PSCI CPU_ON of REC 1');
    return {
      realm,
      calling: realm.rec(0).rec,
      target: realm.rec(1).rec,
      other: realm.rec(2).rec,
    };
  });
}

/** Completing the pending request: calling REC 0, target REC 1, PSCI_SUCCESS. */
function pending(fx: Fixture): CompleteArgs {
  const r = psciRequest(fx);
  return { calling: r.calling, target: r.target, status: 0n };
}

/** REC 0 calling, REC 1 target, PSCI_SUCCESS; an ACTIVE realm that never ran. */
function twoRecs(fx: Fixture): CompleteArgs {
  const realm = fx.realm();
  const calling = fx.rec(realm).rec;
  const target = fx.rec(realm).rec;
  fx.activate(realm);
  return { calling, target, status: 0n };
}

/** RMI_PSCI_COMPLETE: every condition is RMI_ERROR_INPUT. */
export const RMI_PSCI_COMPLETE_CASES: ConformanceCase[] = commandCases('RMI_PSCI_COMPLETE', [
  cond('alias', 'ALIAS', INPUT, (fx) => {
    const a = pending(fx);
    return complete({ ...a, target: a.calling });
  }),
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
    pending,
    complete,
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
    pending,
    complete,
  ),
  cond('pending', 'NO_PSCI_REQUEST', INPUT, (fx) => complete(twoRecs(fx))),
  cond('owner', 'TARGET_OTHER_OWNER', INPUT, (fx) => {
    // REC 1 of another realm: the MPIDR the request names, but not its realm.
    const other = fx.realm();
    fx.rec(other);
    return complete({ ...pending(fx), target: fx.rec(other).rec });
  }),
  cond('target', 'TARGET_OTHER_MPIDR', INPUT, (fx) =>
    complete({ ...pending(fx), target: psciRequest(fx).other }),
  ),
  cond('status', 'STATUS_NOT_PERMITTED', INPUT, (fx) =>
    // CPU_ON accepts PSCI_SUCCESS or PSCI_DENIED only.
    complete({ ...pending(fx), status: BigInt.asUintN(64, BigInt(PsciReturnCode.InvalidParams)) }),
  ),
  success('completes_request', (fx) => {
    const r = psciRequest(fx);
    fx.forget(KEY); // completed by this call, whatever it returns
    return {
      ...complete({ calling: r.calling, target: r.target, status: 0n }),
      check: () => {
        // REC 0 reads CPU_ON's PSCI_SUCCESS, then AFFINITY_INFO of REC 1 answers ON (0).
        r.realm.runUntil(
          0,
          (exit) => psciFidOf(exit) === SMC32_PSCI_SYSTEM_OFF,
          'the program to end (SYSTEM_OFF)',
        );
        return r.realm.console.includes('psci 0 0\n')
          ? undefined
          : `REC 0 printed ${JSON.stringify(r.realm.console)}, expected "psci 0 0" (CPU_ON SUCCESS, REC 1 ON)`;
      },
    };
  }),
]);
