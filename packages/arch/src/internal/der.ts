/**
 * A minimal, strict DER reader and writer for exactly the structures of EC keys: SPKI (RFC 5480),
 * PKCS#8 (RFC 5958) and SEC1 `ECPrivateKey` (RFC 5915). Low tag numbers only, definite minimal
 * lengths only, no trailing bytes. Every violation throws `KEY_DER_INVALID`.
 * @module
 */
import type { Bytes } from '../bytes.ts';
import { concatBytes, toHex } from '../bytes.ts';
import { IsletError } from '../errors.ts';

/** Universal and context tags used by EC key structures. */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  /** `[0]` constructed (SEC1 parameters, PKCS#8 attributes). */
  CTX0: 0xa0,
  /** `[1]` constructed (SEC1 public key). */
  CTX1: 0xa1,
  /** `[1]` primitive (PKCS#8 v2 IMPLICIT public key). */
  CTX1_PRIM: 0x81,
} as const;

/** Throws `KEY_DER_INVALID` with `details`. */
export function derError(details: string): never {
  throw new IsletError('KEY_DER_INVALID', 'malformed DER', { details });
}

/** A cursor over DER-encoded bytes. */
export class DerReader {
  readonly #buf: Uint8Array;
  #pos = 0;

  constructor(buf: Uint8Array) {
    this.#buf = buf;
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.#pos === this.#buf.length;
  }

  /** The next tag, or `undefined` at the end. */
  peekTag(): number | undefined {
    return this.#buf[this.#pos];
  }

  /** Reads one element with tag `tag` and returns its contents. */
  read(tag: number, what: string): Uint8Array {
    const buf = this.#buf;
    const got = buf[this.#pos];
    if (got === undefined) derError(`expected ${what}, found the end of the input`);
    if (got !== tag) derError(`expected ${what} (tag 0x${hex2(tag)}), found tag 0x${hex2(got)}`);
    let pos = this.#pos + 1;
    const first = buf[pos++];
    if (first === undefined) derError(`${what}: missing length`);
    let len = first;
    if (first >= 0x80) {
      const n = first & 0x7f;
      if (n === 0) derError(`${what}: indefinite length is not DER`);
      if (n > 3) derError(`${what}: length of ${n} bytes is too large`);
      len = 0;
      for (let i = 0; i < n; i++) {
        const b = buf[pos++];
        if (b === undefined) derError(`${what}: truncated length`);
        if (i === 0 && b === 0) derError(`${what}: non-minimal length`);
        len = len * 256 + b;
      }
      if (len < 0x80) derError(`${what}: non-minimal length`);
    }
    if (pos + len > buf.length) derError(`${what}: length ${len} overruns the input`);
    this.#pos = pos + len;
    return buf.subarray(pos, pos + len);
  }

  /** Reads an element with tag `tag` if it comes next. */
  readOptional(tag: number, what: string): Uint8Array | undefined {
    return this.peekTag() === tag ? this.read(tag, what) : undefined;
  }

  /** Reads a small non-negative INTEGER (a version number). */
  readSmallInt(what: string): number {
    const v = this.read(TAG.INTEGER, what);
    if (v.length !== 1 || v[0]! >= 0x80) derError(`${what}: expected a small non-negative integer`);
    return v[0]!;
  }

  /** Reads an OBJECT IDENTIFIER and returns its content bytes as hex. */
  readOid(what: string): string {
    const v = this.read(TAG.OID, what);
    if (v.length === 0) derError(`${what}: empty OID`);
    return toHex(v);
  }

  /** Reads a BIT STRING with no unused bits and returns its bytes. */
  readBitString(what: string, tag: number = TAG.BIT_STRING): Uint8Array {
    const v = this.read(tag, what);
    if (v.length === 0 || v[0] !== 0) derError(`${what}: a key BIT STRING has no unused bits`);
    return v.subarray(1);
  }

  /** Throws unless every byte has been read. */
  end(what: string): void {
    if (!this.done) derError(`${what}: ${this.#buf.length - this.#pos} trailing bytes`);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Encodes one element: tag, minimal definite length, contents. */
export function derEncode(tag: number, ...contents: readonly Uint8Array[]): Bytes {
  const body = concatBytes(...contents);
  const len = body.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else if (len < 0x100) header = [tag, 0x81, len];
  else if (len < 0x10000) header = [tag, 0x82, len >>> 8, len & 0xff];
  else header = [tag, 0x83, len >>> 16, (len >>> 8) & 0xff, len & 0xff];
  return concatBytes(Uint8Array.from(header), body);
}
