/**
 * A measured-boot measurement: its metadata (signer ID, software type and version, algorithm) and
 * its value, with the size limits Islet HES inherits from RSE.
 * @see islet-reference.md §3; Islet `hes/islet-hes/src/measured_boot/measurement.rs`
 * @module
 */
import type { HashAlgorithm } from '@islet/arch';
import { utf8 } from './internal/utf8.ts';

/** Hash algorithms of a measurement slot, named as the sw-component claim (key 6) writes them. */
export const MeasurementAlgorithm = {
  Sha256: 'sha-256',
  Sha384: 'sha-384',
  Sha512: 'sha-512',
} as const;

/** One of the {@link MeasurementAlgorithm} values. */
export type MeasurementAlgorithm = (typeof MeasurementAlgorithm)[keyof typeof MeasurementAlgorithm];

/**
 * The PSA algorithm identifier of each measurement algorithm, as TF-A sends it in an extend
 * request (`PSA_ALG_SHA_256` = 0x02000009, …).
 */
export const MEASUREMENT_ALGORITHM_PSA_ID: { readonly [a in MeasurementAlgorithm]: number } = {
  'sha-256': 0x0200_0009,
  'sha-384': 0x0200_000a,
  'sha-512': 0x0200_000b,
};

/**
 * The algorithm of a PSA algorithm identifier.
 * @returns the algorithm, or `undefined` for an identifier HES does not measure with.
 */
export function measurementAlgorithmFromPsaId(id: number): MeasurementAlgorithm | undefined {
  for (const [name, value] of Object.entries(MEASUREMENT_ALGORITHM_PSA_ID)) {
    if (value === id) return name as MeasurementAlgorithm;
  }
  return undefined;
}

/** The crypto provider's name of each measurement algorithm. */
export const MEASUREMENT_HASH: { readonly [a in MeasurementAlgorithm]: HashAlgorithm } = {
  'sha-256': 'sha256',
  'sha-384': 'sha384',
  'sha-512': 'sha512',
};

/** Shortest measurement value (SHA-256). */
export const MEASUREMENT_VALUE_MIN_SIZE = 32;
/** Longest measurement value (SHA-512). */
export const MEASUREMENT_VALUE_MAX_SIZE = 64;
/** Shortest signer ID. */
export const SIGNER_ID_MIN_SIZE = 32;
/** Longest signer ID. */
export const SIGNER_ID_MAX_SIZE = 64;
/** Longest software version, in UTF-8 bytes (RSE's limit). */
export const SW_VERSION_MAX_SIZE = 14;
/** Longest software type, in UTF-8 bytes (RSE's limit). */
export const SW_TYPE_MAX_SIZE = 32;

/** What a measurement slot records besides its value. */
export interface MeasurementMetadata {
  /** Hash of the signing authority's public key: 32 to 64 bytes. Fixed by the first extend. */
  readonly signerId: Uint8Array;
  /** The role of the component (`"BL1"`, `"RMM"`): at most 32 UTF-8 bytes. */
  readonly swType: string;
  /** The component's version: at most 14 UTF-8 bytes. */
  readonly swVersion: string;
  /** The slot's hash algorithm. Fixed by the first extend. */
  readonly algorithm: MeasurementAlgorithm;
}

/**
 * A measurement: the input of an extend (the component's digest) or the contents of a slot (the
 * extended value, as long as the slot's algorithm's digest).
 */
export interface Measurement {
  readonly metadata: MeasurementMetadata;
  /** 32 to 64 bytes. */
  readonly value: Uint8Array;
}

/**
 * Whether `m` is a well-formed measurement within Islet's size limits. Checks every field's type,
 * so it is safe on hostile input.
 */
export function isValidMeasurement(m: unknown): m is Measurement {
  if (typeof m !== 'object' || m === null) return false;
  const { metadata, value } = m as { metadata?: unknown; value?: unknown };
  if (!inRange(value, MEASUREMENT_VALUE_MIN_SIZE, MEASUREMENT_VALUE_MAX_SIZE)) return false;
  if (typeof metadata !== 'object' || metadata === null) return false;
  const { signerId, swType, swVersion, algorithm } = metadata as Record<string, unknown>;
  return (
    inRange(signerId, SIGNER_ID_MIN_SIZE, SIGNER_ID_MAX_SIZE) &&
    typeof swType === 'string' &&
    utf8(swType).length <= SW_TYPE_MAX_SIZE &&
    typeof swVersion === 'string' &&
    utf8(swVersion).length <= SW_VERSION_MAX_SIZE &&
    typeof algorithm === 'string' &&
    Object.hasOwn(MEASUREMENT_HASH, algorithm)
  );
}

function inRange(b: unknown, min: number, max: number): b is Uint8Array {
  return b instanceof Uint8Array && b.length >= min && b.length <= max;
}
