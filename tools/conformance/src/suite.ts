/**
 * The whole suite: every case of every RMI command, in the order of the RMI FIDs, then the calls
 * a realm makes (RSI commands in FID order, then PSCI CPU_ON and AFFINITY_INFO).
 * @module
 */
import type { ConformanceCase } from './case.ts';
import {
  RMI_DATA_CREATE_CASES,
  RMI_DATA_CREATE_UNKNOWN_CASES,
  RMI_DATA_DESTROY_CASES,
} from './cases/data.ts';
import { RMI_GRANULE_DELEGATE_CASES, RMI_GRANULE_UNDELEGATE_CASES } from './cases/granule.ts';
import { RMI_PSCI_COMPLETE_CASES } from './cases/psci.ts';
import {
  RMI_REALM_ACTIVATE_CASES,
  RMI_REALM_CREATE_CASES,
  RMI_REALM_DESTROY_CASES,
} from './cases/realm.ts';
import { REALM_CALL_CASES } from './cases/realm-calls.ts';
import {
  RMI_REC_AUX_COUNT_CASES,
  RMI_REC_CREATE_CASES,
  RMI_REC_DESTROY_CASES,
} from './cases/rec.ts';
import { RMI_REC_ENTER_CASES } from './cases/rec-enter.ts';
import { RMI_RTT_INIT_RIPAS_CASES, RMI_RTT_SET_RIPAS_CASES } from './cases/ripas.ts';
import {
  RMI_RTT_CREATE_CASES,
  RMI_RTT_DESTROY_CASES,
  RMI_RTT_FOLD_CASES,
  RMI_RTT_READ_ENTRY_CASES,
} from './cases/rtt.ts';
import { RMI_FEATURES_CASES, RMI_VERSION_CASES } from './cases/system.ts';
import {
  RMI_RTT_MAP_UNPROTECTED_CASES,
  RMI_RTT_UNMAP_UNPROTECTED_CASES,
} from './cases/unprotected.ts';

/** Every case, grouped by command in FID order. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  ...RMI_VERSION_CASES,
  ...RMI_GRANULE_DELEGATE_CASES,
  ...RMI_GRANULE_UNDELEGATE_CASES,
  ...RMI_DATA_CREATE_CASES,
  ...RMI_DATA_CREATE_UNKNOWN_CASES,
  ...RMI_DATA_DESTROY_CASES,
  ...RMI_REALM_ACTIVATE_CASES,
  ...RMI_REALM_CREATE_CASES,
  ...RMI_REALM_DESTROY_CASES,
  ...RMI_REC_CREATE_CASES,
  ...RMI_REC_DESTROY_CASES,
  ...RMI_REC_ENTER_CASES,
  ...RMI_RTT_CREATE_CASES,
  ...RMI_RTT_DESTROY_CASES,
  ...RMI_RTT_MAP_UNPROTECTED_CASES,
  ...RMI_RTT_READ_ENTRY_CASES,
  ...RMI_RTT_UNMAP_UNPROTECTED_CASES,
  ...RMI_PSCI_COMPLETE_CASES,
  ...RMI_FEATURES_CASES,
  ...RMI_RTT_FOLD_CASES,
  ...RMI_REC_AUX_COUNT_CASES,
  ...RMI_RTT_INIT_RIPAS_CASES,
  ...RMI_RTT_SET_RIPAS_CASES,
  ...REALM_CALL_CASES,
];

/** The statically skipped cases: id → reason. Feature-dependent skips come from the setups. */
export const SKIPPED_CASES: ReadonlyMap<string, string> = new Map(
  CONFORMANCE_CASES.flatMap((c) => (c.skip === undefined ? [] : [[c.id, c.skip] as const])),
);
