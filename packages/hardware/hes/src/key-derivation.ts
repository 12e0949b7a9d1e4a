/**
 * The HES key derivation, RSE-compatible: a 32-byte seed from a hardware key (GUK or HUK) in the
 * NIST SP 800-108 counter style, and an EC private key from a seed with HKDF-SHA256.
 *
 * ```
 * state = u32le(1) ‖ label ‖ 0x00 ‖ context ‖ u32le(32)
 * seed  = AES-256-ECB_key(SHA-256(state))          (two 16-byte blocks)
 * okm   = HKDF-SHA256(salt = none, ikm = seed, info, L = field bytes)
 * k     = okm as a big-endian integer; private key d = k + 1, valid when k ≤ n − 2
 * ```
 *
 * **Single append.** The Islet `key-derivation` crate version that was read appends
 * `u32le(3) ‖ u32le(0)` (lifecycle, reprovisioning bits) to the context inside `generate_seed`,
 * while its callers append them too; the published CPAK and RAKs match a single append, which is
 * what this module implements: the callers ({@link deriveCpak}, {@link deriveDak}) append.
 * @see islet-reference.md §3 (Keys); Islet `hes/key-derivation/src/lib.rs`
 * @module
 */
import type { Bytes, CryptoProvider, Curve, EcPrivateKey } from '@islet/arch';
import { CURVE_FIELD_BYTES, concatBytes } from '@islet/arch';
import { HesError } from './errors.ts';
import { ascii } from './internal/utf8.ts';

/** Seed label of the CPAK (CCA platform attestation key). */
export const BL1_CPAK_SEED_DERIVATION = 'BL1_CPAK_SEED_DERIVATION';
/** Seed label of the DAK (delegated attestation key, the RMM's RAK). */
export const BL1_DAK_SEED_DERIVATION = 'BL1_DAK_SEED_DERIVATION';
/** Seed label of the authority-bound virtual HUK. */
export const VHUK_A_SEED_LABEL = 'VHUK_A';
/** Seed label of the measurement-bound virtual HUK. */
export const VHUK_M_SEED_LABEL = 'VHUK_M';
/** Length of a seed: 256 bits. */
export const SEED_SIZE = 32;
/** Length of the hardware keys (GUK, HUK): AES-256. */
export const HW_KEY_SIZE = 32;

/** Curves HES derives keys on (Islet's `KeyBits` 256 and 384; 521 is not supported). */
export type DerivedKeyCurve = Extract<Curve, 'P-256' | 'P-384'>;

/** Group orders `n` of the supported curves (SEC 2). */
const ORDER: { readonly [c in DerivedKeyCurve]: bigint } = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384':
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};

/**
 * Derives a 32-byte seed from a hardware key, a label and a context.
 * @param key - the 32-byte AES-256 key (GUK for CPAK and DAK, HUK for the VHUKs).
 * @param label - an ASCII label such as {@link BL1_CPAK_SEED_DERIVATION}, or its bytes.
 * @param context - the context, already including any lifecycle words.
 * @returns the 32-byte seed.
 * @throws {@link HesError} `HES_ARGUMENT_INVALID` for a key that is not 32 bytes or a non-byte context.
 * @example
 * ```ts
 * // The CPAK seed: BL2 hash ‖ u32le(3) ‖ u32le(0).
 * const context = concatBytes(bl2Hash, Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0));
 * const seed = deriveSeed(guk, BL1_CPAK_SEED_DERIVATION, context, crypto);
 * ```
 * @see islet-reference.md §3 (Keys)
 * @since 0.1.0
 */
export function deriveSeed(
  key: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array,
  crypto: CryptoProvider,
): Bytes {
  if (!(key instanceof Uint8Array) || key.length !== HW_KEY_SIZE) {
    throw new HesError('HES_ARGUMENT_INVALID', `the seed key must be ${HW_KEY_SIZE} bytes`);
  }
  if (!(context instanceof Uint8Array)) {
    throw new HesError('HES_ARGUMENT_INVALID', 'the seed context must be bytes');
  }
  const labelBytes = typeof label === 'string' ? ascii(label) : label;
  const state = concatBytes(u32le(1), labelBytes, Uint8Array.of(0), context, u32le(SEED_SIZE));
  const digest = crypto.hash('sha256', state);
  return concatBytes(
    crypto.aesEncryptBlock(key, digest.subarray(0, 16)),
    crypto.aesEncryptBlock(key, digest.subarray(16, 32)),
  );
}

/**
 * Derives an EC private key from a seed: HKDF-SHA256 (no salt) to the field length, `d = k + 1`.
 * @param info - the HKDF info (empty for the CPAK, the CBOR measurements for the DAK).
 * @returns the key pair.
 * @throws {@link HesError} `HES_KEY_DERIVATION_FAILED` when `k > n − 2` (see
 * {@link HesErrorCode}); `HES_ARGUMENT_INVALID` for another curve.
 * @see Islet `derive_p256_key`, `derive_p384_key`
 * @since 0.1.0
 */
export function deriveEcPrivateKey(
  curve: DerivedKeyCurve,
  seed: Uint8Array,
  info: Uint8Array,
  crypto: CryptoProvider,
): EcPrivateKey {
  const n = ORDER[curve];
  if (n === undefined) {
    throw new HesError('HES_ARGUMENT_INVALID', `HES derives keys on P-256 and P-384, not ${curve}`);
  }
  const size = CURVE_FIELD_BYTES[curve];
  const okm = crypto.hkdf('sha256', seed, new Uint8Array(0), info, size);
  const k = toBigInt(okm);
  if (k > n - 2n) {
    throw new HesError(
      'HES_KEY_DERIVATION_FAILED',
      `the HKDF output is not below n - 1 on ${curve}`,
    );
  }
  return crypto.ecFromPrivate(curve, fromBigInt(k + 1n, size));
}

/** `n` as four little-endian bytes (Islet's `to_ne_bytes` on a little-endian Arm host). */
export function u32le(n: number): Bytes {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(v: bigint, size: number): Bytes {
  const out = new Uint8Array(size);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
