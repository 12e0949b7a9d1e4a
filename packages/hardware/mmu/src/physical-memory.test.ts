import { Gpi, MemoryAccess, type PhysMemory, World } from '@islet/abi';
import { equalBytes, isIsletError, type PhysAddr } from '@islet/arch';
import { beforeEach, describe, expect, it } from 'vitest';
import { GpiTable } from '../test/gpi-table.ts';
import { ARM_DRAM1_BASE, ARM_DRAM1_SIZE, ARM_DRAM2_BASE, Dram } from './dram.ts';
import { ExternalAbortError, GranuleProtectionFault } from './errors.ts';
import { PhysicalMemory } from './physical-memory.ts';

const pa = (n: number): PhysAddr => n as PhysAddr;
const G = 4096;
/** Granules 0..7 of bank 1, one per PAS kind. */
const NS = ARM_DRAM2_BASE;
const NS2 = NS + G;
const REALM = NS + 2 * G;
const REALM2 = NS + 3 * G;
const ROOT = NS + 4 * G;
const SECURE = NS + 5 * G;
const NOACCESS = NS + 6 * G;
const ANY = NS + 7 * G;

let gpt: GpiTable;
let mem: PhysicalMemory;

beforeEach(() => {
  gpt = new GpiTable()
    .set(REALM, 2 * G, Gpi.Realm)
    .set(ROOT, G, Gpi.Root)
    .set(SECURE, G, Gpi.Secure)
    .set(NOACCESS, G, Gpi.NoAccess)
    .set(ANY, G, Gpi.Any);
  mem = new PhysicalMemory(new Dram(), gpt);
  // Distinct contents in every granule, written below the check.
  for (let g = 0; g < 8; g++) {
    mem.dram.write(pa(NS + g * G), new Uint8Array(G).fill(0x10 + g));
  }
});

function snapshot(): Uint8Array {
  return mem.dram.read(pa(NS), 8 * G);
}

function fault(fn: () => unknown): GranuleProtectionFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof GranuleProtectionFault) return e;
    throw e;
  }
  throw new Error('no fault');
}

const GRANULE_OF: Record<number, number> = {
  [World.Normal]: NS,
  [World.Realm]: REALM,
  [World.Root]: ROOT,
  [World.Secure]: SECURE,
};
const WORLDS = [World.Normal, World.Realm, World.Root, World.Secure] as const;

describe('permitted accesses', () => {
  it('each world reads and writes its own PAS and All-access granules', () => {
    for (const w of WORLDS) {
      const port = mem.port(w);
      const own = GRANULE_OF[w]!;
      port.write(pa(own + 8), new Uint8Array([1, 2]));
      expect(Array.from(port.read(pa(own + 7), 4))).toEqual([
        0x10 + (own - NS) / G,
        1,
        2,
        0x10 + (own - NS) / G,
      ]);
      port.write(pa(ANY + 100 + w), new Uint8Array([w]));
      expect(port.read(pa(ANY + 100 + w), 1)[0]).toBe(w);
      port.zero(pa(own), 4);
      expect(Array.from(port.read(pa(own), 5))).toEqual([0, 0, 0, 0, 0x10 + (own - NS) / G]);
      expect(port.granule(pa(own))[4]).toBe(0x10 + (own - NS) / G);
    }
  });

  it('copies within a PAS across granules, and between worlds', () => {
    mem.realm.copy(pa(REALM + 2048), pa(REALM2 - 1024), 4096);
    const got = mem.dram.read(pa(REALM), 2 * G);
    expect(got[REALM2 - REALM - 1025]).toBe(0x12);
    expect(got.subarray(G - 1024, G + 1024).every((b) => b === 0x12)).toBe(true);
    expect(got[G + 1024 + 2048]).toBe(0x13);
    // The RMM copies a Normal-world page into a Realm granule.
    mem.copy(World.Normal, pa(NS), World.Realm, pa(REALM), G);
    expect(mem.realm.read(pa(REALM), G).every((b) => b === 0x10)).toBe(true);
  });

  it('port(world) returns the bound port and rejects non-worlds', () => {
    expect(mem.port(World.Realm)).toBe(mem.realm);
    expect(mem.port(World.Root).world).toBe(World.Root);
    expect(() => mem.port(7 as World)).toThrow(
      expect.objectContaining({ code: 'MMU_WORLD_INVALID' }),
    );
    expect(() => mem.read(4 as World, pa(NS), 1)).toThrow(
      expect.objectContaining({ code: 'MMU_WORLD_INVALID' }),
    );
  });
});

describe('granule protection faults', () => {
  it('Normal-world reads and writes of Realm and Root granules fault', () => {
    for (const target of [REALM, ROOT, SECURE, NOACCESS]) {
      const before = snapshot();
      const r = fault(() => mem.normal.read(pa(target + 16), 8));
      expect(r.code).toBe('GRANULE_PROTECTION_FAULT');
      expect(r.name).toBe('Mmu.GranuleProtectionFault');
      expect(r.address).toBe(target + 16);
      expect(r.world).toBe(World.Normal);
      expect(r.gpi).toBe(gpt.gpis[target / G]);
      const w = fault(() => mem.normal.write(pa(target), new Uint8Array(8)));
      expect(w.address).toBe(target);
      expect(equalBytes(snapshot(), before)).toBe(true);
    }
    const f = fault(() => mem.normal.read(pa(REALM), 1));
    expect(f.pas).toBe(World.Realm);
    expect(f.gpi).toBe(Gpi.Realm);
    expect(fault(() => mem.normal.read(pa(ROOT), 1)).pas).toBe(World.Root);
    expect(fault(() => mem.normal.read(pa(NOACCESS), 1)).pas).toBeUndefined();
  });

  it('every operation of every world faults on every foreign PAS and changes nothing', () => {
    for (const w of WORLDS) {
      const port = mem.port(w);
      for (const target of [NS, REALM, ROOT, SECURE, NOACCESS]) {
        if (target === GRANULE_OF[w]) continue;
        const own = GRANULE_OF[w]!;
        const ops: [string, () => unknown][] = [
          ['read', () => port.read(pa(target + 1), 2)],
          ['readInto', () => port.readInto(pa(target), new Uint8Array(4))],
          ['write', () => port.write(pa(target + 1), new Uint8Array([0xee]))],
          ['zero', () => port.zero(pa(target), G)],
          ['copy from', () => port.copy(pa(target), pa(own), 64)],
          ['copy to', () => port.copy(pa(own), pa(target + 64), 64)],
          ['granule', () => port.granule(pa(target))],
          ['descriptor', () => port.writeDescriptor(pa(target + 8), 1, 3)],
        ];
        for (const [name, op] of ops) {
          const before = snapshot();
          const f = fault(op);
          expect(f.world, name).toBe(w);
          expect(f.gpi, name).toBe(gpt.gpis[target / G]);
          expect(Math.floor(f.address / G), name).toBe(target / G);
          expect(equalBytes(snapshot(), before), name).toBe(true);
        }
        expect(port.readDescriptor(pa(target), new Uint32Array(2))).toBe(
          MemoryAccess.GranuleProtectionFault,
        );
      }
    }
  });

  it('an access that crosses from a permitted granule into a forbidden one changes nothing', () => {
    // NS2 is Non-secure, REALM follows it.
    const before = snapshot();
    const w = fault(() => mem.normal.write(pa(REALM - 10), new Uint8Array(20).fill(0xee)));
    expect(w.address).toBe(REALM);
    expect(w.gpi).toBe(Gpi.Realm);
    fault(() => mem.normal.zero(pa(NS2), 2 * G));
    fault(() => mem.normal.copy(pa(NS), pa(NS2 + 1), G)); // fine source, crossing destination
    fault(() => mem.normal.copy(pa(NS2 + 1), pa(NS), G)); // crossing source
    fault(() => mem.realm.write(pa(REALM2 + G - 4), new Uint8Array(8))); // Realm → Root
    fault(() => mem.copy(World.Normal, pa(NS), World.Realm, pa(REALM2 + 8), G));
    expect(equalBytes(snapshot(), before)).toBe(true);
    const dst = new Uint8Array(16).fill(0x55);
    fault(() => mem.normal.readInto(pa(REALM - 8), dst));
    expect(dst.every((b) => b === 0x55)).toBe(true);
  });

  it('a copy checks the source before the destination', () => {
    const f = fault(() => mem.copy(World.Normal, pa(REALM), World.Normal, pa(ROOT), 16));
    expect(f.gpi).toBe(Gpi.Realm);
    expect(fault(() => mem.copy(World.Realm, pa(NS), World.Normal, pa(REALM), 8)).world).toBe(
      World.Realm,
    );
  });

  it('checks the GPC before DRAM: a hole whose GPI forbids the access faults, else aborts', () => {
    const hole = ARM_DRAM1_BASE + ARM_DRAM1_SIZE;
    gpt.set(hole, G, Gpi.Realm);
    expect(fault(() => mem.normal.read(pa(hole), 4)).address).toBe(hole);
    expect(() => mem.realm.read(pa(hole), 4)).toThrow(ExternalAbortError);
    expect(() => mem.realm.granule(pa(hole))).toThrow(ExternalAbortError);
    expect(mem.check(World.Normal, pa(hole), 4)).toBe(MemoryAccess.GranuleProtectionFault);
    expect(mem.check(World.Realm, pa(hole), 4)).toBe(MemoryAccess.ExternalAbort);
    expect(mem.check(World.Realm, pa(REALM), 2 * G)).toBe(MemoryAccess.Ok);
    expect(mem.realm.check(pa(REALM), 2 * G + 1)).toBe(MemoryAccess.GranuleProtectionFault);
  });

  it('checkCopy answers as copy would, without touching memory', () => {
    const before = snapshot();
    const hole = ARM_DRAM1_BASE + ARM_DRAM1_SIZE;
    expect(mem.checkCopy(World.Normal, pa(NS), World.Realm, pa(REALM), G)).toBe(MemoryAccess.Ok);
    expect(mem.checkCopy(World.Normal, pa(NS), World.Normal, pa(REALM), G)).toBe(
      MemoryAccess.GranuleProtectionFault,
    );
    expect(mem.checkCopy(World.Normal, pa(hole), World.Normal, pa(REALM), G)).toBe(
      MemoryAccess.GranuleProtectionFault, // every GPC check before DRAM
    );
    expect(mem.checkCopy(World.Normal, pa(NS), World.Normal, pa(hole), G)).toBe(
      MemoryAccess.ExternalAbort,
    );
    expect(equalBytes(snapshot(), before)).toBe(true);
  });

  it('a GPI change takes effect on the next access', () => {
    mem.normal.read(pa(NS), 8);
    gpt.set(NS, G, Gpi.Realm);
    expect(fault(() => mem.normal.read(pa(NS), 8)).gpi).toBe(Gpi.Realm);
    expect(mem.realm.read(pa(NS), 1)[0]).toBe(0x10);
  });
});

describe('the PhysMemory adapter', () => {
  let pm: PhysMemory;
  beforeEach(() => {
    pm = mem.physMemory;
  });

  it('returns Ok and performs permitted accesses', () => {
    const dst = new Uint8Array(4);
    expect(pm.read(World.Normal, pa(NS + 1), dst)).toBe(MemoryAccess.Ok);
    expect(Array.from(dst)).toEqual([0x10, 0x10, 0x10, 0x10]);
    expect(pm.write(World.Realm, pa(REALM), new Uint8Array([7]))).toBe(MemoryAccess.Ok);
    expect(mem.realm.read(pa(REALM), 1)[0]).toBe(7);
    expect(pm.copy(World.Normal, pa(NS), World.Realm, pa(REALM2), G)).toBe(MemoryAccess.Ok);
    expect(mem.realm.read(pa(REALM2 + 100), 1)[0]).toBe(0x10);
    const g = pm.granule(World.Realm, pa(REALM));
    expect(g?.[0]).toBe(7);
    g![0] = 8;
    expect(mem.realm.read(pa(REALM), 1)[0]).toBe(8);
  });

  it('returns GranuleProtectionFault and changes nothing', () => {
    const before = snapshot();
    const dst = new Uint8Array(4).fill(0x55);
    expect(pm.read(World.Normal, pa(REALM), dst)).toBe(MemoryAccess.GranuleProtectionFault);
    expect(dst.every((b) => b === 0x55)).toBe(true);
    expect(pm.write(World.Normal, pa(REALM - 2), new Uint8Array(4))).toBe(
      MemoryAccess.GranuleProtectionFault,
    );
    expect(pm.copy(World.Normal, pa(NS), World.Realm, pa(ROOT), 8)).toBe(
      MemoryAccess.GranuleProtectionFault,
    );
    // The RMM reading a host buffer that is Secure PAS (rmm-abi.md §1.5 NS buffers).
    expect(pm.copy(World.Normal, pa(SECURE), World.Realm, pa(REALM), 8)).toBe(
      MemoryAccess.GranuleProtectionFault,
    );
    expect(pm.granule(World.Normal, pa(REALM))).toBeUndefined();
    expect(equalBytes(snapshot(), before)).toBe(true);
  });

  it('returns ExternalAbort outside DRAM', () => {
    const hole = ARM_DRAM1_BASE + ARM_DRAM1_SIZE;
    expect(pm.read(World.Normal, pa(hole - 2), new Uint8Array(4))).toBe(MemoryAccess.ExternalAbort);
    expect(pm.write(World.Normal, pa(0), new Uint8Array(1))).toBe(MemoryAccess.ExternalAbort);
    expect(pm.copy(World.Normal, pa(NS), World.Normal, pa(hole), 4)).toBe(
      MemoryAccess.ExternalAbort,
    );
    expect(pm.granule(World.Normal, pa(hole))).toBeUndefined();
  });

  it('throws coded errors for bad arguments', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return isIsletError(e) ? e.code : 'uncoded';
      }
      return undefined;
    };
    expect(codeOf(() => pm.granule(World.Realm, pa(REALM + 8)))).toBe('MMU_UNALIGNED');
    expect(codeOf(() => pm.read(World.Normal, pa(-4), new Uint8Array(1)))).toBe(
      'MMU_ADDRESS_INVALID',
    );
    expect(codeOf(() => pm.copy(World.Normal, pa(NS), World.Normal, pa(NS2), -1))).toBe(
      'MMU_LENGTH_INVALID',
    );
  });
});
