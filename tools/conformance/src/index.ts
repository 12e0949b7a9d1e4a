/**
 * `@islet/conformance`: a conformance suite for any RMM behind the Normal-world SMC interface.
 * One case per RMI failure condition of Arm's RMM ACS v1.0 (plus success paths), driven only
 * through `host.smc` and host memory, so it runs unchanged against any RMM a platform composes.
 * @module
 */
export { type AcsCondition, conditionId, parseAcsConditions } from './acs-conditions.ts';
export type { CaseCall, CaseSetup, CaseSkip, ConformanceCase } from './case.ts';
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
  formatStatus,
  formatX0,
  RMI_STATUS_BY_NAME,
  rmiStatusName,
  type StatusCode,
} from './status.ts';
export { CONFORMANCE_CASES, SKIPPED_CASES } from './suite.ts';
export type {
  ConformanceTarget,
  PlatformDescription,
  Target,
} from './target.ts';
