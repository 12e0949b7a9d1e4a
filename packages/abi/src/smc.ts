/**
 * SMC Calling Convention function identifiers (FIDs): construction, decoding, the SVE hint bit and
 * the RMI/RSI/RMM-EL3 function-number ranges of the Standard Secure Service owner.
 *
 * A FID is the 32-bit value in W0 of an `SMC` (SMCCC v1.4 §2.5):
 *
 * ```text
 * bit 31     1 = fast call
 * bit 30     1 = SMC64, 0 = SMC32
 * [29:24]    owning entity number (OEN); 4 = Standard Secure Service
 * [23:17]    must be zero
 * bit 16     SVE hint (SMCCC v1.3): the caller holds no live SVE state
 * [15:0]     function number
 * ```
 *
 * **Gotchas**: FIDs have bit 31 set, so every result is brought back to unsigned with `>>> 0`.
 * @module
 */

/** Bit 31 of a FID: a fast call. @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC_FAST_CALL = 0x8000_0000;
/** Bit 30 of a FID: the SMC64 calling convention. @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC_64 = 0x4000_0000;
/** Position of the owning entity number, FID bits [29:24]. @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC_OEN_SHIFT = 24;
/** Mask of the function number, FID bits [15:0]. @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC_FNUM_MASK = 0xffff;
/**
 * The SVE hint, FID bit 16 (`SMC_SVE_HINT`). TF-RMM strips it before dispatching RMI
 * (`handle_ns_smc`) and ignores it for RSI (`handle_realm_rsi`).
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export const SMC_SVE_HINT = 0x1_0000;

/**
 * The value of X0 after an unknown or unimplemented FID: -1 as a 64-bit register.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export const SMC_UNKNOWN: bigint = 0xffff_ffff_ffff_ffffn;

/**
 * Owning entity numbers (FID bits [29:24]) of SMCCC.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export const SmcOwner = {
  /** Arm Architecture Calls (SMCCC_VERSION, ...). */
  Arch: 0,
  /** CPU Service Calls. */
  Cpu: 1,
  /** SiP Service Calls. */
  Sip: 2,
  /** OEM Service Calls. */
  Oem: 3,
  /** Standard Secure Service Calls: PSCI, RMI, RSI and the RMM-EL3 interface. */
  Standard: 4,
  /** Standard Hypervisor Service Calls. */
  StandardHypervisor: 5,
  /** Vendor Specific Hypervisor Service Calls. */
  VendorHypervisor: 6,
} as const;
/** An SMCCC owning entity number. @see rmm-abi.md §1.1 @since 0.1.0 */
export type SmcOwner = (typeof SmcOwner)[keyof typeof SmcOwner];

/** First RMI function number (`SMC64_RMI_FNUM_MIN`). @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC64_RMI_FNUM_MIN = 0x150;
/** Last RMI function number of RMM 1.0 (`SMC64_RMI_FNUM_MAX`). @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC64_RMI_FNUM_MAX = 0x169;
/** First RSI function number. @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC64_RSI_FNUM_MIN = 0x190;
/** Last RSI function number. @see rmm-abi.md §1.1 @since 0.1.0 */
export const SMC64_RSI_FNUM_MAX = 0x1af;
/** First RMM-EL3 interface function number. @see rmm-abi.md §1.1, §7.4 @since 0.1.0 */
export const SMC64_RMM_EL3_FNUM_MIN = 0x1b0;
/** Last RMM-EL3 interface function number. @see rmm-abi.md §1.1, §7.4 @since 0.1.0 */
export const SMC64_RMM_EL3_FNUM_MAX = 0x1cf;

/**
 * Builds a fast-call FID.
 * @param owner - the owning entity number, 0..63.
 * @param fnum - the function number, 0..0xFFFF.
 * @param smc64 - SMC64 (default) or SMC32.
 * @returns the FID as an unsigned 32-bit number.
 * @throws {RangeError} when `owner` or `fnum` is out of range.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function smcFastFid(owner: number, fnum: number, smc64 = true): number {
  if (!Number.isInteger(owner) || owner < 0 || owner > 0x3f) {
    throw new RangeError(`SMC owner ${owner} is not in 0..63`);
  }
  if (!Number.isInteger(fnum) || fnum < 0 || fnum > SMC_FNUM_MASK) {
    throw new RangeError(`SMC function number ${fnum} is not in 0..0xFFFF`);
  }
  return (SMC_FAST_CALL | (smc64 ? SMC_64 : 0) | (owner << SMC_OEN_SHIFT) | fnum) >>> 0;
}

/**
 * `SMC64_STD_FID(fnum)`: an SMC64 fast call of the Standard Secure Service, `0xC4000000 | fnum`.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function SMC64_STD_FID(fnum: number): number {
  return smcFastFid(SmcOwner.Standard, fnum, true);
}

/**
 * `SMC32_STD_FID(fnum)`: an SMC32 fast call of the Standard Secure Service, `0x84000000 | fnum`.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function SMC32_STD_FID(fnum: number): number {
  return smcFastFid(SmcOwner.Standard, fnum, false);
}

/**
 * `RMI_FID(off)`: the FID of the RMI command at `off` from `SMC64_RMI_FNUM_MIN`,
 * `0xC4000150 + off`.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function RMI_FID(off: number): number {
  return SMC64_STD_FID(SMC64_RMI_FNUM_MIN + off);
}

/**
 * `RSI_FID(off)`: the FID of the RSI command at `off` from `SMC64_RSI_FNUM_MIN`,
 * `0xC4000190 + off`.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function RSI_FID(off: number): number {
  return SMC64_STD_FID(SMC64_RSI_FNUM_MIN + off);
}

/**
 * `SMCCC_VERSION`: the Arm Architecture Call a realm uses to read the SMCCC version.
 * @see rmm-abi.md §1.1, §5.11
 * @since 0.1.0
 */
export const SMCCC_VERSION = 0x8000_0000;

/**
 * The FID in a 64-bit X0: SMCCC takes the FID from W0, so the upper 32 bits are ignored.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function fidFromRegister(x0: bigint): number {
  return Number(x0 & 0xffff_ffffn);
}

/** The owning entity number, FID bits [29:24]. @see rmm-abi.md §1.1 @since 0.1.0 */
export function smcOwner(fid: number): number {
  return (fid >>> SMC_OEN_SHIFT) & 0x3f;
}

/** The function number, FID bits [15:0]. @see rmm-abi.md §1.1 @since 0.1.0 */
export function smcFunctionNumber(fid: number): number {
  return fid & SMC_FNUM_MASK;
}

/** Whether the FID is a fast call (bit 31). @see rmm-abi.md §1.1 @since 0.1.0 */
export function isSmcFastCall(fid: number): boolean {
  return fid >>> 31 === 1;
}

/** Whether the FID uses the SMC64 convention (bit 30). @see rmm-abi.md §1.1 @since 0.1.0 */
export function isSmc64(fid: number): boolean {
  return ((fid >>> 30) & 1) === 1;
}

/** Whether the SVE hint (bit 16) is set. @see rmm-abi.md §1.1 @since 0.1.0 */
export function hasSveHint(fid: number): boolean {
  return (fid & SMC_SVE_HINT) !== 0;
}

/**
 * The FID with the SVE hint (bit 16) cleared, as TF-RMM does before dispatch.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function stripSveHint(fid: number): number {
  return (fid & ~SMC_SVE_HINT) >>> 0;
}

function isStd64InRange(fid: number, min: number, max: number): boolean {
  // Fast call, SMC64, OEN 4 and bits [23:16] clear: the top half is exactly 0xC400.
  if (fid >>> 16 !== 0xc400) return false;
  const fnum = fid & SMC_FNUM_MASK;
  return fnum >= min && fnum <= max;
}

/**
 * Whether `fid` lies in the RMI range 0xC4000150..0xC4000169, implemented or not. Strip the SVE
 * hint first ({@link stripSveHint}).
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function isRmiFid(fid: number): boolean {
  return isStd64InRange(fid, SMC64_RMI_FNUM_MIN, SMC64_RMI_FNUM_MAX);
}

/**
 * Whether `fid` lies in the RSI range 0xC4000190..0xC40001AF. Strip the SVE hint first.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function isRsiFid(fid: number): boolean {
  return isStd64InRange(fid, SMC64_RSI_FNUM_MIN, SMC64_RSI_FNUM_MAX);
}

/**
 * Whether `fid` lies in the RMM-EL3 range 0xC40001B0..0xC40001CF. Strip the SVE hint first.
 * @see rmm-abi.md §1.1, §7.4
 * @since 0.1.0
 */
export function isRmmEl3Fid(fid: number): boolean {
  return isStd64InRange(fid, SMC64_RMM_EL3_FNUM_MIN, SMC64_RMM_EL3_FNUM_MAX);
}

/**
 * A signed value (a level, a PSCI or EL3 status) as a 64-bit register, two's complement:
 * -1 becomes 0xFFFF_FFFF_FFFF_FFFF.
 * @throws {RangeError} when `value` is not a safe integer.
 * @see rmm-abi.md §2 ("Level arguments are 64-bit signed")
 * @since 0.1.0
 */
export function registerFromSigned(value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  return BigInt.asUintN(64, BigInt(value));
}

/**
 * A 64-bit register read as a signed value, like TF-RMM's `(long)ulevel`. Values outside the
 * safe-integer range become `-Infinity`/`Infinity`, which every range check rejects.
 * @see rmm-abi.md §2
 * @since 0.1.0
 */
export function signedFromRegister(x: bigint): number {
  const s = BigInt.asIntN(64, x);
  if (s > BigInt(Number.MAX_SAFE_INTEGER)) return Number.POSITIVE_INFINITY;
  if (s < BigInt(Number.MIN_SAFE_INTEGER)) return Number.NEGATIVE_INFINITY;
  return Number(s);
}
