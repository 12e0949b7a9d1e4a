/**
 * The hot path: a GPC-checked 4 KiB copy through a world port, against a raw `Uint8Array.set` of
 * 4 KiB measured in the same run (the report's ratio; target ≥ 0.5). The GPC is the
 * `Uint8Array`-backed test double, so the figure is the MMU's own overhead.
 * @module
 */
import { Gpi, World } from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { bench, describe } from 'vitest';
import { GpiTable } from '../test/gpi-table.ts';
import { ARM_DRAM2_BASE, Dram } from './dram.ts';
import { PhysicalMemory } from './physical-memory.ts';

const G = 4096;
const NS_A = ARM_DRAM2_BASE as PhysAddr;
const NS_B = (ARM_DRAM2_BASE + G) as PhysAddr;
const REALM_A = (ARM_DRAM2_BASE + 0x10_0000) as PhysAddr;
const REALM_B = (ARM_DRAM2_BASE + 0x10_0000 + G) as PhysAddr;

const gpt = new GpiTable().set(REALM_A, 2 * G, Gpi.Realm);
const mem = new PhysicalMemory(new Dram(), gpt);
for (const p of [NS_A, NS_B, REALM_A, REALM_B]) mem.dram.write(p, new Uint8Array(G).fill(p % 251));
const pm = mem.physMemory;
const realm = mem.realm;
const normal = mem.normal;

// The raw baseline copies between two page-aligned halves of one buffer, as DRAM granules are
// placed. Two separately allocated 4 KiB arrays often lie 8 or 16 bytes apart modulo 4 KiB, where
// memmove runs ~20× slower (4K aliasing), which made this baseline bimodal from run to run.
const rawBuffer = new Uint8Array(2 * G);
const rawSrc = rawBuffer.subarray(0, G).fill(7);
const rawDst = rawBuffer.subarray(G);

describe('mmu: 4 KiB copy', () => {
  bench('raw: Uint8Array.set 4 KiB', () => rawDst.set(rawSrc));
  bench('Realm port: GPC-checked copy 4 KiB', () => realm.copy(REALM_A, REALM_B, G));
  bench('Normal port: GPC-checked copy 4 KiB', () => normal.copy(NS_A, NS_B, G));
  bench(
    'PhysMemory: Normal → Realm copy 4 KiB',
    () => void pm.copy(World.Normal, NS_A, World.Realm, REALM_B, G),
  );
});
