import { describe, expect, test } from 'vitest';
import {
  BOOT_MANIFEST_BANKS_OFFSET,
  BOOT_MANIFEST_MAX_BANKS,
  BOOT_MANIFEST_VERSION,
  encodeBootManifest,
} from './boot-manifest.ts';

describe('encodeBootManifest', () => {
  const buf = 0xfeff_f000;
  const banks = [
    { base: 0x8000_0000, size: 0x7e00_0000 },
    { base: 0x8_8000_0000, size: 0x7_8000_0000 },
  ];

  test('lays out struct rmm_manifest v0.3 and the bank array (rmm-abi.md §7.4)', () => {
    const bytes = encodeBootManifest(buf, banks);
    const v = new DataView(bytes.buffer);
    expect(bytes.length).toBe(BOOT_MANIFEST_BANKS_OFFSET + 32);
    expect(v.getUint32(0, true)).toBe(BOOT_MANIFEST_VERSION);
    expect(v.getUint32(4, true)).toBe(0);
    expect(v.getBigUint64(8, true)).toBe(0n); // plat_data
    expect(v.getBigUint64(16, true)).toBe(2n); // num_banks
    expect(v.getBigUint64(24, true)).toBe(BigInt(buf + BOOT_MANIFEST_BANKS_OFFSET));
    expect(v.getBigUint64(64, true)).toBe(0x8000_0000n);
    expect(v.getBigUint64(88, true)).toBe(0x7_8000_0000n);
    for (const at of [40, 48, 56]) expect(v.getBigUint64(at, true)).toBe(0n); // no console
  });

  test('the checksum makes num_banks + banks + Σ(base + size) + checksum zero mod 2^64', () => {
    const v = new DataView(encodeBootManifest(buf, banks).buffer);
    let sum = v.getBigUint64(16, true) + v.getBigUint64(24, true) + v.getBigUint64(32, true);
    for (let i = 0; i < banks.length; i++) {
      sum += v.getBigUint64(64 + 16 * i, true) + v.getBigUint64(72 + 16 * i, true);
    }
    expect(BigInt.asUintN(64, sum)).toBe(0n);
    expect(new DataView(encodeBootManifest(buf, []).buffer).getBigUint64(32, true)).toBe(0n);
  });

  test('refuses too many banks and non-u64 fields', () => {
    const many = Array.from({ length: BOOT_MANIFEST_MAX_BANKS + 1 }, () => banks[0]!);
    expect(() => encodeBootManifest(buf, many)).toThrow(RangeError);
    expect(() => encodeBootManifest(buf, [{ base: -1, size: 0 }])).toThrow(RangeError);
  });
});
