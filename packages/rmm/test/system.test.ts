/** RMI_VERSION (rmm-abi.md §2.1) and RMI_FEATURES (§2.2, §3.6). @module */
import {
  decodeFeatureRegister0,
  RmiStatus,
  SMC_RMI_FEATURES,
  SMC_RMI_VERSION,
  unpackReturnCode,
} from '@islet/abi';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM_FEATURES, featureRegister0 } from '../src/features.ts';
import { regs } from './support/platform.ts';
import { setup } from './support/rmm.ts';

describe('RMI_VERSION', () => {
  it('1.0 requested: SUCCESS, lower = higher = 0x10000', () => {
    const { rmm } = setup();
    expect(rmm.handleRmi(SMC_RMI_VERSION, regs(0x10000n))).toEqual([
      0n,
      0x10000n,
      0x10000n,
      0n,
      0n,
    ]);
  });

  it.each([
    0n,
    0x10001n, // 1.1
    0x20000n, // 2.0
    0xffffn,
    0x1_0000_0001_0000n, // 1.0 in the low 32 bits only: compared as 64 bits
    0xffff_ffff_ffff_ffffn,
  ])('requested 0x%s: RMI_ERROR_INPUT, still lower = higher = 0x10000', (req) => {
    const { rmm } = setup();
    const r = rmm.handleRmi(SMC_RMI_VERSION, regs(req, 0n, 0n, 7n));
    expect(r).toEqual([BigInt(RmiStatus.ErrorInput), 0x10000n, 0x10000n, 0n, 7n]);
  });
});

describe('RMI_FEATURES', () => {
  it('index 0: feature register 0 of this RMM', () => {
    const { rmm } = setup();
    const [x0, x1] = rmm.handleRmi(SMC_RMI_FEATURES, regs(0n));
    expect(unpackReturnCode(x0)).toEqual({ status: RmiStatus.Success, index: 0 });
    expect(decodeFeatureRegister0(x1)).toEqual({
      s2sz: 48,
      lpa2: false,
      sveEn: false,
      sveVl: 0,
      numBps: 5,
      numWps: 3,
      pmuEn: true,
      pmuNumCtrs: 31,
      hashSha256: true,
      hashSha512: true,
      gicv3NumLrs: 15,
      maxRecsOrder: 10,
    });
    // Reserved bits [63:42] are zero.
    expect(x1 >> 42n).toBe(0n);
  });

  it.each([1n, 2n, 0x100n, 0xffff_ffff_ffff_ffffn])('index %s: SUCCESS with X1 = 0', (i) => {
    const { rmm } = setup();
    expect(rmm.handleRmi(SMC_RMI_FEATURES, regs(i))).toEqual([0n, 0n, 0n, 0n, 0n]);
  });

  it('platform features are configurable; RMM-fixed fields are not', () => {
    const { rmm } = setup({ features: { s2sz: 52, lpa2: true, sveEn: true, sveVl: 15 } });
    const f = decodeFeatureRegister0(rmm.featureRegister0);
    expect(f).toMatchObject({ s2sz: 52, lpa2: true, sveEn: true, sveVl: 15, pmuEn: true });
    expect(f.maxRecsOrder).toBe(10);
  });

  it('rejects a PA width the architecture does not have', () => {
    expect(() => featureRegister0({ ...DEFAULT_PLATFORM_FEATURES, s2sz: 41 })).toThrow(RangeError);
    expect(() => featureRegister0({ ...DEFAULT_PLATFORM_FEATURES, s2sz: 52 })).toThrow(RangeError);
    expect(() => featureRegister0({ ...DEFAULT_PLATFORM_FEATURES, numBps: 64 })).toThrow(
      RangeError,
    );
  });
});
