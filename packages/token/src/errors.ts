/**
 * The error codes of `@islet/token`. Every malformed, mis-signed or mis-bound token ends in one of
 * these, so callers and tests can match on the reason rather than on message text.
 * @module
 */
import { IsletError, type IsletErrorOptions } from '@islet/arch';

/** Stable codes, one per reason a token is refused. */
export const TokenErrorCode = {
  /** The CBOR is not well formed: truncated, reserved encodings, indefinite lengths, too deep. */
  CborMalformed: 'TOKEN_CBOR_MALFORMED',
  /** Bytes follow the top-level CBOR item. */
  CborTrailing: 'TOKEN_CBOR_TRAILING',
  /** A map holds the same key twice. */
  CborDuplicateKey: 'TOKEN_CBOR_DUPLICATE_KEY',
  /** A CBOR tag is missing or is not the one this position requires. */
  TagInvalid: 'TOKEN_TAG_INVALID',
  /** The top-level collection is not the shape of a 399 or 907 CCA token. */
  CollectionInvalid: 'TOKEN_COLLECTION_INVALID',
  /** A COSE_Sign1 structure is malformed. */
  CoseInvalid: 'TOKEN_COSE_INVALID',
  /** The COSE algorithm is not ES256, ES384 or ES512, or does not fit the key. */
  CoseAlgorithmUnsupported: 'TOKEN_COSE_ALG_UNSUPPORTED',
  /** A mandatory claim is absent. */
  ClaimMissing: 'TOKEN_CLAIM_MISSING',
  /** A claim has the wrong CBOR type. */
  ClaimType: 'TOKEN_CLAIM_TYPE',
  /** A claim has the wrong size. */
  ClaimSize: 'TOKEN_CLAIM_SIZE',
  /** A claim has a value outside what the profile allows. */
  ClaimValue: 'TOKEN_CLAIM_VALUE',
  /** The profile claim names a profile this library does not know. */
  ProfileUnknown: 'TOKEN_PROFILE_UNKNOWN',
  /** The realm attestation key claim is not a valid key in the encoding its profile requires. */
  RakInvalid: 'TOKEN_RAK_INVALID',
  /** The platform COSE_Sign1 signature does not verify with the supplied CPAK. */
  PlatformSignatureInvalid: 'TOKEN_PLATFORM_SIGNATURE_INVALID',
  /** The realm COSE_Sign1 signature does not verify with the RAK the token carries. */
  RealmSignatureInvalid: 'TOKEN_REALM_SIGNATURE_INVALID',
  /** The platform challenge is not the hash of the RAK bytes. */
  BindingMismatch: 'TOKEN_BINDING_MISMATCH',
  /** The RAK hash algorithm is not one the binding check supports. */
  BindingAlgorithmUnsupported: 'TOKEN_BINDING_ALG_UNSUPPORTED',
  /** The realm challenge is not the expected nonce. */
  ChallengeMismatch: 'TOKEN_CHALLENGE_MISMATCH',
  /** Veraison JSON claims are malformed. */
  JsonInvalid: 'TOKEN_JSON_INVALID',
} as const;

/** One of the {@link TokenErrorCode} values. */
export type TokenErrorCode = (typeof TokenErrorCode)[keyof typeof TokenErrorCode];

/**
 * The error thrown for a token that is refused.
 *
 * @example
 * ```ts
 * try { decodeCcaToken(bytes); } catch (e) {
 *   if (e instanceof TokenError && e.code === 'TOKEN_BINDING_MISMATCH') { ... }
 * }
 * ```
 */
export class TokenError extends IsletError<TokenErrorCode> {
  override name = 'Token.TokenError';
  constructor(code: TokenErrorCode, shortMessage: string, options?: IsletErrorOptions) {
    super(code, shortMessage, options);
  }
}
