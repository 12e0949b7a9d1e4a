import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  checkDecodeOffsets,
  checkEncodeOffsets,
  checkLayoutConstant,
  type Row,
} from '../test/layout.ts';
import {
  decodeHostCall,
  encodeHostCall,
  HOST_CALL_LAYOUT,
  HOST_CALL_SIZE,
  type HostCall,
} from './host-call.ts';

// rmm-abi.md §3.5 (imm at TF-RMM's u32 width).
const ROWS: readonly Row[] = [
  { offset: 0x000, field: 'imm', size: 4, key: 'imm', kind: 'u32' },
  { offset: 0x008, field: 'gprs', size: 0x100 - 0x008, key: 'gprs', kind: 'u64s' },
];

const arb: fc.Arbitrary<HostCall> = fc.record({
  imm: fc.integer({ min: 0, max: 0xffff_ffff }),
  gprs: fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 31, maxLength: 31 }),
});

describe('RsiHostCall (rmm-abi.md §3.5)', () => {
  it('layout matches the digest table', () => {
    expect(HOST_CALL_SIZE).toBe(0x100);
    checkLayoutConstant(ROWS, HOST_CALL_LAYOUT);
    checkDecodeOffsets(ROWS, HOST_CALL_SIZE, decodeHostCall);
    checkEncodeOffsets(ROWS, HOST_CALL_SIZE, decodeHostCall, encodeHostCall);
  });
  it('rejects imm beyond u32 and a wrong size', () => {
    expect(() => encodeHostCall({ imm: 2 ** 32, gprs: new Array(31).fill(0n) })).toThrow(
      RangeError,
    );
    expect(() => decodeHostCall(new Uint8Array(0x1000))).toThrow(RangeError);
  });
  test.prop([arb])('decode(encode(x)) == x', (c) => {
    expect(decodeHostCall(encodeHostCall(c))).toEqual(c);
  });
});
