/**
 * The CCA platform claim set: the payload of the platform token that HES signs with the CPAK.
 * @see cca-token.md §1.2, §2.1
 * @module
 */
import type { Bytes } from '@islet/arch';
import { TokenError } from './errors.ts';
import { decodeCbor, encodeCbor } from './internal/cbor.ts';
import { ClaimReader } from './internal/claim-reader.ts';
import { lifecycleState } from './lifecycle.ts';
import { PlatformClaimKey as K, PlatformProfile, SwComponentKey as S } from './profiles.ts';

/** A measured software component of the platform (claim 2399 entry). */
export interface SwComponent {
  /** Component type (1), e.g. `"BL2"`, `"RMM"`. */
  readonly type?: string;
  /** Measurement value (2): 32, 48 or 64 bytes. */
  readonly measurement: Bytes;
  /** Version (4). */
  readonly version?: string;
  /** Signer ID (5): 32, 48 or 64 bytes. */
  readonly signerId: Bytes;
  /** Hash algorithm of the measurement (6), e.g. `"sha-256"`. */
  readonly hashAlgorithm?: string;
}

/** The platform claims. */
export interface PlatformClaims {
  /** Profile (265). */
  readonly profile: PlatformProfile;
  /** Challenge (10): in the delegated model, the hash of the RAK. 32, 48 or 64 bytes. */
  readonly challenge: Bytes;
  /** Implementation ID (2396): 32 bytes. */
  readonly implementationId: Bytes;
  /** Instance ID (256): 33 bytes, `0x01` then 32 bytes (32 bare bytes accepted in the legacy profile). */
  readonly instanceId: Bytes;
  /** Platform configuration (2401). */
  readonly config: Bytes;
  /** Security lifecycle (2395). */
  readonly lifecycle: number;
  /** Software components (2399), at least one. */
  readonly swComponents: readonly SwComponent[];
  /** Verification service indicator (2400). */
  readonly verificationServiceIndicator?: string;
  /** Hash algorithm of the platform measurements (2402). */
  readonly hashAlgorithm: string;
}

/** Sizes a challenge, measurement or signer ID may have. */
export const DIGEST_SIZES: readonly number[] = [32, 48, 64];
/** Hash algorithm names accepted in 2402 (IANA Named Information names, as Veraison accepts). */
export const HASH_ALGORITHM_NAMES: readonly string[] = [
  'md2',
  'md5',
  'sha-1',
  'sha-224',
  'sha-256',
  'sha-384',
  'sha-512',
  'shake128',
  'shake256',
];

const WHERE = 'platform token';

/**
 * Decodes and validates a platform claims payload.
 * @throws {@link TokenError} `TOKEN_CBOR_*`, `TOKEN_CLAIM_*` or `TOKEN_PROFILE_UNKNOWN`.
 */
export function decodePlatformClaims(payload: Uint8Array): PlatformClaims {
  return parsePlatformClaims(decodeCbor(payload, `${WHERE} payload`));
}

/**
 * Validates a decoded platform claims map. Unknown claims are ignored, as the draft requires.
 * @throws {@link TokenError} `TOKEN_CLAIM_*` or `TOKEN_PROFILE_UNKNOWN`.
 */
export function parsePlatformClaims(map: unknown): PlatformClaims {
  const r = new ClaimReader(map, WHERE);
  const profile = r.text(K.profile, 'profile');
  if (profile !== PlatformProfile.Legacy && profile !== PlatformProfile.V1) {
    throw new TokenError('TOKEN_PROFILE_UNKNOWN', `unknown platform profile "${profile}"`, {
      details: `expected "${PlatformProfile.V1}" or "${PlatformProfile.Legacy}"`,
    });
  }
  const challengeRaw = r.required(K.challenge, 'challenge');
  if (Array.isArray(challengeRaw)) {
    throw r.typeError(
      K.challenge,
      'challenge',
      'a single byte string (the array form is not allowed)',
      challengeRaw,
    );
  }
  const challenge = r.checkBytes(challengeRaw, K.challenge, 'challenge', DIGEST_SIZES);
  const implementationId = r.bytes(K.implementationId, 'implementation ID', [32]);
  // Islet's FVP HES (legacy profile) writes a bare 32-byte instance ID; the current profile
  // requires the 33-byte UEID of type RAND.
  const legacy = profile === PlatformProfile.Legacy;
  const instanceId = r.bytes(K.instanceId, 'instance ID', legacy ? [32, 33] : [33]);
  if (instanceId.length === 33 && instanceId[0] !== 0x01) {
    throw r.valueError(
      K.instanceId,
      'instance ID',
      `the first byte must be 0x01 (RAND), got 0x${instanceId[0]!.toString(16)}`,
    );
  }
  const config = r.bytes(K.config, 'platform config');
  const lifecycle = r.uint(K.lifecycle, 'security lifecycle');
  if (lifecycleState(lifecycle) === undefined) {
    throw r.valueError(
      K.lifecycle,
      'security lifecycle',
      `0x${lifecycle.toString(16)} is in no valid range`,
    );
  }
  const rawComponents = r.array(K.swComponents, 'software components');
  if (rawComponents.length === 0) {
    throw r.valueError(K.swComponents, 'software components', 'at least one component is required');
  }
  const swComponents = rawComponents.map((c, i) => parseSwComponent(c, i));
  const verificationServiceIndicator = r.optionalText(
    K.verificationServiceIndicator,
    'verification service indicator',
  );
  if (verificationServiceIndicator === '') {
    throw r.valueError(
      K.verificationServiceIndicator,
      'verification service indicator',
      'must not be empty',
    );
  }
  const hashAlgorithm = r.text(K.hashAlgorithm, 'hash algorithm ID');
  if (!HASH_ALGORITHM_NAMES.includes(hashAlgorithm)) {
    throw r.valueError(
      K.hashAlgorithm,
      'hash algorithm ID',
      `"${hashAlgorithm}" is not a known hash algorithm name`,
    );
  }
  return {
    profile,
    challenge,
    implementationId,
    instanceId,
    config,
    lifecycle,
    swComponents,
    ...(verificationServiceIndicator === undefined ? {} : { verificationServiceIndicator }),
    hashAlgorithm,
  };
}

function parseSwComponent(raw: unknown, index: number): SwComponent {
  const r = new ClaimReader(raw, `software component ${index} of the ${WHERE}`);
  const type = r.optionalText(S.type, 'component type');
  const measurement = r.bytes(S.measurement, 'measurement value', DIGEST_SIZES);
  const version = r.optionalText(S.version, 'version');
  const signerId = r.bytes(S.signerId, 'signer ID', DIGEST_SIZES);
  const hashAlgorithm = r.optionalText(S.hashAlgorithm, 'hash algorithm');
  return {
    ...(type === undefined ? {} : { type }),
    measurement,
    ...(version === undefined ? {} : { version }),
    signerId,
    ...(hashAlgorithm === undefined ? {} : { hashAlgorithm }),
  };
}

/** The claims as a CBOR map in the order TF-M writes them. */
export function platformClaimsToMap(claims: PlatformClaims): Map<number, unknown> {
  const m = new Map<number, unknown>([
    [K.profile, claims.profile],
    [K.challenge, claims.challenge],
    [K.implementationId, claims.implementationId],
    [K.instanceId, claims.instanceId],
    [K.config, claims.config],
    [K.lifecycle, claims.lifecycle],
    [K.swComponents, claims.swComponents.map(swComponentToMap)],
  ]);
  if (claims.verificationServiceIndicator !== undefined) {
    m.set(K.verificationServiceIndicator, claims.verificationServiceIndicator);
  }
  m.set(K.hashAlgorithm, claims.hashAlgorithm);
  return m;
}

function swComponentToMap(c: SwComponent): Map<number, unknown> {
  const m = new Map<number, unknown>();
  if (c.type !== undefined) m.set(S.type, c.type);
  m.set(S.measurement, c.measurement);
  if (c.version !== undefined) m.set(S.version, c.version);
  m.set(S.signerId, c.signerId);
  if (c.hashAlgorithm !== undefined) m.set(S.hashAlgorithm, c.hashAlgorithm);
  return m;
}

/**
 * Validates and encodes platform claims as the platform token payload.
 * @throws {@link TokenError} when the claims would not decode back (same checks as decoding).
 */
export function encodePlatformClaims(claims: PlatformClaims): Bytes {
  const map = platformClaimsToMap(claims);
  parsePlatformClaims(map);
  return encodeCbor(map);
}
