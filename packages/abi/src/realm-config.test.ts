import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  checkDecodeOffsets,
  checkEncodeOffsets,
  checkLayoutConstant,
  type Row,
} from '../test/layout.ts';
import {
  decodeRealmConfig,
  encodeRealmConfig,
  REALM_CONFIG_LAYOUT,
  REALM_CONFIG_SIZE,
  type RealmConfig,
  writeRealmConfig,
} from './realm-config.ts';

// rmm-abi.md §3.4.
const ROWS: readonly Row[] = [
  { offset: 0x000, field: 'ipa_width', size: 8, key: 'ipaWidth', kind: 'small' },
  { offset: 0x008, field: 'hash_algo', size: 1, key: 'hashAlgo', kind: 'u8' },
  { offset: 0x200, field: 'rpv', size: 64, key: 'rpv', kind: 'bytes' },
];

const arb: fc.Arbitrary<RealmConfig> = fc.record({
  ipaWidth: fc.maxSafeInteger().map(Math.abs),
  hashAlgo: fc.integer({ min: 0, max: 0xff }),
  rpv: fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Uint8Array.from(b)),
});

describe('RsiRealmConfig (rmm-abi.md §3.4)', () => {
  it('layout matches the digest table', () => {
    expect(REALM_CONFIG_SIZE).toBe(0x1000);
    checkLayoutConstant(ROWS, REALM_CONFIG_LAYOUT);
    checkDecodeOffsets(ROWS, REALM_CONFIG_SIZE, decodeRealmConfig);
    checkEncodeOffsets(ROWS, REALM_CONFIG_SIZE, decodeRealmConfig, encodeRealmConfig);
  });
  it('writeRealmConfig writes ONLY the fields (rest of the granule untouched)', () => {
    const page = new Uint8Array(0x1000).fill(0xa5);
    writeRealmConfig(page, { ipaWidth: 40, hashAlgo: 0, rpv: new Uint8Array(64) });
    const touched = new Set<number>();
    for (const r of ROWS) for (let i = 0; i < r.size; i++) touched.add(r.offset + i);
    for (let i = 0; i < page.length; i++) {
      if (!touched.has(i)) expect(page[i], `byte 0x${i.toString(16)}`).toBe(0xa5);
    }
    expect(decodeRealmConfig(page)).toEqual({
      ipaWidth: 40,
      hashAlgo: 0,
      rpv: new Uint8Array(64),
    });
  });
  test.prop([arb])('decode(encode(x)) == x', (c) => {
    expect(decodeRealmConfig(encodeRealmConfig(c))).toEqual(c);
  });
});
