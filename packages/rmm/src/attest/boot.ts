/**
 * The attestation material the RMM fetches from EL3 at cold boot (TF-RMM `attestation_init`,
 * `attest_init_realm_attestation_key`, `attest_setup_platform_token`):
 *
 * ```text
 * 1. RMM_ATTEST_GET_REALM_KEY(x1 = shared buffer PA, x2 = 4096, x3 = 0 (ECC SECP384R1)) → x0
 *    status, x1 key size. The buffer receives the raw 48-byte big-endian P-384 private scalar;
 *    the RMM imports it, then zeroes the buffer.
 * 2. The RAK public key is encoded once as a COSE_Key (107 bytes).
 * 3. RAK hash = SHA-256(COSE_Key bytes).
 * 4. RMM_ATTEST_GET_PLAT_TOKEN: the RMM copies the 32-byte RAK hash to the start of the shared
 *    buffer and calls with x1 = buffer PA, x2 = 4096, x3 = 32 on the first call and 0 on
 *    follow-ups; x0 status (E_RMM_AGAIN → retry), x1 = hunk length copied into the buffer,
 *    x2 = remaining. Loop until remaining == 0; concatenate the hunks (at most
 *    ATTEST_PLAT_TOKEN_SIZE = 0x1000 bytes).
 * Failure only WARNs (boot goes on); later token requests fail with RSI_ERROR_UNKNOWN.
 * ```
 *
 * The shared buffer is Realm memory: the RMM reads and writes it through `PhysMemory` as the
 * Realm world. Nothing here throws on what EL3 returns: any failure gives `undefined`.
 * @module
 */
import {
  ATTEST_PLAT_TOKEN_SIZE,
  type El3Services,
  MemoryAccess,
  type PhysMemory,
  RMM_EL3_SHARED_BUFFER_SIZE,
  RmmAttestKeyCurve,
  RmmEl3Status,
  World,
} from '@islet/abi';
import type { CryptoProvider, EcPrivateKey, PhysAddr } from '@islet/arch';
import { rakBinding } from '@islet/token';

/**
 * What cold boot keeps for realm attestation.
 * @since 0.4.0
 */
export interface BootAttestation {
  /** The RAK (P-384), imported from the scalar EL3 handed over. */
  readonly rak: EcPrivateKey;
  /** The RAK public key as a COSE_Key (the realm token's claim 44237). */
  readonly rakCoseKey: Uint8Array;
  /** SHA-256 of {@link rakCoseKey}: the challenge sent with the platform token request. */
  readonly rakHash: Uint8Array;
  /** The platform token, all hunks concatenated. */
  readonly platformToken: Uint8Array;
}

/** Bytes of the P-384 private scalar (`ATTEST_KEY_CURVE_ECC_SECP384R1`). */
const P384_SCALAR_SIZE = 48;

/**
 * The most RMM_ATTEST_GET_PLAT_TOKEN calls cold boot makes before giving up (a model safeguard:
 * TF-RMM loops as long as EL3 says Again; a platform that never finishes would hang it).
 * @since 0.4.0
 */
export const MAX_PLAT_TOKEN_CALLS = 1024;

/**
 * Fetches the RAK and the platform token through the shared buffer at `buffer`.
 * @returns the material, or `undefined` when any step fails (TF-RMM only warns).
 * @see rmm-abi.md §7.1, §7.4
 * @since 0.4.0
 */
export function fetchBootAttestation(
  el3: El3Services,
  memory: PhysMemory,
  crypto: CryptoProvider,
  buffer: PhysAddr,
): BootAttestation | undefined {
  const size = RMM_EL3_SHARED_BUFFER_SIZE;
  // 1. The RAK.
  const key = el3.getRealmAttestKey(buffer, size, RmmAttestKeyCurve.EccSecp384r1);
  if (key.status !== RmmEl3Status.Ok || key.keySize !== P384_SCALAR_SIZE) return undefined;
  const scalar = new Uint8Array(P384_SCALAR_SIZE);
  if (memory.read(World.Realm, buffer, scalar) !== MemoryAccess.Ok) return undefined;
  let rak: EcPrivateKey;
  try {
    rak = crypto.ecFromPrivate('P-384', scalar);
  } catch {
    return undefined; // zero, or not below the order: not a P-384 scalar
  }
  if (memory.write(World.Realm, buffer, new Uint8Array(size)) !== MemoryAccess.Ok) {
    return undefined;
  }
  // 2., 3. The COSE_Key and its hash.
  const { publicKey: rakCoseKey, challenge: rakHash } = rakBinding(
    rak.publicKey,
    'sha-256',
    crypto,
  );
  // 4. The platform token, in hunks.
  if (memory.write(World.Realm, buffer, rakHash) !== MemoryAccess.Ok) return undefined;
  const token = new Uint8Array(ATTEST_PLAT_TOKEN_SIZE);
  let length = 0;
  let challengeSize = rakHash.length;
  for (let calls = 0; calls < MAX_PLAT_TOKEN_CALLS; calls++) {
    const r = el3.getPlatformToken(buffer, size, challengeSize);
    if (r.status === RmmEl3Status.Again) continue;
    if (r.status !== RmmEl3Status.Ok) return undefined;
    const { hunkSize, remaining } = r;
    if (!Number.isSafeInteger(hunkSize) || hunkSize < 0 || hunkSize > size) return undefined;
    if (!Number.isSafeInteger(remaining) || remaining < 0) return undefined;
    if (length + hunkSize > token.length) return undefined;
    const hunk = token.subarray(length, length + hunkSize);
    if (memory.read(World.Realm, buffer, hunk) !== MemoryAccess.Ok) return undefined;
    length += hunkSize;
    challengeSize = 0;
    if (remaining === 0) return { rak, rakCoseKey, rakHash, platformToken: token.slice(0, length) };
  }
  return undefined;
}
