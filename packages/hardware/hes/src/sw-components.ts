/**
 * The software components claim (2399) as HES writes it: one map per populated measurement slot,
 * keys in Islet's order `1 type, 6 hash algorithm, 2 value, 4 version, 5 signer ID`. The CBOR bytes
 * of this array are also the HKDF info of the DAK and part of the VHUK_M context, so their exact
 * encoding decides the RAK.
 * @see islet-reference.md §3 (Platform token); Islet `hes/islet-hes/src/utils.rs`
 * @module
 */
import type { Bytes } from '@islet/arch';
import { encodeCbor, type SwComponent, SwComponentKey } from '@islet/token';

import type { Measurement } from './measurement.ts';

/**
 * The sw-component of a measurement slot: type, algorithm, extended value, version, signer ID.
 * @returns the component with every field set.
 */
export function measurementToSwComponent(m: Measurement): SwComponent {
  return {
    type: m.metadata.swType,
    measurement: m.value as Bytes,
    version: m.metadata.swVersion,
    signerId: m.metadata.signerId as Bytes,
    hashAlgorithm: m.metadata.algorithm,
  };
}

/** One component as a CBOR map in Islet's key order; absent optional fields are left out. */
export function swComponentToIsletMap(c: SwComponent): Map<number, unknown> {
  const m = new Map<number, unknown>();
  if (c.type !== undefined) m.set(SwComponentKey.type, c.type);
  if (c.hashAlgorithm !== undefined) m.set(SwComponentKey.hashAlgorithm, c.hashAlgorithm);
  m.set(SwComponentKey.measurement, c.measurement);
  if (c.version !== undefined) m.set(SwComponentKey.version, c.version);
  m.set(SwComponentKey.signerId, c.signerId);
  return m;
}

/**
 * The CBOR array of software components in Islet's encoding (definite lengths, Islet key order).
 * Use it to re-derive the DAK of a real token from its decoded claim 2399.
 * @returns the CBOR bytes.
 * @example
 * ```ts
 * const info = encodeSwComponents(decodePlatformClaims(payload).swComponents);
 * ```
 * @since 0.1.0
 */
export function encodeSwComponents(components: readonly SwComponent[]): Bytes {
  return encodeCbor(components.map(swComponentToIsletMap));
}

/**
 * The CBOR array of the current measurements, as HES encodes them for claim 2399, the DAK's HKDF
 * info and the VHUK_M context (Islet `encode_measurements`).
 * @returns the CBOR bytes.
 * @since 0.1.0
 */
export function encodeMeasurements(measurements: readonly Measurement[]): Bytes {
  return encodeSwComponents(measurements.map(measurementToSwComponent));
}
