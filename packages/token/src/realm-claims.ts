/**
 * The CCA realm claim set: the payload of the realm token that the RMM signs with the RAK.
 * Its own profile claim decides how the RAK (44237) is encoded: a raw SEC1 point without a
 * profile, a COSE_Key with one.
 * @see cca-token.md §1.3, §1.5, §2.1
 * @module
 */
import type { Bytes, CryptoProvider, Curve, EcPublicKey } from '@islet/arch';
import { decodeCoseKey, decodeRawPoint } from './cose-key.ts';
import { TokenError } from './errors.ts';
import { decodeCbor, encodeCbor } from './internal/cbor.ts';
import { ClaimReader } from './internal/claim-reader.ts';
import { DIGEST_SIZES } from './platform-claims.ts';
import { RealmClaimKey as K, RealmProfile } from './profiles.ts';

/** The realm claims. */
export interface RealmClaims {
  /** Profile (265); absent in legacy (RMM 1.0-eac/bet) tokens. */
  readonly profile?: RealmProfile;
  /** Realm challenge (10): the 64 bytes the realm passed to RSI_ATTESTATION_TOKEN_INIT. */
  readonly challenge: Bytes;
  /** Realm instance ID (256): 33 bytes, `0x01` then 32 bytes; mandatory in realm#2.0.0. */
  readonly instanceId?: Bytes;
  /** Realm personalization value (44235): 64 bytes. */
  readonly personalizationValue: Bytes;
  /** Algorithm of the RIM and REMs (44236): `"sha-256"` or `"sha-512"`. */
  readonly hashAlgorithm: string;
  /** The RAK (44237) exactly as carried: a COSE_Key with a profile, a raw point without. */
  readonly publicKey: Bytes;
  /** Realm initial measurement (44238). */
  readonly initialMeasurement: Bytes;
  /** Realm extensible measurements (44239): exactly four. */
  readonly extensibleMeasurements: readonly Bytes[];
  /** Algorithm that hashes the RAK into the platform challenge (44240). */
  readonly publicKeyHashAlgorithm: string;
  /** MEC policy (44243): `"private"`/`"shared"` in RMM 1.1, 1/0 in RMM 2.0. */
  readonly mecPolicy?: string | number;
}

/** Realm measurement hash algorithms the RMM supports (RmiHashAlgorithm). */
export const REALM_HASH_ALGORITHMS: readonly string[] = ['sha-256', 'sha-512'];

const WHERE = 'realm token';
const RAW_POINT_CURVES: ReadonlyMap<number, Curve> = new Map([
  [65, 'P-256'],
  [97, 'P-384'],
  [133, 'P-521'],
]);

/**
 * Decodes and validates a realm claims payload, including the RAK.
 * @throws {@link TokenError} `TOKEN_CBOR_*`, `TOKEN_CLAIM_*`, `TOKEN_PROFILE_UNKNOWN` or `TOKEN_RAK_INVALID`.
 */
export function decodeRealmClaims(payload: Uint8Array, crypto: CryptoProvider): RealmClaims {
  return readRealmClaims(decodeCbor(payload, `${WHERE} payload`), crypto).claims;
}

/**
 * Validates a decoded realm claims map. Unknown claims are ignored, as the draft requires.
 * @throws {@link TokenError} as {@link decodeRealmClaims}.
 */
export function parseRealmClaims(map: unknown, crypto: CryptoProvider): RealmClaims {
  return readRealmClaims(map, crypto).claims;
}

/** Validates a realm claims map and returns the claims and the parsed RAK. */
export function readRealmClaims(
  map: unknown,
  crypto: CryptoProvider,
): { claims: RealmClaims; rak: EcPublicKey } {
  const r = new ClaimReader(map, WHERE);
  const profileText = r.optionalText(K.profile, 'profile');
  if (
    profileText !== undefined &&
    profileText !== RealmProfile.V1 &&
    profileText !== RealmProfile.V2
  ) {
    throw new TokenError('TOKEN_PROFILE_UNKNOWN', `unknown realm profile "${profileText}"`, {
      details: `expected no profile, "${RealmProfile.V1}" or "${RealmProfile.V2}"`,
    });
  }
  const profile = profileText as RealmProfile | undefined;
  const challengeRaw = r.required(K.challenge, 'challenge');
  if (Array.isArray(challengeRaw)) {
    throw r.typeError(K.challenge, 'challenge', 'a single byte string', challengeRaw);
  }
  const challenge = r.checkBytes(challengeRaw, K.challenge, 'challenge', [64]);
  const instanceId =
    profile === RealmProfile.V2
      ? r.bytes(K.instanceId, 'realm instance ID', [33])
      : r.optionalBytes(K.instanceId, 'realm instance ID', [33]);
  if (instanceId !== undefined && instanceId[0] !== 0x01) {
    throw r.valueError(K.instanceId, 'realm instance ID', 'the first byte must be 0x01 (RAND)');
  }
  const personalizationValue = r.bytes(K.personalizationValue, 'personalization value', [64]);
  const hashAlgorithm = r.text(K.hashAlgorithm, 'hash algorithm ID');
  if (!REALM_HASH_ALGORITHMS.includes(hashAlgorithm)) {
    throw r.valueError(
      K.hashAlgorithm,
      'hash algorithm ID',
      `expected "sha-256" or "sha-512", got "${hashAlgorithm}"`,
    );
  }
  const publicKey = r.bytes(K.publicKey, 'public key');
  const initialMeasurement = r.bytes(K.initialMeasurement, 'initial measurement', DIGEST_SIZES);
  const rems = r.array(K.extensibleMeasurements, 'extensible measurements');
  if (rems.length !== 4) {
    throw new TokenError(
      'TOKEN_CLAIM_SIZE',
      `wrong number of extensible measurements (${K.extensibleMeasurements}) in the ${WHERE}`,
      {
        details: `expected 4, got ${rems.length}`,
      },
    );
  }
  const extensibleMeasurements = rems.map((m) =>
    r.checkBytes(m, K.extensibleMeasurements, 'extensible measurement', DIGEST_SIZES),
  );
  const publicKeyHashAlgorithm = r.text(K.publicKeyHashAlgorithm, 'public key hash algorithm ID');
  if (publicKeyHashAlgorithm === '') {
    throw r.valueError(
      K.publicKeyHashAlgorithm,
      'public key hash algorithm ID',
      'must not be empty',
    );
  }
  const mecPolicy = readMecPolicy(r, profile);

  let rak: EcPublicKey;
  if (profile === undefined) {
    const curve = RAW_POINT_CURVES.get(publicKey.length);
    if (!curve) {
      throw new TokenError('TOKEN_RAK_INVALID', 'invalid realm attestation key', {
        details: `a realm token without a profile carries the RAK as a raw point of 65, 97 or 133 bytes, got ${publicKey.length}`,
      });
    }
    rak = decodeRawPoint(publicKey, curve, crypto);
  } else {
    rak = decodeCoseKey(publicKey, crypto);
  }

  const claims: RealmClaims = {
    ...(profile === undefined ? {} : { profile }),
    challenge,
    ...(instanceId === undefined ? {} : { instanceId }),
    personalizationValue,
    hashAlgorithm,
    publicKey,
    initialMeasurement,
    extensibleMeasurements,
    publicKeyHashAlgorithm,
    ...(mecPolicy === undefined ? {} : { mecPolicy }),
  };
  return { claims, rak };
}

function readMecPolicy(
  r: ClaimReader,
  profile: RealmProfile | undefined,
): string | number | undefined {
  const v = r.map.get(K.mecPolicy);
  if (v === undefined) return undefined;
  if (profile === RealmProfile.V2) {
    if (v !== 0 && v !== 1)
      throw r.valueError(
        K.mecPolicy,
        'MEC policy',
        'realm#2.0.0 requires the integer 0 (shared) or 1 (private)',
      );
    return v;
  }
  if (v === 'private' || v === 'shared' || v === 0 || v === 1) return v;
  throw r.valueError(K.mecPolicy, 'MEC policy', 'expected "private", "shared", 0 or 1');
}

/** The claims as a CBOR map in the order TF-RMM writes them. */
export function realmClaimsToMap(claims: RealmClaims): Map<number, unknown> {
  const m = new Map<number, unknown>();
  if (claims.profile !== undefined) m.set(K.profile, claims.profile);
  m.set(K.challenge, claims.challenge);
  if (claims.instanceId !== undefined) m.set(K.instanceId, claims.instanceId);
  m.set(K.personalizationValue, claims.personalizationValue);
  m.set(K.hashAlgorithm, claims.hashAlgorithm);
  m.set(K.publicKeyHashAlgorithm, claims.publicKeyHashAlgorithm);
  m.set(K.publicKey, claims.publicKey);
  m.set(K.initialMeasurement, claims.initialMeasurement);
  m.set(K.extensibleMeasurements, [...claims.extensibleMeasurements]);
  if (claims.mecPolicy !== undefined) m.set(K.mecPolicy, claims.mecPolicy);
  return m;
}

/**
 * Validates and encodes realm claims as the realm token payload.
 * @throws {@link TokenError} when the claims would not decode back (same checks as decoding).
 */
export function encodeRealmClaims(claims: RealmClaims, crypto: CryptoProvider): Bytes {
  const map = realmClaimsToMap(claims);
  readRealmClaims(map, crypto);
  return encodeCbor(map);
}
