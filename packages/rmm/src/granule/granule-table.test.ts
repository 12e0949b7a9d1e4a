import { GranuleState } from '@islet/abi';
import { IsletError, IsletInvariantError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { GranuleTable, isZeroGranule, NO_GRANULE } from './granule-table.ts';

const banks = [
  { base: 0x8000_0000, size: 0x4000 },
  { base: 0x1_0000_0000, size: 0x2000 },
];

describe('GranuleTable.find (find_granule, rmm-abi.md §1.5)', () => {
  const t = new GranuleTable(banks);

  it('indexes granules densely in bank order', () => {
    expect(t.count).toBe(6);
    expect([0x8000_0000, 0x8000_3000, 0x1_0000_0000, 0x1_0000_1000].map((a) => t.find(a))).toEqual([
      0, 3, 4, 5,
    ]);
    for (let i = 0; i < t.count; i++) expect(t.find(t.address(i))).toBe(i);
  });

  it.each([
    0x8000_0001,
    0x8000_0800,
    0x8000_4000,
    0x7fff_f000,
    0x1_0000_2000,
    0,
    -4096,
    2 ** 52,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    0.5,
  ])('0x%s has no granule', (a) => {
    expect(t.find(a)).toBe(NO_GRANULE);
  });

  it('findFromRegister rejects values at or above 2^52 and negative bigints', () => {
    expect(t.findFromRegister(0x1_0000_1000n)).toBe(5);
    expect(t.findFromRegister(2n ** 64n - 1n)).toBe(NO_GRANULE);
    expect(t.findFromRegister(0x1_0000_1000n + 2n ** 52n)).toBe(NO_GRANULE);
    expect(t.findFromRegister(-4096n)).toBe(NO_GRANULE);
  });

  it('findInState checks the state', () => {
    const u = new GranuleTable(banks);
    expect(u.findInState(0x8000_1000, GranuleState.Undelegated)).toBe(1);
    expect(u.findInState(0x8000_1000, GranuleState.Delegated)).toBe(NO_GRANULE);
    u.transition(1, GranuleState.Undelegated, GranuleState.Delegated);
    expect(u.findInState(0x8000_1000, GranuleState.Delegated)).toBe(1);
  });
});

describe('transitions and refcounts (invariants)', () => {
  it('asserts the state being left', () => {
    const t = new GranuleTable(banks);
    expect(() => t.transition(0, GranuleState.Delegated, GranuleState.Rd)).toThrow(
      IsletInvariantError,
    );
    t.transition(0, GranuleState.Undelegated, GranuleState.Delegated);
    t.transition(0, GranuleState.Delegated, GranuleState.Rd);
    expect(t.state(0)).toBe(GranuleState.Rd);
    expect(t.census()).toEqual([5, 0, 1, 0, 0, 0, 0]);
  });

  it('refcounts stay in [0, 1023] and must be 0 to return to DELEGATED', () => {
    const t = new GranuleTable(banks);
    t.transition(0, GranuleState.Undelegated, GranuleState.Delegated);
    t.transition(0, GranuleState.Delegated, GranuleState.Rd);
    t.refcountInc(0, 1023);
    expect(() => t.refcountInc(0)).toThrow(IsletInvariantError);
    expect(() => t.transition(0, GranuleState.Rd, GranuleState.Delegated)).toThrow(
      IsletInvariantError,
    );
    t.refcountDec(0, 1023);
    expect(() => t.refcountDec(0)).toThrow(IsletInvariantError);
    t.transition(0, GranuleState.Rd, GranuleState.Delegated);
  });

  it('rejects granule indices out of range', () => {
    const t = new GranuleTable(banks);
    expect(() => t.state(6)).toThrow(IsletInvariantError);
    expect(() => t.address(-1)).toThrow(IsletInvariantError);
  });
});

describe('DRAM bank validation', () => {
  it.each([
    [[{ base: 0x1000, size: 0 }]],
    [[{ base: 0x1800, size: 0x1000 }]],
    [[{ base: 0x1000, size: 0x1800 }]],
    [[{ base: 2 ** 52 - 0x1000, size: 0x2000 }]],
    [
      [
        { base: 0x2000, size: 0x2000 },
        { base: 0x3000, size: 0x1000 },
      ],
    ],
  ])('rejects %j', (b) => {
    expect(() => new GranuleTable(b)).toThrow(IsletError);
  });
});

describe('isZeroGranule', () => {
  it('aligned and unaligned views', () => {
    const buf = new Uint8Array(4097);
    expect(isZeroGranule(buf.subarray(0, 4096))).toBe(true);
    expect(isZeroGranule(buf.subarray(1))).toBe(true);
    buf[4096] = 1;
    expect(isZeroGranule(buf.subarray(0, 4096))).toBe(true);
    expect(isZeroGranule(buf.subarray(1))).toBe(false);
  });
});
