import { describe, expect, it } from 'vitest';
import {
  RmmBootError,
  RmmEl3Status,
  SMC_RMM_ATTEST_GET_PLAT_TOKEN,
  SMC_RMM_ATTEST_GET_REALM_KEY,
  SMC_RMM_BOOT_COMPLETE,
  SMC_RMM_EL3_FEATURES,
  SMC_RMM_EL3_TOKEN_SIGN,
  SMC_RMM_GTSI_DELEGATE,
  SMC_RMM_GTSI_UNDELEGATE,
  SMC_RMM_REQ_COMPLETE,
} from './el3-fid.ts';
import { isRmmEl3Fid, RMI_FID, registerFromSigned, signedFromRegister } from './smc.ts';

describe('RMM-EL3 interface (rmm-abi.md §7.4)', () => {
  it('FIDs', () => {
    expect(SMC_RMM_REQ_COMPLETE).toBe(0xc400018f);
    expect(SMC_RMM_REQ_COMPLETE).toBe(RMI_FID(0x3f));
    expect(SMC_RMM_GTSI_DELEGATE).toBe(0xc40001b0);
    expect(SMC_RMM_GTSI_UNDELEGATE).toBe(0xc40001b1);
    expect(SMC_RMM_ATTEST_GET_REALM_KEY).toBe(0xc40001b2);
    expect(SMC_RMM_ATTEST_GET_PLAT_TOKEN).toBe(0xc40001b3);
    expect(SMC_RMM_EL3_FEATURES).toBe(0xc40001b4);
    expect(SMC_RMM_EL3_TOKEN_SIGN).toBe(0xc40001b5);
    expect(SMC_RMM_BOOT_COMPLETE).toBe(0xc40001cf);
    for (const fid of [SMC_RMM_GTSI_DELEGATE, SMC_RMM_BOOT_COMPLETE]) {
      expect(isRmmEl3Fid(fid)).toBe(true);
    }
  });
  it('E_RMM_* codes', () => {
    expect(RmmEl3Status).toEqual({
      Ok: 0,
      Unknown: -1,
      BadAddr: -2,
      BadPas: -3,
      NoMem: -4,
      Inval: -5,
      Again: -6,
    });
    expect(signedFromRegister(registerFromSigned(RmmEl3Status.Again))).toBe(-6);
  });
  it('boot error codes', () => {
    expect(Object.values(RmmBootError)).toEqual([0, -1, -2, -3, -4, -5, -6, -7]);
  });
});
