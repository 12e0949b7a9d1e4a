/**
 * The realm token and the CCA token RSI_ATTESTATION_TOKEN_CONTINUE hands out (TF-RMM
 * `lib/attestation/src/attestation_token.c`, `attest_cca_token_create`), built with
 * `@islet/token` and signed with the RAK fetched at cold boot.
 *
 * ```text
 * COSE_Sign1, tagged: tag(18)[ bstr(protected), unprotected, bstr(payload), bstr(signature) ]
 * - protected = {1: -35} → bytes A1 01 38 22 (ES384); unprotected = {} (A0) — no kid.
 * - payload = bstr-wrapped CBOR map with 8 entries (A8), in this exact insertion order
 *   (QCBOR does not sort):
 *   10 challenge bstr(64) | 44235 RPV bstr(64) | 44237 RAK COSE_Key bstr(107) |
 *   44236 measurement hash algo tstr | 44240 RAK hash algo tstr "sha-256" |
 *   265 profile "tag:arm.com,2023:realm#1.0.0" | 44238 RIM bstr(32/64) | 44239 REMs array(4)
 * - signature = ECDSA-P384/SHA-384 over Sig_structure, raw r||s.
 * CCA token: tag(399) { 44234: bstr(platform_token), 44241: bstr(realm_token) }.
 * ```
 *
 * **Why not `buildCcaToken`**: its claim map puts the profile first and the RAK hash algorithm
 * before the RAK, an order TF-RMM does not write. The claims here are a `Map` in TF-RMM's order,
 * encoded with `encodeCbor`, signed with `signCoseSign1` and wrapped with `encodeCcaToken`: the
 * bytes equal TF-RMM's up to the (randomized) signature. They are not parsed back before
 * signing: every field has its size by construction (a 64-byte challenge from X1..X8, the RPV
 * checked at REALM_CREATE, 32/64-byte measurements, the COSE_Key of the RAK the RMM derived at
 * boot), and checking that per token cost 3 % of a token (tests parse what this builds).
 * @module
 */
import { hashDigestLength, RmiHashAlgorithm } from '@islet/abi';
import type { Bytes, CryptoProvider } from '@islet/arch';
import {
  encodeCbor,
  encodeCcaToken,
  RealmClaimKey,
  RealmProfile,
  signCoseSign1,
} from '@islet/token';
import { MEASUREMENT_SLOT_SIZE } from '../measurement/measurement.ts';
import type { BootAttestation } from './boot.ts';

/**
 * The RAK hash algorithm of the token (claim 44240): TF-RMM always uses SHA-256.
 * @see rmm-abi.md §7.1
 * @since 0.5.0
 */
export const RAK_HASH_ALGORITHM = 'sha-256';

/**
 * The size of a REC's CCA token buffer (`REC_ATTEST_TOKEN_BUF_SIZE` = RMM_CCA_TOKEN_BUFFER × 4K):
 * X1 of RSI_ATTESTATION_TOKEN_INIT, and the largest token RSI_ATTESTATION_TOKEN_CONTINUE returns.
 * @see rmm-abi.md §5.5, §7.3
 * @since 0.5.0
 */
export const REC_ATTEST_TOKEN_BUF_SIZE = 4096;

/**
 * What the realm token states about a realm at RSI_ATTESTATION_TOKEN_INIT.
 * @since 0.5.0
 */
export interface RealmTokenClaims {
  /** The 64-byte challenge. */
  readonly challenge: Uint8Array;
  /** The realm's RPV (64 bytes). */
  readonly rpv: Uint8Array;
  /** The realm's measurement algorithm. */
  readonly hashAlgo: RmiHashAlgorithm;
  /** The five 64-byte measurement slots: RIM, REM0..3. */
  readonly measurements: Uint8Array;
}

/**
 * The realm claims as a CBOR map in TF-RMM's insertion order (rmm-abi.md §7.2).
 * @since 0.5.0
 */
export function realmClaimsMap(
  claims: RealmTokenClaims,
  rakCoseKey: Uint8Array,
): Map<number, unknown> {
  const len = hashDigestLength(claims.hashAlgo);
  const slot = (i: number) =>
    claims.measurements.slice(i * MEASUREMENT_SLOT_SIZE, i * MEASUREMENT_SLOT_SIZE + len);
  return new Map<number, unknown>([
    [RealmClaimKey.challenge, claims.challenge],
    [RealmClaimKey.personalizationValue, claims.rpv],
    [RealmClaimKey.publicKey, rakCoseKey],
    [
      RealmClaimKey.hashAlgorithm,
      claims.hashAlgo === RmiHashAlgorithm.Sha256 ? 'sha-256' : 'sha-512',
    ],
    [RealmClaimKey.publicKeyHashAlgorithm, RAK_HASH_ALGORITHM],
    [RealmClaimKey.profile, RealmProfile.V1],
    [RealmClaimKey.initialMeasurement, slot(0)],
    [RealmClaimKey.extensibleMeasurements, [slot(1), slot(2), slot(3), slot(4)]],
  ]);
}

/**
 * Builds and signs the realm token and wraps it with the platform token as the CCA token (tag
 * 399, platform entry first).
 * @param attestation - the RAK and the platform token from cold boot.
 * @returns the CCA token bytes.
 * @see rmm-abi.md §7.2, §7.3
 * @since 0.5.0
 */
export function buildRealmCcaToken(
  attestation: BootAttestation,
  claims: RealmTokenClaims,
  crypto: CryptoProvider,
): Bytes {
  const payload = encodeCbor(realmClaimsMap(claims, attestation.rakCoseKey));
  const realmToken = signCoseSign1(payload, attestation.rak, crypto);
  return encodeCcaToken({ platformToken: attestation.platformToken, realmToken });
}
