/** Tests of branded addresses and granule arithmetic. @module */
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  addressFromRegister,
  alignDown,
  alignUp,
  GRANULE_SIZE,
  granuleAddress,
  granuleIndex,
  ipa,
  isAddress,
  isGranuleAligned,
  MAX_ADDRESS,
  physAddr,
} from './addr.ts';
import { isIsletError } from './errors.ts';

const address = fc.integer({ min: 0, max: MAX_ADDRESS - 1 });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isIsletError(err) ? err.code : 'not an IsletError';
  }
  return undefined;
}

describe('addresses', () => {
  test('range checks, number and bigint inputs', () => {
    expect(physAddr(0)).toBe(0);
    expect(physAddr(MAX_ADDRESS - 1)).toBe(2 ** 52 - 1);
    expect(physAddr(0x8000_0000_0000n)).toBe(2 ** 47);
    expect(ipa(4096n)).toBe(4096);
    for (const bad of [-1, MAX_ADDRESS, 1.5, Number.NaN, Infinity, -1n, 1n << 52n, 1n << 64n]) {
      expect(codeOf(() => physAddr(bad))).toBe('ADDRESS_OUT_OF_RANGE');
      expect(codeOf(() => ipa(bad))).toBe('ADDRESS_OUT_OF_RANGE');
    }
  });

  test('isAddress and addressFromRegister', () => {
    expect(isAddress(0)).toBe(true);
    expect(isAddress(MAX_ADDRESS)).toBe(false);
    expect(isAddress(-0.5)).toBe(false);
    expect(addressFromRegister(0x1000n)).toBe(0x1000);
    expect(addressFromRegister((1n << 52n) - 1n)).toBe(MAX_ADDRESS - 1);
    expect(addressFromRegister(1n << 52n)).toBeUndefined();
    expect(addressFromRegister(0xffff_ffff_ffff_ffffn)).toBeUndefined();
  });

  propTest.prop([address])('granuleIndex and granuleAddress agree with bigint shifts', (a) => {
    const idx = granuleIndex(physAddr(a));
    expect(BigInt(idx)).toBe(BigInt(a) >> 12n);
    expect(granuleAddress(idx)).toBe(Number((BigInt(a) >> 12n) << 12n));
    expect(isGranuleAligned(a)).toBe((BigInt(a) & 0xfffn) === 0n);
  });

  propTest.prop([address, fc.nat({ max: 30 })])('alignDown and alignUp', (a, log2) => {
    const align = 2 ** log2;
    const down = alignDown(a, align);
    const up = alignUp(a, align);
    expect(down % align).toBe(0);
    expect(up % align).toBe(0);
    expect(down <= a && a - down < align).toBe(true);
    expect(up >= a && up - a < align).toBe(true);
    expect(alignDown(a, GRANULE_SIZE)).toBe(granuleAddress(granuleIndex(physAddr(a))));
  });
});
