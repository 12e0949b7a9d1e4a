import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  fidFromRegister,
  hasSveHint,
  isRmiFid,
  isRmmEl3Fid,
  isRsiFid,
  isSmc64,
  isSmcFastCall,
  RMI_FID,
  RSI_FID,
  registerFromSigned,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
  SMC32_STD_FID,
  SMC64_STD_FID,
  SMCCC_VERSION,
  SmcOwner,
  signedFromRegister,
  smcFastFid,
  smcFunctionNumber,
  smcOwner,
  stripSveHint,
} from './smc.ts';

describe('SMCCC FIDs (rmm-abi.md §1.1)', () => {
  it('SMC64 fast call, OEN 4: 0xC4000000 | fnum', () => {
    expect(SMC64_STD_FID(0)).toBe(0xc400_0000);
    expect(SMC64_STD_FID(0x150)).toBe(0xc400_0150);
    expect(SMC32_STD_FID(0x14)).toBe(0x8400_0014);
    expect(smcFastFid(SmcOwner.Arch, 0, false)).toBe(SMCCC_VERSION);
    expect(SMCCC_VERSION).toBe(0x8000_0000);
  });
  it('RMI_FID / RSI_FID', () => {
    expect(RMI_FID(0)).toBe(0xc400_0150);
    expect(RMI_FID(0x19)).toBe(0xc400_0169);
    expect(RSI_FID(0)).toBe(0xc400_0190);
    expect(RSI_FID(9)).toBe(0xc400_0199);
  });
  it('rejects out-of-range owner and function numbers', () => {
    expect(() => smcFastFid(64, 0)).toThrow(RangeError);
    expect(() => smcFastFid(4, 0x1_0000)).toThrow(RangeError);
  });
  it('SMC_UNKNOWN is -1 as a 64-bit register', () => {
    expect(SMC_UNKNOWN).toBe(0xffff_ffff_ffff_ffffn);
    expect(BigInt.asIntN(64, SMC_UNKNOWN)).toBe(-1n);
  });
  it('SVE hint is bit 16 and is stripped', () => {
    expect(SMC_SVE_HINT).toBe(0x1_0000);
    const fid = 0xc401_0158;
    expect(hasSveHint(fid)).toBe(true);
    expect(stripSveHint(fid)).toBe(0xc400_0158);
    expect(hasSveHint(0xc400_0158)).toBe(false);
    expect(isRmiFid(fid)).toBe(false);
    expect(isRmiFid(stripSveHint(fid))).toBe(true);
  });
  it('decodes owner, function number, fast and 64-bit', () => {
    expect(smcOwner(0xc400_0190)).toBe(4);
    expect(smcFunctionNumber(0xc400_0190)).toBe(0x190);
    expect(isSmcFastCall(0xc400_0190)).toBe(true);
    expect(isSmc64(0xc400_0190)).toBe(true);
    expect(isSmc64(0x8400_0000)).toBe(false);
    expect(isSmcFastCall(0x4400_0000)).toBe(false);
  });
  test.prop([fc.integer({ min: 0, max: 0x3f }), fc.integer({ min: 0, max: 0xffff }), fc.boolean()])(
    'decode(construct(owner, fnum, smc64))',
    (owner, fnum, smc64) => {
      const fid = smcFastFid(owner, fnum, smc64);
      expect(fid).toBeGreaterThanOrEqual(0);
      expect(smcOwner(fid)).toBe(owner);
      expect(smcFunctionNumber(fid)).toBe(fnum);
      expect(isSmc64(fid)).toBe(smc64);
      expect(isSmcFastCall(fid)).toBe(true);
      expect(hasSveHint(fid)).toBe(false);
    },
  );
  it('classifies the RMI, RSI and RMM-EL3 ranges', () => {
    expect(isRmiFid(0xc400_0150)).toBe(true);
    expect(isRmiFid(0xc400_0169)).toBe(true);
    expect(isRmiFid(0xc400_016a)).toBe(false);
    expect(isRmiFid(0xc400_014f)).toBe(false);
    expect(isRmiFid(0x8400_0150)).toBe(false);
    expect(isRsiFid(0xc400_0190)).toBe(true);
    expect(isRsiFid(0xc400_01af)).toBe(true);
    expect(isRsiFid(0xc400_01b0)).toBe(false);
    expect(isRmmEl3Fid(0xc400_01b0)).toBe(true);
    expect(isRmmEl3Fid(0xc400_01cf)).toBe(true);
    expect(isRmmEl3Fid(0xc400_018f)).toBe(false);
  });
  it('takes the FID from W0', () => {
    expect(fidFromRegister(0xdead_beef_c400_0150n)).toBe(0xc400_0150);
  });
});

describe('signed registers (rmm-abi.md §2 levels)', () => {
  it('level -1 is all ones', () => {
    expect(registerFromSigned(-1)).toBe(0xffff_ffff_ffff_ffffn);
    expect(signedFromRegister(0xffff_ffff_ffff_ffffn)).toBe(-1);
    expect(registerFromSigned(-3)).toBe(2n ** 64n - 3n);
    expect(signedFromRegister(1n << 62n)).toBe(Number.POSITIVE_INFINITY);
    expect(signedFromRegister(1n << 63n)).toBe(Number.NEGATIVE_INFINITY);
    expect(() => registerFromSigned(0.5)).toThrow(RangeError);
  });
  test.prop([fc.maxSafeInteger()])('signedFromRegister(registerFromSigned(x)) == x', (x) => {
    expect(signedFromRegister(registerFromSigned(x))).toBe(x);
  });
});
