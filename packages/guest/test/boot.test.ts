/** Boot registers, the secondary context id, scratch pages and MPIDRs. @module */
import { fc, test } from '@fast-check/vitest';
import { recIndexFromPsciMpidr } from '@islet/abi';
import { isIsletError } from '@islet/arch';
import { describe, expect } from 'vitest';
import {
  decodeBoot,
  MAX_IMAGE_LENGTH,
  mpidrOfRecIndex,
  scratchPage,
  secondaryContextId,
} from '../src/index.ts';

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (isIsletError(e)) return e.code;
    throw e;
  }
  return 'no error';
};

describe('decodeBoot', () => {
  test('REC 0: pc = image, X0 = length, X1 = memory size', () => {
    expect(decodeBoot({ pc: 0x1000n, x0: 300n, x1: 0x20_0000n })).toEqual({
      primary: true,
      imageIpa: 0x1000,
      imageLength: 300,
      memorySize: 0x20_0000,
    });
  });

  test('registers that describe no program', () => {
    const bad = [
      { pc: 0n, x0: 0n, x1: 0x1000n },
      { pc: 0n, x0: BigInt(MAX_IMAGE_LENGTH + 1), x1: 1n << 40n },
      { pc: 0n, x0: 10n, x1: 0x1001n },
      { pc: 0n, x0: 10n, x1: 0n },
      { pc: 0n, x0: 10n, x1: 1n << 48n },
      { pc: 0xff8n, x0: 10n, x1: 0x1000n },
      { pc: 2n ** 63n, x0: 10n, x1: 0x1000n },
      { pc: 0n, x0: 1n << 63n, x1: 0n },
    ];
    for (const regs of bad) expect(codeOf(() => decodeBoot(regs))).toBe('GUEST_BOOT_INVALID');
  });

  test.prop([
    fc.integer({ min: 1, max: MAX_IMAGE_LENGTH }),
    fc.integer({ min: 1, max: 2 ** 36 - 1 }),
    fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  ])('a secondary finds the primary program through its context id', (length, pages, x1) => {
    const memorySize = Math.max(pages, Math.ceil(length / 4096)) * 4096;
    const primary = decodeBoot({ pc: 0n, x0: BigInt(length), x1: BigInt(memorySize) });
    const id = secondaryContextId(primary);
    expect(id >> 63n).toBe(1n);
    expect(decodeBoot({ pc: 0n, x0: id, x1 })).toEqual({ ...primary, primary: false });
  });
});

describe('scratchPage', () => {
  test('vCPU n uses the n-th page after the image, inside protected RAM', () => {
    const boot = decodeBoot({ pc: 0x2000n, x0: 0x1001n, x1: 0x6000n });
    expect(scratchPage(boot, 0)).toBe(0x4000);
    expect(scratchPage(boot, 1)).toBe(0x5000);
    expect(codeOf(() => scratchPage(boot, 2))).toBe('GUEST_BOOT_INVALID');
  });
});

describe('mpidrOfRecIndex', () => {
  test.prop([fc.integer({ min: 0, max: 2 ** 28 - 1 })])(
    'is the inverse of recIndexFromPsciMpidr',
    (i) => {
      expect(recIndexFromPsciMpidr(mpidrOfRecIndex(i))).toBe(i);
    },
  );

  test('layout and range', () => {
    expect(mpidrOfRecIndex(17)).toBe(0x101n);
    expect(mpidrOfRecIndex(2 ** 20)).toBe(1n << 32n);
    expect(codeOf(() => mpidrOfRecIndex(2 ** 28))).toBe('GUEST_ARGUMENT_INVALID');
    expect(codeOf(() => mpidrOfRecIndex(-1))).toBe('GUEST_ARGUMENT_INVALID');
  });
});
