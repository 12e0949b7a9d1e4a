/** Byte helpers: copies at trust boundaries, hex, concatenation, constant-time compare. @module */
import { IsletError } from './errors.ts';

/** A byte array backed by a plain ArrayBuffer, as WebCrypto and node:crypto accept. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Copies `src` into a fresh buffer; use at trust boundaries so later writes to `src` cannot reach us. */
export function copyBytes(src: Uint8Array): Bytes {
  const out = new Uint8Array(src.length);
  out.set(src);
  return out;
}

/** Concatenates byte arrays into one fresh buffer. */
export function concatBytes(...parts: readonly Uint8Array[]): Bytes {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Whether two byte arrays are equal, in time that depends only on their lengths. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/**
 * Parses hex (upper or lower case, no prefix).
 * @throws {@link IsletError} `HEX_INVALID` on odd length or a non-hex character.
 */
export function fromHex(hex: string): Bytes {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new IsletError('HEX_INVALID', 'invalid hex string', {
      details: `expected an even number of hex digits, got ${hex.length} characters`,
    });
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Standard base64 with padding (Veraison's JSON byte strings). */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]!);
  return btoa(bin);
}

/** Base64url without padding (JWK coordinates). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Parses standard base64 or base64url, padded or not.
 * @throws {@link IsletError} `BASE64_INVALID` when `text` is not base64.
 */
export function fromBase64(text: string): Bytes {
  const std = text.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(std) || std.replace(/=+$/, '').length % 4 === 1) {
    throw new IsletError('BASE64_INVALID', 'invalid base64 string');
  }
  const padded = std.padEnd(Math.ceil(std.length / 4) * 4, '=');
  const bin = atob(padded);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * `bytes` as `count` little-endian 64-bit register values (zero-padded; bytes beyond 8 × count
 * are ignored): how SMC calls carry byte strings in X registers (an attestation challenge in
 * X1..X8, a measurement in X1..X8, host-call payloads).
 * @example
 * ```ts
 * bytesToRegs(new Uint8Array([1, 2]), 2); // [0x0201n, 0n]
 * ```
 */
export function bytesToRegs(bytes: Uint8Array, count: number): bigint[] {
  const regs = new Array<bigint>(count).fill(0n);
  const n = Math.min(bytes.length, count * 8);
  for (let i = 0; i < n; i++) {
    const r = i >> 3;
    regs[r] = regs[r]! | (BigInt(bytes[i]!) << BigInt((i & 7) * 8));
  }
  return regs;
}

/**
 * The first `length` bytes of little-endian 64-bit register values (the inverse of
 * {@link bytesToRegs}); missing registers read as zero, bits above 64 are ignored.
 */
export function regsToBytes(regs: readonly bigint[], length: number): Bytes {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(((regs[i >> 3] ?? 0n) >> BigInt((i & 7) * 8)) & 0xffn);
  }
  return out;
}
