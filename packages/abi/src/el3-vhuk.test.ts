import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  RMM_ISLET_VHUK_SIZE,
  RmmIsletVhukId,
  SMC_RMM_ISLET_GET_VHUK,
  vhukFromRegisters,
  vhukToRegisters,
} from './el3-vhuk.ts';

describe('RMM_ISLET_GET_VHUK (islet-reference.md §2.9)', () => {
  it('is 0xC70001B0 with key ids 1 (VHUK_A) and 2 (VHUK_M)', () => {
    expect(SMC_RMM_ISLET_GET_VHUK).toBe(0xc70001b0);
    expect(RmmIsletVhukId).toEqual({ A: 1, M: 2 });
    expect(RMM_ISLET_VHUK_SIZE).toBe(32);
  });
  it('returns the key in x1..x4 as little-endian u64 words', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(vhukToRegisters(key)).toEqual([
      0x0706050403020100n,
      0x0f0e0d0c0b0a0908n,
      0x1716151413121110n,
      0x1f1e1d1c1b1a1918n,
    ]);
    expect(() => vhukToRegisters(new Uint8Array(31))).toThrow(RangeError);
  });
  test.prop([fc.uint8Array({ minLength: 32, maxLength: 32 })])('round-trips', (key) => {
    const [a, b, c, d] = vhukToRegisters(key);
    expect(vhukFromRegisters(a, b, c, d)).toEqual(key);
  });
});
