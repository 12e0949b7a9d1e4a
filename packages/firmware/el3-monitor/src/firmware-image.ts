/**
 * Firmware images the boot measures into HES: what BL2 does with TF-A's RSE measured-boot driver
 * (each image hashed and extended into its slot with signer id, type and version) before BL31 runs.
 *
 * BL1 and BL2 themselves are measured by the root of trust at its own boot (the HES provisioning's
 * `bootMeasurements` fill slots 0 and 1); the monitor measures only the images it is given.
 * @see islet-reference.md §3 (measured boot)
 * @module
 */
import type { CryptoProvider } from '@islet/arch';
import {
  MEASUREMENT_HASH,
  MEASUREMENT_SLOT_COUNT,
  type Measurement,
  type MeasurementAlgorithm,
} from '@islet/hes';
import { El3MonitorError } from './el3-monitor-error.ts';

/**
 * The HES slot of each firmware stage when a {@link FirmwareImage} names none: BL1 and BL2 as the
 * HES provisioning loads them, then the images BL2 measures in load order.
 * @since 0.1.0
 */
export const MEASUREMENT_SLOT: {
  readonly BL1: 0;
  readonly BL2: 1;
  readonly BL31: 2;
  readonly RMM: 3;
  readonly BL33: 4;
} = { BL1: 0, BL2: 1, BL31: 2, RMM: 3, BL33: 4 };

/**
 * One firmware image to measure at boot. Give either the image bytes (hashed with `algorithm`) or
 * its digest.
 * @since 0.1.0
 */
export interface FirmwareImage {
  /** The software type recorded in the slot (and in the platform token), e.g. `'BL31'`, `'RMM'`. */
  readonly swType: string;
  /** The HES slot (0..31); by default {@link MEASUREMENT_SLOT} of `swType`. */
  readonly slot?: number;
  /** The image bytes, hashed with `algorithm`. */
  readonly image?: Uint8Array;
  /** Or the image digest itself (32..64 bytes). */
  readonly digest?: Uint8Array;
  /** The signer id (hash of the signing key, 32..64 bytes). */
  readonly signerId: Uint8Array;
  /** The version string (at most 14 bytes of UTF-8). */
  readonly swVersion: string;
  /** The measurement algorithm; `'sha-256'` by default. */
  readonly algorithm?: MeasurementAlgorithm;
}

/**
 * The slot and measurement of an image, as the boot extends it.
 * @param image - the image description.
 * @param crypto - hashes `image.image`.
 * @throws {@link El3MonitorError} `EL3_IMAGE_INVALID` when both or neither of `image` and `digest`
 * are given, or the slot is not 0..31 and `swType` has no default slot.
 * @since 0.1.0
 */
export function measureImage(
  image: FirmwareImage,
  crypto: CryptoProvider,
): { readonly slot: number; readonly measurement: Measurement } {
  const slot = image.slot ?? (MEASUREMENT_SLOT as Readonly<Record<string, number>>)[image.swType];
  if (slot === undefined || !Number.isInteger(slot) || slot < 0 || slot >= MEASUREMENT_SLOT_COUNT) {
    throw new El3MonitorError('EL3_IMAGE_INVALID', 'no valid measurement slot for an image', {
      details: `${image.swType}: slot ${String(slot)}`,
    });
  }
  const hasImage = image.image instanceof Uint8Array;
  const hasDigest = image.digest instanceof Uint8Array;
  if (hasImage === hasDigest) {
    throw new El3MonitorError('EL3_IMAGE_INVALID', 'give exactly one of image and digest', {
      details: image.swType,
    });
  }
  const algorithm = image.algorithm ?? 'sha-256';
  const hash = MEASUREMENT_HASH[algorithm];
  const value =
    image.digest ??
    (hash === undefined ? new Uint8Array(0) : crypto.hash(hash, image.image as Uint8Array));
  return {
    slot,
    measurement: {
      metadata: {
        signerId: image.signerId,
        swType: image.swType,
        swVersion: image.swVersion,
        algorithm,
      },
      value,
    },
  };
}
