/**
 * The virtual hardware unique keys (VHUK), Islet's addition to HES for sealing. Both come from the
 * HUK and the current measurements and are handed to the RMM, which derives realm sealing keys
 * from them:
 *
 * ```
 * VHUK_A = seed(HUK, "VHUK_A", Σ (signer ID ‖ sw type) ‖ u32le(lcs))   bound to who signed the firmware
 * VHUK_M = seed(HUK, "VHUK_M", CBOR(2399 array) ‖ u32le(lcs))          bound to the exact firmware
 * ```
 *
 * VHUK_A survives firmware updates by the same authorities; VHUK_M changes with any measurement.
 * The context is written once, as the caller in Islet `hes/islet-hes/src/lib.rs` writes it (the
 * single-append form of `key-derivation.ts`). No published vector covers the VHUKs, so only their
 * determinism and their inputs are tested.
 * @see islet-reference.md §3 (VHUK_A, VHUK_M), §2.9 (`RMM_ISLET_GET_VHUK`)
 * @module
 */
import type { Bytes, CryptoProvider } from '@islet/arch';
import { concatBytes } from '@islet/arch';
import { checkU32 } from './internal/check.ts';
import { utf8 } from './internal/utf8.ts';
import { deriveSeed, u32le, VHUK_A_SEED_LABEL, VHUK_M_SEED_LABEL } from './key-derivation.ts';
import type { Measurement } from './measurement.ts';
import { encodeMeasurements } from './sw-components.ts';

/** The key identifiers of the VHUK service (`RMM_ISLET_GET_VHUK` X1, PSA GET_KEY input byte). */
export const VhukId = {
  /** VHUK_A: bound to the firmware authorities. */
  A: 1,
  /** VHUK_M: bound to the firmware measurements. */
  M: 2,
} as const;

/** One of the {@link VhukId} values. */
export type VhukId = (typeof VhukId)[keyof typeof VhukId];

/** What a VHUK is derived from. */
export interface VhukMaterial {
  /** The hardware unique key, 32 bytes. */
  readonly huk: Uint8Array;
  /** The current measurements (populated slots in slot order). */
  readonly measurements: readonly Measurement[];
  /** The provisioned security lifecycle. */
  readonly lifecycle: number;
}

/**
 * Derives VHUK_A, the authority-bound virtual HUK.
 * @returns 32 bytes.
 * @throws {@link HesError} `HES_ARGUMENT_INVALID` for a HUK that is not 32 bytes or a lifecycle
 * that is not a u32.
 * @since 0.1.0
 */
export function deriveVhukA(material: VhukMaterial, crypto: CryptoProvider): Bytes {
  checkU32(material.lifecycle, 'the lifecycle');
  const authority = material.measurements.flatMap((m) => [
    m.metadata.signerId,
    utf8(m.metadata.swType),
  ]);
  const context = concatBytes(...authority, u32le(material.lifecycle));
  return deriveSeed(material.huk, VHUK_A_SEED_LABEL, context, crypto);
}

/**
 * Derives VHUK_M, the measurement-bound virtual HUK.
 * @returns 32 bytes.
 * @throws {@link HesError} as {@link deriveVhukA}.
 * @since 0.1.0
 */
export function deriveVhukM(material: VhukMaterial, crypto: CryptoProvider): Bytes {
  checkU32(material.lifecycle, 'the lifecycle');
  const context = concatBytes(encodeMeasurements(material.measurements), u32le(material.lifecycle));
  return deriveSeed(material.huk, VHUK_M_SEED_LABEL, context, crypto);
}
