/**
 * The GPT walk as the hardware performs it, from the descriptors in Root memory: L0 descriptor →
 * block GPI, or table → L1 descriptor → GPI nibble (granules descriptor) or GPI (contiguous
 * descriptor). This is the truth the cached view of {@link Gpt} must always agree with.
 *
 * ```text
 * L0 index = PA >> S; type bits[3:0]: 0b0001 block (GPI bits[7:4]), 0b0011 table (L1 at bits[51:12]),
 * anything else invalid.
 * L1 index = (PA >> (P+4)) & (2^(S−P−4) − 1); granules descriptor: GPI of granule g = (PA >> P) & 0xF at
 * bits [4g+3:4g]; contiguous descriptor: bits[3:0] = 0b0001, GPI bits[7:4], Contig bits[9:8] (1..3).
 * ```
 *
 * Faults end the walk with GPI No access (every PAS faults): an address at or above 2^T (reported as
 * a level 0 fault), an invalid L0 descriptor, a reserved GPI, a contiguous descriptor with Contig 0
 * (GPT walk faults), or a table in unbacked memory (an external abort on the walk).
 * @see rmm-abi.md §8.3, §8.4
 * @module
 */
import {
  Gpi,
  GptL0Type,
  gptL0BlockGpi,
  gptL0Index,
  gptL0TableAddress,
  gptL0Type,
  gptL1ContigGpi,
  gptL1ContigSize,
  gptL1Gpi,
  gptL1GpiIndex,
  gptL1Index,
  isGpi,
  isGptL1Contig,
  type RawMemory,
} from '@islet/abi';
import type { GptGeometry } from './gpt-geometry.ts';
import { granuleOf, granuleOffset, readU32 } from './internal/table-memory.ts';

/**
 * Why a walk ended without a usable GPI.
 * @see rmm-abi.md §8.3
 * @since 0.1.0
 */
export const GptFault = {
  /** The walk found a GPI. */
  None: 0,
  /** The address is not an integer in [0, 2^T): a granule protection fault at level 0. */
  AddressSize: 1,
  /** An invalid L0 descriptor, a reserved GPI or a contiguous descriptor with Contig 0 (GPT walk fault). */
  InvalidDescriptor: 2,
  /** A table lies in memory that no DRAM backs (external abort on the GPT fetch). */
  ExternalAbort: 3,
} as const;
/** A GPT walk fault. @see rmm-abi.md §8.3 @since 0.1.0 */
export type GptFault = (typeof GptFault)[keyof typeof GptFault];

/**
 * The result of a GPT walk.
 * @since 0.1.0
 */
export interface GptWalk {
  /** The GPI that governs the address; `Gpi.NoAccess` when `fault` is not `None`. */
  readonly gpi: Gpi;
  /** The level of the last descriptor read: 0 (L0 block, or an L0 fault) or 1. */
  readonly level: 0 | 1;
  /** `GptFault.None`, or why the walk failed. */
  readonly fault: GptFault;
}

const fault = (level: 0 | 1, why: GptFault): GptWalk => ({ gpi: Gpi.NoAccess, level, fault: why });

/**
 * Walks the GPT in `memory` whose L0 table is at `l0Base`, for the address `pa`.
 * @param memory - Root memory holding the tables.
 * @param geometry - T, S and P of the GPT.
 * @param l0Base - PA of the L0 table.
 * @param pa - any number; non-integers and addresses outside [0, 2^T) fault.
 * @returns the GPI, the level and the fault, never throws.
 * @see rmm-abi.md §8.3, §8.4
 * @since 0.1.0
 */
export function walkGpt(
  memory: RawMemory,
  geometry: GptGeometry,
  l0Base: number,
  pa: number,
): GptWalk {
  if (!(Number.isSafeInteger(pa) && pa >= 0 && pa < geometry.protectedSize)) {
    return fault(0, GptFault.AddressSize);
  }
  const { s, p } = geometry;
  const l0Pa = l0Base + gptL0Index(pa, s) * 8;
  const l0View = granuleOf(memory, l0Pa);
  if (l0View === undefined) return fault(0, GptFault.ExternalAbort);
  const l0Off = granuleOffset(l0Pa);
  const l0Lo = readU32(l0View, l0Off);
  const l0Hi = readU32(l0View, l0Off + 4);
  const type = gptL0Type(l0Lo);
  if (type === GptL0Type.Block) {
    const gpi = gptL0BlockGpi(l0Lo);
    return isGpi(gpi)
      ? { gpi, level: 0, fault: GptFault.None }
      : fault(0, GptFault.InvalidDescriptor);
  }
  if (type !== GptL0Type.Table) return fault(0, GptFault.InvalidDescriptor);
  const l1Pa = gptL0TableAddress(l0Hi, l0Lo) + gptL1Index(pa, s, p) * 8;
  const l1View = granuleOf(memory, l1Pa);
  if (l1View === undefined) return fault(1, GptFault.ExternalAbort);
  const l1Off = granuleOffset(l1Pa);
  const lo = readU32(l1View, l1Off);
  const hi = readU32(l1View, l1Off + 4);
  const gpi = l1DescriptorGpi(hi, lo, gptL1GpiIndex(pa, p));
  return gpi === INVALID_GPI
    ? fault(1, GptFault.InvalidDescriptor)
    : { gpi: gpi as Gpi, level: 1, fault: GptFault.None };
}

/** What {@link l1DescriptorGpi} returns for a reserved GPI or a malformed contiguous descriptor. */
export const INVALID_GPI = -1;

/**
 * The GPI of granule `g` (0..15) under the L1 descriptor `hi:lo`, granules or contiguous, or
 * {@link INVALID_GPI}.
 * @see rmm-abi.md §8.4
 * @since 0.1.0
 */
export function l1DescriptorGpi(hi: number, lo: number, g: number): number {
  if (isGptL1Contig(lo)) {
    const gpi = gptL1ContigGpi(lo);
    return gptL1ContigSize(lo) !== 0 && isGpi(gpi) ? gpi : INVALID_GPI;
  }
  const gpi = gptL1Gpi(hi, lo, g);
  return isGpi(gpi) ? gpi : INVALID_GPI;
}
