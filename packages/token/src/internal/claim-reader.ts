/**
 * Typed, checked reads of claims out of a decoded claims map; each failure names the claim, its
 * key, what was expected and what was found.
 * @module
 */
import type { Bytes } from '@islet/arch';
import { TokenError } from '../errors.ts';

/** Reads claims from one decoded claims map of the token named `where`. */
export class ClaimReader {
  readonly map: ReadonlyMap<unknown, unknown>;
  readonly where: string;

  constructor(map: unknown, where: string) {
    if (!(map instanceof Map)) {
      throw new TokenError('TOKEN_CLAIM_TYPE', `the ${where} claims are not a CBOR map`);
    }
    this.map = map;
    this.where = where;
  }

  /** The raw value of `key`, or throws `TOKEN_CLAIM_MISSING`. */
  required(key: number, name: string): unknown {
    const v = this.map.get(key);
    if (v === undefined) {
      throw new TokenError(
        'TOKEN_CLAIM_MISSING',
        `missing ${name} claim (${key}) in the ${this.where}`,
      );
    }
    return v;
  }

  /** A byte-string claim, checked against the allowed sizes if given. */
  bytes(key: number, name: string, sizes?: readonly number[]): Bytes {
    return this.checkBytes(this.required(key, name), key, name, sizes);
  }

  /** An optional byte-string claim. */
  optionalBytes(key: number, name: string, sizes?: readonly number[]): Bytes | undefined {
    const v = this.map.get(key);
    return v === undefined ? undefined : this.checkBytes(v, key, name, sizes);
  }

  /** A text-string claim. */
  text(key: number, name: string): string {
    return this.checkText(this.required(key, name), key, name);
  }

  /** An optional text-string claim. */
  optionalText(key: number, name: string): string | undefined {
    const v = this.map.get(key);
    return v === undefined ? undefined : this.checkText(v, key, name);
  }

  /** An unsigned-integer claim. */
  uint(key: number, name: string): number {
    const v = this.required(key, name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw this.typeError(key, name, 'an unsigned integer', v);
    }
    return v;
  }

  /** An array claim. */
  array(key: number, name: string): unknown[] {
    const v = this.required(key, name);
    if (!Array.isArray(v)) throw this.typeError(key, name, 'an array', v);
    return v;
  }

  checkBytes(v: unknown, key: number, name: string, sizes?: readonly number[]): Bytes {
    if (!(v instanceof Uint8Array)) throw this.typeError(key, name, 'a byte string', v);
    if (sizes && !sizes.includes(v.length)) {
      throw new TokenError(
        'TOKEN_CLAIM_SIZE',
        `wrong size of the ${name} claim (${key}) in the ${this.where}`,
        {
          details: `expected ${sizes.join(', ')} bytes, got ${v.length}`,
        },
      );
    }
    return v as Bytes;
  }

  checkText(v: unknown, key: number, name: string): string {
    if (typeof v !== 'string') throw this.typeError(key, name, 'a text string', v);
    return v;
  }

  typeError(key: number, name: string, expected: string, got: unknown): TokenError {
    return new TokenError(
      'TOKEN_CLAIM_TYPE',
      `wrong type of the ${name} claim (${key}) in the ${this.where}`,
      {
        details: `expected ${expected}, got ${describe(got)}`,
      },
    );
  }

  valueError(key: number, name: string, details: string): TokenError {
    return new TokenError(
      'TOKEN_CLAIM_VALUE',
      `invalid ${name} claim (${key}) in the ${this.where}`,
      {
        details,
      },
    );
  }
}

/** A short description of a decoded CBOR value's type, for error messages. */
export function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `a byte string of ${v.length} bytes`;
  if (Array.isArray(v)) return `an array of ${v.length} items`;
  if (v instanceof Map) return 'a map';
  if (typeof v === 'string') return 'a text string';
  if (typeof v === 'number' || typeof v === 'bigint') return `the integer ${v}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a tagged item';
  return typeof v;
}
