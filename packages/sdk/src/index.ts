/**
 * @islet/sdk: what a confidential app does with its realm, as Islet's SDK offers it: attest
 * (a CCA token carrying user data), verify and parse tokens, seal and unseal data, through an
 * {@link RsiBackend}, on the host or inside a realm ({@link guestBackend}).
 * @module
 */
export { attest, challengeOf } from './attester.ts';
export { isSdkErrorCode, SdkError, type SdkErrorCode } from './errors.ts';
export { type GuestRsi, guestBackend } from './guest-backend.ts';
export {
  CLAIM_TITLES,
  type Claim,
  type ClaimLocation,
  type ClaimSet,
  type Claims,
  type ClaimTitle,
  type ClaimValue,
  claimsFromReport,
  type FormatClaimsOptions,
  formatClaims,
  type ParseClaimsOptions,
  parseClaims,
} from './parser.ts';
export { type RealmSdk, realmSdk } from './realm-sdk.ts';
export {
  assertChallenge,
  assertExtension,
  assertMeasurementIndex,
  assertU32,
  MEASUREMENT_EXTEND_MAX,
} from './rsi-arguments.ts';
export { CHALLENGE_SIZE, type RsiBackend } from './rsi-dispatcher.ts';
export {
  DEFAULT_SEALING_FLAGS,
  SEALED_HEADER_SIZE,
  SEALED_VERSION,
  Sealer,
  type SealerOptions,
} from './sealing.ts';
export {
  TSM_PROVIDER_ARM_CCA,
  TSM_REPORT_ROOT,
  type TsmBackendOptions,
  type TsmFs,
  tsmBackend,
} from './tsm-backend.ts';
export {
  parseReferenceValues,
  type ReferenceValues,
  type SwComponentReference,
  type VerifyOptions,
  verify,
} from './verifier.ts';
