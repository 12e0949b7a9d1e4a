import { RmiDataMeasureContent, RmiHashAlgorithm, RmiRecCreateFlag } from '@islet/abi';
import { describe, expect, test } from 'vitest';
import { planRealm, type RealmPlan, recMpidr, resolveLaunch, rootGeometry } from '../src/index.ts';

const image = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);

/** The plan's RIPAS steps as [base, top]. */
const ripasSteps = (plan: RealmPlan): [number, number][] =>
  plan.steps.flatMap((s) => (s.kind === 'ripas' ? [[s.base, s.top] as [number, number]] : []));

describe('planRealm', () => {
  test('is deterministic', () => {
    const a = planRealm({ image, memorySize: 0x40_0000, vcpus: 2 });
    const b = planRealm({ image: Uint8Array.from(image), memorySize: 0x40_0000, vcpus: 2 });
    expect(b).toEqual(a);
  });

  test('the measured steps, in order: realm, one RIPAS step per 2 MiB block, data pages, RECs', () => {
    const plan = planRealm({ image, memorySize: 0x20_0000, vcpus: 2, entry: 0x80n, args: [7n] });
    expect(plan.steps.map((s) => s.kind)).toEqual(['realm', 'ripas', 'data', 'data', 'rec', 'rec']);
    expect(plan.steps[1]).toEqual({ kind: 'ripas', base: 0, top: 0x20_0000 });
    const [d0, d1] = plan.data;
    expect(plan.steps.slice(2, 4)).toEqual([d0, d1]);
    expect(d0).toMatchObject({ ipa: 0, flags: RmiDataMeasureContent.Measure });
    expect(d0!.content).toEqual(image.subarray(0, 0x1000));
    expect(d1!.ipa).toBe(0x1000);
    expect(d1!.content).toHaveLength(0x1000);
    expect(d1!.content.subarray(0, 904)).toEqual(image.subarray(4096));
    expect(d1!.content.subarray(904).every((b) => b === 0)).toBe(true);
    expect(plan.steps.slice(4)).toEqual(plan.recs);
    expect(plan.recs[0]).toMatchObject({
      runnable: true,
      params: { flags: RmiRecCreateFlag.Runnable, mpidr: 0n, pc: 0x80n },
    });
    expect(plan.recs[0]!.params.gprs).toEqual([7n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(plan.recs[1]).toMatchObject({
      runnable: false,
      params: { flags: 0n, mpidr: 1n, pc: 0n },
    });
    expect(plan.ripasRanges).toEqual([{ base: 0, top: 0x20_0000 }]);
  });

  test('RIPAS in whole 2 MiB blocks measures one step per block, in IPA order', () => {
    const plan = planRealm({ image, memorySize: 0x80_0000 });
    expect(ripasSteps(plan)).toEqual([
      [0, 0x20_0000],
      [0x20_0000, 0x40_0000],
      [0x40_0000, 0x60_0000],
      [0x60_0000, 0x80_0000],
    ]);
    expect(plan.ripasRanges).toEqual([{ base: 0, top: 0x80_0000 }]);
  });

  test('a 64 MiB image in 66 MiB of RAM: 33 RIPAS steps (one per block), 32 data tables', () => {
    const big = new Uint8Array(0x400_0000).fill(0x5a);
    const plan = planRealm({ image: big, memorySize: 0x420_0000 });
    expect(ripasSteps(plan)).toEqual(
      Array.from({ length: 33 }, (_, i) => [i * 0x20_0000, (i + 1) * 0x20_0000]),
    );
    expect(plan.rtt).toEqual({
      levelStart: 1,
      numStart: 2,
      tables: [{ ipa: 0, level: 2 }],
      dataTables: Array.from({ length: 32 }, (_, i) => ({ ipa: i * 0x20_0000, level: 3 })),
    });
    expect(plan.data).toHaveLength(0x4000);
    expect(plan.data.at(-1)!.ipa).toBe(0x3ff_f000);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'realm',
      ...new Array(33).fill('ripas'),
      ...new Array(0x4000).fill('data'),
      'rec',
    ]);
  });

  test('memory not a multiple of 2 MiB: a level-3 table before RIPAS, RIPAS per page there', () => {
    // 4 MiB + 12 KiB: two whole blocks, then three pages of a block RAM covers only in part.
    const plan = planRealm({ image, memorySize: 0x40_3000 });
    expect(plan.rtt).toEqual({
      levelStart: 1,
      numStart: 2,
      tables: [
        { ipa: 0, level: 2 },
        { ipa: 0x40_0000, level: 3 },
      ],
      dataTables: [{ ipa: 0, level: 3 }],
    });
    expect(ripasSteps(plan)).toEqual([
      [0, 0x20_0000],
      [0x20_0000, 0x40_0000],
      [0x40_0000, 0x40_1000],
      [0x40_1000, 0x40_2000],
      [0x40_2000, 0x40_3000],
    ]);
    expect(plan.ripasRanges).toEqual([{ base: 0, top: 0x40_3000 }]);
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'realm',
      ...new Array(5).fill('ripas'),
      'data',
      'data',
      'rec',
    ]);

    // Less than one block: no whole block at all, every page is its own step.
    const small = planRealm({ image, memorySize: 0x4000 });
    expect(small.rtt.tables).toEqual([
      { ipa: 0, level: 2 },
      { ipa: 0, level: 3 },
    ]);
    // The image lies in the partial block, whose table exists already.
    expect(small.rtt.dataTables).toEqual([]);
    expect(ripasSteps(small)).toEqual([
      [0, 0x1000],
      [0x1000, 0x2000],
      [0x2000, 0x3000],
      [0x3000, 0x4000],
    ]);
  });

  test('an image in the partial last block gets no second table there', () => {
    // 4 MiB + 8 KiB of RAM, the image's two pages in the last 8 KiB.
    const plan = planRealm({ image, memorySize: 0x40_2000, imageBase: 0x40_0000 });
    expect(plan.rtt.tables).toEqual([
      { ipa: 0, level: 2 },
      { ipa: 0x40_0000, level: 3 },
    ]);
    expect(plan.rtt.dataTables).toEqual([]);
    expect(ripasSteps(plan)).toEqual([
      [0, 0x20_0000],
      [0x20_0000, 0x40_0000],
      [0x40_0000, 0x40_1000],
      [0x40_1000, 0x40_2000],
    ]);
    expect(plan.data.map((d) => d.ipa)).toEqual([0x40_0000, 0x40_1000]);
  });

  test('an image base in the middle of RAM: data tables only under the image', () => {
    // 16 MiB of RAM; a 4 MiB + 5000-byte image at 5 MiB - 4 KiB spans [0x4f_f000, 0x90_1000):
    // blocks 2 (4..6 MiB) through 4 (8..10 MiB).
    const mid = new Uint8Array(0x40_0000 + 5000).fill(3);
    const plan = planRealm({ image: mid, memorySize: 0x100_0000, imageBase: 0x4f_f000 });
    expect(plan.rtt).toEqual({
      levelStart: 1,
      numStart: 2,
      tables: [{ ipa: 0, level: 2 }],
      dataTables: [
        { ipa: 0x40_0000, level: 3 },
        { ipa: 0x60_0000, level: 3 },
        { ipa: 0x80_0000, level: 3 },
      ],
    });
    // RIPAS still covers all RAM from IPA 0, a step per block.
    expect(ripasSteps(plan)).toEqual(
      Array.from({ length: 8 }, (_, i) => [i * 0x20_0000, (i + 1) * 0x20_0000]),
    );
    expect(plan.ripasRanges).toEqual([{ base: 0, top: 0x100_0000 }]);
    expect(plan.data).toHaveLength(0x402);
    expect(plan.data[0]!.ipa).toBe(0x4f_f000);
    expect(plan.data.at(-1)!.ipa).toBe(0x90_0000);
    expect(plan.launch.entry).toBe(0x4f_f000n);
    expect(plan.recs[0]!.params).toMatchObject({ pc: 0x4f_f000n });
    expect(plan.recs[0]!.params.gprs).toEqual([
      BigInt(mid.length),
      0x100_0000n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
    ]);
    // An image ending exactly on a block boundary needs no table for the next block.
    const exact = planRealm({
      image: new Uint8Array(0x20_0000),
      memorySize: 0x100_0000,
      imageBase: 0x20_0000,
    });
    expect(exact.rtt.dataTables).toEqual([{ ipa: 0x20_0000, level: 3 }]);
  });

  test('the realm parameters: defaults, measured fields, no host addresses', () => {
    const rpv = new Uint8Array(64).fill(9);
    const plan = planRealm({ image, hashAlgo: 'sha512', rpv });
    expect(plan.hashAlgo).toBe(RmiHashAlgorithm.Sha512);
    expect(plan.realm).toEqual({
      flags: 0n,
      s2sz: 40,
      sveVl: 0,
      numBps: 1,
      numWps: 1,
      pmuNumCtrs: 0,
      hashAlgo: 1,
      rpv,
      rttLevelStart: 1,
      rttNumStart: 2,
    });
    expect(plan.realm).not.toHaveProperty('rttBase');
    expect(plan.realm).not.toHaveProperty('vmid');
  });

  test('the RTT layout: level-2 tables per GiB of RAM, level-3 tables only under the image', () => {
    expect(planRealm({ image, memorySize: 0x80_0000 }).rtt).toEqual({
      levelStart: 1,
      numStart: 2,
      tables: [{ ipa: 0, level: 2 }],
      dataTables: [{ ipa: 0, level: 3 }],
    });
    // 1 GiB + 4 KiB with level-0 roots: one level-1 table, two level-2 tables, and the level-3
    // table of the partial block at 1 GiB; the 5000-byte image needs one data table at 0.
    const wide = planRealm({ image, memorySize: 0x4000_1000, ipaBits: 44 });
    expect(wide.rtt).toEqual({
      levelStart: 0,
      numStart: 1,
      tables: [
        { ipa: 0, level: 1 },
        { ipa: 0, level: 2 },
        { ipa: 0x4000_0000, level: 2 },
        { ipa: 0x4000_0000, level: 3 },
      ],
      dataTables: [{ ipa: 0, level: 3 }],
    });
    expect(ripasSteps(wide)).toHaveLength(512 + 1);
    expect(ripasSteps(wide).at(-1)).toEqual([0x4000_0000, 0x4000_1000]);
  });

  test('root geometry follows rmm-abi §4.6', () => {
    expect(rootGeometry(32)).toEqual({ levelStart: 1, numStart: 1 });
    expect(rootGeometry(39)).toEqual({ levelStart: 1, numStart: 1 });
    expect(rootGeometry(40)).toEqual({ levelStart: 1, numStart: 2 });
    expect(rootGeometry(43)).toEqual({ levelStart: 1, numStart: 16 });
    expect(rootGeometry(48)).toEqual({ levelStart: 0, numStart: 1 });
    expect(recMpidr(0x12)).toBe(0x102n);
  });

  test('default boot registers: X0 = image length, X1 = memory size; explicit args win', () => {
    expect(resolveLaunch({ image }).args).toEqual([5000n, 0x20_0000n, 0n, 0n, 0n, 0n, 0n, 0n]);
    const plan = planRealm({ image, memorySize: 0x40_0000 });
    expect(plan.recs[0]!.params.gprs).toEqual([5000n, 0x40_0000n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(resolveLaunch({ image, args: [] }).args).toEqual(new Array(8).fill(0n));
    expect(resolveLaunch({ image, args: [1n, 2n, 3n] }).args.slice(0, 4)).toEqual([1n, 2n, 3n, 0n]);
  });

  test('defaults: memory is twice the image rounded to 2 MiB, entry is the image base', () => {
    expect(resolveLaunch({ image }).memorySize).toBe(0x20_0000);
    expect(resolveLaunch({ image: new Uint8Array(0x10_0001) }).memorySize).toBe(0x40_0000);
    const l = resolveLaunch({ image, imageBase: 0x8000 });
    expect(l.entry).toBe(0x8000n);
    expect(planRealm({ image, imageBase: 0x8000 }).data[0]!.ipa).toBe(0x8000);
  });

  test.each([
    [{ image: new Uint8Array(0) }, /at least 1 byte/],
    [{ image, memorySize: 0x1000 }, /does not hold the image/],
    [{ image, memorySize: 0x1800 }, /multiple of 4 KiB/],
    [{ image, ipaBits: 31 }, /IPA width/],
    [{ image, ipaBits: 32, memorySize: 0x8000_1000 }, /protected half/],
    [{ image, rpv: new Uint8Array(32) }, /RPV/],
    [{ image, vcpus: 0 }, /vCPUs/],
    [{ image, imageBase: 0x800 }, /image base/],
    [{ image, args: Array.from({ length: 9 }, () => 0n) }, /at most 8/],
    [{ image, numBps: 256 }, /num_bps/],
  ])('refuses %o', (launch, message) => {
    expect(() => planRealm(launch)).toThrowError(
      expect.objectContaining({
        code: 'HOST_LAUNCH_INVALID',
        message: expect.stringMatching(message),
      }),
    );
  });
});
