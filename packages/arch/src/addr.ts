/**
 * Branded addresses and granule arithmetic. Physical and intermediate physical addresses are
 * `number`s: with FEAT_LPA/LPA2 they are at most 52 bits, below 2^53, so every value is exact.
 * The brand lives in this one module so that the representation can change in one place.
 *
 * **Gotchas**: addresses go above bit 31; use arithmetic (`%`, `/`), never `|`, `&` or `>>`, on them.
 * @module
 */
import { IsletError } from './errors.ts';

/** A physical address (PA): a safe integer below 2^52. */
export type PhysAddr = number & { readonly __brand: 'PhysAddr' };
/** An intermediate physical address (IPA), as seen by a realm before stage-2 translation. */
export type Ipa = number & { readonly __brand: 'Ipa' };
/** The index of a 4 KiB granule: `pa / GRANULE_SIZE`. */
export type GranuleIdx = number & { readonly __brand: 'GranuleIdx' };

/** log2 of the granule size; CCA supports 4 KiB granules only. */
export const GRANULE_SHIFT = 12;
/** The size of a granule in bytes. */
export const GRANULE_SIZE = 4096;
/** One past the largest address FEAT_LPA2 can express (52 bits). */
export const MAX_ADDRESS: number = 2 ** 52;

/** Whether `value` is an integer address below 2^52. */
export function isAddress(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value < MAX_ADDRESS;
}

/** Whether `value` is a granule-aligned address. */
export function isGranuleAligned(value: number): boolean {
  return value % GRANULE_SIZE === 0;
}

/**
 * Brands a number as a physical address, checking its range. Hot paths that already know the
 * range cast instead.
 * @throws {@link IsletError} `ADDRESS_OUT_OF_RANGE` when `value` is not an integer in [0, 2^52).
 */
export function physAddr(value: number | bigint): PhysAddr {
  return checkAddress(value, 'physical') as PhysAddr;
}

/**
 * Brands a number as an IPA, checking its range.
 * @throws {@link IsletError} `ADDRESS_OUT_OF_RANGE` when `value` is not an integer in [0, 2^52).
 */
export function ipa(value: number | bigint): Ipa {
  return checkAddress(value, 'intermediate physical') as Ipa;
}

function checkAddress(value: number | bigint, kind: string): number {
  const n = typeof value === 'bigint' && value < BigInt(MAX_ADDRESS) ? Number(value) : value;
  if (typeof n !== 'number' || !isAddress(n)) {
    throw new IsletError('ADDRESS_OUT_OF_RANGE', `${kind} address out of range`, {
      details: `${String(value)} is not an integer in [0, 2^52)`,
    });
  }
  return n;
}

/**
 * The address of a register value if it is a valid address, else `undefined`: the ABI decoders
 * turn `undefined` into `RMI_ERROR_INPUT`.
 */
export function addressFromRegister(value: bigint): number | undefined {
  return value >= 0n && value < BigInt(MAX_ADDRESS) ? Number(value) : undefined;
}

/** The granule that contains `pa`. */
export function granuleIndex(pa: PhysAddr): GranuleIdx {
  return Math.floor(pa / GRANULE_SIZE) as GranuleIdx;
}

/** The base address of granule `idx`. */
export function granuleAddress(idx: GranuleIdx): PhysAddr {
  return (idx * GRANULE_SIZE) as PhysAddr;
}

/** Rounds `value` down to a multiple of `align` (a power of two up to 2^52). */
export function alignDown(value: number, align: number): number {
  return value - (value % align);
}

/** Rounds `value` up to a multiple of `align` (a power of two up to 2^52). */
export function alignUp(value: number, align: number): number {
  const rem = value % align;
  return rem === 0 ? value : value + (align - rem);
}
