/**
 * The RMM boot manifest v0.3 that EL3 writes at the base of the RMM-EL3 shared buffer before the
 * RMM's cold boot (TF-A `include/services/rmm_core_manifest.h`, `struct rmm_manifest`).
 *
 * ```text
 * Boot manifest v0.3 (`struct rmm_core_manifest`): version u32 @0, padding u32 @4, plat_data ptr @8,
 * plat_dram {num_banks u64, banks*, checksum} @16, plat_console {num_consoles, consoles*, checksum} @40.
 * ```
 *
 * The NS DRAM bank array (`struct ns_dram_bank { base u64; size u64 }`) follows the manifest in the
 * same buffer at {@link BOOT_MANIFEST_BANKS_OFFSET}; `banks` holds its physical address. The
 * checksum makes `num_banks + banks + Σ(base + size) + checksum` zero modulo 2^64, the check
 * TF-RMM runs before it trusts the bank list. No consoles are described (`num_consoles = 0`).
 * @see rmm-abi.md §7.4
 * @module
 */

/**
 * The manifest version this monitor writes: `(major << 16) | minor` = v0.3.
 * @see rmm-abi.md §7.4
 * @since 0.1.0
 */
export const BOOT_MANIFEST_VERSION = 0x3;
/** Byte size of `struct rmm_manifest` v0.3 (up to and including `plat_console`). @since 0.1.0 */
export const BOOT_MANIFEST_SIZE = 64;
/** Offset of the NS DRAM bank array in the shared buffer. @since 0.1.0 */
export const BOOT_MANIFEST_BANKS_OFFSET = 64;
/** The most banks that fit in a 4 KiB shared buffer after the manifest. @since 0.1.0 */
export const BOOT_MANIFEST_MAX_BANKS: number = (4096 - BOOT_MANIFEST_BANKS_OFFSET) / 16;

/**
 * One Non-secure DRAM bank of the manifest.
 * @since 0.1.0
 */
export interface NsDramBank {
  /** Base PA (4 KiB aligned). */
  readonly base: number;
  /** Size in bytes (a multiple of 4 KiB). */
  readonly size: number;
}

/**
 * Encodes the boot manifest and its bank array as they lie in the shared buffer.
 *
 * @param sharedBuffer - PA of the shared buffer (the `banks` pointer is relative to it).
 * @param banks - the NS DRAM banks, at most {@link BOOT_MANIFEST_MAX_BANKS}.
 * @returns `BOOT_MANIFEST_BANKS_OFFSET + 16 × banks.length` bytes.
 * @throws {@link RangeError} when there are too many banks or a field is not a u64 integer.
 * @example
 * ```ts
 * const bytes = encodeBootManifest(0xfeff_f000, [{ base: 0x8000_0000, size: 0x7c00_0000 }]);
 * new DataView(bytes.buffer).getUint32(0, true); // 3 (v0.3)
 * ```
 * @see rmm-abi.md §7.4
 * @since 0.1.0
 */
export function encodeBootManifest(
  sharedBuffer: number,
  banks: readonly NsDramBank[],
): Uint8Array<ArrayBuffer> {
  if (banks.length > BOOT_MANIFEST_MAX_BANKS) {
    throw new RangeError(`${banks.length} DRAM banks do not fit in the shared buffer`);
  }
  const out = new Uint8Array(BOOT_MANIFEST_BANKS_OFFSET + 16 * banks.length);
  const view = new DataView(out.buffer);
  const banksPa = banks.length === 0 ? 0n : u64(sharedBuffer + BOOT_MANIFEST_BANKS_OFFSET);
  view.setUint32(0, BOOT_MANIFEST_VERSION, true);
  view.setBigUint64(8, 0n, true); // plat_data
  view.setBigUint64(16, BigInt(banks.length), true);
  view.setBigUint64(24, banksPa, true);
  let sum = BigInt(banks.length) + banksPa;
  banks.forEach((bank, i) => {
    const base = u64(bank.base);
    const size = u64(bank.size);
    view.setBigUint64(BOOT_MANIFEST_BANKS_OFFSET + 16 * i, base, true);
    view.setBigUint64(BOOT_MANIFEST_BANKS_OFFSET + 16 * i + 8, size, true);
    sum += base + size;
  });
  view.setBigUint64(32, BigInt.asUintN(64, -sum), true);
  // plat_console {num_consoles = 0, consoles = NULL, checksum = 0} at 40..63: already zero.
  return out;
}

function u64(n: number): bigint {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${n} is not a u64 integer`);
  return BigInt(n);
}
