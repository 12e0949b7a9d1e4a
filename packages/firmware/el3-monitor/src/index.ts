/**
 * `@islet/el3-monitor`: the EL3 monitor of the Islet CCA stack (TF-A BL31 and its RMMD). It routes
 * SMCs by world (RMI from the host to the RMM, register for register; the RMM's RMM-EL3 calls to
 * the EL3 services), serves the RMM-EL3 interface (GTSI delegate and undelegate on the GPT, the
 * realm attestation key and the platform token from HES) and runs the platform boot (measured boot
 * into HES, the GPT, the RMM's cold boot and RMM_BOOT_COMPLETE). It receives any RMM through the
 * `Rmm` port of `@islet/abi` and never imports `@islet/rmm`.
 * @see rmm-abi.md §1.1, §7.1, §7.4, §8.5; islet-reference.md §3
 * @module
 */
export {
  BOOT_MANIFEST_BANKS_OFFSET,
  BOOT_MANIFEST_MAX_BANKS,
  BOOT_MANIFEST_SIZE,
  BOOT_MANIFEST_VERSION,
  encodeBootManifest,
  type NsDramBank,
} from './boot-manifest.ts';
export {
  EL3_CALL_LOG_SIZE,
  type El3BootOptions,
  type El3BootReport,
  type El3CallRecord,
  type El3Inspection,
  El3Monitor,
  type El3MonitorOptions,
  El3State,
  type MeasuredImage,
  type MonitorGpt,
  type MonitorHes,
} from './el3-monitor.ts';
export { El3MonitorError, El3MonitorErrorCode } from './el3-monitor-error.ts';
export { type FirmwareImage, MEASUREMENT_SLOT, measureImage } from './firmware-image.ts';
