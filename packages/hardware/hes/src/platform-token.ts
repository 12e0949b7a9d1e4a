/**
 * The CCA platform token as HES makes it: the platform claims in Islet's order, signed ES384 with
 * the CPAK as a tagged COSE_Sign1 with protected header `{1: -35}` and an empty unprotected header.
 *
 * Claim order (Islet `encode_claims`): `10` challenge, `256` instance ID, `265` profile, `2395`
 * lifecycle, `2396` implementation ID, `2399` software components (keys `1, 6, 2, 4, 5`), `2400`
 * verification service, `2401` config, `2402` hash algorithm (the DAK's hash). `@islet/token`
 * validates the claims (the same checks its decoder runs) and signs the COSE_Sign1; the claims map is
 * encoded here because `@islet/token` writes TF-M's order.
 * @see islet-reference.md §3 (Platform token); cca-token.md §1.2
 * @module
 */
import type { Bytes, CryptoProvider, EcPrivateKey } from '@islet/arch';
import {
  encodeCbor,
  PlatformClaimKey as K,
  type PlatformClaims,
  parsePlatformClaims,
  platformClaimsToMap,
  signCoseSign1,
} from '@islet/token';

import { swComponentToIsletMap } from './sw-components.ts';

/** The platform claim keys in the order Islet HES writes them. */
export const HES_PLATFORM_CLAIM_ORDER: readonly number[] = [
  K.challenge,
  K.instanceId,
  K.profile,
  K.lifecycle,
  K.implementationId,
  K.swComponents,
  K.verificationServiceIndicator,
  K.config,
  K.hashAlgorithm,
];

/**
 * Validates `claims` with `@islet/token` and encodes them in Islet's order: the platform token
 * payload.
 * @returns the CBOR map bytes.
 * @throws `TokenError` (`@islet/token`) `TOKEN_CLAIM_*` or `TOKEN_PROFILE_UNKNOWN` for an invalid claim.
 * @since 0.1.0
 */
export function encodeHesPlatformClaims(claims: PlatformClaims): Bytes {
  parsePlatformClaims(platformClaimsToMap(claims));
  const values: ReadonlyMap<number, unknown | undefined> = new Map<number, unknown | undefined>([
    [K.challenge, claims.challenge],
    [K.instanceId, claims.instanceId],
    [K.profile, claims.profile],
    [K.lifecycle, claims.lifecycle],
    [K.implementationId, claims.implementationId],
    [K.swComponents, claims.swComponents.map(swComponentToIsletMap)],
    [K.verificationServiceIndicator, claims.verificationServiceIndicator],
    [K.config, claims.config],
    [K.hashAlgorithm, claims.hashAlgorithm],
  ]);
  const map = new Map<number, unknown>();
  for (const key of HES_PLATFORM_CLAIM_ORDER) {
    const v = values.get(key);
    if (v !== undefined) map.set(key, v);
  }
  return encodeCbor(map);
}

/**
 * Signs platform claims with the CPAK as HES does.
 * @returns the tagged COSE_Sign1 (`#6.18`), verifiable with `verifyPlatformToken` and the CPAK.
 * @throws `TokenError` (`@islet/token`) for an invalid claim.
 * @example
 * ```ts
 * const token = signHesPlatformToken(claims, cpak, crypto);
 * verifyPlatformToken(token, { cpak: cpak.publicKey, crypto });
 * ```
 * @since 0.1.0
 */
export function signHesPlatformToken(
  claims: PlatformClaims,
  cpak: EcPrivateKey,
  crypto: CryptoProvider,
): Bytes {
  return signCoseSign1(encodeHesPlatformClaims(claims), cpak, crypto);
}
