/**
 * The firmware images the platform measures at boot. The model runs no AArch64 code, so each image
 * is a manifest of the component that plays its part (name and version): measuring it still binds
 * the platform token to exactly which components booted, and swapping the RMM changes its
 * measurement.
 * @module
 */
import type { CryptoProvider } from '@islet/arch';
import type { FirmwareImage } from '@islet/el3-monitor';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/**
 * The images BL2 measures: BL31 (this model's EL3 monitor), the RMM and BL33 (the host).
 * @param rmmName - which RMM implementation booted; it becomes part of the RMM's measurement.
 */
export function defaultFirmwareImages(rmmName: string, crypto: CryptoProvider): FirmwareImage[] {
  const signer = crypto.hash('sha256', ascii('islet-ts model signing key'));
  const image = (swType: string, body: string, swVersion: string): FirmwareImage => ({
    swType,
    image: ascii(`${swType}\n${body}\n${swVersion}\n`),
    signerId: signer,
    swVersion,
  });
  return [
    image('BL31', '@islet/el3-monitor', '0.1.0'),
    image('RMM', rmmName, '0.1.0'),
    image('BL33', '@islet/fvp host', '0.1.0'),
  ];
}
