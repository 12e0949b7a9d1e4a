/**
 * The skip list: every condition this suite cannot make hold through `host.smc`, host memory and
 * the realms it runs on a platform like the modelled FVP, with the reason. Skips are data,
 * reported case by case, never silent omissions.
 * @module
 */

/** Why a group of cases is skipped. */
export const SkipReason = {
  /** (a) Hardware the platform does not model. */
  Lpa2Pa:
    'needs a delegable granule at PA >= 2^48 (FEAT_LPA2); the platform has no DRAM there (it ends at 64 GiB)',
  /** (b) Not an RMM 1.0 condition. */
  Planes: 'RMI_ERROR_RTT_AUX is an RMM 1.1 (planes) condition with no meaning in RMM 1.0',
} as const;
/** A skip reason. */
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
