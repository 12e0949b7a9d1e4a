/**
 * The one module that touches cbor-x. It adds what a token decoder needs and cbor-x does not give:
 * a strict well-formedness pass first (definite lengths only, no reserved encodings, no trailing
 * bytes, no duplicate map keys, bounded nesting), then cbor-x builds the values, then every byte
 * string is copied out of the input and every tag becomes a {@link CborTag}. Integer map keys stay
 * integers in a `Map`; encoding never adds tag 64 to byte strings.
 *
 * cbor-x keeps module-level decoder state, so it is used only synchronously, here.
 * @module
 */
import type { Bytes } from '@islet/arch';
import { Decoder, Encoder, Tag } from 'cbor-x';
import { TokenError } from '../errors.ts';

/** A tagged CBOR item: `#6.tag(value)`. */
export class CborTag {
  readonly tag: number;
  readonly value: unknown;
  constructor(tag: number, value: unknown) {
    this.tag = tag;
    this.value = value;
  }
}

/** Deepest nesting a token may have; real CCA tokens reach 5. */
const MAX_DEPTH = 16;

// Eight-byte integers decode as bigint (cbor-x's default, the explicit choice: no silent precision loss).
const decoder = new Decoder({ useRecords: false, mapsAsObjects: false });
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  pack: false,
});

/**
 * Decodes exactly one CBOR item that fills `bytes`.
 * @param what - names the item in error messages (e.g. "platform token payload").
 * @returns the value: numbers or bigints, strings, `Uint8Array` copies, arrays, `Map`s, {@link CborTag}s.
 * @throws {@link TokenError} `TOKEN_CBOR_MALFORMED`, `TOKEN_CBOR_TRAILING` or `TOKEN_CBOR_DUPLICATE_KEY`.
 */
export function decodeCbor(bytes: Uint8Array, what: string): unknown {
  const end = scanItem(bytes, 0, 0, what);
  if (end !== bytes.length) {
    throw new TokenError('TOKEN_CBOR_TRAILING', `trailing bytes after the ${what}`, {
      details: `${bytes.length - end} bytes follow the CBOR item that ends at offset ${end}`,
    });
  }
  let raw: unknown;
  try {
    // A view of our own: cbor-x caches a `dataView` property on the array it decodes, which
    // would otherwise appear on the caller's bytes.
    raw = decoder.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (cause) {
    throw new TokenError('TOKEN_CBOR_MALFORMED', `malformed CBOR in the ${what}`, { cause });
  }
  return normalize(raw);
}

/** Encodes a value (Maps, arrays, strings, numbers, bigints, byte arrays, {@link CborTag}s) as CBOR. */
export function encodeCbor(value: unknown): Bytes {
  const out = encoder.encode(toEncodable(value));
  const copy = new Uint8Array(out.length);
  copy.set(out);
  return copy;
}

function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const copy = new Uint8Array(value.length);
    copy.set(value);
    return copy;
  }
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(normalize(k), normalize(v));
    return out;
  }
  if (value instanceof Tag) return new CborTag(value.tag, normalize(value.value));
  return value;
}

function toEncodable(value: unknown): unknown {
  if (value instanceof CborTag) return new Tag(toEncodable(value.value), value.tag);
  if (Array.isArray(value)) return value.map(toEncodable);
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(k, toEncodable(v));
    return out;
  }
  return value;
}

function malformed(what: string, details: string): TokenError {
  return new TokenError('TOKEN_CBOR_MALFORMED', `malformed CBOR in the ${what}`, { details });
}

/**
 * Reads the head of the item at `pos`; returns the argument and the offset after the head.
 * Arguments above 2^53 are returned as Infinity: no length of ours can be that large.
 */
function readHead(
  b: Uint8Array,
  pos: number,
  what: string,
): [major: number, ai: number, arg: number, next: number] {
  if (pos >= b.length) throw malformed(what, `truncated at offset ${pos}`);
  const ib = b[pos]!;
  const major = ib >> 5;
  const ai = ib & 0x1f;
  if (ai < 24) return [major, ai, ai, pos + 1];
  const n = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : 0;
  if (n === 0) {
    const why =
      ai === 31 ? 'indefinite-length items are not allowed' : 'reserved additional information';
    throw malformed(what, `${why} (initial byte 0x${ib.toString(16)} at offset ${pos})`);
  }
  if (pos + 1 + n > b.length) throw malformed(what, `truncated head at offset ${pos}`);
  let arg = 0;
  for (let i = 1; i <= n; i++) arg = arg * 256 + b[pos + i]!;
  return [major, ai, arg, pos + 1 + n];
}

/** Checks one item for well-formedness and returns the offset just past it. */
function scanItem(b: Uint8Array, pos: number, depth: number, what: string): number {
  if (depth > MAX_DEPTH) throw malformed(what, `nesting deeper than ${MAX_DEPTH}`);
  const [major, ai, arg, next] = readHead(b, pos, what);
  switch (major) {
    case 0:
    case 1:
      return next;
    case 2:
    case 3:
      if (arg > b.length - next) throw malformed(what, `string at offset ${pos} runs past the end`);
      return next + arg;
    case 4: {
      if (arg > b.length - next) throw malformed(what, `array at offset ${pos} runs past the end`);
      let p = next;
      for (let i = 0; i < arg; i++) p = scanItem(b, p, depth + 1, what);
      return p;
    }
    case 5: {
      if (arg * 2 > b.length - next)
        throw malformed(what, `map at offset ${pos} runs past the end`);
      let p = next;
      const seen = new Set<string>();
      for (let i = 0; i < arg; i++) {
        const keyEnd = scanItem(b, p, depth + 1, what);
        const key = keyText(b, p, keyEnd);
        if (seen.has(key)) {
          throw new TokenError('TOKEN_CBOR_DUPLICATE_KEY', `duplicate map key in the ${what}`, {
            details: `the key at offset ${p} appears twice in the map at offset ${pos}`,
          });
        }
        seen.add(key);
        p = scanItem(b, keyEnd, depth + 1, what);
      }
      return p;
    }
    case 6:
      return scanItem(b, next, depth + 1, what);
    default:
      // Major type 7: simple values and floats; ai 24 must carry a value >= 32.
      if (ai === 24 && arg < 32) throw malformed(what, `invalid simple value at offset ${pos}`);
      return next;
  }
}

/**
 * A canonical text for a map key, so that two encodings of the same integer (preferred or not)
 * still count as one key.
 */
function keyText(b: Uint8Array, start: number, end: number): string {
  const ib = b[start]!;
  const major = ib >> 5;
  if (major === 0 || major === 1) {
    let arg = ib & 0x1f;
    if (arg >= 24) {
      arg = 0;
      for (let i = start + 1; i < end; i++) arg = arg * 256 + b[i]!;
    }
    return `${major === 0 ? '' : '-'}${arg}`;
  }
  let s = 'x';
  for (let i = start; i < end; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}
