import { fc, test } from '@fast-check/vitest';
import { RmiDataMeasureContent, RmiHashAlgorithm } from '@islet/abi';
import { concatBytes, nobleCrypto, nodeCrypto, toHex } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import {
  extendRem,
  MEASUREMENT_SLOT_SIZE,
  measureDataCreate,
  measurementHash,
  measureRipas,
} from './measurement.ts';

const node = nodeCrypto();

describe('extendRem (rmm-abi.md §6.6)', () => {
  test.prop([fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ maxLength: 64 })])(
    'REM := H(REM[0:hash_len] || value), SHA-256 and SHA-512',
    (rem, value) => {
      for (const [algo, name, len] of [
        [RmiHashAlgorithm.Sha256, 'sha256', 32],
        [RmiHashAlgorithm.Sha512, 'sha512', 64],
      ] as const) {
        const out = extendRem(measurementHash(algo, node), rem, value);
        const want = node.hash(name, concatBytes(rem.subarray(0, len), value));
        expect(out.length).toBe(MEASUREMENT_SLOT_SIZE);
        expect(toHex(out.subarray(0, len))).toBe(toHex(want));
        expect(out.subarray(len).every((b) => b === 0)).toBe(true);
        expect(toHex(extendRem(measurementHash(algo, nobleCrypto), rem, value))).toBe(toHex(out));
      }
    },
  );

  it('rejects values over 64 bytes and slots that are not 64 bytes', () => {
    const h = measurementHash(RmiHashAlgorithm.Sha256, node);
    expect(() => extendRem(h, new Uint8Array(64), new Uint8Array(65))).toThrow(RangeError);
    expect(() => extendRem(h, new Uint8Array(32), new Uint8Array(1))).toThrow(RangeError);
  });
});

describe('descriptor layouts', () => {
  it('RIPAS descriptor: H(type 2, len 0x100, rim, base, top) for addresses above 2^32', () => {
    const h = measurementHash(RmiHashAlgorithm.Sha256, node);
    const rim = new Uint8Array(64).fill(0x11);
    const d = new Uint8Array(0x100);
    const v = new DataView(d.buffer);
    d[0] = 2;
    v.setBigUint64(0x08, 0x100n, true);
    d.set(rim.subarray(0, 32), 0x10);
    v.setBigUint64(0x50, 0x12_3456_7000n, true);
    v.setBigUint64(0x58, 0x12_3456_8000n, true);
    expect(toHex(measureRipas(h, rim, 0x12_3456_7000, 0x12_3456_8000).subarray(0, 32))).toBe(
      toHex(node.hash('sha256', d)),
    );
  });

  it('DATA descriptor without content: zero content field, flags 0', () => {
    const h = measurementHash(RmiHashAlgorithm.Sha512, node);
    const rim = new Uint8Array(64).fill(0x22);
    const d = new Uint8Array(0x100);
    const v = new DataView(d.buffer);
    v.setBigUint64(0x08, 0x100n, true);
    d.set(rim, 0x10);
    v.setBigUint64(0x50, 0x20_0000n, true);
    expect(toHex(measureDataCreate(h, rim, 0x20_0000, RmiDataMeasureContent.NoMeasure))).toBe(
      toHex(node.hash('sha512', d)),
    );
  });
});
