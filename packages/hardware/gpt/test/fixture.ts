/**
 * A small FVP-like platform for the tests: PPS 4 GB, L0GPTSZ 1 GB, DRAM at [2 GB, 4 GB).
 *
 * ```text
 * [0x0000_0000, 0x4000_0000)  L0 block, Any       (device space)
 * [0x4000_0000, 0x8000_0000)  L0 block, Secure    (secure-only space)
 * [0x8000_0000, 0x8006_0000)  Root                (the GPT tables: L0 + 2 L1 tables)
 * [0x8006_0000, 0x8008_0000)  Root                (EL3 firmware)
 * [0x8008_0000, 0x8010_0000)  Secure              (SPM)
 * [0x8010_0000, 0x1_0000_0000) Non-secure         (host DRAM, delegable)
 * ```
 * @module
 */
import { Gpi } from '@islet/abi';
import {
  type CreateGptOptions,
  createGpt,
  GpccrPps,
  type Gpt,
  GptMapType,
  type PasRegion,
} from '../src/index.ts';
import { type Bank, MapRawMemory } from './raw-memory.ts';

export const GB: number = 2 ** 30;
export const DRAM: Bank = { base: 2 * GB, size: 2 * GB };
export const TABLES = { base: 0x8000_0000, size: 0x6_0000 } as const;
export const L1_TABLES = [0x8002_0000, 0x8004_0000] as const;
export const FIRMWARE = { base: 0x8006_0000, size: 0x2_0000 } as const;
export const SECURE = { base: 0x8008_0000, size: 0x8_0000 } as const;
export const NS_DRAM: Bank = { base: 0x8010_0000, size: 0x7ff0_0000 };

export const REGIONS: readonly PasRegion[] = [
  { base: 0, size: GB, gpi: Gpi.Any, map: GptMapType.Block },
  { base: GB, size: GB, gpi: Gpi.Secure, map: GptMapType.Block },
  { ...FIRMWARE, gpi: Gpi.Root },
  { ...SECURE, gpi: Gpi.Secure },
  { ...NS_DRAM, gpi: Gpi.NonSecure },
];

/** Options for the fixture platform over fresh memory. */
export function fixtureOptions(memory: MapRawMemory = new MapRawMemory([DRAM])): CreateGptOptions {
  return { memory, pps: GpccrPps.Size4GB, tables: TABLES, regions: REGIONS };
}

/** The fixture GPT and its memory. */
export function fixture(): { gpt: Gpt; memory: MapRawMemory } {
  const memory = new MapRawMemory([DRAM]);
  return { gpt: createGpt(fixtureOptions(memory)), memory };
}

/** The GPI the fixture starts with at `pa` (the reference model's initial state). */
export function initialGpi(pa: number): Gpi {
  if (!(Number.isFinite(pa) && pa >= 0 && pa < 4 * GB)) return Gpi.NoAccess;
  if (pa < GB) return Gpi.Any;
  if (pa < 2 * GB) return Gpi.Secure;
  if (pa < FIRMWARE.base + FIRMWARE.size) return Gpi.Root;
  if (pa < SECURE.base + SECURE.size) return Gpi.Secure;
  return Gpi.NonSecure;
}
