import { describe, expect, test } from 'vitest';
import { GranuleAllocator } from '../src/index.ts';

describe('GranuleAllocator', () => {
  test('never hands out a granule twice while it is in use, and reuses freed ones', () => {
    const g = new GranuleAllocator([{ base: 0x1000_0000n, size: 0x10_0000n }]);
    const seen = new Set<bigint>();
    for (let i = 0; i < 100; i++) seen.add(g.alloc());
    expect(seen.size).toBe(100);
    expect(g.inUse).toBe(100);
    g.free(0x1000_5000n);
    expect(g.isAllocated(0x1000_5000n)).toBe(false);
    expect(g.alloc()).toBe(0x1000_5000n);
    expect(() => g.free(0x2000_0000n)).toThrowError(
      expect.objectContaining({ code: 'HOST_GRANULE_NOT_ALLOCATED' }),
    );
  });

  test('an address inside a granule is not that granule', () => {
    const g = new GranuleAllocator([{ base: 0x1000_0000n, size: 0x10_0000n }]);
    const pa = g.alloc();
    expect(g.isAllocated(pa + 8n)).toBe(false);
    expect(() => g.free(pa + 0x800n)).toThrowError(
      expect.objectContaining({ code: 'HOST_GRANULE_NOT_ALLOCATED' }),
    );
    expect(g.isAllocated(pa)).toBe(true);
    g.free(pa);
    expect(g.isAllocated(pa)).toBe(false);
  });

  test('contiguous runs are aligned to their size; the padding is not lost', () => {
    const g = new GranuleAllocator([{ base: 0x1000_0000n, size: 0x10_0000n }], {
      reserve: 0x1000n,
    });
    const roots = g.allocContiguous(2);
    expect(roots).toBe(0x1000_2000n);
    expect(g.isAllocated(0x1000_3000n)).toBe(true);
    expect(g.alloc()).toBe(0x1000_1000n);
    expect(g.alloc()).toBe(0x1000_4000n);
  });

  test('moves on to the next range and reports exhaustion', () => {
    const g = new GranuleAllocator([
      { base: 0x1000n, size: 0x2000n },
      { base: 0x10_0000n, size: 0x1000n },
    ]);
    expect([g.alloc(), g.alloc(), g.alloc()]).toEqual([0x1000n, 0x2000n, 0x10_0000n]);
    expect(() => g.alloc()).toThrowError(expect.objectContaining({ code: 'HOST_OUT_OF_MEMORY' }));
    expect(() => new GranuleAllocator([])).toThrow(RangeError);
    expect(() => new GranuleAllocator([{ base: 0x800n, size: 0x1000n }])).toThrow(RangeError);
  });
});
