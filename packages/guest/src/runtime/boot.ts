/**
 * How a vCPU finds its program: the boot registers of the realm services convention
 * (`@islet/abi` realm-services.ts) and this runtime's encoding of a secondary's PSCI context id.
 *
 * ```text
 * REC 0      pc = IPA of the image, X0 = image length in bytes, X1 = protected memory size
 *            (protected RAM is [0, X1); the image lies inside it)
 * secondary  started by CPU_ON(target, entry = IPA of the image, context_id), so pc = the image
 *            and X0 = context_id:
 *              bit  63      1 (a secondary's context id; REC 0's X0 has it clear)
 *              bits 62:27   memory size / 4 KiB
 *              bits 26:0    image length in bytes
 *            so an image is at most 2^27 - 1 bytes and protected RAM less than 2^48 bytes
 * scratch    vCPU n's RSI page is the n-th 4 KiB page after the image (rounded up to 4 KiB)
 * ```
 * @module
 */
import { alignUp, GRANULE_SIZE, IsletError, isAddress } from '@islet/arch';
import type { BootRegisters } from '../ports.ts';

/**
 * The longest image the runtime boots: 2^27 - 1 bytes, what a secondary's context id carries.
 * @since 0.1.0
 */
export const MAX_IMAGE_LENGTH: number = 2 ** 27 - 1;

/** One past the largest protected memory size a secondary's context id carries. */
const MEMORY_LIMIT = 1n << 48n;
const SECONDARY = 1n << 63n;
const LENGTH_BITS = 27n;

/**
 * Where a vCPU's program is.
 * @since 0.1.0
 */
export interface RealmBoot {
  /** REC 0 boots the realm; a secondary was started by PSCI CPU_ON. */
  readonly primary: boolean;
  /** IPA of the image's first byte (the boot PC). */
  readonly imageIpa: number;
  /** Bytes of the image, 1..{@link MAX_IMAGE_LENGTH}. */
  readonly imageLength: number;
  /** Bytes of protected RAM from IPA 0, a multiple of 4 KiB. */
  readonly memorySize: number;
}

function invalid(details: string): IsletError<'GUEST_BOOT_INVALID'> {
  return new IsletError('GUEST_BOOT_INVALID', 'the boot registers do not describe a program', {
    details,
  });
}

/**
 * Decodes a vCPU's boot registers.
 * @throws {@link IsletError} `GUEST_BOOT_INVALID` when the image does not lie in protected RAM, is
 *   empty or longer than {@link MAX_IMAGE_LENGTH}, or the memory size is not a multiple of 4 KiB
 *   below 2^48.
 * @example
 * ```ts
 * decodeBoot({ pc: 0n, x0: 300n, x1: 0x20_0000n });
 * // { primary: true, imageIpa: 0, imageLength: 300, memorySize: 0x200000 }
 * ```
 * @since 0.1.0
 */
export function decodeBoot(regs: BootRegisters): RealmBoot {
  const primary = (regs.x0 & SECONDARY) === 0n;
  const length = primary ? regs.x0 : regs.x0 & ((1n << LENGTH_BITS) - 1n);
  const size = primary ? regs.x1 : ((regs.x0 & ~SECONDARY) >> LENGTH_BITS) * BigInt(GRANULE_SIZE);
  if (length < 1n || length > BigInt(MAX_IMAGE_LENGTH)) {
    throw invalid(`image length ${length} is not in 1..${MAX_IMAGE_LENGTH}`);
  }
  if (size <= 0n || size >= MEMORY_LIMIT || size % BigInt(GRANULE_SIZE) !== 0n) {
    throw invalid(`memory size 0x${size.toString(16)} is not a multiple of 4 KiB below 2^48`);
  }
  if (regs.pc + length > size) {
    throw invalid(
      `image [0x${regs.pc.toString(16)}, +${length}) is not in [0, 0x${size.toString(16)})`,
    );
  }
  return {
    primary,
    imageIpa: Number(regs.pc),
    imageLength: Number(length),
    memorySize: Number(size),
  };
}

/**
 * The PSCI CPU_ON context id that lets a secondary find the program of `boot`.
 * @since 0.1.0
 */
export function secondaryContextId(boot: RealmBoot): bigint {
  return (
    SECONDARY |
    ((BigInt(boot.memorySize) / BigInt(GRANULE_SIZE)) << LENGTH_BITS) |
    BigInt(boot.imageLength)
  );
}

/**
 * The IPA of vCPU `index`'s RSI scratch page.
 * @throws {@link IsletError} `GUEST_BOOT_INVALID` when that page is not in protected RAM.
 * @since 0.1.0
 */
export function scratchPage(boot: RealmBoot, index: number): number {
  const page = alignUp(boot.imageIpa + boot.imageLength, GRANULE_SIZE) + index * GRANULE_SIZE;
  if (!isAddress(page) || page + GRANULE_SIZE > boot.memorySize) {
    throw invalid(`vCPU ${index} has no scratch page below 0x${boot.memorySize.toString(16)}`);
  }
  return page;
}
