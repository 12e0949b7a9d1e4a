import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  checkDecodeOffsets,
  checkEncodeOffsets,
  checkLayoutConstant,
  type Row,
} from '../test/layout.ts';
import {
  decodeRecEnter,
  decodeRecEnterFlags,
  decodeRecExit,
  decodeRecRun,
  encodeRecEnter,
  encodeRecExit,
  encodeRecRun,
  GICV3_HCR_NS_MASK,
  REC_ENTER_LAYOUT,
  REC_EXIT_LAYOUT,
  REC_EXIT_OFFSET,
  REC_RUN_HALF_SIZE,
  REC_RUN_SIZE,
  type RecEnter,
  type RecExit,
  RmiRecEnterFlag,
  RmiRecExitReason,
  RmiResponse,
  recExitReason,
} from './rec-run.ts';

// rmm-abi.md §3.3, RmiRecEnter.
const ENTER: readonly Row[] = [
  { offset: 0x000, field: 'flags', size: 8, key: 'flags', kind: 'u64' },
  { offset: 0x200, field: 'gprs', size: 0x2f8 - 0x200, key: 'gprs', kind: 'u64s' },
  { offset: 0x300, field: 'gicv3_hcr', size: 8, key: 'gicv3Hcr', kind: 'u64' },
  { offset: 0x308, field: 'gicv3_lrs', size: 0x388 - 0x308, key: 'gicv3Lrs', kind: 'u64s' },
];

// rmm-abi.md §3.3, RmiRecExit (offsets in exit; abs = +0x800).
const EXIT: readonly Row[] = [
  { offset: 0x000, field: 'exit_reason', size: 8, key: 'exitReason', kind: 'small' },
  { offset: 0x100, field: 'esr', size: 8, key: 'esr', kind: 'u64' },
  { offset: 0x108, field: 'far', size: 8, key: 'far', kind: 'u64' },
  { offset: 0x110, field: 'hpfar', size: 8, key: 'hpfar', kind: 'u64' },
  { offset: 0x200, field: 'gprs', size: 31 * 8, key: 'gprs', kind: 'u64s' },
  { offset: 0x300, field: 'gicv3_hcr', size: 8, key: 'gicv3Hcr', kind: 'u64' },
  { offset: 0x308, field: 'gicv3_lrs', size: 16 * 8, key: 'gicv3Lrs', kind: 'u64s' },
  { offset: 0x388, field: 'gicv3_misr', size: 8, key: 'gicv3Misr', kind: 'u64' },
  { offset: 0x390, field: 'gicv3_vmcr', size: 8, key: 'gicv3Vmcr', kind: 'u64' },
  { offset: 0x400, field: 'cntp_ctl', size: 8, key: 'cntpCtl', kind: 'u64' },
  { offset: 0x408, field: 'cntp_cval', size: 8, key: 'cntpCval', kind: 'u64' },
  { offset: 0x410, field: 'cntv_ctl', size: 8, key: 'cntvCtl', kind: 'u64' },
  { offset: 0x418, field: 'cntv_cval', size: 8, key: 'cntvCval', kind: 'u64' },
  { offset: 0x500, field: 'ripas_base', size: 8, key: 'ripasBase', kind: 'u64' },
  { offset: 0x508, field: 'ripas_top', size: 8, key: 'ripasTop', kind: 'u64' },
  { offset: 0x510, field: 'ripas_value', size: 1, key: 'ripasValue', kind: 'u8' },
  { offset: 0x600, field: 'imm', size: 4, key: 'imm', kind: 'u32' },
  { offset: 0x700, field: 'pmu_ovf_status', size: 8, key: 'pmuOvfStatus', kind: 'small' },
];

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const u64s = (n: number) => fc.array(u64, { minLength: n, maxLength: n });
const small = fc.maxSafeInteger().map(Math.abs);
const arbEnter: fc.Arbitrary<RecEnter> = fc.record({
  flags: u64,
  gprs: u64s(31),
  gicv3Hcr: u64,
  gicv3Lrs: u64s(16),
});
const arbExit: fc.Arbitrary<RecExit> = fc.record({
  exitReason: small,
  esr: u64,
  far: u64,
  hpfar: u64,
  gprs: u64s(31),
  gicv3Hcr: u64,
  gicv3Lrs: u64s(16),
  gicv3Misr: u64,
  gicv3Vmcr: u64,
  cntpCtl: u64,
  cntpCval: u64,
  cntvCtl: u64,
  cntvCval: u64,
  ripasBase: u64,
  ripasTop: u64,
  ripasValue: fc.integer({ min: 0, max: 0xff }),
  imm: fc.integer({ min: 0, max: 0xffff_ffff }),
  pmuOvfStatus: small,
});

describe('RmiRecRun (rmm-abi.md §3.3)', () => {
  it('sizes and halves', () => {
    expect(REC_RUN_SIZE).toBe(0x1000);
    expect(REC_RUN_HALF_SIZE).toBe(0x800);
    expect(REC_EXIT_OFFSET).toBe(0x800);
  });
  it('RmiRecEnter layout matches the digest table', () => {
    checkLayoutConstant(ENTER, REC_ENTER_LAYOUT);
    checkDecodeOffsets(ENTER, REC_RUN_HALF_SIZE, decodeRecEnter);
    checkEncodeOffsets(ENTER, REC_RUN_HALF_SIZE, decodeRecEnter, encodeRecEnter);
  });
  it('RmiRecExit layout matches the digest table', () => {
    checkLayoutConstant(EXIT, REC_EXIT_LAYOUT);
    checkDecodeOffsets(EXIT, REC_RUN_HALF_SIZE, decodeRecExit);
    checkEncodeOffsets(EXIT, REC_RUN_HALF_SIZE, decodeRecExit, encodeRecExit);
  });
  it('places the exit at run+0x800 (absolute offsets of the digest)', () => {
    const page = new Uint8Array(0x1000);
    const v = new DataView(page.buffer);
    v.setBigUint64(0x800, 5n, true); // exit_reason
    v.setBigUint64(0x900, 0x9200_0046n, true); // esr
    v.setBigUint64(0xa00, 0xaan, true); // exit gprs[0]
    v.setBigUint64(0xd00, 0x1000n, true); // ripas_base
    v.setUint8(0xd10, 1); // ripas_value
    v.setUint32(0xe00, 0x1234, true); // imm
    v.setBigUint64(0xf00, 1n, true); // pmu_ovf_status
    v.setBigUint64(0x200, 0x55n, true); // enter gprs[0]
    const run = decodeRecRun(page);
    expect(run.enter.gprs[0]).toBe(0x55n);
    expect(run.exit).toMatchObject({
      exitReason: 5,
      esr: 0x9200_0046n,
      ripasBase: 0x1000n,
      ripasValue: 1,
      imm: 0x1234,
      pmuOvfStatus: 1,
    });
    expect(run.exit.gprs[0]).toBe(0xaan);
    expect(encodeRecRun(run)).toEqual(page);
  });
  test.prop([arbEnter])('enter: decode(encode(x)) == x', (e) => {
    expect(decodeRecEnter(encodeRecEnter(e))).toEqual(e);
  });
  test.prop([arbExit])('exit: decode(encode(x)) == x', (x) => {
    expect(decodeRecExit(encodeRecExit(x))).toEqual(x);
  });
  test.prop([arbEnter, arbExit])('run: decode(encode(x)) == x', (enter, exit) => {
    expect(decodeRecRun(encodeRecRun({ enter, exit }))).toEqual({ enter, exit });
  });
  it('rejects wrong sizes', () => {
    expect(() => decodeRecEnter(new Uint8Array(0x1000))).toThrow(RangeError);
    expect(() => decodeRecRun(new Uint8Array(0x800))).toThrow(RangeError);
  });
});

describe('entry flags, exit reasons, GIC mask', () => {
  it('exit reason values', () => {
    expect(RmiRecExitReason).toEqual({
      Sync: 0,
      Irq: 1,
      Fiq: 2,
      Psci: 3,
      RipasChange: 4,
      HostCall: 5,
      Serror: 6,
    });
  });
  it('entry flag bits', () => {
    expect(RmiRecEnterFlag).toEqual({
      EmulMmio: 1n,
      InjectSea: 2n,
      TrapWfi: 4n,
      TrapWfe: 8n,
      RipasResponse: 16n,
    });
    expect(decodeRecEnterFlags(0x1fn | (1n << 63n))).toEqual({
      emulMmio: true,
      injectSea: true,
      trapWfi: true,
      trapWfe: true,
      ripasResponse: RmiResponse.Reject,
    });
    expect(decodeRecEnterFlags(0n).ripasResponse).toBe(RmiResponse.Accept);
  });
  it('GICv3 HCR NS mask is UIE|LRENPIE|NPIE|VGrp0EIE|VGrp0DIE|VGrp1EIE|VGrp1DIE|TDIR', () => {
    const bits = [1, 2, 3, 4, 5, 6, 7, 14].reduce((m, b) => m | (1n << BigInt(b)), 0n);
    expect(GICV3_HCR_NS_MASK).toBe(bits);
  });
  it('recExitReason', () => {
    const exit = decodeRecExit(new Uint8Array(0x800));
    expect(recExitReason(exit)).toBe(RmiRecExitReason.Sync);
    expect(recExitReason({ ...exit, exitReason: 7 })).toBeUndefined();
    expect(recExitReason({ ...exit, exitReason: Number.POSITIVE_INFINITY })).toBeUndefined();
  });
});
