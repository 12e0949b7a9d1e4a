/**
 * Building and signing CCA tokens the way TF-RMM and Islet do in RMM 1.0: the realm token signed
 * ES384 (or the RAK's curve) with profile `tag:arm.com,2023:realm#1.0.0` and the RAK as a COSE_Key,
 * bound to a platform token whose challenge is the hash of that COSE_Key, in a 399 collection.
 * @see cca-token.md §1.6, rmm-abi.md §7
 * @module
 */
import type { Bytes, CryptoProvider, EcPrivateKey, EcPublicKey } from '@islet/arch';
import { type CcaTokenForm, encodeCcaToken } from './cca-token.ts';
import { encodeCoseKey } from './cose-key.ts';
import { signCoseSign1 } from './cose-sign1.ts';
import { TokenError } from './errors.ts';
import { encodePlatformClaims, type PlatformClaims } from './platform-claims.ts';
import { RealmProfile } from './profiles.ts';
import { encodeRealmClaims, type RealmClaims } from './realm-claims.ts';
import { hashAlgorithmFromName } from './verify.ts';

/**
 * Signs platform claims with the CPAK as a platform token (what HES returns to the RMM).
 * @throws {@link TokenError} when the claims are invalid.
 */
export function signPlatformToken(
  claims: PlatformClaims,
  cpak: EcPrivateKey,
  crypto: CryptoProvider,
): Bytes {
  return signCoseSign1(encodePlatformClaims(claims), cpak, crypto);
}

/**
 * Signs realm claims with the RAK as a realm token.
 * @throws {@link TokenError} when the claims are invalid.
 */
export function signRealmToken(
  claims: RealmClaims,
  rak: EcPrivateKey,
  crypto: CryptoProvider,
): Bytes {
  return signCoseSign1(encodeRealmClaims(claims, crypto), rak, crypto);
}

/**
 * The platform challenge that binds a platform token to `rak`: the hash of its COSE_Key encoding.
 * @param hashAlgorithm - the RAK hash algorithm name (`"sha-256"`, TF-RMM's choice).
 * @throws {@link TokenError} `TOKEN_BINDING_ALG_UNSUPPORTED` for another name.
 */
export function rakBinding(
  rak: EcPublicKey,
  hashAlgorithm: string,
  crypto: CryptoProvider,
): { publicKey: Bytes; challenge: Bytes } {
  const hash = hashAlgorithmFromName(hashAlgorithm);
  if (!hash) {
    throw new TokenError(
      'TOKEN_BINDING_ALG_UNSUPPORTED',
      `unsupported RAK hash algorithm "${hashAlgorithm}"`,
    );
  }
  const publicKey = encodeCoseKey(rak);
  return { publicKey, challenge: crypto.hash(hash, publicKey) };
}

/** The realm claims a caller supplies; the profile and the RAK are filled in. */
export type RealmTokenInput = Omit<RealmClaims, 'publicKey' | 'profile'> & {
  readonly profile?: RealmProfile;
};

/** Options of {@link buildCcaToken}. */
export interface BuildCcaTokenOptions {
  /**
   * The platform token: already signed (as HES hands it to the RMM at boot), or claims and the
   * CPAK to sign them with, the challenge replaced by the RAK binding.
   */
  readonly platform:
    | { readonly token: Uint8Array }
    | { readonly claims: Omit<PlatformClaims, 'challenge'>; readonly cpak: EcPrivateKey };
  /** The realm claims. */
  readonly realm: RealmTokenInput;
  /** The realm attestation key. */
  readonly rak: EcPrivateKey;
  readonly crypto: CryptoProvider;
  /** The wire form; 399, the RMM 1.0 form, by default. */
  readonly form?: CcaTokenForm;
}

/**
 * Builds and signs a CCA token.
 * @returns the encoded token.
 * @throws {@link TokenError} when any claim is invalid.
 * @example
 * ```ts
 * const token = buildCcaToken({ platform: { token: platformToken }, realm, rak, crypto });
 * ```
 */
export function buildCcaToken(options: BuildCcaTokenOptions): Bytes {
  const { crypto, rak, realm } = options;
  const binding = rakBinding(rak.publicKey, realm.publicKeyHashAlgorithm, crypto);
  const realmToken = signRealmToken(
    { ...realm, profile: realm.profile ?? RealmProfile.V1, publicKey: binding.publicKey },
    rak,
    crypto,
  );
  const platformToken =
    'token' in options.platform
      ? options.platform.token
      : signPlatformToken(
          { ...options.platform.claims, challenge: binding.challenge },
          options.platform.cpak,
          crypto,
        );
  return encodeCcaToken({
    platformToken,
    realmToken,
    ...(options.form ? { form: options.form } : {}),
  });
}
