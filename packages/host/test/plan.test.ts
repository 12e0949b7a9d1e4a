import { RmiDataMeasureContent, RmiHashAlgorithm, RmiRecCreateFlag } from '@islet/abi';
import { describe, expect, test } from 'vitest';
import { planRealm, recMpidr, resolveLaunch, rootGeometry } from '../src/index.ts';

const image = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);

describe('planRealm', () => {
  test('is deterministic', () => {
    const a = planRealm({ image, memorySize: 0x40_0000, vcpus: 2 });
    const b = planRealm({ image: Uint8Array.from(image), memorySize: 0x40_0000, vcpus: 2 });
    expect(b).toEqual(a);
  });

  test('the measured steps, in order: realm, RIPAS per 4 KiB page, data pages, RECs', () => {
    const plan = planRealm({ image, memorySize: 0x20_0000, vcpus: 2, entry: 0x80n, args: [7n] });
    const kinds = plan.steps.map((s) => s.kind);
    expect(kinds[0]).toBe('realm');
    expect(kinds.filter((k) => k === 'ripas')).toHaveLength(512);
    expect(kinds.slice(513)).toEqual(['data', 'data', 'rec', 'rec']);
    expect(plan.steps[1]).toEqual({ kind: 'ripas', base: 0, top: 0x1000 });
    expect(plan.steps[512]).toEqual({ kind: 'ripas', base: 0x1f_f000, top: 0x20_0000 });
    const [d0, d1] = plan.data;
    expect(d0).toMatchObject({ ipa: 0, flags: RmiDataMeasureContent.Measure });
    expect(d1!.ipa).toBe(0x1000);
    expect(d1!.content).toHaveLength(0x1000);
    expect(d1!.content.subarray(0, 904)).toEqual(image.subarray(4096));
    expect(d1!.content.subarray(904).every((b) => b === 0)).toBe(true);
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

  test('the RTT layout: level-2 tables per GiB, level-3 tables per 2 MiB of RAM', () => {
    expect(planRealm({ image, memorySize: 0x80_0000 }).rtt).toEqual({
      levelStart: 1,
      numStart: 2,
      tables: [
        { ipa: 0, level: 2 },
        { ipa: 0, level: 3 },
        { ipa: 0x20_0000, level: 3 },
        { ipa: 0x40_0000, level: 3 },
        { ipa: 0x60_0000, level: 3 },
      ],
    });
    const wide = planRealm({ image, memorySize: 0x4000_1000, ipaBits: 44 }).rtt;
    expect(wide.levelStart).toBe(0);
    expect(wide.tables.filter((t) => t.level === 1)).toEqual([{ ipa: 0, level: 1 }]);
    expect(wide.tables.filter((t) => t.level === 2)).toHaveLength(2);
    expect(wide.tables.filter((t) => t.level === 3)).toHaveLength(513);
  });

  test('root geometry follows rmm-abi §4.6', () => {
    expect(rootGeometry(32)).toEqual({ levelStart: 1, numStart: 1 });
    expect(rootGeometry(39)).toEqual({ levelStart: 1, numStart: 1 });
    expect(rootGeometry(40)).toEqual({ levelStart: 1, numStart: 2 });
    expect(rootGeometry(43)).toEqual({ levelStart: 1, numStart: 16 });
    expect(rootGeometry(48)).toEqual({ levelStart: 0, numStart: 1 });
    expect(recMpidr(0x12)).toBe(0x102n);
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
