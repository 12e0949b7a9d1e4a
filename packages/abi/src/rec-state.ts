/**
 * REC state: whether a REC is running and whether it is runnable.
 *
 * ```text
 * - runnable (flags.RUNNABLE at create; cleared by PSCI_CPU_OFF; set by PSCI_COMPLETE for CPU_ON)
 * - running = granule refcount 1 during REC_ENTER (REC_DESTROY → RMI_ERROR_REC, REC_ENTER on another PE → RMI_ERROR_REC, PSCI_COMPLETE calling running → INPUT, RTT_SET_RIPAS → RMI_ERROR_REC)
 * - psci_info.pending (CPU_ON/AFFINITY_INFO awaiting PSCI_COMPLETE; REC_ENTER → RMI_ERROR_REC while pending)
 * - host_call pending; set_ripas {base, top, addr(next), ripas_val, change_destroyed, response}; last_run_info.esr (for EMUL_MMIO/INJECT_SEA validation)
 * - rec_idx (from MPIDR), per-realm sequential.
 * ```
 *
 * The pending operations and last-exit record are RMM state, not ABI; they live in `@islet/rmm`.
 * @module
 */

/**
 * Whether a REC is executing (the spec's RmmRecState). TF-RMM encodes RUNNING as a REC granule
 * refcount of 1.
 * @see rmm-abi.md §4.3
 * @since 0.1.0
 */
export const RecState = {
  /** `REC_READY`: not executing. */
  Ready: 0,
  /** `REC_RUNNING`: inside RMI_REC_ENTER. */
  Running: 1,
} as const;
/** A REC state. @see rmm-abi.md §4.3 @since 0.1.0 */
export type RecState = (typeof RecState)[keyof typeof RecState];

/**
 * Whether a REC may be entered (RmiRecRunnable, flags bit 0 of RmiRecParams).
 * @see rmm-abi.md §3.2, §4.3
 * @since 0.1.0
 */
export const RecRunnable = {
  /** `RMI_NOT_RUNNABLE` */
  NotRunnable: 0,
  /** `RMI_RUNNABLE` */
  Runnable: 1,
} as const;
/** A REC runnable value. @see rmm-abi.md §4.3 @since 0.1.0 */
export type RecRunnable = (typeof RecRunnable)[keyof typeof RecRunnable];
