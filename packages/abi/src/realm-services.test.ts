import { describe, expect, it } from 'vitest';
import { CONSOLE_WRITE_MAX, packConsoleWrite, unpackConsoleWrite } from './realm-services.ts';

describe('console host call', () => {
  it('round-trips 1..232 bytes, packed little-endian', () => {
    const gprs = packConsoleWrite(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(gprs).toHaveLength(31);
    expect(gprs[0]).toBe(9n);
    expect(gprs[1]).toBe(0x0807060504030201n);
    expect(gprs[2]).toBe(9n);
    for (const n of [1, 8, 100, CONSOLE_WRITE_MAX]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(unpackConsoleWrite(packConsoleWrite(bytes))).toEqual(bytes);
    }
  });

  it('refuses an empty or oversized write, and a hostile length', () => {
    expect(() => packConsoleWrite(new Uint8Array(0))).toThrow(RangeError);
    expect(() => packConsoleWrite(new Uint8Array(CONSOLE_WRITE_MAX + 1))).toThrow(RangeError);
    expect(unpackConsoleWrite([0n])).toBeUndefined();
    expect(unpackConsoleWrite([BigInt(CONSOLE_WRITE_MAX + 1)])).toBeUndefined();
    expect(unpackConsoleWrite([2n ** 64n - 1n])).toBeUndefined();
    expect(unpackConsoleWrite([3n])).toEqual(new Uint8Array(3));
  });
});
