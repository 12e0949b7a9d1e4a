/**
 * `@islet/token`: CBOR, COSE_Sign1 and the Arm CCA attestation token. Decode and verify tokens in
 * both wire forms (399 and 907) and all three realm profiles; build and sign tokens in the RMM 1.0
 * form; convert claims to and from Veraison's JSON.
 * @module
 */
export {
  type BuildCcaTokenOptions,
  buildCcaToken,
  type RealmTokenInput,
  rakBinding,
  signPlatformToken,
  signRealmToken,
} from './build.ts';
export {
  type CcaTokenForm,
  type CcaTokenParts,
  decodeCcaTokenParts,
  encodeCcaToken,
} from './cca-token.ts';
export { decodeCoseKey, decodeRawPoint, encodeCoseKey } from './cose-key.ts';
export {
  COSE_SIGN1_TAG,
  CoseAlgorithm,
  type CoseSign1,
  coseAlgorithmForCurve,
  coseAlgorithmName,
  decodeCoseSign1,
  signCoseSign1,
  sigStructure,
  verifyCoseSign1,
} from './cose-sign1.ts';
export { TokenError, TokenErrorCode } from './errors.ts';
export { CborTag, decodeCbor, encodeCbor } from './internal/cbor.ts';
export {
  type CcaEvidenceClaims,
  type CcaEvidenceJson,
  evidenceFromJson,
  evidenceToJson,
  type PlatformClaimsJson,
  platformClaimsFromJson,
  platformClaimsToJson,
  type RealmClaimsJson,
  realmClaimsFromJson,
  realmClaimsToJson,
  type SwComponentJson,
} from './json.ts';
export { isTrustworthyLifecycle, LIFECYCLE_STATES, lifecycleState } from './lifecycle.ts';
export {
  DIGEST_SIZES,
  decodePlatformClaims,
  encodePlatformClaims,
  HASH_ALGORITHM_NAMES,
  type PlatformClaims,
  parsePlatformClaims,
  platformClaimsToMap,
  type SwComponent,
} from './platform-claims.ts';
export {
  CCA_PLATFORM_TOKEN_KEY,
  CCA_REALM_DELEGATED_TOKEN_KEY,
  CCA_TOKEN_TAG,
  CCA_TOKEN_TAG_LEGACY,
  CMW_EAT_CWT,
  PlatformClaimKey,
  PlatformProfile,
  RealmClaimKey,
  RealmProfile,
  SwComponentKey,
} from './profiles.ts';
export {
  decodeRealmClaims,
  encodeRealmClaims,
  parseRealmClaims,
  REALM_HASH_ALGORITHMS,
  type RealmClaims,
  readRealmClaims,
  realmClaimsToMap,
} from './realm-claims.ts';
export {
  type CcaTokenReport,
  type CheckStatus,
  hashAlgorithmFromName,
  inspectCcaToken,
  inspectPlatformToken,
  type PlatformTokenReport,
  type VerifyCcaTokenOptions,
  type VerifyOptions,
  verifyCcaToken,
  verifyPlatformToken,
} from './verify.ts';
