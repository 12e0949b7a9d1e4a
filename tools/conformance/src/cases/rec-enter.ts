/**
 * RMI_REC_ENTER. Most cases stop at an input check of a runnable REC of an ACTIVE realm that
 * never ran, with a zeroed run page (no flags, GICv3 HCR 0). The others need a realm that ran:
 * `rec_psci` a REC stopped at its PSCI CPU_ON (the request RMI_PSCI_COMPLETE's cases share),
 * `system_off` and its compares the probe realm after its program ended (SYSTEM_OFF). The success
 * case enters the RIPAS realm of RMI_RTT_SET_RIPAS for the first time: the realm runs until its
 * program asks a RIPAS change, which the exit record must report (that stop is where the
 * SET_RIPAS cases start).
 * @see rmm-abi.md §2.11, §3.3
 * @module
 */
import { REC_ENTER_LAYOUT, RmiRecEnterFlag, SMC_RMI_REC_ENTER } from '@islet/abi';
import {
  type CaseCall,
  type CaseSetup,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  REALM,
  REC,
  rmiCode,
  success,
} from '../case.ts';
import type { Fixture } from '../fixture.ts';
import { describeExit } from '../running-realm.ts';
import { type AddressVariant, addressCases, variantAddress } from './common.ts';
import { psciRequest } from './psci.ts';
import { systemOffRealm } from './realm-calls.ts';
import {
  dropRipasRequest,
  isRipasRequest,
  keepRipasRequest,
  RIPAS_REQUEST_1,
  ripasRequest,
} from './ripas.ts';

interface EnterArgs extends Record<string, bigint> {
  rec: bigint;
  run: bigint;
}

const enter = (a: EnterArgs): CaseCall => ({ fid: SMC_RMI_REC_ENTER, args: [a.rec, a.run] });

/** A run page whose RmiRecEnter has `flags` and `gicv3Hcr`, the rest zero. */
function runPage(fx: Fixture, flags = 0n, gicv3Hcr = 0n): bigint {
  const page = new Uint8Array(0x1000);
  const view = new DataView(page.buffer);
  view.setBigUint64(REC_ENTER_LAYOUT.flags.offset, flags, true);
  view.setBigUint64(REC_ENTER_LAYOUT.gicv3_hcr.offset, gicv3Hcr, true);
  return fx.page(page);
}

/** ICH_HCR_EL2.En (bit 0): not among the bits the host may set (GICV3_HCR_NS_MASK). */
const GICV3_HCR_INVALID = 1n;

interface EnterOptions {
  readonly activate?: boolean;
  readonly runnable?: boolean;
  readonly flags?: bigint;
  readonly gicv3Hcr?: bigint;
}

/** A REC of a realm (ACTIVE and runnable unless told otherwise) and a run page. */
function validEnter(fx: Fixture, options: EnterOptions = {}): EnterArgs {
  const realm = fx.realm();
  const { rec } = fx.rec(realm, { runnable: options.runnable ?? true });
  if (options.activate ?? true) fx.activate(realm);
  return { rec, run: runPage(fx, options.flags, options.gicv3Hcr) };
}

/** REC 0 of the SYSTEM_OFF realm and a zeroed run page. */
function systemOff(fx: Fixture): EnterArgs {
  return { rec: systemOffRealm(fx).rec(0).rec, run: runPage(fx) };
}

/** `field` replaced by the address `variant` on top of a call built with `options`. */
function bad(field: 'rec' | 'run', variant: AddressVariant, options: EnterOptions): CaseSetup {
  return (fx) => {
    const a = validEnter(fx, options);
    return enter({ ...a, [field]: variantAddress(fx, variant, a[field]) });
  };
}

/** RMI_REC_ENTER. */
export const RMI_REC_ENTER_CASES: ConformanceCase[] = commandCases('RMI_REC_ENTER', [
  ...addressCases(
    'run',
    [
      ['run_align', 'RUN_PTR_UNALIGNED', 'UNALIGNED'],
      ['run_bound', 'RUN_PTR_DEV_MEM', 'MMIO'],
      ['run_bound', 'RUN_PTR_OUSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['run_pas', 'RUN_PTR_PAS_REALM', 'DELEGATED'],
      ['run_pas', 'RUN_PTR_PAS_SECURE', 'SECURE_PAS'],
    ],
    validEnter,
    enter,
  ),
  ...addressCases(
    'rec',
    [
      ['rec_align', 'REC_UNALIGNED', 'UNALIGNED'],
      ['rec_bound', 'REC_DEV_MEM', 'MMIO'],
      ['rec_bound', 'REC_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['rec_gran_state', 'REC_GRAN_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['rec_gran_state', 'REC_GRAN_STATE_DELEGATED', 'DELEGATED'],
      ['rec_gran_state', 'REC_GRAN_STATE_RD', 'RD'],
      ['rec_gran_state', 'REC_GRAN_STATE_RTT', 'RTT'],
      ['rec_gran_state', 'REC_GRAN_STATE_DATA', 'DATA'],
      ['rec_gran_state', 'REC_GRAN_STATE_REC_AUX', 'REC_AUX'],
    ],
    validEnter,
    enter,
  ),
  cond('realm_new', 'REALM_NEW', REALM, (fx) => enter(validEnter(fx, { activate: false }))),
  cond(
    'rec_mmio',
    'REC_EMULATED_MMIO',
    REC,
    (fx) => enter(validEnter(fx, { flags: RmiRecEnterFlag.EmulMmio })),
    'EMUL_MMIO on a REC that has never exited: no emulatable data abort is pending, so the condition holds without running the realm',
  ),
  cond('rec_psci', 'REC_PSCI_PENDING', REC, (fx) =>
    enter({ rec: psciRequest(fx).calling, run: runPage(fx) }),
  ),
  cond('system_off', 'REALM_SYSTEM_OFF', rmiCode('RMI_ERROR_REALM', 1), (fx) =>
    enter(systemOff(fx)),
  ),
  cond('rec_runnable', 'REC_NOT_RUNNABLE', REC, (fx) => enter(validEnter(fx, { runnable: false }))),
  cond('rec_giv3', 'RUN_PTR_INVALID_GIV3_HCR', REC, (fx) =>
    enter(validEnter(fx, { gicv3Hcr: GICV3_HCR_INVALID })),
  ),
  cond(
    'rec_align_compare_rec_gicv3',
    'REC_UNALIGNED_INVALID_GICV3',
    INPUT,
    bad('rec', 'UNALIGNED', { gicv3Hcr: GICV3_HCR_INVALID }),
  ),
  cond(
    'rec_bound_compare_rec_gicv3',
    'REC_DEV_MEM_INVALID_GICV3',
    INPUT,
    bad('rec', 'MMIO', { gicv3Hcr: GICV3_HCR_INVALID }),
  ),
  cond(
    'rec_gran_state_compare_rec_gicv3',
    'REC_GRAN_STATE_UNDELEGATED_INVALID_GICV3',
    INPUT,
    bad('rec', 'UNDELEGATED', { gicv3Hcr: GICV3_HCR_INVALID }),
  ),
  cond(
    'run_pas_compare_rec_runnable',
    'RUN_PAS_SECURE_REC_NOT_RUNNABLE',
    INPUT,
    bad('run', 'SECURE_PAS', { runnable: false }),
  ),
  cond(
    'run_pas_compare_realm_new',
    'RUN_PAS_SECURE_REALM_NEW',
    INPUT,
    bad('run', 'SECURE_PAS', { activate: false }),
  ),
  cond('run_pas_compare_system_off', 'RUN_PAS_SECURE_REALM_SYSTEM_OFF', INPUT, (fx) =>
    enter({ ...systemOff(fx), run: fx.platform.secureGranule }),
  ),
  cond(
    'run_bound_compare_rec_runnable',
    'RUN_DEV_MEM_REC_NOT_RUNNABLE',
    INPUT,
    bad('run', 'MMIO', { runnable: false }),
  ),
  cond(
    'run_bound_compare_realm_new',
    'RUN_DEV_MEM_REALM_NEW',
    INPUT,
    bad('run', 'MMIO', { activate: false }),
  ),
  cond('run_bound_compare_system_off', 'RUN_DEV_MEM_REALM_SYSTEM_OFF', INPUT, (fx) =>
    enter({ ...systemOff(fx), run: fx.platform.mmioAddress }),
  ),
  success('runs', (fx) => {
    const r = ripasRequest(fx, 0);
    dropRipasRequest(fx); // entered by this call; handed back below if it stopped as expected
    return {
      ...enter(r.realm.prepare(0)),
      check: () => {
        // The realm ran until its first RSI_IPA_STATE_SET, which the exit record reports.
        const exit = r.realm.exitOf(0);
        const { base, top } = RIPAS_REQUEST_1;
        if (!isRipasRequest(exit, base, top)) {
          return `the exit is ${describeExit(exit)}, expected RIPAS_CHANGE [0x${base.toString(16)}, 0x${top.toString(16)}) to RAM`;
        }
        r.phase = 1;
        keepRipasRequest(fx, r);
        return undefined;
      },
    };
  }),
]);
