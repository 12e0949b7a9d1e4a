/** Cold and warm boot argument checks (rmm-abi.md §7.4) and the RSI placeholder. @module */

import { RmmBootError, SMC_RSI_VERSION } from '@islet/abi';
import { IsletInvariantError, type PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { setup } from './support/rmm.ts';

const GOOD = { cpuId: 0, ifcVersion: 0x4, numCpus: 4, sharedBuffer: 0xff00_0000 };

describe('coldBoot', () => {
  it('accepts interface 0.3 and 0.4 with sane arguments', () => {
    expect(setup().rmm.coldBoot(GOOD)).toBe(RmmBootError.Success);
    expect(setup().rmm.coldBoot({ ...GOOD, ifcVersion: 0x3 })).toBe(RmmBootError.Success);
    expect(setup().rmm.coldBoot({ ...GOOD, cpuId: 15, numCpus: 16 })).toBe(RmmBootError.Success);
  });

  it.each([
    ['version 0.2', { ifcVersion: 0x2 }, RmmBootError.VersionMismatch],
    ['version 1.0', { ifcVersion: 0x1_0000 }, RmmBootError.VersionMismatch],
    ['version 1.3', { ifcVersion: 0x1_0003 }, RmmBootError.VersionMismatch],
    ['17 CPUs (MAX_CPUS 16)', { numCpus: 17 }, RmmBootError.CpusOutOfRange],
    ['0 CPUs: cpu id 0 is out of range', { numCpus: 0 }, RmmBootError.CpuIdOutOfRange],
    ['cpu id = number of CPUs', { cpuId: 4 }, RmmBootError.CpuIdOutOfRange],
    ['negative cpu id', { cpuId: -1 }, RmmBootError.CpuIdOutOfRange],
    ['shared buffer 0', { sharedBuffer: 0 }, RmmBootError.InvalidSharedBuffer],
    ['shared buffer unaligned', { sharedBuffer: 0xff00_0800 }, RmmBootError.InvalidSharedBuffer],
    // Priority: version before CPUs before cpu id before buffer (TF-RMM rmm_el3_ifc_init).
    ['version ≻ cpus', { ifcVersion: 0x2, numCpus: 99 }, RmmBootError.VersionMismatch],
    ['cpus ≻ cpu id', { numCpus: 99, cpuId: 100 }, RmmBootError.CpusOutOfRange],
    ['cpu id ≻ buffer', { cpuId: 9, sharedBuffer: 1 }, RmmBootError.CpuIdOutOfRange],
  ] as const)('%s', (_n, change, expected) => {
    expect(setup().rmm.coldBoot({ ...GOOD, ...change })).toBe(expected);
  });

  it('honours a configured maxCpus', () => {
    expect(setup({ maxCpus: 2 }).rmm.coldBoot(GOOD)).toBe(RmmBootError.CpusOutOfRange);
    expect(() => setup({ maxCpus: 0 })).toThrow(RangeError);
  });

  it('refuses a second cold boot; a failed one can be retried', () => {
    const { rmm } = setup();
    expect(rmm.coldBoot({ ...GOOD, ifcVersion: 0 })).toBe(RmmBootError.VersionMismatch);
    expect(rmm.coldBoot(GOOD)).toBe(RmmBootError.Success);
    expect(rmm.coldBoot(GOOD)).toBe(RmmBootError.Unknown);
  });
});

describe('warmBoot', () => {
  it('before cold boot: Unknown', () => {
    expect(setup().rmm.warmBoot(1)).toBe(RmmBootError.Unknown);
  });

  it('CPU ids below the cold-boot count succeed; others are out of range', () => {
    const { rmm } = setup();
    rmm.coldBoot(GOOD);
    expect(rmm.warmBoot(1)).toBe(RmmBootError.Success);
    expect(rmm.warmBoot(3)).toBe(RmmBootError.Success);
    expect(rmm.warmBoot(4)).toBe(RmmBootError.CpuIdOutOfRange);
    expect(rmm.warmBoot(-1)).toBe(RmmBootError.CpuIdOutOfRange);
  });
});

describe('handleRsi from something that is not a REC', () => {
  it('is an invariant violation (a REC runs only inside REC_ENTER)', () => {
    const { rmm } = setup();
    for (const fid of [SMC_RSI_VERSION, 0x8400_0000, 0]) {
      expect(() => rmm.handleRsi(0x8000_0000 as PhysAddr, fid, [0n])).toThrow(IsletInvariantError);
    }
  });
});
