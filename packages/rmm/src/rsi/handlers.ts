/**
 * The declarative RSI command table (TF-RMM `runtime/core/exit.c handle_realm_rsi` and its
 * `rsi_handlers[]`; STYLE.md §2): for each call a realm can make, its FID, name, arity (input
 * registers X1..X`argc`, output registers X1..X`retc`) and handler. Every RSI command of RMM 1.0,
 * Islet's vendor RSI_ISLET_REALM_SEALING_KEY, the PSCI functions the RMM implements for realms,
 * and SMCCC_VERSION.
 *
 * The RSI arities equal `@islet/abi`'s `RSI_COMMANDS` and `ISLET_RSI_COMMANDS` (a test checks
 * it). A FID in a PSCI range
 * that is not here answers PSCI NOT_SUPPORTED ({@link PSCI_NOT_SUPPORTED}); any other FID is
 * answered `SMC_UNKNOWN` by the dispatcher.
 * @module
 */
import {
  type IsletRsiCommandName,
  type RsiCommandName,
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_FEATURES,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_REALM_CONFIG,
  SMC_RSI_VERSION,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_CPU_ON,
  SMC32_PSCI_CPU_SUSPEND,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC32_PSCI_VERSION,
  SMC64_PSCI_AFFINITY_INFO,
  SMC64_PSCI_CPU_ON,
  SMC64_PSCI_CPU_SUSPEND,
  SMCCC_VERSION,
} from '@islet/abi';
import { rsiAttestationTokenContinue, rsiAttestationTokenInit } from './attestation.ts';
import { rsiRealmConfig } from './config.ts';
import type { RsiHandler } from './context.ts';
import { rsiHostCall } from './host-call.ts';
import { rsiMeasurementExtend, rsiMeasurementRead } from './measurement.ts';
import { rsiIpaStateGet, rsiIpaStateSet } from './memory.ts';
import {
  psciAffinityInfo,
  psciCpuOff,
  psciCpuOn,
  psciCpuSuspend,
  psciFeatures,
  psciNotSupported,
  psciSystemOff,
  psciVersion,
} from './psci.ts';
import { rsiIsletRealmSealingKey } from './sealing-key.ts';
import { rsiFeatures, rsiVersion, smcccVersion } from './system.ts';

/**
 * The name of a call in the RSI table: an RSI command, Islet's vendor RSI call, a PSCI function
 * (`SMC32_`/`SMC64_` spellings of `psci.h`) or SMCCC_VERSION.
 * @since 0.5.0
 */
export type RsiHandlerName =
  | RsiCommandName
  | IsletRsiCommandName
  | 'PSCI_VERSION'
  | 'PSCI_FEATURES'
  | 'PSCI_CPU_SUSPEND_32'
  | 'PSCI_CPU_SUSPEND_64'
  | 'PSCI_CPU_OFF'
  | 'PSCI_CPU_ON_32'
  | 'PSCI_CPU_ON_64'
  | 'PSCI_AFFINITY_INFO_32'
  | 'PSCI_AFFINITY_INFO_64'
  | 'PSCI_SYSTEM_OFF'
  | 'PSCI_SYSTEM_RESET'
  | 'PSCI_NOT_SUPPORTED'
  | 'SMCCC_VERSION';

/**
 * One row of the RSI table.
 * @see rmm-abi.md §5
 * @since 0.5.0
 */
export interface RsiHandlerEntry {
  /** The FID, without the SVE hint. */
  readonly fid: number;
  /** The name. */
  readonly name: RsiHandlerName;
  /** Number of input registers, X1..X`argc` (at most 10). */
  readonly argc: number;
  /** Number of output registers, X1..X`retc` (at most 8; X0 is always written). */
  readonly retc: number;
  /** The handler. */
  readonly handler: RsiHandler;
}

/**
 * What every FID of the PSCI ranges not in {@link RSI_HANDLERS} gets: X0 = NOT_SUPPORTED.
 * (`fid` 0: it is not looked up.)
 * @see rmm-abi.md §5.11
 * @since 0.5.0
 */
export const PSCI_NOT_SUPPORTED: RsiHandlerEntry = Object.freeze({
  fid: 0,
  name: 'PSCI_NOT_SUPPORTED',
  argc: 0,
  retc: 0,
  handler: psciNotSupported,
});

/**
 * The calls a REC can make that this RMM implements.
 * @see rmm-abi.md §5, §5.11
 * @since 0.5.0
 */
export const RSI_HANDLERS: readonly RsiHandlerEntry[] = [
  { fid: SMC_RSI_VERSION, name: 'RSI_VERSION', argc: 1, retc: 2, handler: rsiVersion },
  { fid: SMC_RSI_FEATURES, name: 'RSI_FEATURES', argc: 1, retc: 1, handler: rsiFeatures },
  {
    fid: SMC_RSI_MEASUREMENT_READ,
    name: 'RSI_MEASUREMENT_READ',
    argc: 1,
    retc: 8,
    handler: rsiMeasurementRead,
  },
  {
    fid: SMC_RSI_MEASUREMENT_EXTEND,
    name: 'RSI_MEASUREMENT_EXTEND',
    argc: 10,
    retc: 0,
    handler: rsiMeasurementExtend,
  },
  {
    fid: SMC_RSI_ATTESTATION_TOKEN_INIT,
    name: 'RSI_ATTESTATION_TOKEN_INIT',
    argc: 8,
    retc: 1,
    handler: rsiAttestationTokenInit,
  },
  {
    fid: SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
    name: 'RSI_ATTESTATION_TOKEN_CONTINUE',
    argc: 3,
    retc: 1,
    handler: rsiAttestationTokenContinue,
  },
  {
    fid: SMC_RSI_REALM_CONFIG,
    name: 'RSI_REALM_CONFIG',
    argc: 1,
    retc: 0,
    handler: rsiRealmConfig,
  },
  {
    fid: SMC_RSI_IPA_STATE_SET,
    name: 'RSI_IPA_STATE_SET',
    argc: 4,
    retc: 2,
    handler: rsiIpaStateSet,
  },
  {
    fid: SMC_RSI_IPA_STATE_GET,
    name: 'RSI_IPA_STATE_GET',
    argc: 2,
    retc: 2,
    handler: rsiIpaStateGet,
  },
  { fid: SMC_RSI_HOST_CALL, name: 'RSI_HOST_CALL', argc: 1, retc: 0, handler: rsiHostCall },
  {
    fid: SMC_RSI_ISLET_REALM_SEALING_KEY,
    name: 'RSI_ISLET_REALM_SEALING_KEY',
    argc: 2,
    retc: 4,
    handler: rsiIsletRealmSealingKey,
  },
  { fid: SMC32_PSCI_VERSION, name: 'PSCI_VERSION', argc: 0, retc: 0, handler: psciVersion },
  { fid: SMC32_PSCI_FEATURES, name: 'PSCI_FEATURES', argc: 1, retc: 0, handler: psciFeatures },
  {
    fid: SMC32_PSCI_CPU_SUSPEND,
    name: 'PSCI_CPU_SUSPEND_32',
    argc: 3,
    retc: 0,
    handler: psciCpuSuspend,
  },
  {
    fid: SMC64_PSCI_CPU_SUSPEND,
    name: 'PSCI_CPU_SUSPEND_64',
    argc: 3,
    retc: 0,
    handler: psciCpuSuspend,
  },
  { fid: SMC32_PSCI_CPU_OFF, name: 'PSCI_CPU_OFF', argc: 0, retc: 0, handler: psciCpuOff },
  { fid: SMC32_PSCI_CPU_ON, name: 'PSCI_CPU_ON_32', argc: 3, retc: 0, handler: psciCpuOn },
  { fid: SMC64_PSCI_CPU_ON, name: 'PSCI_CPU_ON_64', argc: 3, retc: 0, handler: psciCpuOn },
  {
    fid: SMC32_PSCI_AFFINITY_INFO,
    name: 'PSCI_AFFINITY_INFO_32',
    argc: 2,
    retc: 0,
    handler: psciAffinityInfo,
  },
  {
    fid: SMC64_PSCI_AFFINITY_INFO,
    name: 'PSCI_AFFINITY_INFO_64',
    argc: 2,
    retc: 0,
    handler: psciAffinityInfo,
  },
  { fid: SMC32_PSCI_SYSTEM_OFF, name: 'PSCI_SYSTEM_OFF', argc: 0, retc: 0, handler: psciSystemOff },
  {
    fid: SMC32_PSCI_SYSTEM_RESET,
    name: 'PSCI_SYSTEM_RESET',
    argc: 0,
    retc: 0,
    handler: psciSystemOff,
  },
  { fid: SMCCC_VERSION, name: 'SMCCC_VERSION', argc: 0, retc: 0, handler: smcccVersion },
];
