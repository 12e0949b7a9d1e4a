/**
 * Verifying CCA tokens: the platform signature with a supplied CPAK, the realm signature with the
 * RAK the token carries, and the binding `platform.challenge == H_{44240}(bytes of 44237)`.
 * {@link inspectCcaToken} reports each check; {@link verifyCcaToken} throws on the first failure.
 * @see cca-token.md §1.6, §2.5
 * @module
 */
import {
  type Bytes,
  type CryptoProvider,
  type EcPublicKey,
  equalBytes,
  type HashAlgorithm,
} from '@islet/arch';
import { type CcaTokenForm, decodeCcaTokenParts } from './cca-token.ts';
import { type CoseAlgorithm, decodeCoseSign1, verifyCoseSign1 } from './cose-sign1.ts';
import { TokenError } from './errors.ts';
import { decodeCbor } from './internal/cbor.ts';
import { type PlatformClaims, parsePlatformClaims } from './platform-claims.ts';
import { type RealmClaims, readRealmClaims } from './realm-claims.ts';

/** The outcome of one check. `unchecked` means no key was supplied to check it with. */
export type CheckStatus = 'valid' | 'invalid' | 'unchecked';

/** Every decoded part of a CCA token and the outcome of each check. */
export interface CcaTokenReport {
  readonly form: CcaTokenForm;
  readonly platform: PlatformClaims;
  readonly realm: RealmClaims;
  /** Algorithm of the platform signature. */
  readonly platformAlg: CoseAlgorithm;
  /** Algorithm of the realm signature. */
  readonly realmAlg: CoseAlgorithm;
  /** The RAK, parsed from the realm claims. */
  readonly rak: EcPublicKey;
  readonly platformSignature: CheckStatus;
  readonly realmSignature: Exclude<CheckStatus, 'unchecked'>;
  /** `unchecked` when the RAK hash algorithm is not one this library computes. */
  readonly binding: CheckStatus;
  /** The platform COSE_Sign1, exactly as carried. */
  readonly platformToken: Bytes;
  /** The realm COSE_Sign1, exactly as carried. */
  readonly realmToken: Bytes;
}

/** Options of {@link inspectCcaToken} and {@link verifyCcaToken}. */
export interface VerifyOptions {
  /** The crypto implementation. */
  readonly crypto: CryptoProvider;
  /** The platform attestation key (CPAK) that should have signed the platform token. */
  readonly cpak?: EcPublicKey;
}

const BINDING_HASHES: ReadonlyMap<string, HashAlgorithm> = new Map([
  ['sha-256', 'sha256'],
  ['sha-384', 'sha384'],
  ['sha-512', 'sha512'],
]);

/** The hash function named by a COSE/IANA hash name (`"sha-256"`), if the provider has it. */
export function hashAlgorithmFromName(name: string): HashAlgorithm | undefined {
  return BINDING_HASHES.get(name);
}

/**
 * Decodes a CCA token, validates both claim sets and runs every check it can, without throwing
 * for a failed check.
 * @throws {@link TokenError} when the token cannot be decoded or a claim is malformed.
 */
export function inspectCcaToken(token: Uint8Array, options: VerifyOptions): CcaTokenReport {
  const { crypto, cpak } = options;
  const parts = decodeCcaTokenParts(token);
  const platformSign1 = decodeCoseSign1(parts.platformToken, 'platform token');
  const platform = parsePlatformClaims(decodeCbor(platformSign1.payload, 'platform token payload'));
  const realmSign1 = decodeCoseSign1(parts.realmToken, 'realm token');
  const { claims: realm, rak } = readRealmClaims(
    decodeCbor(realmSign1.payload, 'realm token payload'),
    crypto,
  );
  const platformSignature: CheckStatus = cpak
    ? verifyCoseSign1(platformSign1, cpak, crypto)
      ? 'valid'
      : 'invalid'
    : 'unchecked';
  const realmSignature = verifyCoseSign1(realmSign1, rak, crypto) ? 'valid' : 'invalid';
  const hash = hashAlgorithmFromName(realm.publicKeyHashAlgorithm);
  const binding: CheckStatus = hash
    ? equalBytes(crypto.hash(hash, realm.publicKey), platform.challenge)
      ? 'valid'
      : 'invalid'
    : 'unchecked';
  return {
    form: parts.form,
    platform,
    realm,
    platformAlg: platformSign1.alg,
    realmAlg: realmSign1.alg,
    rak,
    platformSignature,
    realmSignature,
    binding,
    platformToken: parts.platformToken,
    realmToken: parts.realmToken,
  };
}

/** Options of {@link verifyCcaToken}: the CPAK is required. */
export interface VerifyCcaTokenOptions extends VerifyOptions {
  readonly cpak: EcPublicKey;
  /** If given, the realm challenge must equal it, zero-padded to 64 bytes (Veraison's freshness check). */
  readonly expectedChallenge?: Uint8Array;
}

/**
 * Verifies a CCA token: decoding, both claim sets, the platform signature with `cpak`, the realm
 * signature with the carried RAK, the binding, and optionally the realm challenge.
 * @returns the report, every check `valid`.
 * @throws {@link TokenError} with the code of the first failure.
 * @example
 * ```ts
 * const report = verifyCcaToken(bytes, { cpak, crypto: defaultCrypto() });
 * report.realm.initialMeasurement; // the RIM
 * ```
 */
export function verifyCcaToken(token: Uint8Array, options: VerifyCcaTokenOptions): CcaTokenReport {
  const report = inspectCcaToken(token, options);
  if (report.platformSignature !== 'valid') {
    throw new TokenError(
      'TOKEN_PLATFORM_SIGNATURE_INVALID',
      'the platform token signature does not verify',
      {
        details: `with the supplied ${options.cpak.curve} CPAK`,
      },
    );
  }
  if (report.realmSignature !== 'valid') {
    throw new TokenError(
      'TOKEN_REALM_SIGNATURE_INVALID',
      'the realm token signature does not verify',
      {
        details: `with the RAK carried in claim 44237 (${report.rak.curve})`,
      },
    );
  }
  if (report.binding === 'unchecked') {
    throw new TokenError('TOKEN_BINDING_ALG_UNSUPPORTED', 'cannot check the binding', {
      details: `unsupported RAK hash algorithm "${report.realm.publicKeyHashAlgorithm}"`,
    });
  }
  if (report.binding !== 'valid') {
    throw new TokenError(
      'TOKEN_BINDING_MISMATCH',
      'the platform challenge is not the hash of the RAK',
      {
        details: `platform challenge differs from ${report.realm.publicKeyHashAlgorithm}(RAK claim 44237)`,
      },
    );
  }
  if (options.expectedChallenge) checkChallenge(report.realm.challenge, options.expectedChallenge);
  return report;
}

function checkChallenge(actual: Uint8Array, expected: Uint8Array): void {
  if (expected.length > 64) {
    throw new TokenError(
      'TOKEN_CHALLENGE_MISMATCH',
      'the expected challenge is longer than 64 bytes',
    );
  }
  const padded = new Uint8Array(64);
  padded.set(expected);
  if (!equalBytes(actual, padded)) {
    throw new TokenError(
      'TOKEN_CHALLENGE_MISMATCH',
      'the realm challenge is not the expected nonce',
    );
  }
}

/** A decoded platform token (tag 18 alone, as `rsictl` and HES emit it) and its signature check. */
export interface PlatformTokenReport {
  readonly platform: PlatformClaims;
  readonly platformAlg: CoseAlgorithm;
  readonly platformSignature: CheckStatus;
}

/**
 * Decodes a stand-alone platform token and checks its signature if a CPAK is given.
 * @throws {@link TokenError} when it cannot be decoded or a claim is malformed.
 */
export function inspectPlatformToken(
  token: Uint8Array,
  options: VerifyOptions,
): PlatformTokenReport {
  const sign1 = decodeCoseSign1(token, 'platform token');
  const platform = parsePlatformClaims(decodeCbor(sign1.payload, 'platform token payload'));
  const platformSignature: CheckStatus = options.cpak
    ? verifyCoseSign1(sign1, options.cpak, options.crypto)
      ? 'valid'
      : 'invalid'
    : 'unchecked';
  return { platform, platformAlg: sign1.alg, platformSignature };
}

/**
 * Verifies a stand-alone platform token with `cpak`.
 * @throws {@link TokenError} `TOKEN_PLATFORM_SIGNATURE_INVALID` or a decoding code.
 */
export function verifyPlatformToken(
  token: Uint8Array,
  options: VerifyOptions & { readonly cpak: EcPublicKey },
): PlatformTokenReport {
  const report = inspectPlatformToken(token, options);
  if (report.platformSignature !== 'valid') {
    throw new TokenError(
      'TOKEN_PLATFORM_SIGNATURE_INVALID',
      'the platform token signature does not verify',
    );
  }
  return report;
}
