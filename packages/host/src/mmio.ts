/**
 * Emulated MMIO devices: what kvmtool registers on its MMIO bus (`kvm__register_mmio`). A realm's
 * load or store to an unprotected IPA that no host page backs exits to the host with the access
 * decoded (ESR ISV); the vCPU loop hands it to the device whose window holds it.
 * @module
 */

/** The bytes one emulatable access moves (ESR SAS). @since 0.7.0 */
export type MmioAccessSize = 1 | 2 | 4 | 8;

/**
 * A device in the unprotected half of a realm's IPA space. IPAs are as the realm used them, the
 * top IPA bit set; values are zero-extended to 64 bits (the RMM applies the realm's sign extension).
 * @example
 * ```ts
 * const uart: MmioDevice = {
 *   base: 0x80_0000_0000n + 0x1c09_0000n,
 *   size: 0x1000n,
 *   read: () => 0n,
 *   write: (_ipa, _size, value) => out.push(Number(value)),
 * };
 * runRealm(p.host, realm, { mmio: [uart] });
 * ```
 * @since 0.7.0
 */
export interface MmioDevice {
  /** The first IPA of the device's window. */
  readonly base: bigint;
  /** The window's size in bytes. */
  readonly size: bigint;
  /** A load of `size` bytes at `ipa`; the value is truncated to `size` bytes. */
  read(ipa: bigint, size: MmioAccessSize): bigint;
  /** A store of `value` (already truncated to `size` bytes) at `ipa`. */
  write(ipa: bigint, size: MmioAccessSize, value: bigint): void;
}

/** The first device whose window holds all of `[ipa, ipa + size)`. */
export function findMmioDevice(
  devices: readonly MmioDevice[],
  ipa: bigint,
  size: MmioAccessSize,
): MmioDevice | undefined {
  return devices.find((d) => ipa >= d.base && ipa + BigInt(size) <= d.base + d.size);
}
