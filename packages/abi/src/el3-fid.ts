/**
 * The RMM ↔ EL3 interface: FIDs the RMM issues to the EL3 monitor, their status codes, the boot
 * error codes and the shared-buffer contract.
 *
 * The digest's table (`lib/rmm_el3_ifc/include/rmm_el3_ifc.h`; TF-A `rmmd_svc.h`):
 *
 * ```text
 * | FID | Name | Args | Returns |
 * |---|---|---|---|
 * | 0xC400018F | RMM_RMI_REQ_COMPLETE | x1 = RMI result, x2..x5 outputs | (world switch to NS) |
 * | 0xC40001B0 | RMM_GTSI_DELEGATE | x1 PA | x0: 0 OK, -2 E_RMM_BAD_ADDR (bad/unaligned/not in a GPT table-mapped region), -3 E_RMM_BAD_PAS (GPI ≠ NS) |
 * | 0xC40001B1 | RMM_GTSI_UNDELEGATE | x1 PA | x0: 0, -2, -3 (GPI ≠ Realm) |
 * | 0xC40001B2 | RMM_ATTEST_GET_REALM_KEY | x1 buf PA, x2 size, x3 curve(0) | x0 status, x1 key size |
 * | 0xC40001B3 | RMM_ATTEST_GET_PLAT_TOKEN | x1 buf PA, x2 size, x3 c_size | x0 status, x1 hunk size, x2 remaining |
 * | 0xC40001B4 | RMM_EL3_FEATURES (ifc v0.4, not used by TF-RMM rel0) | x1 index | x0, x1 |
 * | 0xC40001B5 | RMM_EL3_TOKEN_SIGN (v0.4, optional) | | |
 * | 0xC40001CF | RMM_BOOT_COMPLETE | x1 = boot error code | – |
 * E_RMM_* codes: OK 0, UNK -1, BAD_ADDR -2, BAD_PAS -3, NOMEM -4, INVAL -5, AGAIN -6.
 * ```
 *
 * **Naming**: the constants are `SMC_` + the digest's name, except {@link SMC_RMM_REQ_COMPLETE},
 * which keeps TF-RMM's name (§1.1; TF-A calls it `RMM_RMI_REQ_COMPLETE`).
 * @module
 */
import { RMI_FID, SMC64_STD_FID } from './smc.ts';

/**
 * `SMC_RMM_REQ_COMPLETE` = SMC64_STD_FID(RMI, 0x3F) = 0xC400018F: the RMM tells EL3 that an RMI
 * call finished; x1 = the RMI X0 result, x2..x5 = result X1..X4.
 * @see rmm-abi.md §1.1, §7.4
 * @since 0.1.0
 */
export const SMC_RMM_REQ_COMPLETE: number = RMI_FID(0x3f);
/** `RMM_GTSI_DELEGATE`: set a granule's GPI from NS to Realm. @see rmm-abi.md §7.4, §8.5 @since 0.1.0 */
export const SMC_RMM_GTSI_DELEGATE: number = SMC64_STD_FID(0x1b0);
/** `RMM_GTSI_UNDELEGATE`: set a granule's GPI from Realm to NS. @see rmm-abi.md §7.4, §8.5 @since 0.1.0 */
export const SMC_RMM_GTSI_UNDELEGATE: number = SMC64_STD_FID(0x1b1);
/** `RMM_ATTEST_GET_REALM_KEY`: fetch the RAK into the shared buffer. @see rmm-abi.md §7.1, §7.4 @since 0.1.0 */
export const SMC_RMM_ATTEST_GET_REALM_KEY: number = SMC64_STD_FID(0x1b2);
/** `RMM_ATTEST_GET_PLAT_TOKEN`: fetch the platform token in hunks. @see rmm-abi.md §7.1, §7.4 @since 0.1.0 */
export const SMC_RMM_ATTEST_GET_PLAT_TOKEN: number = SMC64_STD_FID(0x1b3);
/** `RMM_EL3_FEATURES` (interface v0.4; not used by TF-RMM rel0). @see rmm-abi.md §7.4 @since 0.1.0 */
export const SMC_RMM_EL3_FEATURES: number = SMC64_STD_FID(0x1b4);
/** `RMM_EL3_TOKEN_SIGN` (interface v0.4, optional). @see rmm-abi.md §7.4 @since 0.1.0 */
export const SMC_RMM_EL3_TOKEN_SIGN: number = SMC64_STD_FID(0x1b5);
/** `RMM_BOOT_COMPLETE`: x1 = boot error code ({@link RmmBootError}). @see rmm-abi.md §7.4 @since 0.1.0 */
export const SMC_RMM_BOOT_COMPLETE: number = SMC64_STD_FID(0x1cf);

/**
 * Status codes EL3 returns in x0 to the RMM (signed; two's complement in the register).
 * @see rmm-abi.md §7.4
 * @since 0.1.0
 */
export const RmmEl3Status = {
  /** `E_RMM_OK` */
  Ok: 0,
  /** `E_RMM_UNK` */
  Unknown: -1,
  /** `E_RMM_BAD_ADDR`: bad or unaligned PA, or not in a GPT table-mapped region. */
  BadAddr: -2,
  /** `E_RMM_BAD_PAS`: the granule's GPI is not the one the request needs. */
  BadPas: -3,
  /** `E_RMM_NOMEM` */
  NoMem: -4,
  /** `E_RMM_INVAL` */
  Inval: -5,
  /** `E_RMM_AGAIN`: retry (RMM_ATTEST_GET_PLAT_TOKEN). */
  Again: -6,
} as const;
/** An RMM-EL3 status code. @see rmm-abi.md §7.4 @since 0.1.0 */
export type RmmEl3Status = (typeof RmmEl3Status)[keyof typeof RmmEl3Status];

/**
 * Boot error codes the RMM passes to EL3 in x1 of RMM_BOOT_COMPLETE.
 * @see rmm-abi.md §7.4
 * @since 0.1.0
 */
export const RmmBootError = {
  /** `E_RMM_BOOT_SUCCESS` */
  Success: 0,
  /** `E_RMM_BOOT_UNKNOWN` */
  Unknown: -1,
  /** `E_RMM_BOOT_VERSION_MISMATCH`: unsupported RMM-EL3 interface version. */
  VersionMismatch: -2,
  /** `E_RMM_BOOT_CPUS_OUT_OF_RANGE`: number of CPUs out of range. */
  CpusOutOfRange: -3,
  /** `E_RMM_BOOT_CPU_ID_OUT_OF_RANGE`: CPU id out of range. */
  CpuIdOutOfRange: -4,
  /** `E_RMM_BOOT_INVALID_SHARED_BUFFER`: shared buffer zero or not 4K aligned. */
  InvalidSharedBuffer: -5,
  /** `E_RMM_BOOT_MANIFEST_VERSION_NOT_SUPPORTED` */
  ManifestVersionNotSupported: -6,
  /** `E_RMM_BOOT_MANIFEST_DATA_ERROR` */
  ManifestDataError: -7,
} as const;
/** An RMM boot error code. @see rmm-abi.md §7.4 @since 0.1.0 */
export type RmmBootError = (typeof RmmBootError)[keyof typeof RmmBootError];

/**
 * The curve argument (x3) of RMM_ATTEST_GET_REALM_KEY.
 * @see rmm-abi.md §7.1, §7.4
 * @since 0.1.0
 */
export const RmmAttestKeyCurve = {
  /** `ATTEST_KEY_CURVE_ECC_SECP384R1`: the buffer receives the raw 48-byte big-endian scalar. */
  EccSecp384r1: 0,
} as const;
/** A realm attestation key curve. @see rmm-abi.md §7.1 @since 0.1.0 */
export type RmmAttestKeyCurve = (typeof RmmAttestKeyCurve)[keyof typeof RmmAttestKeyCurve];

/**
 * Size of the RMM-EL3 shared buffer (one granule), passed as x2 of the attestation calls.
 * @see rmm-abi.md §7.1, §7.4
 * @since 0.1.0
 */
export const RMM_EL3_SHARED_BUFFER_SIZE = 0x1000;
/**
 * The most platform-token bytes the RMM caches (`ATTEST_PLAT_TOKEN_SIZE`).
 * @see rmm-abi.md §7.1
 * @since 0.1.0
 */
export const ATTEST_PLAT_TOKEN_SIZE = 0x1000;
/**
 * The length of the RAK hash the RMM puts at the start of the shared buffer for the first
 * RMM_ATTEST_GET_PLAT_TOKEN call (x3 = c_size; 0 on follow-ups).
 * @see rmm-abi.md §7.1
 * @since 0.1.0
 */
export const RMM_PLAT_TOKEN_CHALLENGE_SIZE = 32;
