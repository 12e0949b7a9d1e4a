/**
 * The error codes of `@islet/el3-monitor`. Only set-up misuse throws (a bad configuration, a boot
 * called twice, a malformed firmware image description): SMCs from any world and the RMM-EL3
 * services return register values and statuses and never throw (STYLE.md §5).
 * @module
 */
import { IsletError, type IsletErrorOptions } from '@islet/arch';

/**
 * Stable codes, one per reason the monitor refuses a set-up call.
 * @since 0.1.0
 */
export const El3MonitorErrorCode = {
  /** A constructor option is malformed: shared buffer, CPU count, interface version, DRAM banks. */
  ConfigInvalid: 'EL3_CONFIG_INVALID',
  /** `boot()` was called on a monitor that already booted. */
  AlreadyBooted: 'EL3_ALREADY_BOOTED',
  /** `attachRmm()` after an RMM was attached or after boot. */
  RmmAlreadyAttached: 'EL3_RMM_ALREADY_ATTACHED',
  /** A firmware image gives both or neither of `image` and `digest`, or a bad slot. */
  ImageInvalid: 'EL3_IMAGE_INVALID',
} as const;
/** One of the {@link El3MonitorErrorCode} values. @since 0.1.0 */
export type El3MonitorErrorCode = (typeof El3MonitorErrorCode)[keyof typeof El3MonitorErrorCode];

/**
 * The error thrown when the monitor is configured or driven wrongly by its composition root.
 *
 * @example
 * ```ts
 * try { monitor.boot(); } catch (e) {
 *   if (e instanceof El3MonitorError && e.code === 'EL3_ALREADY_BOOTED') { ... }
 * }
 * ```
 * @since 0.1.0
 */
export class El3MonitorError extends IsletError<El3MonitorErrorCode> {
  override name = 'El3Monitor.El3MonitorError';
  constructor(code: El3MonitorErrorCode, shortMessage: string, options?: IsletErrorOptions) {
    super(code, shortMessage, options);
  }
}
