/** Argument checks shared by the DRAM and the world ports. Never exported. @module */
import { MAX_ADDRESS as ARCH_MAX_ADDRESS } from '@islet/arch';
import { MemoryArgumentError } from '../errors.ts';

// A module-local alias: under vitest's module runner an imported binding is a namespace getter.
const MAX_ADDRESS = ARCH_MAX_ADDRESS;

/**
 * Checks that `pa` is an integer address in [0, 2^52) and `length` a non-negative integer with
 * `pa + length ≤ 2^52`.
 * @throws {@link MemoryArgumentError} `MMU_ADDRESS_INVALID` or `MMU_LENGTH_INVALID`.
 */
export function checkAccess(pa: number, length: number): void {
  if (!Number.isSafeInteger(pa) || pa < 0 || pa >= MAX_ADDRESS) {
    throw new MemoryArgumentError('MMU_ADDRESS_INVALID', 'physical address out of range', {
      details: `${String(pa)} is not an integer in [0, 2^52)`,
    });
  }
  if (!Number.isSafeInteger(length) || length < 0 || pa + length > MAX_ADDRESS) {
    throw new MemoryArgumentError('MMU_LENGTH_INVALID', 'invalid access length', {
      details: `${String(length)} bytes at 0x${pa.toString(16)} is not a range below 2^52`,
    });
  }
}

/**
 * Checks that `pa` is a valid address aligned to `align` bytes (a power of two ≤ 4096).
 * @throws {@link MemoryArgumentError} `MMU_ADDRESS_INVALID` or `MMU_UNALIGNED`.
 */
export function checkAligned(pa: number, align: number): void {
  checkAccess(pa, 0);
  if (pa % align !== 0) {
    throw new MemoryArgumentError('MMU_UNALIGNED', `address not ${align}-byte aligned`, {
      details: `0x${pa.toString(16)} is not a multiple of ${align}`,
    });
  }
}
