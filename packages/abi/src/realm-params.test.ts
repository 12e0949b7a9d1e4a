import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  checkDecodeOffsets,
  checkEncodeOffsets,
  checkLayoutConstant,
  type Row,
} from '../test/layout.ts';
import {
  decodeRealmParams,
  encodeRealmParams,
  REALM_PARAMS_LAYOUT,
  REALM_PARAMS_SIZE,
  type RealmParams,
  RmiRealmFlag,
  validateRealmParams,
  writeRealmParams,
} from './realm-params.ts';

// rmm-abi.md §3.1, copied row by row (offset, field, TF-RMM read width).
const ROWS: readonly Row[] = [
  { offset: 0x000, field: 'flags', size: 8, key: 'flags', kind: 'u64' },
  { offset: 0x008, field: 's2sz', size: 4, key: 's2sz', kind: 'u32' },
  { offset: 0x010, field: 'sve_vl', size: 4, key: 'sveVl', kind: 'u32' },
  { offset: 0x018, field: 'num_bps', size: 4, key: 'numBps', kind: 'u32' },
  { offset: 0x020, field: 'num_wps', size: 4, key: 'numWps', kind: 'u32' },
  { offset: 0x028, field: 'pmu_num_ctrs', size: 4, key: 'pmuNumCtrs', kind: 'u32' },
  { offset: 0x030, field: 'hash_algo', size: 1, key: 'hashAlgo', kind: 'u8' },
  { offset: 0x400, field: 'rpv', size: 64, key: 'rpv', kind: 'bytes' },
  { offset: 0x800, field: 'vmid', size: 2, key: 'vmid', kind: 'u16' },
  { offset: 0x808, field: 'rtt_base', size: 8, key: 'rttBase', kind: 'u64' },
  { offset: 0x810, field: 'rtt_level_start', size: 8, key: 'rttLevelStart', kind: 's64' },
  { offset: 0x818, field: 'rtt_num_start', size: 4, key: 'rttNumStart', kind: 'u32' },
];

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const arbParams: fc.Arbitrary<RealmParams> = fc.record({
  flags: u64,
  s2sz: u32,
  sveVl: u32,
  numBps: u32,
  numWps: u32,
  pmuNumCtrs: u32,
  hashAlgo: fc.integer({ min: 0, max: 0xff }),
  rpv: fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => Uint8Array.from(b)),
  vmid: fc.integer({ min: 0, max: 0xffff }),
  rttBase: u64,
  rttLevelStart: fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -1, max: 3 })),
  rttNumStart: u32,
});

const valid: RealmParams = {
  flags: RmiRealmFlag.Sve | RmiRealmFlag.Pmu,
  s2sz: 40,
  sveVl: 1,
  numBps: 2,
  numWps: 2,
  pmuNumCtrs: 4,
  hashAlgo: 1,
  rpv: new Uint8Array(64).fill(7),
  vmid: 5,
  rttBase: 0x8800_0000n,
  rttLevelStart: 1,
  rttNumStart: 2,
};

describe('RmiRealmParams (rmm-abi.md §3.1)', () => {
  it('layout constant matches the digest table', () => {
    expect(REALM_PARAMS_SIZE).toBe(0x1000);
    checkLayoutConstant(ROWS, REALM_PARAMS_LAYOUT);
  });
  it('decodes every field from its offset and width only', () => {
    checkDecodeOffsets(ROWS, REALM_PARAMS_SIZE, decodeRealmParams);
  });
  it('encodes every field at its offset and width only', () => {
    checkEncodeOffsets(ROWS, REALM_PARAMS_SIZE, decodeRealmParams, encodeRealmParams);
  });
  it('decodes a zero page to zeros', () => {
    const p = decodeRealmParams(new Uint8Array(0x1000));
    expect(p.flags).toBe(0n);
    expect(p.rttLevelStart).toBe(0);
    expect(p.rpv).toEqual(new Uint8Array(64));
  });
  it('decodes level -1 (LPA2) and unrepresentable levels without throwing', () => {
    const page = new Uint8Array(0x1000);
    const v = new DataView(page.buffer);
    v.setBigInt64(0x810, -1n, true);
    expect(decodeRealmParams(page).rttLevelStart).toBe(-1);
    v.setBigInt64(0x810, 2n ** 62n, true);
    expect(decodeRealmParams(page).rttLevelStart).toBe(Number.POSITIVE_INFINITY);
    v.setBigInt64(0x810, -(2n ** 62n), true);
    expect(decodeRealmParams(page).rttLevelStart).toBe(Number.NEGATIVE_INFINITY);
  });
  it('copies the RPV out of the page', () => {
    const page = new Uint8Array(0x1000);
    const p = decodeRealmParams(page);
    page[0x400] = 9;
    expect(p.rpv[0]).toBe(0);
  });
  it('rejects wrong buffer sizes and unencodable fields', () => {
    expect(() => decodeRealmParams(new Uint8Array(0x800))).toThrow(RangeError);
    expect(() => encodeRealmParams({ ...valid, s2sz: 2 ** 32 })).toThrow(RangeError);
    expect(() => encodeRealmParams({ ...valid, hashAlgo: 256 })).toThrow(RangeError);
    expect(() => encodeRealmParams({ ...valid, flags: 2n ** 64n })).toThrow(RangeError);
    expect(() => encodeRealmParams({ ...valid, rpv: new Uint8Array(63) })).toThrow(RangeError);
    expect(() => writeRealmParams(new Uint8Array(10), valid)).toThrow(RangeError);
  });
  test.prop([arbParams])('decode(encode(x)) == x', (p) => {
    expect(decodeRealmParams(encodeRealmParams(p))).toEqual(p);
  });
  test.prop([fc.uint8Array({ minLength: 0x1000, maxLength: 0x1000 })])(
    'decodes any page and re-encodes the fields it read',
    (page) => {
      const p = decodeRealmParams(page);
      if (Number.isFinite(p.rttLevelStart)) {
        expect(decodeRealmParams(encodeRealmParams(p))).toEqual(p);
      }
    },
  );
});

describe('validateRealmParams (rmm-abi.md §2.5)', () => {
  it('returns the checked view', () => {
    const r = validateRealmParams(valid);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      lpa2: false,
      sve: true,
      pmu: true,
      hashAlgo: 1,
      rttBase: 0x8800_0000,
      rttLevelStart: 1,
    });
  });
  it.each([
    [{ hashAlgo: 2 }, 'hash_algo'],
    [{ rttLevelStart: -2 }, 'rtt_level_start'],
    [{ rttLevelStart: 4 }, 'rtt_level_start'],
    [{ rttLevelStart: Number.POSITIVE_INFINITY }, 'rtt_level_start'],
    [{ rttBase: 2n ** 52n }, 'rtt_base'],
    [{ rttBase: 0x8800_0800n }, 'rtt_base'],
  ])('rejects %o in %s', (patch, field) => {
    const r = validateRealmParams({ ...valid, ...patch });
    expect(r).toMatchObject({ ok: false, field });
  });
  it('does not reject reserved flag bits (TF-RMM measures them)', () => {
    expect(validateRealmParams({ ...valid, flags: 1n << 63n }).ok).toBe(true);
  });
});
