/** Tests of the byte helpers, with Node's Buffer as the oracle for hex and base64. @module */
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import {
  bytesToRegs,
  concatBytes,
  copyBytes,
  equalBytes,
  fromBase64,
  fromHex,
  regsToBytes,
  toBase64,
  toBase64Url,
  toHex,
} from './bytes.ts';
import { isIsletError } from './errors.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return isIsletError(err) ? err.code : 'not an IsletError';
  }
  return undefined;
};

describe('bytes', () => {
  propTest.prop([fc.uint8Array({ maxLength: 100 })])('hex and base64 match Buffer', (b) => {
    const buf = Buffer.from(b);
    expect(toHex(b)).toBe(buf.toString('hex'));
    expect(fromHex(toHex(b))).toEqual(b);
    expect(fromHex(toHex(b).toUpperCase())).toEqual(b);
    expect(toBase64(b)).toBe(buf.toString('base64'));
    expect(toBase64Url(b)).toBe(buf.toString('base64url'));
    expect(fromBase64(toBase64(b))).toEqual(b);
    expect(fromBase64(toBase64Url(b))).toEqual(b);
  });

  test('fromHex and fromBase64 reject malformed input with codes', () => {
    expect(codeOf(() => fromHex('abc'))).toBe('HEX_INVALID');
    expect(codeOf(() => fromHex('zz'))).toBe('HEX_INVALID');
    expect(codeOf(() => fromHex('0x00'))).toBe('HEX_INVALID');
    expect(codeOf(() => fromBase64('a'))).toBe('BASE64_INVALID');
    expect(codeOf(() => fromBase64('ab$d'))).toBe('BASE64_INVALID');
    expect(codeOf(() => fromBase64('ab=c'))).toBe('BASE64_INVALID');
  });

  test('copyBytes copies; concatBytes joins views correctly', () => {
    const src = new Uint8Array([1, 2, 3, 4]);
    const copy = copyBytes(src.subarray(1, 3));
    src[1] = 9;
    expect([...copy]).toEqual([2, 3]);
    expect(copy.buffer.byteLength).toBe(2);
    expect([...concatBytes(src.subarray(2), new Uint8Array(0), Uint8Array.of(7))]).toEqual([
      3, 4, 7,
    ]);
    expect(concatBytes()).toHaveLength(0);
  });

  test('equalBytes', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });
});

describe('bytesToRegs / regsToBytes', () => {
  test('packs little-endian, zero-pads and truncates', () => {
    expect(bytesToRegs(new Uint8Array([1, 2]), 2)).toEqual([0x0201n, 0n]);
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    const regs = bytesToRegs(bytes, 8);
    expect(regs[0]).toBe(0x0807060504030201n);
    expect(regs[7]).toBe(0x403f3e3d3c3b3a39n);
    expect(regsToBytes(regs, 64)).toEqual(bytes);
    expect(bytesToRegs(bytes, 1)).toEqual([0x0807060504030201n]);
    expect(regsToBytes([0x0201n], 4)).toEqual(new Uint8Array([1, 2, 0, 0]));
    expect(regsToBytes([(1n << 64n) | 0xffn], 2)).toEqual(new Uint8Array([0xff, 0]));
  });
});
