import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  decodeFeatureRegister0,
  encodeFeatureRegister0,
  type FeatureRegister0,
  RMI_FEATURE_REGISTER_0_FIELDS,
} from './features.ts';

// rmm-abi.md §3.6, rel0 layout: [field, high bit, low bit].
const BITS: readonly (readonly [string, number, number])[] = [
  ['S2SZ', 7, 0],
  ['LPA2', 8, 8],
  ['SVE_EN', 9, 9],
  ['SVE_VL', 13, 10],
  ['NUM_BPS', 19, 14],
  ['NUM_WPS', 25, 20],
  ['PMU_EN', 26, 26],
  ['PMU_NUM_CTRS', 31, 27],
  ['HASH_SHA_256', 32, 32],
  ['HASH_SHA_512', 33, 33],
  ['GICV3_NUM_LRS', 37, 34],
  ['MAX_RECS_ORDER', 41, 38],
];

const arb: fc.Arbitrary<FeatureRegister0> = fc.record({
  s2sz: fc.integer({ min: 0, max: 0xff }),
  lpa2: fc.boolean(),
  sveEn: fc.boolean(),
  sveVl: fc.integer({ min: 0, max: 0xf }),
  numBps: fc.integer({ min: 0, max: 0x3f }),
  numWps: fc.integer({ min: 0, max: 0x3f }),
  pmuEn: fc.boolean(),
  pmuNumCtrs: fc.integer({ min: 0, max: 0x1f }),
  hashSha256: fc.boolean(),
  hashSha512: fc.boolean(),
  gicv3NumLrs: fc.integer({ min: 0, max: 0xf }),
  maxRecsOrder: fc.integer({ min: 0, max: 0xf }),
});

describe('RMI feature register 0 (rmm-abi.md §3.6)', () => {
  it('field table matches the digest', () => {
    expect(Object.keys(RMI_FEATURE_REGISTER_0_FIELDS)).toEqual(BITS.map(([n]) => n));
    for (const [name, hi, lo] of BITS) {
      expect(
        RMI_FEATURE_REGISTER_0_FIELDS[name as keyof typeof RMI_FEATURE_REGISTER_0_FIELDS],
      ).toEqual({ shift: lo, width: hi - lo + 1 });
    }
  });
  it('encodes a TF-RMM-like platform at the digest bit positions', () => {
    const f: FeatureRegister0 = {
      s2sz: 48,
      lpa2: true,
      sveEn: true,
      sveVl: 15,
      numBps: 5,
      numWps: 3,
      pmuEn: true,
      pmuNumCtrs: 31,
      hashSha256: true,
      hashSha512: true,
      gicv3NumLrs: 15,
      maxRecsOrder: 10,
    };
    const want =
      48n |
      (1n << 8n) |
      (1n << 9n) |
      (15n << 10n) |
      (5n << 14n) |
      (3n << 20n) |
      (1n << 26n) |
      (31n << 27n) |
      (1n << 32n) |
      (1n << 33n) |
      (15n << 34n) |
      (10n << 38n);
    expect(encodeFeatureRegister0(f)).toBe(want);
    expect(decodeFeatureRegister0(want)).toEqual(f);
  });
  it('ignores reserved bits and rejects oversized fields', () => {
    expect(decodeFeatureRegister0(0xffff_fc00_0000_0000n).s2sz).toBe(0);
    const zero = decodeFeatureRegister0(0n);
    expect(() => encodeFeatureRegister0({ ...zero, sveVl: 16 })).toThrow(RangeError);
  });
  test.prop([arb])('decode(encode(x)) == x, reserved bits zero', (f) => {
    const v = encodeFeatureRegister0(f);
    expect(v >> 42n).toBe(0n);
    expect(decodeFeatureRegister0(v)).toEqual(f);
  });
});
