/**
 * The PSCI function IDs a realm uses, PSCI return codes and AFFINITY_INFO states, as the RMM
 * handles them for a realm and as RMI_PSCI_COMPLETE carries them.
 *
 * PSCI from a Realm: SMC32 0x84000000..0x84000014, SMC64 0xC4000000..0xC4000014. The RMM
 * answers PSCI_FEATURES with 0 for the functions below (plus SMCCC_VERSION) and NOT_SUPPORTED for
 * every other PSCI FID (rmm-abi.md §5.11).
 * @module
 */
import { SMC32_STD_FID, SMC64_STD_FID } from './smc.ts';

/** First PSCI FID, SMC32 (`SMC32_PSCI_FID_MIN`). @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC32_PSCI_FID_MIN: number = SMC32_STD_FID(0x00);
/** Last PSCI FID, SMC32 (`SMC32_PSCI_FID_MAX`). @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC32_PSCI_FID_MAX: number = SMC32_STD_FID(0x14);
/** First PSCI FID, SMC64 (`SMC64_PSCI_FID_MIN`). @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC64_PSCI_FID_MIN: number = SMC64_STD_FID(0x00);
/** Last PSCI FID, SMC64 (`SMC64_PSCI_FID_MAX`). @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC64_PSCI_FID_MAX: number = SMC64_STD_FID(0x14);

/** `PSCI_VERSION` (SMC32 only). @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_VERSION: number = SMC32_STD_FID(0x00);
/** `CPU_SUSPEND`, SMC32. @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_CPU_SUSPEND: number = SMC32_STD_FID(0x01);
/** `CPU_SUSPEND`, SMC64. @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC64_PSCI_CPU_SUSPEND: number = SMC64_STD_FID(0x01);
/** `CPU_OFF` (SMC32 only). @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_CPU_OFF: number = SMC32_STD_FID(0x02);
/** `CPU_ON`, SMC32. @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_CPU_ON: number = SMC32_STD_FID(0x03);
/** `CPU_ON`, SMC64. @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC64_PSCI_CPU_ON: number = SMC64_STD_FID(0x03);
/** `AFFINITY_INFO`, SMC32. @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_AFFINITY_INFO: number = SMC32_STD_FID(0x04);
/** `AFFINITY_INFO`, SMC64. @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC64_PSCI_AFFINITY_INFO: number = SMC64_STD_FID(0x04);
/** `SYSTEM_OFF` (SMC32 only). @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_SYSTEM_OFF: number = SMC32_STD_FID(0x08);
/** `SYSTEM_RESET` (SMC32 only). @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_SYSTEM_RESET: number = SMC32_STD_FID(0x09);
/** `PSCI_FEATURES` (SMC32 only). @see rmm-abi.md §5.11 @since 0.1.0 */
export const SMC32_PSCI_FEATURES: number = SMC32_STD_FID(0x0a);

/**
 * The PSCI FIDs for which the RMM's PSCI_FEATURES returns 0 (supported), SMCCC_VERSION excluded.
 * @see rmm-abi.md §5.11
 * @since 0.1.0
 */
export const PSCI_REALM_FIDS: readonly number[] = [
  SMC32_PSCI_VERSION,
  SMC32_PSCI_CPU_SUSPEND,
  SMC64_PSCI_CPU_SUSPEND,
  SMC32_PSCI_CPU_OFF,
  SMC32_PSCI_CPU_ON,
  SMC64_PSCI_CPU_ON,
  SMC32_PSCI_AFFINITY_INFO,
  SMC64_PSCI_AFFINITY_INFO,
  SMC32_PSCI_SYSTEM_OFF,
  SMC32_PSCI_SYSTEM_RESET,
  SMC32_PSCI_FEATURES,
];

/**
 * Whether `fid` is in one of the PSCI ranges (SMC32 or SMC64, function 0x00..0x14).
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function isPsciFid(fid: number): boolean {
  return (
    (fid >= SMC32_PSCI_FID_MIN && fid <= SMC32_PSCI_FID_MAX) ||
    (fid >= SMC64_PSCI_FID_MIN && fid <= SMC64_PSCI_FID_MAX)
  );
}

/**
 * PSCI return codes (signed; in a register as two's complement, e.g. DENIED = (u64)-3). Also the
 * `status` of RMI_PSCI_COMPLETE.
 * @see rmm-abi.md §2.23, §5.11
 * @since 0.1.0
 */
export const PsciReturnCode = {
  /** `PSCI_SUCCESS` */
  Success: 0,
  /** `PSCI_NOT_SUPPORTED` */
  NotSupported: -1,
  /** `PSCI_INVALID_PARAMS` */
  InvalidParams: -2,
  /** `PSCI_DENIED` */
  Denied: -3,
  /** `PSCI_ALREADY_ON` */
  AlreadyOn: -4,
  /** `PSCI_ON_PENDING` */
  OnPending: -5,
  /** `PSCI_INTERNAL_FAILURE` */
  InternalFailure: -6,
  /** `PSCI_NOT_PRESENT` */
  NotPresent: -7,
  /** `PSCI_DISABLED` */
  Disabled: -8,
  /** `PSCI_INVALID_ADDRESS` */
  InvalidAddress: -9,
} as const;
/** A PSCI return code. @see rmm-abi.md §5.11 @since 0.1.0 */
export type PsciReturnCode = (typeof PsciReturnCode)[keyof typeof PsciReturnCode];

/**
 * AFFINITY_INFO results.
 * @see rmm-abi.md §2.23, §5.11
 * @since 0.1.0
 */
export const PsciAffinityInfo = {
  /** `AFF_STATE_ON` */
  On: 0,
  /** `AFF_STATE_OFF` */
  Off: 1,
  /** `AFF_STATE_ON_PENDING` */
  OnPending: 2,
} as const;
/** An AFFINITY_INFO result. @see rmm-abi.md §5.11 @since 0.1.0 */
export type PsciAffinityInfo = (typeof PsciAffinityInfo)[keyof typeof PsciAffinityInfo];
