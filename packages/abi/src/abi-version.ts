/**
 * The spec revision this package encodes and the version numbers of its interfaces: RMI, RSI,
 * SMCCC and PSCI as reported to a realm, and the RMM-EL3 boot interface and manifest.
 *
 * ```text
 * RMI_ABI_VERSION = RSI_ABI_VERSION = (1<<16)|0 = 0x10000 (major [30:16], minor [15:0]).
 * RMM-EL3 interface: TF-RMM rel0 requires boot-interface version major 0, minor ≥ 3
 * (RMM_EL3_IFC_VERS_*), boot manifest ≥ v0.3. TF-A v2.12 provides 0.4.
 * SMCCC_VERSION returned to realm: 0x10002 (v1.2). PSCI_VERSION returned to realm: 0x10001 (v1.1).
 * ```
 * @module
 */

/**
 * The Arm RMM specification revision these contracts follow (DEN0137 1.0-rel0, as implemented by
 * TF-RMM tag `rmm-spec-v1.0-rel0`).
 * @see rmm-abi.md §0
 * @since 0.1.0
 */
export const RMM_SPEC_REVISION = 'RMM 1.0-rel0';

/**
 * Packs a version as `(major << 16) | minor` (major bits [30:16], minor bits [15:0]).
 * @throws {RangeError} when `major` is not in 0..0x7FFF or `minor` not in 0..0xFFFF.
 * @see rmm-abi.md §1.4
 * @since 0.1.0
 */
export function abiVersion(major: number, minor: number): number {
  if (!Number.isInteger(major) || major < 0 || major > 0x7fff) {
    throw new RangeError(`version major ${major} is not in 0..0x7FFF`);
  }
  if (!Number.isInteger(minor) || minor < 0 || minor > 0xffff) {
    throw new RangeError(`version minor ${minor} is not in 0..0xFFFF`);
  }
  return major * 0x1_0000 + minor;
}

/** The major part of a packed version, bits [30:16]. @see rmm-abi.md §1.4 @since 0.1.0 */
export function abiVersionMajor(version: number): number {
  return (version >>> 16) & 0x7fff;
}

/** The minor part of a packed version, bits [15:0]. @see rmm-abi.md §1.4 @since 0.1.0 */
export function abiVersionMinor(version: number): number {
  return version & 0xffff;
}

/** `RMI_ABI_VERSION_MAJOR` @see rmm-abi.md §1.4 @since 0.1.0 */
export const RMI_ABI_VERSION_MAJOR = 1;
/** `RMI_ABI_VERSION_MINOR` @see rmm-abi.md §1.4 @since 0.1.0 */
export const RMI_ABI_VERSION_MINOR = 0;
/** `RMI_ABI_VERSION` = 0x10000 (1.0). @see rmm-abi.md §1.4, §2.1 @since 0.1.0 */
export const RMI_ABI_VERSION = 0x1_0000;
/** `RSI_ABI_VERSION_MAJOR` @see rmm-abi.md §1.4 @since 0.1.0 */
export const RSI_ABI_VERSION_MAJOR = 1;
/** `RSI_ABI_VERSION_MINOR` @see rmm-abi.md §1.4 @since 0.1.0 */
export const RSI_ABI_VERSION_MINOR = 0;
/** `RSI_ABI_VERSION` = 0x10000 (1.0). @see rmm-abi.md §1.4, §5.1 @since 0.1.0 */
export const RSI_ABI_VERSION = 0x1_0000;

/**
 * The SMCCC version the RMM reports to a realm: 0x10002 (v1.2).
 * @see rmm-abi.md §1.4
 * @since 0.1.0
 */
export const SMCCC_VERSION_1_2 = 0x1_0002;
/**
 * The PSCI version the RMM reports to a realm: 0x10001 (v1.1).
 * @see rmm-abi.md §1.4, §5.11
 * @since 0.1.0
 */
export const PSCI_VERSION_1_1 = 0x1_0001;

/** `RMM_EL3_IFC_VERS_MAJOR`: the RMM-EL3 boot interface major TF-RMM rel0 requires. @see rmm-abi.md §1.4 @since 0.1.0 */
export const RMM_EL3_IFC_VERS_MAJOR = 0;
/** `RMM_EL3_IFC_VERS_MINOR`: the lowest RMM-EL3 interface minor TF-RMM rel0 accepts. @see rmm-abi.md §1.4 @since 0.1.0 */
export const RMM_EL3_IFC_VERS_MINOR = 3;
/** The RMM-EL3 interface version TF-A v2.12 provides: 0.4. @see rmm-abi.md §1.4 @since 0.1.0 */
export const RMM_EL3_IFC_VERSION_TFA_2_12 = 0x4;
/** `RMM_EL3_MANIFEST_VERS_MAJOR`: boot manifest major TF-RMM rel0 requires. @see rmm-abi.md §1.4 @since 0.1.0 */
export const RMM_EL3_MANIFEST_VERS_MAJOR = 0;
/** `RMM_EL3_MANIFEST_VERS_MINOR`: the lowest boot manifest minor TF-RMM rel0 accepts. @see rmm-abi.md §1.4 @since 0.1.0 */
export const RMM_EL3_MANIFEST_VERS_MINOR = 3;

/**
 * Whether a boot-interface version (x1 at cold boot) is one TF-RMM rel0 accepts: major 0,
 * minor ≥ 3. Otherwise the RMM reports `RmmBootError.VersionMismatch`.
 * @see rmm-abi.md §1.4, §7.4
 * @since 0.1.0
 */
export function isRmmEl3IfcVersionSupported(version: number): boolean {
  return (
    Number.isInteger(version) &&
    version >= 0 &&
    version <= 0x7fff_ffff &&
    abiVersionMajor(version) === RMM_EL3_IFC_VERS_MAJOR &&
    abiVersionMinor(version) >= RMM_EL3_IFC_VERS_MINOR
  );
}
