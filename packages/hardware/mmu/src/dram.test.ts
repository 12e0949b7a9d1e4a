import { MemoryAccess, type RawMemory } from '@islet/abi';
import { equalBytes, isIsletError, type PhysAddr } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import {
  ARM_DRAM1_BASE,
  ARM_DRAM1_SIZE,
  ARM_DRAM2_BASE,
  ARM_DRAM2_SIZE,
  Dram,
  FVP_DRAM_BANKS,
  FVP_PPS_BITS,
  MAX_READ_SIZE,
} from './dram.ts';
import { ExternalAbortError } from './errors.ts';

const pa = (n: number): PhysAddr => n as PhysAddr;
const B0 = ARM_DRAM1_BASE;
const B1 = ARM_DRAM2_BASE;
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isIsletError(e) ? e.code : `not coded: ${String(e)}`;
  }
  return undefined;
}

describe('the FVP Base RevC map', () => {
  it('has 2 GiB at 0x8000_0000 and 30 GiB at 0x8_8000_0000, ending at 64 GiB (PPS 36)', () => {
    expect(FVP_DRAM_BANKS).toEqual([
      { base: 0x8000_0000, size: 2 * 2 ** 30 },
      { base: 0x8_8000_0000, size: 30 * 2 ** 30 },
    ]);
    expect(ARM_DRAM2_BASE + ARM_DRAM2_SIZE).toBe(2 ** FVP_PPS_BITS);
    const dram = new Dram();
    expect(dram.size).toBe(32 * 2 ** 30);
    expect(dram.granules).toBe(8 * 2 ** 20);
    expect(dram.banks).toEqual(FVP_DRAM_BANKS);
  });

  it('knows which addresses are DRAM', () => {
    const dram = new Dram();
    expect(dram.contains(B0)).toBe(true);
    expect(dram.contains(B0 - 1)).toBe(false);
    expect(dram.contains(B0 + ARM_DRAM1_SIZE - 1)).toBe(true);
    expect(dram.contains(B0 + ARM_DRAM1_SIZE)).toBe(false);
    expect(dram.contains(B0 + ARM_DRAM1_SIZE - 4, 8)).toBe(false); // runs off bank 0
    expect(dram.contains(B1)).toBe(true);
    expect(dram.contains(B1 + ARM_DRAM2_SIZE - 8, 8)).toBe(true);
    expect(dram.contains(2 ** 36)).toBe(false);
    expect(dram.contains(Number.NaN)).toBe(false);
    expect(dram.contains(-1)).toBe(false);
    expect(dram.contains(B0, -1)).toBe(false);
  });
});

describe('sparse storage', () => {
  it('reads never-touched granules as zeroes without allocating', () => {
    const dram = new Dram();
    expect(dram.read(pa(B1 + 0x1234_5000), 3 * 4096).every((b) => b === 0)).toBe(true);
    const out = new Uint8Array(16).fill(0xaa);
    dram.readInto(pa(B0 + 8), out);
    expect(out.every((b) => b === 0)).toBe(true);
    dram.zero(pa(B0), 1 << 20);
    dram.copy(pa(B0), pa(B1), 8192); // zeroes onto zeroes
    const d = new Uint32Array(2).fill(7);
    expect(dram.readDescriptor(pa(B1 + 8), d)).toBe(MemoryAccess.Ok);
    expect(Array.from(d)).toEqual([0, 0]);
    expect(dram.stats()).toMatchObject({ touchedGranules: 0, slabs: 0 });
    expect(dram.isTouched(B0)).toBe(false);
  });

  it('shared: slabs are SharedArrayBuffers, otherwise ArrayBuffers, with the same contents', () => {
    for (const shared of [true, false]) {
      const dram = new Dram({ shared });
      dram.write(pa(B0 + 0x2000), Uint8Array.of(1, 2, 3));
      const view = dram.granule(pa(B0 + 0x2000))!;
      expect(view.buffer instanceof SharedArrayBuffer).toBe(shared);
      expect(Array.from(view.subarray(0, 4))).toEqual([1, 2, 3, 0]);
    }
  });

  it('allocates a granule on its first write, slabs as needed', () => {
    const dram = new Dram({ slabGranules: 2 });
    dram.write(pa(B0 + 0x10), bytes(1, 2, 3));
    expect(dram.stats()).toMatchObject({ touchedGranules: 1, slabs: 1 });
    expect(dram.isTouched(B0 + 0xfff)).toBe(true);
    expect(dram.isTouched(B0 + 0x1000)).toBe(false);
    dram.write(pa(B1 + ARM_DRAM2_SIZE - 1), bytes(9));
    dram.write(pa(B0 + 0x7000_0000), bytes(8));
    expect(dram.stats()).toMatchObject({ touchedGranules: 3, slabs: 2 });
    dram.write(pa(B0 + 0x20), bytes(4)); // same granule again
    expect(dram.stats().touchedGranules).toBe(3);
    expect(Array.from(dram.read(pa(B0 + 0x10), 4))).toEqual([1, 2, 3, 0]);
    expect(Array.from(dram.read(pa(B1 + ARM_DRAM2_SIZE - 2), 2))).toEqual([0, 9]);
    expect(Array.from(dram.read(pa(B0 + 0x7000_0000), 1))).toEqual([8]);
  });

  it('grows its index past the first leaves', () => {
    const dram = new Dram();
    for (let k = 0; k < 300; k++) dram.write(pa(B1 + k * 2 ** 24), bytes(k & 0xff, 1));
    for (let k = 0; k < 300; k++) {
      expect(Array.from(dram.read(pa(B1 + k * 2 ** 24), 2))).toEqual([k & 0xff, 1]);
    }
    expect(dram.stats().touchedGranules).toBe(300);
  });

  it('gives live granule views (RawMemory), allocated on first touch', () => {
    const dram = new Dram();
    const raw: RawMemory = dram;
    const g = raw.granule(pa(B1 + 0x3000))!;
    expect(g.length).toBe(4096);
    expect(dram.stats().touchedGranules).toBe(1);
    g[5] = 0x5a;
    expect(dram.read(pa(B1 + 0x3005), 1)[0]).toBe(0x5a);
    dram.write(pa(B1 + 0x3006), bytes(0x77));
    expect(g[6]).toBe(0x77);
    expect(raw.granule(pa(B1 + 0x3000))).toBe(g);
    expect(raw.granule(pa(0x1000_0000))).toBeUndefined();
    expect(code(() => raw.granule(pa(B1 + 8)))).toBe('MMU_UNALIGNED');
  });

  it('zeroes touched granules in place', () => {
    const dram = new Dram();
    dram.write(pa(B0 + 4090), new Uint8Array(12).fill(0xff));
    dram.zero(pa(B0 + 4092), 6);
    expect(Array.from(dram.read(pa(B0 + 4088), 16))).toEqual([
      0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0,
    ]);
  });
});

describe('known-zero granules', () => {
  // A zero() that skipped a granule it wrongly took for zero would leave the byte behind.
  const G = 4096;
  const dirtied: [string, (d: Dram) => void][] = [
    ['a write', (d) => d.write(pa(B0 + 100), bytes(7))],
    ['a write across two granules', (d) => d.write(pa(B0 + G - 1), bytes(7, 7))],
    [
      'a write of whole granules in one copy',
      (d) => d.write(pa(B0), new Uint8Array(2 * G).fill(7)),
    ],
    ['a write through a live view', (d) => (d.granule(pa(B0))![100] = 7)],
    ['a descriptor store', (d) => d.writeDescriptor(pa(B0 + 96), 0, 7)],
    [
      'a granule copy',
      (d) => {
        d.write(pa(B1), new Uint8Array(G).fill(7));
        d.copy(pa(B1), pa(B0), G);
      },
    ],
    [
      'a partial copy',
      (d) => {
        d.write(pa(B1 + 100), bytes(7));
        d.copy(pa(B1 + 100), pa(B0 + 100), 1);
      },
    ],
  ];

  it.each(dirtied)('a granule zeroed, then changed by %s, is zeroed again', (_, dirty) => {
    const dram = new Dram({ shared: true });
    dram.zero(pa(B0), 2 * G); // allocated and known zero: nothing to do
    dram.write(pa(B0), new Uint8Array(2 * G).fill(1));
    dram.zero(pa(B0), 2 * G);
    expect(dram.read(pa(B0), 2 * G).every((b) => b === 0)).toBe(true);
    dirty(dram);
    expect(dram.read(pa(B0), 2 * G).some((b) => b === 7)).toBe(true);
    dram.zero(pa(B0), 2 * G);
    expect(dram.read(pa(B0), 2 * G).every((b) => b === 0)).toBe(true);
  });

  it('a partial zero leaves the rest, and a whole-granule zero after it clears all', () => {
    const dram = new Dram();
    dram.write(pa(B0), new Uint8Array(G).fill(5));
    dram.zero(pa(B0 + 8), 16);
    const after = dram.read(pa(B0), G);
    expect([after[7], after[8], after[23], after[24]]).toEqual([5, 0, 0, 5]);
    dram.zero(pa(B0), G);
    expect(dram.read(pa(B0), G).every((b) => b === 0)).toBe(true);
  });

  it('a copy of a zero granule over a written one zeroes it', () => {
    const dram = new Dram();
    dram.write(pa(B0), new Uint8Array(G).fill(5));
    dram.zero(pa(B1), G);
    dram.copy(pa(B1), pa(B0), G);
    expect(dram.read(pa(B0), G).every((b) => b === 0)).toBe(true);
    dram.copy(pa(B1 + 2 * G), pa(B0), G); // from a never-touched granule
    dram.write(pa(B0 + 5), bytes(1));
    dram.zero(pa(B0), G);
    expect(dram.read(pa(B0), G).every((b) => b === 0)).toBe(true);
  });
});

describe('multi-granule accesses', () => {
  it('write, read and copy across granule and slab boundaries', () => {
    const dram = new Dram({ slabGranules: 1 });
    const data = Uint8Array.from({ length: 10_000 }, (_, k) => (k * 7 + 3) & 0xff);
    dram.write(pa(B0 + 4000), data);
    expect(equalBytes(dram.read(pa(B0 + 4000), data.length), data)).toBe(true);
    dram.copy(pa(B0 + 4000), pa(B1 + 123), data.length);
    expect(equalBytes(dram.read(pa(B1 + 123), data.length), data)).toBe(true);
    expect(dram.read(pa(B1 + 122), 1)[0]).toBe(0);
    expect(dram.read(pa(B1 + 123 + data.length), 1)[0]).toBe(0);
  });

  it('writes whole granules whatever order their storage was made in', () => {
    const G = 4096;
    for (const slabGranules of [1, 2, 4, 64]) {
      const dram = new Dram({ slabGranules });
      // Storage made out of order: granules 3, 1, 2, then 0, 4.. on the write itself.
      for (const g of [3, 1, 2]) dram.write(pa(B0 + g * G), bytes(9));
      const data = Uint8Array.from({ length: 6 * G + 100 }, (_, k) => (k * 13 + 1) & 0xff);
      dram.write(pa(B0), data);
      expect(equalBytes(dram.read(pa(B0), data.length), data)).toBe(true);
      // Storage made in order: one copy per run of slots.
      dram.write(pa(B1), data);
      expect(equalBytes(dram.read(pa(B1), data.length), data)).toBe(true);
      dram.write(pa(B1 + G), data.subarray(0, 3 * G));
      expect(equalBytes(dram.read(pa(B1 + G), 3 * G), data.subarray(0, 3 * G))).toBe(true);
      expect(equalBytes(dram.read(pa(B1), G), data.subarray(0, G))).toBe(true);
    }
  });

  it('copies overlapping ranges as memmove does', () => {
    const dram = new Dram();
    const data = Uint8Array.from({ length: 9000 }, (_, k) => k & 0xff);
    for (const delta of [1, -1, 4096, -4096, 5000, -5000, 0]) {
      const base = B0 + 0x10_0000;
      dram.zero(pa(base - 0x8000), 0x20000);
      dram.write(pa(base), data);
      const model = new Uint8Array(0x20000);
      model.set(data, 0x8000);
      model.copyWithin(0x8000 + delta, 0x8000, 0x8000 + data.length);
      dram.copy(pa(base), pa(base + delta), data.length);
      expect(equalBytes(dram.read(pa(base - 0x8000), 0x20000), model), `delta ${delta}`).toBe(true);
    }
  });

  it('copies from never-touched granules as zeroes', () => {
    const dram = new Dram();
    dram.write(pa(B1), new Uint8Array(8192).fill(1));
    dram.copy(pa(B0 + 2048), pa(B1 + 1024), 4096);
    const got = dram.read(pa(B1), 8192);
    expect(got.subarray(0, 1024).every((b) => b === 1)).toBe(true);
    expect(got.subarray(1024, 5120).every((b) => b === 0)).toBe(true);
    expect(got.subarray(5120).every((b) => b === 1)).toBe(true);
    expect(dram.isTouched(B0 + 2048)).toBe(false);
  });
});

describe('hostile addresses', () => {
  it('raises ExternalAbort outside DRAM and changes nothing', () => {
    const dram = new Dram();
    const end0 = B0 + ARM_DRAM1_SIZE;
    dram.write(pa(end0 - 4), bytes(1, 2, 3, 4));
    const cases: [string, () => unknown][] = [
      ['read hole', () => dram.read(pa(0x1_0000_0000), 4)],
      ['read below', () => dram.read(pa(0), 1)],
      ['read beyond 64 GiB', () => dram.read(pa(2 ** 36), 1)],
      ['write across bank end', () => dram.write(pa(end0 - 2), bytes(9, 9, 9, 9))],
      ['zero across bank end', () => dram.zero(pa(end0 - 2), 4)],
      ['copy to hole', () => dram.copy(pa(end0 - 4), pa(end0), 4)],
      ['copy from hole', () => dram.copy(pa(end0), pa(end0 - 4), 4)],
      ['readInto across', () => dram.readInto(pa(end0 - 2), new Uint8Array(4))],
      ['descriptor', () => dram.writeDescriptor(pa(end0), 1, 1)],
    ];
    for (const [name, fn] of cases) {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(ExternalAbortError);
      expect((err as ExternalAbortError).code).toBe('EXTERNAL_ABORT');
    }
    expect(Array.from(dram.read(pa(end0 - 4), 4))).toEqual([1, 2, 3, 4]);
    expect(dram.readDescriptor(pa(end0), new Uint32Array(2))).toBe(MemoryAccess.ExternalAbort);
    let abort: unknown;
    try {
      dram.write(pa(end0 - 2), bytes(1, 2, 3, 4));
    } catch (e) {
      abort = e;
    }
    expect((abort as ExternalAbortError).address).toBe(end0);
  });

  it('gives coded errors for bad addresses and lengths', () => {
    const dram = new Dram();
    expect(code(() => dram.read(pa(-1), 1))).toBe('MMU_ADDRESS_INVALID');
    expect(code(() => dram.read(pa(2 ** 52), 1))).toBe('MMU_ADDRESS_INVALID');
    expect(code(() => dram.read(pa(0.5), 1))).toBe('MMU_ADDRESS_INVALID');
    expect(code(() => dram.read(pa(Number.NaN), 1))).toBe('MMU_ADDRESS_INVALID');
    expect(code(() => dram.read(pa(B0), -1))).toBe('MMU_LENGTH_INVALID');
    expect(code(() => dram.read(pa(B0), 1.5))).toBe('MMU_LENGTH_INVALID');
    expect(code(() => dram.read(pa(B0), MAX_READ_SIZE + 1))).toBe('MMU_LENGTH_INVALID');
    expect(code(() => dram.zero(pa(2 ** 52 - 1), 2))).toBe('MMU_LENGTH_INVALID');
    expect(code(() => dram.readDescriptor(pa(B0 + 4), new Uint32Array(2)))).toBe('MMU_UNALIGNED');
    expect(code(() => dram.writeDescriptor(pa(B0 + 4), 0, 0))).toBe('MMU_UNALIGNED');
    expect(dram.read(pa(0x1234), 0).length).toBe(0); // zero length touches nothing
  });

  it('rejects invalid bank layouts', () => {
    const bad = [
      { banks: [] },
      { banks: [{ base: pa(0x1001), size: 4096 }] },
      { banks: [{ base: pa(0), size: 100 }] },
      { banks: [{ base: pa(0), size: 0 }] },
      {
        banks: [
          { base: pa(0x10000), size: 0x10000 },
          { base: pa(0x18000), size: 0x1000 },
        ],
      },
      { banks: [{ base: pa(2 ** 52 - 4096), size: 8192 }] },
      { banks: [{ base: pa(0), size: 2 ** 44 }] },
      { slabGranules: 3 },
      { slabGranules: 8192 },
    ];
    for (const options of bad) expect(code(() => new Dram(options))).toBe('DRAM_CONFIG_INVALID');
  });

  it('accepts a configured layout', () => {
    const dram = new Dram({
      banks: [
        { base: pa(0x8000_0000), size: 1 << 20 },
        { base: pa(0x8000_0000 + (1 << 20)), size: 1 << 20 },
      ],
    });
    expect(dram.size).toBe(2 << 20);
    expect(dram.contains(0x8000_0000 + (1 << 20) - 4, 4)).toBe(true);
    // Accesses stay inside one bank, even when banks touch.
    expect(dram.contains(0x8000_0000 + (1 << 20) - 4, 8)).toBe(false);
  });
});

describe('descriptors', () => {
  it('round-trips 64-bit words as u32 halves, little-endian', () => {
    const dram = new Dram();
    dram.writeDescriptor(pa(B1 + 0xff8), 0x8765_4321, 0xdead_beef);
    const out = new Uint32Array(2);
    expect(dram.readDescriptor(pa(B1 + 0xff8), out)).toBe(MemoryAccess.Ok);
    expect(Array.from(out)).toEqual([0xdead_beef, 0x8765_4321]);
    expect(Array.from(dram.read(pa(B1 + 0xff8), 8))).toEqual([
      0xef, 0xbe, 0xad, 0xde, 0x21, 0x43, 0x65, 0x87,
    ]);
  });
});
