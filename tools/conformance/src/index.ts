/**
 * `@islet/conformance`: a conformance suite for any RMM behind the Normal-world SMC interface.
 * One case per failure condition of Arm's RMM ACS v1.0 (plus success paths): the RMI ones driven
 * through `host.smc` and host memory, the RSI and PSCI ones made by realm programs the host
 * launches and runs, so it runs unchanged against any RMM a platform composes.
 * @module
 */
export { type AcsCondition, conditionId, parseAcsConditions } from './acs-conditions.ts';
export type {
  CaseCall,
  CaseObservation,
  CaseSetup,
  CaseSkip,
  ConformanceCase,
} from './case.ts';
export { Fixture, SetupError } from './fixture.ts';
export { formatReport } from './report.ts';
export {
  type CaseResult,
  type ConformanceReport,
  type RunOptions,
  runConformance,
  type Verdict,
} from './runner.ts';
export { SkipReason } from './skips.ts';
export {
  type Abi,
  formatResult,
  formatStatus,
  formatX0,
  PSCI_STATUS_BY_NAME,
  RMI_STATUS_BY_NAME,
  RSI_STATUS_BY_NAME,
  rmiStatusName,
  type StatusCode,
  statusName,
} from './status.ts';
export { CONFORMANCE_CASES, SKIPPED_CASES } from './suite.ts';
export type {
  ConformanceTarget,
  PlatformDescription,
  Target,
} from './target.ts';
