/**
 * The skip list: every condition this suite cannot make hold through `host.smc` and host memory
 * on a platform like the modelled FVP, with the reason. Skips are data, reported case by case,
 * never silent omissions.
 * @module
 */

/** Why a group of cases is skipped. */
export const SkipReason = {
  /** (a) Hardware the platform does not model. */
  Lpa2Pa:
    'needs a delegable granule at PA >= 2^48 (FEAT_LPA2); the platform has no DRAM there (it ends at 64 GiB)',
  /** (b) Needs a realm that runs: RSI/PSCI from a REC. */
  SystemOff:
    'needs realm state SYSTEM_OFF, reached only by PSCI SYSTEM_OFF from a running REC (realms do not run yet)',
  PsciPending:
    'needs a pending PSCI request (PSCI CPU_ON/AFFINITY_INFO from a running REC; realms do not run yet)',
  RipasPending:
    'needs a pending RSI_IPA_STATE_SET request, which sets the REC RIPAS change range this condition is about (made by a running REC; realms do not run yet)',
  RecRuns:
    'REC_ENTER with every check passing runs the realm, which needs a realm that runs (not yet)',
  /** (c) Not an RMM 1.0 condition. */
  Planes: 'RMI_ERROR_RTT_AUX is an RMM 1.1 (planes) condition with no meaning in RMM 1.0',
} as const;
/** A skip reason. */
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
