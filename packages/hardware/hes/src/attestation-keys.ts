/**
 * The attestation keys HES derives from the GUK: the CPAK, which signs the platform token, and the
 * DAK, which HES hands to the RMM as its realm attestation key (RAK). Both are P-384 by default and
 * deterministic: the same provisioning and the same measurements give the same keys on every boot.
 *
 * ```
 * CPAK: seed(GUK, "BL1_CPAK_SEED_DERIVATION", BL2 hash ‖ u32le(3) ‖ u32le(0)),  info = empty
 * DAK:  seed(GUK, "BL1_DAK_SEED_DERIVATION",  BL2 hash ‖ u32le(lcs) ‖ u32le(0)), info = CBOR(2399)
 * instance ID = 0x01 ‖ SHA-256(CPAK public key, SEC1 uncompressed)
 * ```
 * @see islet-reference.md §3 (Keys, Platform token), §9 (a) and (c)
 * @module
 */
import type { Bytes, CryptoProvider, EcPrivateKey, EcPublicKey } from '@islet/arch';
import { concatBytes } from '@islet/arch';
import { checkBytes, checkU32 } from './internal/check.ts';
import {
  BL1_CPAK_SEED_DERIVATION,
  BL1_DAK_SEED_DERIVATION,
  type DerivedKeyCurve,
  deriveEcPrivateKey,
  deriveSeed,
  u32le,
} from './key-derivation.ts';

/**
 * The lifecycle word of the CPAK seed context. Islet hard-codes 3 (RSE's lifecycle state number
 * for "secured") whatever the provisioned lifecycle claim is.
 */
export const CPAK_SEED_LIFECYCLE = 3;

/** What the CPAK is derived from. */
export interface CpakMaterial {
  /** The group unique key, 32 bytes. */
  readonly guk: Uint8Array;
  /** The signed hash of the BL2 image (32 to 64 bytes). */
  readonly bl2SignedHash: Uint8Array;
}

/** What a DAK is derived from. */
export interface DakMaterial extends CpakMaterial {
  /** The lifecycle word of the seed context (see `HesProvisioning.dakSeedLifecycle`). */
  readonly lifecycle: number;
  /**
   * The CBOR array of the current measurements ({@link encodeMeasurements}), or the re-encoded
   * claim 2399 of a real token ({@link encodeSwComponents}).
   */
  readonly swComponents: Uint8Array;
  /** P-384 (the default, and what HES answers TF-A's request with) or P-256. */
  readonly curve?: DerivedKeyCurve;
}

/**
 * Derives the CPAK (CCA platform attestation key, P-384).
 * @returns the key pair; its public key equals Islet's `cpak_public.bin` for the dummy provisioning.
 * @throws {@link HesError} `HES_ARGUMENT_INVALID` for a GUK that is not 32 bytes or a BL2 hash
 * outside 32..64 bytes.
 * @example
 * ```ts
 * const cpak = deriveCpak(ISLET_DUMMY_PROVISIONING, crypto);
 * toHex(cpak.publicKey.point); // '04…' as in cpak_public.bin
 * ```
 * @since 0.1.0
 */
export function deriveCpak(material: CpakMaterial, crypto: CryptoProvider): EcPrivateKey {
  checkBytes(material.bl2SignedHash, 'the BL2 signed hash', 32, 64);
  const context = concatBytes(material.bl2SignedHash, u32le(CPAK_SEED_LIFECYCLE), u32le(0));
  const seed = deriveSeed(material.guk, BL1_CPAK_SEED_DERIVATION, context, crypto);
  return deriveEcPrivateKey('P-384', seed, new Uint8Array(0), crypto);
}

/**
 * Derives the DAK (delegated attestation key, the RMM's RAK) bound to the current measurements.
 * @returns the key pair.
 * @throws {@link HesError} `HES_ARGUMENT_INVALID` for malformed material,
 * `HES_KEY_DERIVATION_FAILED` in the (negligible) case of {@link deriveEcPrivateKey}.
 * @example
 * ```ts
 * const dak = deriveDak({ ...provisioning, lifecycle: 0x3000, swComponents: encodeMeasurements(ms) }, crypto);
 * ```
 * @since 0.1.0
 */
export function deriveDak(material: DakMaterial, crypto: CryptoProvider): EcPrivateKey {
  checkBytes(material.bl2SignedHash, 'the BL2 signed hash', 32, 64);
  checkU32(material.lifecycle, 'the DAK seed lifecycle');
  checkBytes(material.swComponents, 'the DAK info (CBOR of claim 2399)', 1, Infinity);
  const context = concatBytes(material.bl2SignedHash, u32le(material.lifecycle), u32le(0));
  const seed = deriveSeed(material.guk, BL1_DAK_SEED_DERIVATION, context, crypto);
  return deriveEcPrivateKey(material.curve ?? 'P-384', seed, material.swComponents, crypto);
}

/**
 * The platform instance ID (claim 256): `0x01` (UEID type RAND) then SHA-256 of the CPAK public key.
 * @returns 33 bytes.
 * @since 0.1.0
 */
export function platformInstanceId(cpak: EcPublicKey, crypto: CryptoProvider): Bytes {
  return concatBytes(Uint8Array.of(0x01), crypto.hash('sha256', cpak.point));
}
