/**
 * The physical memory map of the modelled FVP, as TF-A lays out the Arm FVP Base RevC for RME:
 * the two DRAM banks of `@islet/mmu`, with the top of bank 0 carved out for the Secure world (Secure
 * PAS: TF-A's `ARM_AP_TZC_DRAM1`, where BL32/SPMC would live; nothing runs there in this model, but
 * it gives the host's failure paths a real Secure-PAS granule to hit), the RMM (Realm PAS), EL3
 * (Root PAS) and the GPT tables (Root PAS). Everything else is Non-secure and the host's.
 *
 * ```text
 * 0x0_8000_0000 .. 0x0_FD00_0000   Non-secure DRAM (host)            2000 MiB
 * 0x0_FD00_0000 .. 0x0_FE00_0000   Secure world (Secure)               16 MiB
 * 0x0_FE00_0000 .. 0x0_FF00_0000   RMM carve-out (Realm)               16 MiB, shared buffer in its last page
 * 0x0_FF00_0000 .. 0x0_FF80_0000   EL3 (Root)                           8 MiB
 * 0x0_FF80_0000 .. 0x1_0000_0000   GPT tables (Root)                    8 MiB
 * 0x8_8000_0000 .. 0x10_0000_0000  Non-secure DRAM (host)              30 GiB
 * ```
 * @module
 */
import { Gpi } from '@islet/abi';
import { type PhysAddr, physAddr } from '@islet/arch';
import type { PasRegion } from '@islet/gpt';
import { ARM_DRAM1_BASE, ARM_DRAM2_BASE, ARM_DRAM2_SIZE } from '@islet/mmu';

/** The GPT tables: L0 and one L1 table per GiB of DRAM, at the top of bank 0. */
export const GPT_TABLES: { readonly base: number; readonly size: number } = {
  base: 0xff80_0000,
  size: 0x80_0000,
};
/** EL3's own memory (Root PAS). */
export const EL3_BASE = 0xff00_0000;
/** The Secure world's carve-out (Secure PAS), below the RMM's. */
export const SECURE_BASE = 0xfd00_0000;
/** The RMM's carve-out (Realm PAS), below EL3 as on TF-A's FVP. */
export const RMM_BASE = 0xfe00_0000;
/** The RMM-EL3 shared buffer: the last page of the RMM carve-out. */
export const SHARED_BUFFER: PhysAddr = physAddr(EL3_BASE - 0x1000);

/** A range of physical memory. */
export interface MemoryRange {
  readonly base: number;
  readonly size: number;
}

/** The DRAM the Normal world owns and may delegate: bank 0 below the carve-outs, and bank 1. */
export const NS_DRAM: readonly MemoryRange[] = [
  { base: ARM_DRAM1_BASE, size: SECURE_BASE - ARM_DRAM1_BASE },
  { base: ARM_DRAM2_BASE, size: ARM_DRAM2_SIZE },
];

/** The PAS of every DRAM region at boot, for `createGpt` (the tables region becomes Root itself). */
export const PAS_REGIONS: readonly PasRegion[] = [
  { ...NS_DRAM[0]!, gpi: Gpi.NonSecure },
  { base: SECURE_BASE, size: RMM_BASE - SECURE_BASE, gpi: Gpi.Secure },
  { base: RMM_BASE, size: EL3_BASE - RMM_BASE, gpi: Gpi.Realm },
  { base: EL3_BASE, size: GPT_TABLES.base - EL3_BASE, gpi: Gpi.Root },
  { ...NS_DRAM[1]!, gpi: Gpi.NonSecure },
];
