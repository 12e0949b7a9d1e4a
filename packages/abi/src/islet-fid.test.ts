import { describe, expect, it } from 'vitest';
import {
  ISLET_RMM_EL3_FID,
  ISLET_RSI_FID,
  isIsletRmmEl3Fid,
  isIsletRsiFid,
  SMC_OEN_VENDOR_EL3,
} from './islet-fid.ts';
import { smcOwner } from './smc.ts';

describe("Islet's vendor SMC ranges (islet-reference.md §2.10)", () => {
  it('live under OEN 7 at the function numbers of the standard RSI and RMM-EL3 ranges', () => {
    expect(ISLET_RSI_FID(0)).toBe(0xc7000190);
    expect(ISLET_RSI_FID(1)).toBe(0xc7000191);
    expect(ISLET_RMM_EL3_FID(0)).toBe(0xc70001b0);
    expect(smcOwner(ISLET_RSI_FID(1))).toBe(SMC_OEN_VENDOR_EL3);
  });
  it.each([
    [0xc7000190, true, false],
    [0xc70001af, true, false],
    [0xc70001b0, false, true],
    [0xc70001cf, false, true],
    [0xc700018f, false, false],
    [0xc70001d0, false, false],
    [0xc4000191, false, false],
    [0xc40001b0, false, false],
    [0x87000191, false, false],
    [0xc7010191, false, false],
  ])('0x%s: RSI %s, RMM-EL3 %s', (fid, rsi, el3) => {
    expect([isIsletRsiFid(fid), isIsletRmmEl3Fid(fid)]).toEqual([rsi, el3]);
  });
});
