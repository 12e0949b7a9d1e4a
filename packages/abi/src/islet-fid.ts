/**
 * Islet's vendor-specific SMC ranges. Islet puts its own RMI, RSI and RMM-EL3 calls under SMCCC
 * OEN 7 (Vendor Specific EL3 Monitor calls), at the function numbers of the standard ranges of OEN
 * 4, so that no later RMM spec revision can take their FIDs.
 *
 * ```text
 * | SMC Function identifier | Reserved for |
 * | 0xC7000150-0xC700018F   | Vendor-specific RMI |
 * | 0xC7000190-0xC70001AF   | Vendor-specific RSI |
 * | 0xC70001B0-0xC70001CF   | Vendor-specific RMMD EL3 Service calls |
 * ```
 * @see islet-reference.md §2.10; Islet `doc/components/vendor_specific_smcs.md`
 * @module
 */
import {
  SMC_FNUM_MASK,
  SMC64_RMM_EL3_FNUM_MAX,
  SMC64_RMM_EL3_FNUM_MIN,
  SMC64_RSI_FNUM_MAX,
  SMC64_RSI_FNUM_MIN,
  smcFastFid,
} from './smc.ts';

/**
 * SMCCC owning entity number 7: Vendor Specific EL3 Monitor calls (FID bits [29:24]).
 * @since 0.7.0
 */
export const SMC_OEN_VENDOR_EL3 = 7;

/** The top half of an SMC64 fast call of OEN 7 with bits [23:16] clear. */
const VENDOR_EL3_TOP = 0xc700;

/**
 * `ISLET_RSI_FID(off)`: Islet's vendor RSI call at `off` from 0x190, `0xC7000190 + off`.
 * @since 0.7.0
 */
export function ISLET_RSI_FID(off: number): number {
  return smcFastFid(SMC_OEN_VENDOR_EL3, SMC64_RSI_FNUM_MIN + off);
}

/**
 * `ISLET_RMM_EL3_FID(off)`: Islet's vendor RMM-EL3 call at `off` from 0x1B0, `0xC70001B0 + off`.
 * @since 0.7.0
 */
export function ISLET_RMM_EL3_FID(off: number): number {
  return smcFastFid(SMC_OEN_VENDOR_EL3, SMC64_RMM_EL3_FNUM_MIN + off);
}

function isVendor64InRange(fid: number, min: number, max: number): boolean {
  if (fid >>> 16 !== VENDOR_EL3_TOP) return false;
  const fnum = fid & SMC_FNUM_MASK;
  return fnum >= min && fnum <= max;
}

/**
 * Whether `fid` lies in Islet's vendor RSI range 0xC7000190..0xC70001AF. Strip the SVE hint
 * first.
 * @since 0.7.0
 */
export function isIsletRsiFid(fid: number): boolean {
  return isVendor64InRange(fid, SMC64_RSI_FNUM_MIN, SMC64_RSI_FNUM_MAX);
}

/**
 * Whether `fid` lies in Islet's vendor RMM-EL3 range 0xC70001B0..0xC70001CF.
 * @since 0.7.0
 */
export function isIsletRmmEl3Fid(fid: number): boolean {
  return isVendor64InRange(fid, SMC64_RMM_EL3_FNUM_MIN, SMC64_RMM_EL3_FNUM_MAX);
}
