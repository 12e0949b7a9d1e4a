/**
 * Veraison's JSON representation of the CCA claim sets (`evcli cca create --claims`, the Go
 * `ccatoken` `MarshalJSON`/`UnmarshalJSON`): field names from cca-token.md §1.2/§1.3, byte strings
 * as standard base64 with padding, the lifecycle as an integer.
 *
 * Decoding never validates on its own: it builds the same integer-keyed claims map the CBOR decoder
 * produces and hands it to {@link parsePlatformClaims} / {@link parseRealmClaims}, so JSON and CBOR
 * claims pass exactly the same checks and fail with the same {@link TokenError} codes. Only
 * problems that exist in JSON alone (not an object, invalid base64) are `TOKEN_JSON_INVALID`.
 *
 * **Extensions**: Veraison has no field for the realm instance ID (256) and the MEC policy (44243);
 * this module writes and reads them as `cca-realm-instance-id` and `cca-realm-mec-policy`.
 * Unknown fields are ignored, as the CBOR side ignores unknown claims.
 * @see cca-token.md §1.2, §1.3, §2.4
 * @module
 */
import { type Bytes, type CryptoProvider, fromBase64, toBase64 } from '@islet/arch';
import { TokenError } from './errors.ts';
import { type PlatformClaims, parsePlatformClaims, type SwComponent } from './platform-claims.ts';
import {
  PlatformClaimKey,
  type PlatformProfile,
  RealmClaimKey,
  type RealmProfile,
  SwComponentKey,
} from './profiles.ts';
import { parseRealmClaims, type RealmClaims } from './realm-claims.ts';

/** One software component in Veraison JSON (an entry of `cca-platform-sw-components`). */
export interface SwComponentJson {
  /** Component type (1). */
  readonly 'measurement-type'?: string;
  /** Measurement value (2), base64. */
  readonly 'measurement-value': string;
  /** Version (4). */
  readonly version?: string;
  /** Signer ID (5), base64. */
  readonly 'signer-id': string;
  /** Hash algorithm of the measurement (6); the psatoken name of {@link SwComponent.hashAlgorithm}. */
  readonly 'measurement-description'?: string;
}

/** The platform claims in Veraison JSON. */
export interface PlatformClaimsJson {
  /** Profile (265). */
  readonly 'cca-platform-profile': PlatformProfile;
  /** Challenge (10), base64. */
  readonly 'cca-platform-challenge': string;
  /** Implementation ID (2396), base64. */
  readonly 'cca-platform-implementation-id': string;
  /** Instance ID (256), base64. */
  readonly 'cca-platform-instance-id': string;
  /** Platform configuration (2401), base64. */
  readonly 'cca-platform-config': string;
  /** Security lifecycle (2395), an integer. */
  readonly 'cca-platform-lifecycle': number;
  /** Software components (2399). */
  readonly 'cca-platform-sw-components': readonly SwComponentJson[];
  /** Verification service indicator (2400). */
  readonly 'cca-platform-service-indicator'?: string;
  /** Hash algorithm of the platform measurements (2402). */
  readonly 'cca-platform-hash-algo-id': string;
}

/** The realm claims in Veraison JSON, plus this library's two extension fields. */
export interface RealmClaimsJson {
  /** Profile (265); absent for the legacy realm token. */
  readonly 'cca-realm-profile'?: RealmProfile;
  /** Realm challenge (10), base64. */
  readonly 'cca-realm-challenge': string;
  /** Realm instance ID (256), base64. Extension: Veraison has no such field. */
  readonly 'cca-realm-instance-id'?: string;
  /** Realm personalization value (44235), base64. */
  readonly 'cca-realm-personalization-value': string;
  /** Algorithm of the RIM and REMs (44236). */
  readonly 'cca-realm-hash-algo-id': string;
  /** The RAK (44237), base64 of the claim bytes (a COSE_Key, or a raw point without a profile). */
  readonly 'cca-realm-public-key': string;
  /** Realm initial measurement (44238), base64. */
  readonly 'cca-realm-initial-measurement': string;
  /** Realm extensible measurements (44239), base64 each. */
  readonly 'cca-realm-extensible-measurements': readonly string[];
  /** Algorithm that hashes the RAK into the platform challenge (44240). */
  readonly 'cca-realm-public-key-hash-algo-id': string;
  /** MEC policy (44243). Extension: Veraison has no such field. */
  readonly 'cca-realm-mec-policy'?: string | number;
}

/** Both claim sets of a CCA token in Veraison's combined JSON form. */
export interface CcaEvidenceJson {
  /** The platform claims. */
  readonly 'cca-platform-token': PlatformClaimsJson;
  /** The realm claims. */
  readonly 'cca-realm-delegated-token': RealmClaimsJson;
}

/** Both claim sets of a CCA token, as {@link evidenceToJson} takes and {@link evidenceFromJson} returns. */
export interface CcaEvidenceClaims {
  /** The platform claims. */
  readonly platform: PlatformClaims;
  /** The realm claims. */
  readonly realm: RealmClaims;
}

/** JSON field names of the platform claims, keyed like {@link PlatformClaimKey}. */
const P = {
  profile: 'cca-platform-profile',
  challenge: 'cca-platform-challenge',
  implementationId: 'cca-platform-implementation-id',
  instanceId: 'cca-platform-instance-id',
  config: 'cca-platform-config',
  lifecycle: 'cca-platform-lifecycle',
  swComponents: 'cca-platform-sw-components',
  verificationServiceIndicator: 'cca-platform-service-indicator',
  hashAlgorithm: 'cca-platform-hash-algo-id',
} as const satisfies { readonly [k in keyof typeof PlatformClaimKey]: keyof PlatformClaimsJson };

/** JSON field names of a software component, keyed like {@link SwComponentKey}. */
const S = {
  type: 'measurement-type',
  measurement: 'measurement-value',
  version: 'version',
  signerId: 'signer-id',
  hashAlgorithm: 'measurement-description',
} as const satisfies { readonly [k in keyof typeof SwComponentKey]: keyof SwComponentJson };

/** JSON field names of the realm claims, keyed like {@link RealmClaimKey}. */
const R = {
  profile: 'cca-realm-profile',
  challenge: 'cca-realm-challenge',
  instanceId: 'cca-realm-instance-id',
  personalizationValue: 'cca-realm-personalization-value',
  hashAlgorithm: 'cca-realm-hash-algo-id',
  publicKey: 'cca-realm-public-key',
  initialMeasurement: 'cca-realm-initial-measurement',
  extensibleMeasurements: 'cca-realm-extensible-measurements',
  publicKeyHashAlgorithm: 'cca-realm-public-key-hash-algo-id',
  mecPolicy: 'cca-realm-mec-policy',
} as const satisfies { readonly [k in keyof typeof RealmClaimKey]: keyof RealmClaimsJson };

/** Field names of the combined evidence form. */
const PLATFORM_TOKEN = 'cca-platform-token';
const REALM_TOKEN = 'cca-realm-delegated-token';

// ---------------------------------------------------------------------------------------------
// Claims → JSON

/**
 * Converts platform claims to Veraison JSON. Optional claims that are absent are omitted.
 *
 * @example
 * ```ts
 * const json = platformClaimsToJson(claims);
 * json['cca-platform-lifecycle']; // 12288
 * JSON.stringify(json); // ready for `evcli cca create --claims`
 * ```
 * @param claims - the platform claims.
 * @returns a fresh JSON-serializable object.
 * @since 0.1.0
 */
export function platformClaimsToJson(claims: PlatformClaims): PlatformClaimsJson {
  return {
    [P.profile]: claims.profile,
    [P.challenge]: toBase64(claims.challenge),
    [P.implementationId]: toBase64(claims.implementationId),
    [P.instanceId]: toBase64(claims.instanceId),
    [P.config]: toBase64(claims.config),
    [P.lifecycle]: claims.lifecycle,
    [P.swComponents]: claims.swComponents.map(swComponentToJson),
    ...(claims.verificationServiceIndicator === undefined
      ? {}
      : { [P.verificationServiceIndicator]: claims.verificationServiceIndicator }),
    [P.hashAlgorithm]: claims.hashAlgorithm,
  };
}

function swComponentToJson(c: SwComponent): SwComponentJson {
  return {
    ...(c.type === undefined ? {} : { [S.type]: c.type }),
    [S.measurement]: toBase64(c.measurement),
    ...(c.version === undefined ? {} : { [S.version]: c.version }),
    [S.signerId]: toBase64(c.signerId),
    ...(c.hashAlgorithm === undefined ? {} : { [S.hashAlgorithm]: c.hashAlgorithm }),
  };
}

/**
 * Converts realm claims to Veraison JSON. A legacy realm token (no profile) gets no
 * `cca-realm-profile`; the instance ID and MEC policy use the extension fields
 * `cca-realm-instance-id` and `cca-realm-mec-policy`.
 *
 * @example
 * ```ts
 * const json = realmClaimsToJson(claims);
 * json['cca-realm-extensible-measurements'].length; // 4
 * ```
 * @param claims - the realm claims.
 * @returns a fresh JSON-serializable object.
 * @since 0.1.0
 */
export function realmClaimsToJson(claims: RealmClaims): RealmClaimsJson {
  return {
    ...(claims.profile === undefined ? {} : { [R.profile]: claims.profile }),
    [R.challenge]: toBase64(claims.challenge),
    ...(claims.instanceId === undefined ? {} : { [R.instanceId]: toBase64(claims.instanceId) }),
    [R.personalizationValue]: toBase64(claims.personalizationValue),
    [R.hashAlgorithm]: claims.hashAlgorithm,
    [R.publicKey]: toBase64(claims.publicKey),
    [R.initialMeasurement]: toBase64(claims.initialMeasurement),
    [R.extensibleMeasurements]: claims.extensibleMeasurements.map((m) => toBase64(m)),
    [R.publicKeyHashAlgorithm]: claims.publicKeyHashAlgorithm,
    ...(claims.mecPolicy === undefined ? {} : { [R.mecPolicy]: claims.mecPolicy }),
  };
}

/**
 * Converts both claim sets to Veraison's combined form
 * `{"cca-platform-token": {…}, "cca-realm-delegated-token": {…}}`.
 *
 * @example
 * ```ts
 * const text = JSON.stringify(evidenceToJson({ platform, realm }), null, 2);
 * ```
 * @param evidence - the platform and realm claims.
 * @returns a fresh JSON-serializable object.
 * @since 0.1.0
 */
export function evidenceToJson(evidence: CcaEvidenceClaims): CcaEvidenceJson {
  return {
    [PLATFORM_TOKEN]: platformClaimsToJson(evidence.platform),
    [REALM_TOKEN]: realmClaimsToJson(evidence.realm),
  };
}

// ---------------------------------------------------------------------------------------------
// JSON → claims

/**
 * Reads platform claims from Veraison JSON (an already parsed value, e.g. from `JSON.parse`) and
 * validates them exactly as {@link parsePlatformClaims} validates decoded CBOR. A JSON `null`
 * counts as an absent field.
 *
 * **Base64**: byte strings must be standard base64 with padding, as Go's `encoding/json` requires;
 * base64url or unpadded text is refused.
 *
 * @example
 * ```ts
 * const claims = platformClaimsFromJson(JSON.parse(text));
 * claims.lifecycle; // 12288
 * ```
 * @param json - the parsed JSON value.
 * @returns the validated claims.
 * @throws {@link TokenError} `TOKEN_JSON_INVALID` when `json` is not an object or a byte string is
 * not valid base64; `TOKEN_CLAIM_TYPE` when a field has the wrong JSON type; otherwise the codes of
 * {@link parsePlatformClaims} (`TOKEN_CLAIM_MISSING`, `TOKEN_CLAIM_SIZE`, `TOKEN_CLAIM_VALUE`,
 * `TOKEN_PROFILE_UNKNOWN`).
 * @see cca-token.md §1.2, §2.4
 * @since 0.1.0
 */
export function platformClaimsFromJson(json: unknown): PlatformClaims {
  return parsePlatformClaims(platformJsonToMap(json));
}

/**
 * Reads realm claims from Veraison JSON and validates them exactly as {@link parseRealmClaims}
 * validates decoded CBOR, including the RAK.
 *
 * **Gotcha — absent profile**: a missing `cca-realm-profile` means the legacy realm token (no
 * claim 265), so `cca-realm-public-key` must be a raw SEC1 point, consistent with the CBOR side.
 * Veraison Go instead defaults the profile to `tag:arm.com,2023:realm#1.0.0` when decoding JSON and
 * then expects a COSE_Key; JSON written by Veraison always carries the profile, so both agree on it.
 *
 * @example
 * ```ts
 * const realm = realmClaimsFromJson(JSON.parse(text), defaultCrypto());
 * realm.profile; // 'tag:arm.com,2023:realm#1.0.0'
 * ```
 * @param json - the parsed JSON value.
 * @param crypto - checks that the RAK is a point on its curve.
 * @returns the validated claims.
 * @throws {@link TokenError} `TOKEN_JSON_INVALID` or `TOKEN_CLAIM_TYPE` as
 * {@link platformClaimsFromJson}; otherwise the codes of {@link parseRealmClaims}
 * (`TOKEN_CLAIM_*`, `TOKEN_PROFILE_UNKNOWN`, `TOKEN_RAK_INVALID`).
 * @see cca-token.md §1.3, §1.5, §2.4
 * @since 0.1.0
 */
export function realmClaimsFromJson(json: unknown, crypto: CryptoProvider): RealmClaims {
  return parseRealmClaims(realmJsonToMap(json), crypto);
}

/**
 * Reads both claim sets from Veraison's combined JSON form and validates each. Like Go's
 * `Evidence.Validate`, both parts are required. The binding of the platform challenge to the RAK
 * is **not** checked here: it is a verification step (see `verifyCcaToken` and `rakBinding`).
 *
 * @example
 * ```ts
 * const { platform, realm } = evidenceFromJson(JSON.parse(text), defaultCrypto());
 * ```
 * @param json - the parsed JSON value.
 * @param crypto - checks that the RAK is a point on its curve.
 * @returns the validated claims.
 * @throws {@link TokenError} `TOKEN_JSON_INVALID` when `json` is not an object or either part is
 * absent; otherwise as {@link platformClaimsFromJson} and {@link realmClaimsFromJson}.
 * @see cca-token.md §2.4
 * @since 0.1.0
 */
export function evidenceFromJson(json: unknown, crypto: CryptoProvider): CcaEvidenceClaims {
  const obj = asObject(json, 'CCA evidence');
  const platformJson = field(obj, PLATFORM_TOKEN);
  if (platformJson === undefined) {
    throw jsonInvalid(`missing "${PLATFORM_TOKEN}" in the CCA evidence JSON`);
  }
  const realmJson = field(obj, REALM_TOKEN);
  if (realmJson === undefined) {
    throw jsonInvalid(`missing "${REALM_TOKEN}" in the CCA evidence JSON`);
  }
  return {
    platform: platformClaimsFromJson(platformJson),
    realm: realmClaimsFromJson(realmJson, crypto),
  };
}

function platformJsonToMap(json: unknown): Map<number, unknown> {
  const obj = asObject(json, 'platform claims');
  const K = PlatformClaimKey;
  const m = new Map<number, unknown>();
  setText(m, K.profile, obj, P.profile);
  setBytes(m, K.challenge, obj, P.challenge);
  setBytes(m, K.implementationId, obj, P.implementationId);
  setBytes(m, K.instanceId, obj, P.instanceId);
  setBytes(m, K.config, obj, P.config);
  const lifecycle = field(obj, P.lifecycle);
  if (lifecycle !== undefined) {
    if (typeof lifecycle !== 'number') {
      throw typeError(P.lifecycle, K.lifecycle, 'an integer', lifecycle);
    }
    m.set(K.lifecycle, lifecycle);
  }
  const components = field(obj, P.swComponents);
  if (components !== undefined) {
    if (!Array.isArray(components)) {
      throw typeError(P.swComponents, K.swComponents, 'an array', components);
    }
    m.set(
      K.swComponents,
      components.map((c, i) => swComponentJsonToMap(c, i)),
    );
  }
  setText(m, K.verificationServiceIndicator, obj, P.verificationServiceIndicator);
  setText(m, K.hashAlgorithm, obj, P.hashAlgorithm);
  return m;
}

function swComponentJsonToMap(json: unknown, index: number): Map<number, unknown> {
  const where = `${P.swComponents}[${index}]`;
  if (!isObject(json)) {
    throw new TokenError('TOKEN_CLAIM_TYPE', `wrong JSON type of ${where}`, {
      details: `expected an object, got ${describeJson(json)}`,
    });
  }
  const m = new Map<number, unknown>();
  setText(m, SwComponentKey.type, json, S.type, where);
  setBytes(m, SwComponentKey.measurement, json, S.measurement, where);
  setText(m, SwComponentKey.version, json, S.version, where);
  setBytes(m, SwComponentKey.signerId, json, S.signerId, where);
  setText(m, SwComponentKey.hashAlgorithm, json, S.hashAlgorithm, where);
  return m;
}

function realmJsonToMap(json: unknown): Map<number, unknown> {
  const obj = asObject(json, 'realm claims');
  const K = RealmClaimKey;
  const m = new Map<number, unknown>();
  setText(m, K.profile, obj, R.profile);
  setBytes(m, K.challenge, obj, R.challenge);
  setBytes(m, K.instanceId, obj, R.instanceId);
  setBytes(m, K.personalizationValue, obj, R.personalizationValue);
  setText(m, K.hashAlgorithm, obj, R.hashAlgorithm);
  setBytes(m, K.publicKey, obj, R.publicKey);
  setBytes(m, K.initialMeasurement, obj, R.initialMeasurement);
  const rems = field(obj, R.extensibleMeasurements);
  if (rems !== undefined) {
    if (!Array.isArray(rems)) {
      throw typeError(R.extensibleMeasurements, K.extensibleMeasurements, 'an array', rems);
    }
    m.set(
      K.extensibleMeasurements,
      rems.map((v, i) =>
        decodeBytes(v, `${R.extensibleMeasurements}[${i}]`, K.extensibleMeasurements),
      ),
    );
  }
  setText(m, K.publicKeyHashAlgorithm, obj, R.publicKeyHashAlgorithm);
  const mec = field(obj, R.mecPolicy);
  if (mec !== undefined) {
    if (typeof mec !== 'string' && typeof mec !== 'number') {
      throw typeError(R.mecPolicy, K.mecPolicy, 'a string or an integer', mec);
    }
    m.set(K.mecPolicy, mec);
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Helpers

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObject(json: unknown, what: string): JsonObject {
  if (!isObject(json)) {
    throw jsonInvalid(`the ${what} JSON is not an object`, `got ${describeJson(json)}`);
  }
  return json;
}

/** An own field of `obj`; `null` counts as absent (Go decodes `null` as the zero value). */
function field(obj: JsonObject, name: string): unknown {
  if (!Object.hasOwn(obj, name)) return undefined;
  const v = obj[name];
  return v === null ? undefined : v;
}

function setText(
  m: Map<number, unknown>,
  key: number,
  obj: JsonObject,
  name: string,
  where?: string,
): void {
  const v = field(obj, name);
  if (v === undefined) return;
  const label = where === undefined ? name : `${where}.${name}`;
  if (typeof v !== 'string') throw typeError(label, key, 'a string', v);
  m.set(key, v);
}

function setBytes(
  m: Map<number, unknown>,
  key: number,
  obj: JsonObject,
  name: string,
  where?: string,
): void {
  const v = field(obj, name);
  if (v === undefined) return;
  m.set(key, decodeBytes(v, where === undefined ? name : `${where}.${name}`, key));
}

/** Standard base64 with padding, the only form Go's `encoding/json` reads into `[]byte`. */
const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBytes(v: unknown, label: string, key: number): Bytes {
  if (typeof v !== 'string') throw typeError(label, key, 'a base64 string', v);
  if (!STD_BASE64.test(v)) {
    throw jsonInvalid(
      `${label} is not valid base64`,
      'expected standard base64 (RFC 4648 §4) with padding',
    );
  }
  return fromBase64(v);
}

function typeError(label: string, key: number, expected: string, got: unknown): TokenError {
  return new TokenError('TOKEN_CLAIM_TYPE', `wrong JSON type of ${label} (claim ${key})`, {
    details: `expected ${expected}, got ${describeJson(got)}`,
  });
}

function jsonInvalid(shortMessage: string, details?: string): TokenError {
  return new TokenError(
    'TOKEN_JSON_INVALID',
    shortMessage,
    details === undefined ? undefined : { details },
  );
}

function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return `the number ${v}`;
  return typeof v;
}
