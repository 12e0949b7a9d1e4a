/** The offline RIM calculator and `islet rim`. @module */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RmiDataMeasureContent, RmiRecCreateFlag } from '@islet/abi';
import { defaultCrypto, fromHex, nobleCrypto, toHex } from '@islet/arch';
import { computeRim, foldPlan } from '@islet/fvp';
import { type PlanStep, planRealm, type RealmPlan } from '@islet/host';
import {
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
} from '@islet/rmm';
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli.ts';
import { parseSize } from '../src/rim.ts';

/**
 * RIMs computed by TF-RMM itself (rmm-spec-v1.0-rel0) for a scripted RMI sequence:
 * packages/rmm/test/vectors/tf-rmm-host/rim-sequence.json (see its SOURCES.md). rim0 after
 * REALM_CREATE, rim3 after the whole sequence.
 */
const TF_RMM = {
  sha256: {
    rim0: '045cb3602843a6845cb710fbbfbb92f0c7d611afe0106ac2953e46950a70c42b',
    rim3: '73f582db843267a78b78c6c2e40f72530c43b8b32de0b2e093d080dcdd53f6c3',
  },
  sha512: {
    rim0: '066e19aa2c3418dadc20ef31b5595907c612991952553e1e99731a677b5797c9898dffb6e3963a20b8e1af6d136cd2fe6fe25f048577dc3d7e5bf3a79a4b1e81',
    rim3: 'e2ca847e6f689076dbc9892255fb44aebcc15056b2414cd7a3df7eeef7b46a97f8d4b6d116a4fc85374bb2076486976182bfaf1b213d79cbd495238ab3c414a8',
  },
} as const;

const page = (f: (i: number) => number): Uint8Array =>
  Uint8Array.from({ length: 4096 }, (_, i) => f(i));

describe('computeRim', () => {
  test.each(['sha256', 'sha512'] as const)('%s: folds to the RIMs TF-RMM computed', (hashAlgo) => {
    // The vectors' REALM_CREATE is what planRealm gives for these defaults (the RPV and VMID
    // are not measured).
    const base = planRealm({
      image: new Uint8Array(1),
      hashAlgo,
      rpv: new Uint8Array(64).fill(0xa5),
    });
    const realmOnly: RealmPlan = { ...base, steps: base.steps.slice(0, 1) };
    expect(toHex(foldPlan(realmOnly).subarray(0, hashAlgo === 'sha256' ? 32 : 64))).toBe(
      TF_RMM[hashAlgo].rim0,
    );
    // The rest of their sequence is no launch planRealm makes (partial RIPAS, an unmeasured
    // page, X0..X7 = 0..7), but it is a list of plan steps, and folding it gives TF-RMM's RIM.
    const a = page((i) => (i * 5) & 0xff);
    const b = page((i) => (i * 11 + 1) & 0xff);
    const steps: PlanStep[] = [
      base.steps[0]!,
      ...[0, 0x1000, 0x2000, 0x3000, 0x20_0000].map(
        (at): PlanStep => ({ kind: 'ripas', base: at, top: at + 0x1000 }),
      ),
      { kind: 'data', ipa: 0, flags: RmiDataMeasureContent.Measure, content: a },
      { kind: 'data', ipa: 0x1000, flags: RmiDataMeasureContent.Measure, content: b },
      { kind: 'data', ipa: 0x20_0000, flags: RmiDataMeasureContent.NoMeasure, content: a },
      {
        kind: 'rec',
        index: 0,
        runnable: true,
        params: {
          flags: RmiRecCreateFlag.Runnable,
          mpidr: 0n,
          pc: 0x80000n,
          gprs: [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n],
        },
      },
      {
        kind: 'rec',
        index: 1,
        runnable: false,
        params: { flags: 0n, mpidr: 1n, pc: 0n, gprs: [] },
      },
    ];
    const rim = foldPlan({ ...base, steps });
    expect(toHex(rim.subarray(0, hashAlgo === 'sha256' ? 32 : 64))).toBe(TF_RMM[hashAlgo].rim3);
  });

  test.each([
    ['2 MiB: one RIPAS block', 0x20_0000, [[0, 0x20_0000]]],
    [
      '4 MiB + 8 KiB: two RIPAS blocks, then two RIPAS pages',
      0x40_2000,
      [
        [0, 0x20_0000],
        [0x20_0000, 0x40_0000],
        [0x40_0000, 0x40_1000],
        [0x40_1000, 0x40_2000],
      ],
    ],
  ])('equals a hand fold of a launch (%s), 2 data pages, REC 0', (_name, memorySize, ripas) => {
    const image = Uint8Array.from({ length: 5000 }, (_, i) => (i * 3) & 0xff);
    const { rim, slot, plan } = computeRim({ image, memorySize });
    const h = measurementHash(0, defaultCrypto());
    let r = measureRealmCreate(h, {
      flags: 0n,
      s2sz: 40,
      sveVl: 0,
      numBps: 1,
      numWps: 1,
      pmuNumCtrs: 0,
      hashAlgo: 0,
      rpv: new Uint8Array(64),
      vmid: 1,
      rttBase: 0x8000_0000n,
      rttLevelStart: 1,
      rttNumStart: 2,
    });
    // One RIPAS descriptor per RTT entry: per 2 MiB block, per 4 KiB page in a partial block.
    for (const [base, top] of ripas as [number, number][]) r = measureRipas(h, r, base, top);
    const padded = new Uint8Array(0x2000);
    padded.set(image);
    r = measureDataCreate(h, r, 0, 1, padded.subarray(0, 0x1000));
    r = measureDataCreate(h, r, 0x1000, 1, padded.subarray(0x1000));
    r = measureRecCreate(h, r, {
      flags: 1n,
      mpidr: 0n,
      pc: 0n,
      // The boot registers: X0 = the image length, X1 = the memory size.
      gprs: [5000n, BigInt(memorySize), 0n, 0n, 0n, 0n, 0n, 0n],
      numAux: 16,
      aux: [],
    });
    expect(slot).toEqual(r);
    expect(rim).toEqual(r.subarray(0, 32));
    expect(plan.data).toHaveLength(2);
    expect(plan.steps.filter((s) => s.kind === 'ripas')).toHaveLength(ripas.length);
    // node:crypto and @noble agree.
    expect(computeRim({ image, memorySize }, nobleCrypto).slot).toEqual(slot);
  });

  test('what changes the RIM and what does not', () => {
    const image = new Uint8Array(100).fill(1);
    const rim = (over: object = {}): string => toHex(computeRim({ image, ...over }).rim);
    const base = rim();
    expect(rim({ rpv: new Uint8Array(64).fill(7) })).toBe(base);
    expect(rim({ vcpus: 4 })).toBe(base);
    expect(rim({ memorySize: 0x40_0000 })).not.toBe(base);
    expect(rim({ ipaBits: 41 })).not.toBe(base);
    expect(rim({ image: new Uint8Array(100).fill(2) })).not.toBe(base);
    expect(rim({ entry: 0x1000n })).not.toBe(base);
    expect(rim({ hashAlgo: 'sha512' })).toHaveLength(128);
  });
});

async function islet(...argv: string[]): Promise<{ status: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(['rim', ...argv], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
  });
  return { status, out: out.join('\n'), err };
}

describe('islet rim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'islet-rim-'));
  const imageFile = join(dir, 'realm.bin');
  const image = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
  writeFileSync(imageFile, image);

  test('prints the RIM', async () => {
    const r = await islet(imageFile, '--memory', '4M');
    expect(r).toEqual({
      status: 0,
      out: toHex(computeRim({ image, memorySize: 0x40_0000 }).rim),
      err: [],
    });
    const rpv = 'ab'.repeat(64);
    const all = await islet(
      imageFile,
      '--hash',
      'sha512',
      '--ipa-bits',
      '41',
      '--vcpus',
      '2',
      '--rpv',
      rpv,
    );
    const expected = computeRim({
      image,
      hashAlgo: 'sha512',
      ipaBits: 41,
      vcpus: 2,
      rpv: fromHex(rpv),
    });
    expect(all.out).toBe(toHex(expected.rim));
  });

  test('--json prints the RIM and the plan summary', async () => {
    const r = await islet(imageFile, '--json');
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({
      rim: toHex(computeRim({ image }).rim),
      hashAlgo: 'sha256',
      image: { size: 5000, base: '0x0', pages: 2 },
      memorySize: '0x200000',
      realmParams: { s2sz: 40, numBps: 1, numWps: 1, hashAlgo: 0 },
      measured: { ripas: 1, data: 2, recs: 1 },
    });
    expect(json.measured).toEqual({ ripas: 1, data: 2, recs: 1 });
    // The tables created before RTT_INIT_RIPAS: one level-2 table over the 2 MiB of RAM.
    expect(json.rtt).toEqual({ levelStart: 1, numStart: 2, tables: { level2: 1, level3: 1 } });
    expect(json.recs).toEqual([
      {
        index: 0,
        runnable: true,
        pc: '0x0',
        gprs: ['0x1388', '0x200000', ...Array(6).fill('0x0')],
      },
    ]);
  });

  test.each([
    [[], 2, /USAGE: islet rim takes exactly one image file/],
    [[imageFile, '--hash', 'md5'], 2, /USAGE: --hash must be sha256 or sha512/],
    [[imageFile, '--memory', 'lots'], 2, /USAGE: --memory must be a size/],
    [[imageFile, '--vcpus', '-1'], 2, /USAGE/],
    [[imageFile, '--bogus'], 2, /USAGE: Unknown option/],
    [[imageFile, '--rpv', 'zz'], 1, /HEX_INVALID/],
    [[imageFile, '--memory', '4K'], 1, /HOST_LAUNCH_INVALID: the memory does not hold the image/],
    [[join(dir, 'missing.bin')], 1, /FILE_UNREADABLE: cannot read the image file .* \(ENOENT\)/],
  ])('%o: exit %i with one coded line', async (argv, status, message) => {
    const r = await islet(...(argv as string[]));
    expect(r.status).toBe(status);
    expect(r.out).toBe('');
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
  });

  test('--help', async () => {
    expect((await islet('--help')).out).toContain('Usage: islet rim <image>');
  });

  test('parseSize', () => {
    expect(parseSize('8388608', 'x')).toBe(0x80_0000);
    expect(parseSize('0x800000', 'x')).toBe(0x80_0000);
    expect(parseSize('8M', 'x')).toBe(0x80_0000);
    expect(parseSize('8MiB', 'x')).toBe(0x80_0000);
    expect(parseSize('1g', 'x')).toBe(0x4000_0000);
    expect(parseSize('16K', 'x')).toBe(0x4000);
  });
});
