/**
 * Stage-2 walks per second: a 4-level walk (start level 0, 40-bit IPA) to 4 KiB pages, through
 * the raw DRAM and through the GPC-checked Realm port. 64 pages in distinct level-3 tables,
 * walked round robin; every result is consumed.
 * @module
 */
import { Gpi, S2tteType } from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { bench, describe } from 'vitest';
import { GpiTable } from '../test/gpi-table.ts';
import { ARM_DRAM2_BASE, Dram } from './dram.ts';
import { PhysicalMemory } from './physical-memory.ts';
import { rttCreateTables, rttWriteEntry } from './rtt-builder.ts';
import { type DescriptorReader, Stage2Geometry, stage2Walk } from './stage2-walk.ts';

const G = 4096;
const RTT_POOL = ARM_DRAM2_BASE + 0x100_0000;
const gpt = new GpiTable().set(RTT_POOL, 0x10_0000, Gpi.Realm);
const mem = new PhysicalMemory(new Dram(), gpt);
let next = RTT_POOL;
const alloc = (): PhysAddr => {
  next += G;
  return next as PhysAddr;
};
const geometry = new Stage2Geometry({ rootPa: RTT_POOL as PhysAddr, startLevel: 0, ipaWidth: 40 });
const ipas: number[] = [];
for (let k = 0; k < 64; k++) {
  const ipa = k * 0x1234_5000 + 0x7000;
  rttCreateTables(mem.dram, geometry, ipa, 3, alloc);
  rttWriteEntry(mem.dram, geometry, ipa, 3, {
    type: S2tteType.AssignedRam,
    oa: 0x8_8000_0000 + k * G,
    nsAttrs: 0,
  });
  ipas.push(ipa + 0x123);
}

const sink = { value: 0, k: 0 };
function walkNext(reader: DescriptorReader): void {
  const r = stage2Walk(reader, geometry, ipas[sink.k++ & 63]!);
  sink.value = r.ok ? (sink.value + r.pa) % 0x7fff_ffff : -1;
}

describe('mmu: stage-2 walk', () => {
  bench('walk 4 levels (raw DRAM)', () => walkNext(mem.dram));
  bench('walk 4 levels (Realm port, GPC-checked)', () => walkNext(mem.realm));
});
