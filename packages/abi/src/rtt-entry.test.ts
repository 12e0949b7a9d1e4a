import { fc, test } from '@fast-check/vitest';
import { U64 } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import {
  decodeS2tte,
  decodeS2tteBig,
  encodeS2tte,
  encodeS2tteBig,
  isValidNsHostDesc,
  RmiRipas,
  RmiRttEntryState,
  rttEntryIndex,
  rttLevelBlockSize,
  rttLevelShift,
  rttReadEntryState,
  type S2tte,
  S2tteType,
  s2tteAf,
  s2tteIsBlock,
  s2tteIsNs,
  s2tteIsPage,
  s2tteIsTable,
  s2tteIsValid,
  s2tteMemAttr,
  s2tteNsHostMask,
  s2tteOutputAddress,
  s2tteS2ap,
  s2tteSh,
  s2tteType,
  s2tteXn,
} from './rtt-entry.ts';

const big = (d: U64.U64): bigint => U64.toBig(d.hi, d.lo);
const e = (type: S2tteType, oa = 0, nsAttrs = 0): S2tte => ({ type, oa, nsAttrs });

describe('RTT geometry (rmm-abi.md §1.5, §4.4)', () => {
  it('block sizes per level', () => {
    expect([3, 2, 1, 0, -1].map(rttLevelShift)).toEqual([12, 21, 30, 39, 48]);
    expect(rttLevelBlockSize(2)).toBe(2 * 1024 * 1024);
    expect(rttLevelBlockSize(-1)).toBe(2 ** 48);
  });
  it('entry index', () => {
    expect(rttEntryIndex(0x20_1000, 3)).toBe(1);
    expect(rttEntryIndex(0x20_1000, 2)).toBe(1);
    expect(rttEntryIndex(2 ** 39 * 513, 0)).toBe(1);
    expect(rttEntryIndex(2 ** 51, -1)).toBe(8);
  });
  it('enumerations', () => {
    expect(RmiRttEntryState).toEqual({ Unassigned: 0, Assigned: 1, Table: 2 });
    expect(RmiRipas).toEqual({ Empty: 0, Ram: 1, Destroyed: 2 });
  });
});

describe('s2tte encodings (rmm-abi.md §4.4 table)', () => {
  const pa = 0x8800_0000;
  it('unassigned_*: HIPAS 0, RIPAS in [6:5], invalid', () => {
    expect(encodeS2tteBig(e(S2tteType.UnassignedEmpty), 3, false)).toBe(0n);
    expect(encodeS2tteBig(e(S2tteType.UnassignedRam), 1, false)).toBe(1n << 5n);
    expect(encodeS2tteBig(e(S2tteType.UnassignedDestroyed), 0, false)).toBe(2n << 5n);
    expect(encodeS2tteBig(e(S2tteType.UnassignedNs), 2, false)).toBe(1n << 55n);
  });
  it('assigned_empty / assigned_destroyed: HIPAS 1, RIPAS, OA, invalid', () => {
    expect(encodeS2tteBig(e(S2tteType.AssignedEmpty, pa), 3, false)).toBe(BigInt(pa) | (1n << 2n));
    expect(encodeS2tteBig(e(S2tteType.AssignedDestroyed, pa), 3, false)).toBe(
      BigInt(pa) | (1n << 2n) | (2n << 5n),
    );
  });
  it('assigned_ram: MemAttr NormalWB (1<<4)|(2<<2), S2AP RW, AF, SH IS, page/block', () => {
    const attrs = (1n << 4n) | (2n << 2n) | (3n << 6n) | (1n << 10n) | (3n << 8n);
    expect(encodeS2tteBig(e(S2tteType.AssignedRam, pa), 3, false)).toBe(BigInt(pa) | attrs | 3n);
    expect(encodeS2tteBig(e(S2tteType.AssignedRam, 0x4000_0000), 1, false)).toBe(
      0x4000_0000n | attrs | 1n,
    );
    // LPA2: no SH (bits [9:8] are OA[51:50]).
    expect(encodeS2tteBig(e(S2tteType.AssignedRam, pa), 3, true)).toBe(
      BigInt(pa) | (attrs & ~(3n << 8n)) | 3n,
    );
  });
  it('assigned_ns: host MemAttr/S2AP + AF + NS(55) + XN(2<<53) + SH IS', () => {
    const oa = 0x1_0020_0000;
    const host = (0b101n << 2n) | (0b01n << 6n);
    const d = encodeS2tteBig(e(S2tteType.AssignedNs, oa, Number(host)), 2, false);
    expect(d).toBe(BigInt(oa) | host | (1n << 10n) | (1n << 55n) | (2n << 53n) | (3n << 8n) | 1n);
    const { hi, lo } = U64.fromBig(d);
    expect(s2tteIsNs(hi)).toBe(true);
    expect(s2tteXn(hi)).toBe(2);
    expect(s2tteAf(lo)).toBe(true);
    expect(s2tteMemAttr(lo)).toBe(0b101);
    expect(s2tteS2ap(lo)).toBe(0b01);
    expect(s2tteSh(lo)).toBe(0b11);
    expect(s2tteIsBlock(lo, 2)).toBe(true);
    expect(decodeS2tteBig(d, 2, false)).toEqual(e(S2tteType.AssignedNs, oa, Number(host)));
  });
  it('table: next RTT | 0b11 at levels -1..2', () => {
    const d = encodeS2tte(e(S2tteType.Table, 0x8000_1000), 2, false);
    expect(big(d)).toBe(0x8000_1003n);
    expect(s2tteIsTable(d.lo, 2)).toBe(true);
    expect(s2tteIsPage(d.lo, 2)).toBe(false);
    expect(s2tteIsPage(d.lo, 3)).toBe(true);
    expect(s2tteIsValid(d.lo)).toBe(true);
    expect(decodeS2tte(d.hi, d.lo, 3, false)?.type).toBe(S2tteType.AssignedRam);
  });
  it('LPA2 output address: OA[49:48] at [49:48], OA[51:50] at [9:8]', () => {
    const oa = 2 ** 51 + 2 ** 50 + 2 ** 49 + 2 ** 48 + 0x1000;
    const d = encodeS2tteBig(e(S2tteType.AssignedEmpty, oa), 3, true);
    expect(d).toBe((3n << 48n) | (3n << 8n) | 0x1000n | (1n << 2n));
    const { hi, lo } = U64.fromBig(d);
    expect(s2tteOutputAddress(hi, lo, 3, true)).toBe(oa);
    expect(() => encodeS2tte(e(S2tteType.AssignedEmpty, oa), 3, false)).toThrow(RangeError);
  });
  it('rejects kinds at levels where they do not exist, and misaligned OAs', () => {
    expect(() => encodeS2tte(e(S2tteType.AssignedRam, 0), 0, false)).toThrow(RangeError);
    expect(() => encodeS2tte(e(S2tteType.Table, 0), 3, false)).toThrow(RangeError);
    expect(() => encodeS2tte(e(S2tteType.Table, 0), -1, false)).toThrow(RangeError);
    expect(() => encodeS2tte(e(S2tteType.AssignedRam, 0x1000), 2, false)).toThrow(RangeError);
    expect(() => encodeS2tte(e(S2tteType.AssignedNs, 0, 0b100 << 2), 3, false)).toThrow(RangeError);
    expect(() => encodeS2tte(e(S2tteType.AssignedNs, 0, 1 << 10), 3, false)).toThrow(RangeError);
  });
  it('decodes encodings TF-RMM never writes as undefined', () => {
    expect(decodeS2tteBig(2n, 3, false)).toBeUndefined(); // desc[1:0] = 0b10
    expect(decodeS2tteBig(1n, 3, false)).toBeUndefined(); // block at L3
    expect(decodeS2tteBig(1n, 0, false)).toBeUndefined(); // block at L0
    expect(decodeS2tteBig(3n << 5n, 3, false)).toBeUndefined(); // RIPAS 3
    expect(decodeS2tteBig(2n << 2n, 3, false)).toBeUndefined(); // HIPAS 2
    expect(decodeS2tteBig((1n << 2n) | (1n << 5n), 3, false)).toBeUndefined(); // assigned+RAM invalid
    expect(decodeS2tteBig(1n << 2n, 0, false)).toBeUndefined(); // assigned at L0
    expect(decodeS2tteBig((1n << 55n) | (1n << 2n), 3, false)).toBeUndefined();
  });
});

describe('unprotected host descriptors (rmm-abi.md §2.15)', () => {
  it('mask per level', () => {
    expect(big(s2tteNsHostMask(3, false))).toBe(0xffff_ffff_f000n | 0xfcn);
    expect(big(s2tteNsHostMask(2, false))).toBe(0xffff_ffe0_0000n | 0xfcn);
    expect(big(s2tteNsHostMask(1, false))).toBe(0xffff_c000_0000n | 0xfcn);
    expect(big(s2tteNsHostMask(3, true))).toBe(0x3_ffff_ffff_f000n | 0x3fcn);
  });
  it('validity', () => {
    expect(isValidNsHostDesc(0, 0x8000_1000 | (0b110 << 2) | (3 << 6), 3, false)).toBe(true);
    expect(isValidNsHostDesc(0, 0x8000_1000 | (0b100 << 2), 3, false)).toBe(false);
    expect(isValidNsHostDesc(0, 0x8000_1001, 3, false)).toBe(false);
    expect(isValidNsHostDesc(0, 0x8000_1000 | (1 << 10), 3, false)).toBe(false);
    expect(isValidNsHostDesc(0, 0x1000, 2, false)).toBe(false);
    expect(isValidNsHostDesc(1 << 16, 0, 3, false)).toBe(false);
    expect(isValidNsHostDesc(1 << 16, 0, 3, true)).toBe(true);
  });
});

describe('RTT_READ_ENTRY view (rmm-abi.md §2.17)', () => {
  it('maps every kind to (state, ripas)', () => {
    const U = RmiRttEntryState.Unassigned;
    const A = RmiRttEntryState.Assigned;
    expect(
      Object.values(S2tteType).map((t) => {
        const r = rttReadEntryState(t);
        return [r.state, r.ripas];
      }),
    ).toEqual([
      [U, RmiRipas.Empty],
      [U, RmiRipas.Ram],
      [U, RmiRipas.Destroyed],
      [A, RmiRipas.Empty],
      [A, RmiRipas.Ram],
      [A, RmiRipas.Destroyed],
      [U, RmiRipas.Empty],
      [A, RmiRipas.Empty],
      [RmiRttEntryState.Table, RmiRipas.Empty],
    ]);
  });
});

const ASSIGNED: readonly S2tteType[] = [
  S2tteType.AssignedEmpty,
  S2tteType.AssignedRam,
  S2tteType.AssignedDestroyed,
  S2tteType.AssignedNs,
];

const arbCase = fc
  .record({ lpa2: fc.boolean(), type: fc.constantFrom(...Object.values(S2tteType)) })
  .chain(({ lpa2, type }) => {
    const minLevel = lpa2 ? -1 : 0;
    const [min, max] =
      type === S2tteType.Table ? [minLevel, 2] : ASSIGNED.includes(type) ? [1, 3] : [minLevel, 3];
    return fc.integer({ min, max }).chain((level) => {
      const shift = type === S2tteType.Table ? 12 : rttLevelShift(level);
      const hasOa = type === S2tteType.Table || ASSIGNED.includes(type);
      const oa = hasOa
        ? fc
            .bigInt({ min: 0n, max: 2n ** BigInt((lpa2 ? 52 : 48) - shift) - 1n })
            .map((n) => Number(n) * 2 ** shift)
        : fc.constant(0);
      const nsAttrs =
        type === S2tteType.AssignedNs
          ? fc
              .integer({ min: 0, max: 63 })
              .filter((a) => (a & 7) !== 0b100)
              .map((a) => a << 2)
          : fc.constant(0);
      return fc.record({
        lpa2: fc.constant(lpa2),
        level: fc.constant(level),
        entry: fc.record({ type: fc.constant(type), oa, nsAttrs }),
      });
    });
  });

describe('descriptor round trips', () => {
  test.prop([arbCase])('decode(encode(x)) == x (u32 pairs)', ({ lpa2, level, entry }) => {
    const { hi, lo } = encodeS2tte(entry, level, lpa2);
    expect(hi).toBe(hi >>> 0);
    expect(lo).toBe(lo >>> 0);
    expect(decodeS2tte(hi, lo, level, lpa2)).toEqual(entry);
  });
  test.prop([arbCase])('bigint view agrees with the u32 pair', ({ lpa2, level, entry }) => {
    const d = encodeS2tteBig(entry, level, lpa2);
    expect(d).toBe(big(encodeS2tte(entry, level, lpa2)));
    expect(decodeS2tteBig(d, level, lpa2)).toEqual(entry);
  });
  test.prop([
    fc
      .boolean()
      .chain((lpa2) =>
        fc.tuple(
          fc.integer({ min: 0, max: 0xffff_ffff }),
          fc.integer({ min: 0, max: 0xffff_ffff }),
          fc.integer({ min: lpa2 ? -1 : 0, max: 3 }),
          fc.constant(lpa2),
        ),
      ),
  ])(
    'any descriptor decodes without throwing; canonical ones re-encode',
    ([hi, lo, level, lpa2]) => {
      const x = decodeS2tte(hi, lo, level, lpa2);
      if (
        x === undefined ||
        (x.type === S2tteType.AssignedNs && s2tteMemAttr(x.nsAttrs) === 0b100)
      ) {
        return;
      }
      const again = encodeS2tte(x, level, lpa2);
      expect(decodeS2tte(again.hi, again.lo, level, lpa2)).toEqual(x);
    },
  );
  test.prop([fc.bigInt({ min: 0n, max: 2n ** 48n - 1n }), fc.integer({ min: 1, max: 3 })])(
    'output address matches a bigint oracle (non-LPA2)',
    (d, level) => {
      const { hi, lo } = U64.fromBig(d);
      const mask = ((1n << 48n) - 1n) & ~((1n << BigInt(rttLevelShift(level))) - 1n);
      expect(s2tteOutputAddress(hi, lo, level, false)).toBe(Number(d & mask));
    },
  );
});

describe('s2tteType', () => {
  test.prop([
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.integer({ min: 0, max: 0xffff_ffff }),
    fc.integer({ min: -1, max: 3 }),
    fc.boolean(),
  ])('classifies every descriptor as decodeS2tte does', (hi, lo, level, lpa2) => {
    expect(s2tteType(hi, lo, level)).toBe(decodeS2tte(hi, lo, level, lpa2)?.type);
  });
  it('classifies the entries the RMM writes', () => {
    for (const type of [
      S2tteType.UnassignedEmpty,
      S2tteType.UnassignedRam,
      S2tteType.UnassignedDestroyed,
      S2tteType.AssignedRam,
      S2tteType.AssignedEmpty,
      S2tteType.AssignedDestroyed,
    ]) {
      const d = encodeS2tte({ type, oa: 0x8_8000_0000, nsAttrs: 0 }, 3, false);
      expect(s2tteType(d.hi, d.lo, 3)).toBe(type);
    }
  });
});
