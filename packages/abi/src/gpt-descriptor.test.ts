import { fc, test } from '@fast-check/vitest';
import { U64 } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import {
  decodeGpccr,
  encodeGpccr,
  encodeGptbr,
  GPCCR_FIELDS,
  type Gpccr,
  Gpi,
  GptL0Type,
  GptL1Contig,
  gpccrL0gptszBits,
  gpccrPgsBits,
  gpccrPpsBits,
  gpiOfWorld,
  gpiPermits,
  gptbrBaseAddress,
  gptL0Block,
  gptL0BlockGpi,
  gptL0Entries,
  gptL0Index,
  gptL0Table,
  gptL0TableAddress,
  gptL0Type,
  gptL1ContigDesc,
  gptL1ContigGpi,
  gptL1ContigSize,
  gptL1Entries,
  gptL1Fill,
  gptL1Gpi,
  gptL1GpiIndex,
  gptL1Index,
  gptL1SetGpi,
  gptL1SetGpiHalf,
  isGpi,
  isGptL1Contig,
  worldOfGpi,
} from './gpt-descriptor.ts';
import { World } from './world.ts';

const big = (d: U64.U64): bigint => U64.toBig(d.hi, d.lo);
const gpi = fc.constantFrom(...Object.values(Gpi));

describe('GPI (rmm-abi.md §8.1)', () => {
  it('values', () => {
    expect(Gpi).toEqual({ NoAccess: 0, Secure: 8, NonSecure: 9, Root: 0xa, Realm: 0xb, Any: 0xf });
    expect([0, 1, 7, 8, 0xb, 0xc, 0xe, 0xf].map(isGpi)).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
      false,
      true,
    ]);
  });
  it('access rule: X-only or any', () => {
    const worlds = Object.values(World);
    for (const w of worlds) {
      expect(gpiPermits(Gpi.Any, w)).toBe(true);
      expect(gpiPermits(Gpi.NoAccess, w)).toBe(false);
      for (const v of worlds) expect(gpiPermits(gpiOfWorld(v), w)).toBe(v === w);
    }
    expect(gpiOfWorld(World.Normal)).toBe(Gpi.NonSecure);
    expect(gpiOfWorld(World.Realm)).toBe(Gpi.Realm);
    expect(worldOfGpi(Gpi.Root)).toBe(World.Root);
    expect(worldOfGpi(Gpi.Any)).toBeUndefined();
  });
});

describe('GPCCR_EL3 / GPTBR_EL3 (rmm-abi.md §8.2)', () => {
  it('field positions', () => {
    expect(GPCCR_FIELDS).toEqual({
      PPS: { shift: 0, width: 3 },
      IRGN: { shift: 8, width: 2 },
      ORGN: { shift: 10, width: 2 },
      SH: { shift: 12, width: 2 },
      PGS: { shift: 14, width: 2 },
      GPC: { shift: 16, width: 1 },
      GPCP: { shift: 17, width: 1 },
      L0GPTSZ: { shift: 20, width: 4 },
    });
  });
  it('PPS, PGS and L0GPTSZ decodings', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(gpccrPpsBits)).toEqual([
      32,
      36,
      40,
      42,
      44,
      48,
      52,
      undefined,
    ]);
    expect([0, 1, 2, 3].map(gpccrPgsBits)).toEqual([12, 16, 14, undefined]);
    expect([0, 4, 6, 9].map(gpccrL0gptszBits)).toEqual([30, 34, 36, 39]);
  });
  const arb: fc.Arbitrary<Gpccr> = fc.record({
    pps: fc.integer({ min: 0, max: 7 }),
    irgn: fc.integer({ min: 0, max: 3 }),
    orgn: fc.integer({ min: 0, max: 3 }),
    sh: fc.integer({ min: 0, max: 3 }),
    pgs: fc.integer({ min: 0, max: 3 }),
    gpc: fc.boolean(),
    gpcp: fc.boolean(),
    l0gptsz: fc.integer({ min: 0, max: 15 }),
  });
  test.prop([arb])('GPCCR decode(encode(x)) == x', (g) => {
    expect(decodeGpccr(encodeGpccr(g))).toEqual(g);
  });
  it('GPCCR example: PPS 5, PGS 4K, GPC on, L0GPTSZ 0', () => {
    const v = encodeGpccr({
      pps: 5,
      irgn: 1,
      orgn: 1,
      sh: 3,
      pgs: 0,
      gpc: true,
      gpcp: false,
      l0gptsz: 0,
    });
    expect(v).toBe(5 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 16));
  });
  test.prop([fc.bigInt({ min: 0n, max: 2n ** 40n - 1n })])('GPTBR BADDR = PA[51:12]', (baddr) => {
    const pa = Number(baddr) * 4096;
    const r = encodeGptbr(pa);
    expect(big(r)).toBe(baddr);
    expect(gptbrBaseAddress(r.hi, r.lo)).toBe(pa);
  });
});

describe('L0 descriptors (rmm-abi.md §8.3)', () => {
  it('block = 0x1 | gpi << 4; table = 0x3 | (pa & 0x000F_FFFF_FFFF_F000)', () => {
    expect(big(gptL0Block(Gpi.NonSecure))).toBe(0x91n);
    const pa = 0xf_ffff_ffff_f000;
    expect(big(gptL0Table(pa))).toBe(0x3n | (BigInt(pa) & 0x000f_ffff_ffff_f000n));
    const t = gptL0Table(0x8_0004_0000);
    expect(gptL0Type(t.lo)).toBe(GptL0Type.Table);
    expect(gptL0TableAddress(t.hi, t.lo)).toBe(0x8_0004_0000);
    expect(gptL0Type(0x91)).toBe(GptL0Type.Block);
    expect(gptL0BlockGpi(0x91)).toBe(Gpi.NonSecure);
    expect(gptL0Type(0x2)).toBe(GptL0Type.Invalid);
    expect(() => gptL0Table(0x1001)).toThrow(RangeError);
  });
  it('entry count and index', () => {
    expect(gptL0Entries(48, 30)).toBe(2 ** 18);
    expect(gptL0Entries(30, 39)).toBe(1);
    expect(gptL0Index(0x1_4000_0000, 30)).toBe(5);
  });
});

describe('L1 descriptors (rmm-abi.md §8.4)', () => {
  it('sizes: P=12, S=30 → 16384 entries', () => {
    expect(gptL1Entries(30, 12)).toBe(16384);
    expect(gptL1Index(0x4000_0000 + 0x1_0000 * 3 + 0x5000, 30, 12)).toBe(3);
    expect(gptL1GpiIndex(0x4000_0000 + 0x1_0000 * 3 + 0x5000, 12)).toBe(5);
  });
  it('fill replicates the GPI 16 times', () => {
    expect(big(gptL1Fill(Gpi.NonSecure))).toBe(0x9999_9999_9999_9999n);
    expect(big(gptL1Fill(Gpi.Realm))).toBe(0xbbbb_bbbb_bbbb_bbbbn);
    expect(big(gptL1Fill(Gpi.Secure))).toBe(0x8888_8888_8888_8888n);
    expect(big(gptL1Fill(Gpi.Any))).toBe(0xffff_ffff_ffff_ffffn);
  });
  test.prop([fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 15 }), gpi])(
    'set then get nibble g; other nibbles unchanged',
    (d, g, v) => {
      const { hi, lo } = U64.fromBig(d);
      const r = gptL1SetGpi(hi, lo, g, v);
      expect(gptL1Gpi(r.hi, r.lo, g)).toBe(v);
      const m = 0xfn << BigInt(4 * g);
      expect(big(r) & ~m).toBe(d & ~m);
      expect(big(r) & m).toBe(BigInt(v) << BigInt(4 * g));
    },
  );
  test.prop([fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 15 }), gpi])(
    'setting a nibble in the half that holds it is setting it in the descriptor',
    (d, g, v) => {
      const { hi, lo } = U64.fromBig(d);
      const r = gptL1SetGpi(hi, lo, g, v);
      if (g < 8) {
        expect(gptL1SetGpiHalf(lo, g, v)).toBe(r.lo);
        expect(r.hi).toBe(hi);
      } else {
        expect(gptL1SetGpiHalf(hi, g - 8, v)).toBe(r.hi);
        expect(r.lo).toBe(lo);
      }
    },
  );
  it('contiguous descriptor: 0b0001 | gpi << 4 | contig << 8', () => {
    const d = gptL1ContigDesc(Gpi.Realm, GptL1Contig.Size32M);
    expect(big(d)).toBe(0x1n | (0xbn << 4n) | (2n << 8n));
    expect(isGptL1Contig(d.lo)).toBe(true);
    expect(gptL1ContigGpi(d.lo)).toBe(Gpi.Realm);
    expect(gptL1ContigSize(d.lo)).toBe(2);
    expect(isGptL1Contig(gptL1Fill(Gpi.NonSecure).lo)).toBe(false);
  });
});
