import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  checkDecodeOffsets,
  checkEncodeOffsets,
  checkLayoutConstant,
  type Row,
} from '../test/layout.ts';
import {
  decodeRecParams,
  encodeRecParams,
  isValidRecMpidr,
  MAX_REC_AUX_GRANULES,
  REC_PARAMS_LAYOUT,
  REC_PARAMS_SIZE,
  type RecParams,
  recIndexFromMpidr,
  recIndexFromPsciMpidr,
  validateRecParams,
} from './rec-params.ts';

// rmm-abi.md §3.2.
const ROWS: readonly Row[] = [
  { offset: 0x000, field: 'flags', size: 8, key: 'flags', kind: 'u64' },
  { offset: 0x100, field: 'mpidr', size: 8, key: 'mpidr', kind: 'u64' },
  { offset: 0x200, field: 'pc', size: 8, key: 'pc', kind: 'u64' },
  { offset: 0x300, field: 'gprs', size: 0x340 - 0x300, key: 'gprs', kind: 'u64s' },
  { offset: 0x800, field: 'num_aux', size: 8, key: 'numAux', kind: 'small' },
  { offset: 0x808, field: 'aux', size: 0x888 - 0x808, key: 'aux', kind: 'u64s' },
];

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const arbParams: fc.Arbitrary<RecParams> = fc.record({
  flags: u64,
  mpidr: u64,
  pc: u64,
  gprs: fc.array(u64, { minLength: 8, maxLength: 8 }),
  numAux: fc.maxSafeInteger().map(Math.abs),
  aux: fc.array(u64, { minLength: 16, maxLength: 16 }),
});

const zeros = (n: number): bigint[] => Array.from({ length: n }, () => 0n);
const base: RecParams = {
  flags: 1n,
  mpidr: 0n,
  pc: 0x8000_0000n,
  gprs: zeros(8),
  numAux: 16,
  aux: Array.from({ length: 16 }, (_, i) => BigInt(0x9000_0000 + i * 0x1000)),
};

describe('RmiRecParams (rmm-abi.md §3.2)', () => {
  it('layout constant matches the digest table', () => {
    expect(REC_PARAMS_SIZE).toBe(0x1000);
    checkLayoutConstant(ROWS, REC_PARAMS_LAYOUT);
  });
  it('decodes every field from its offset and width only', () => {
    checkDecodeOffsets(ROWS, REC_PARAMS_SIZE, decodeRecParams);
  });
  it('encodes every field at its offset and width only', () => {
    checkEncodeOffsets(ROWS, REC_PARAMS_SIZE, decodeRecParams, encodeRecParams);
  });
  it('decodes a huge num_aux as Infinity instead of losing bits', () => {
    const page = new Uint8Array(0x1000);
    new DataView(page.buffer).setBigUint64(0x800, 2n ** 63n, true);
    expect(decodeRecParams(page).numAux).toBe(Number.POSITIVE_INFINITY);
  });
  it('rejects arrays of the wrong length', () => {
    expect(() => encodeRecParams({ ...base, gprs: zeros(7) })).toThrow(RangeError);
    expect(() => encodeRecParams({ ...base, aux: zeros(17) })).toThrow(RangeError);
  });
  test.prop([arbParams])('decode(encode(x)) == x', (p) => {
    expect(decodeRecParams(encodeRecParams(p))).toEqual(p);
  });
});

describe('RmiRecMpidr (rmm-abi.md §2.9, §3.2)', () => {
  it('accepts only Aff0[3:0], Aff1, Aff2, Aff3', () => {
    expect(isValidRecMpidr(0xffff_ff0fn)).toBe(true);
    expect(isValidRecMpidr(0x10n)).toBe(false);
    expect(isValidRecMpidr(1n << 32n)).toBe(false);
  });
  it('computes rec_idx as TF-RMM does', () => {
    expect(recIndexFromMpidr(0n)).toBe(0);
    expect(recIndexFromMpidr(0x3n)).toBe(3);
    expect(recIndexFromMpidr(0x100n)).toBe(0x10);
    expect(recIndexFromMpidr(0x1_0000n)).toBe(0x1000);
    expect(recIndexFromMpidr(0x100_0000n)).toBe(0x10_0000);
  });
  test.prop([fc.integer({ min: 0, max: 0xffff_ffff })])('rec_idx formula', (m) => {
    const ref =
      (m & 0xf) |
      (((m >>> 8) & 0xff) << 4) |
      (((m >>> 16) & 0xff) << 12) |
      (((m >>> 24) & 0xff) << 20);
    expect(recIndexFromMpidr(BigInt(m))).toBe(ref);
  });
  it('reads a PSCI target MPIDR with Aff3 at [39:32], ignoring [31:24]', () => {
    expect(recIndexFromPsciMpidr(0x1_0000_0000n)).toBe(0x10_0000);
    expect(recIndexFromPsciMpidr(0xff00_0102n)).toBe(0x12);
    expect(recIndexFromPsciMpidr(0xff_00ff_ff0fn)).toBe(
      recIndexFromMpidr(0xff_ff0fn | (0xffn << 24n)),
    );
  });
});

describe('validateRecParams (rmm-abi.md §2.9 steps 2-3)', () => {
  it('returns the first num_aux aux addresses', () => {
    const r = validateRecParams({ ...base, numAux: 2 });
    expect(r).toMatchObject({ ok: true, value: { runnable: true, numAux: 2 } });
    if (r.ok) expect(r.value.aux).toEqual([0x9000_0000, 0x9000_1000]);
  });
  it('rejects num_aux > 16', () => {
    expect(validateRecParams({ ...base, numAux: MAX_REC_AUX_GRANULES + 1 })).toMatchObject({
      ok: false,
      field: 'num_aux',
    });
    expect(validateRecParams({ ...base, numAux: Number.POSITIVE_INFINITY }).ok).toBe(false);
  });
  it('rejects a misaligned or out-of-range aux address below num_aux only', () => {
    const aux = [...base.aux];
    aux[3] = 0x9000_0001n;
    expect(validateRecParams({ ...base, aux })).toMatchObject({ ok: false, field: 'aux[3]' });
    expect(validateRecParams({ ...base, aux, numAux: 3 }).ok).toBe(true);
    aux[3] = 2n ** 52n;
    expect(validateRecParams({ ...base, aux })).toMatchObject({ ok: false, field: 'aux[3]' });
  });
  it('leaves the MPIDR to the RMM', () => {
    expect(validateRecParams({ ...base, mpidr: 0xffn }).ok).toBe(true);
  });
});
