/**
 * @islet/sdk: what a confidential app does with its realm, as Islet's SDK offers it: attest
 * (a CCA token carrying user data), verify and parse tokens, seal and unseal data, through an
 * {@link RsiBackend}.
 * @module
 */
export { attest, challengeOf } from './attester.ts';
export { SdkError, type SdkErrorCode } from './errors.ts';
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
