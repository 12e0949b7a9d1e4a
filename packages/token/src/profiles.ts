/**
 * The profile strings of the CCA token (claim 265) and the claim keys of both claim sets.
 * @see cca-token.md §1.2, §1.3, §1.7
 * @module
 */

/** Platform token profiles. */
export const PlatformProfile = {
  /** Legacy profile of RMM 1.0-eac/bet era tokens. */
  Legacy: 'http://arm.com/CCA-SSD/1.0.0',
  /** draft-ffm-rats-cca-token platform profile. */
  V1: 'tag:arm.com,2023:cca_platform#1.0.0',
} as const;

/** One of the {@link PlatformProfile} values. */
export type PlatformProfile = (typeof PlatformProfile)[keyof typeof PlatformProfile];

/** Realm token profiles; an absent profile means the legacy realm token. */
export const RealmProfile = {
  /** RMM 1.0-rel0 and 1.1: RAK as COSE_Key. */
  V1: 'tag:arm.com,2023:realm#1.0.0',
  /** RMM 2.0-bet2: adds the realm instance ID (256), MEC policy as an integer. */
  V2: 'tag:arm.com,2024:realm#2.0.0',
} as const;

/** One of the {@link RealmProfile} values. */
export type RealmProfile = (typeof RealmProfile)[keyof typeof RealmProfile];

/** CBOR tag of the RMM 1.0 CCA token collection: `#6.399({44234: bstr, 44241: bstr})`. */
export const CCA_TOKEN_TAG_LEGACY = 399;
/** CBOR tag of the RMM 1.1+ CMW collection: `#6.907({44234: [263, bstr], 44241: [263, bstr]})`. */
export const CCA_TOKEN_TAG = 907;
/** CoAP content format of `application/eat+cwt`, the CMW type of both entries in the 907 form. */
export const CMW_EAT_CWT = 263;
/** Collection key of the platform token (0xACCA). */
export const CCA_PLATFORM_TOKEN_KEY = 44234;
/** Collection key of the realm delegated token. */
export const CCA_REALM_DELEGATED_TOKEN_KEY = 44241;

/** Platform claim keys (265 profile, 10 challenge and 256 instance ID are the EAT claims both sets share). */
export const PlatformClaimKey = {
  profile: 265,
  challenge: 10,
  implementationId: 2396,
  instanceId: 256,
  config: 2401,
  lifecycle: 2395,
  swComponents: 2399,
  verificationServiceIndicator: 2400,
  hashAlgorithm: 2402,
} as const;

/** Software-component map keys (2399 entries). */
export const SwComponentKey = {
  type: 1,
  measurement: 2,
  version: 4,
  signerId: 5,
  hashAlgorithm: 6,
} as const;

/** Realm claim keys. */
export const RealmClaimKey = {
  profile: 265,
  challenge: 10,
  instanceId: 256,
  personalizationValue: 44235,
  hashAlgorithm: 44236,
  publicKey: 44237,
  initialMeasurement: 44238,
  extensibleMeasurements: 44239,
  publicKeyHashAlgorithm: 44240,
  mecPolicy: 44243,
} as const;
