/**
 * Strict PEM (RFC 7468) framing: one block, a known label, padded standard base64 with line breaks,
 * no encapsulated headers. Surrounding whitespace and CRLF line ends are accepted. Violations throw
 * `KEY_PEM_INVALID`.
 * @module
 */
import type { Bytes } from '../bytes.ts';
import { fromBase64, toBase64 } from '../bytes.ts';
import { IsletError } from '../errors.ts';

/** A decoded PEM block. */
export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `PUBLIC KEY`. */
  readonly label: string;
  /** The decoded body. */
  readonly der: Bytes;
}

const PEM_RE =
  /^-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----$/;

/**
 * Decodes one PEM block.
 * @throws {@link IsletError} `KEY_PEM_INVALID`.
 */
export function pemDecode(pem: string): PemBlock {
  if (typeof pem !== 'string') pemError('expected a string');
  const m = PEM_RE.exec(pem.trim());
  if (!m) pemError('expected one -----BEGIN …----- / -----END …----- block');
  const [, label = '', body = '', endLabel] = m;
  if (endLabel !== label) pemError(`BEGIN ${label} does not match END ${endLabel}`);
  if (body.includes(':')) pemError('encapsulated headers (encrypted PEM) are not supported');
  const b64 = body.replace(/[ \t\r\n]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0 || b64.length === 0) {
    pemError('the body is not padded standard base64');
  }
  return { label, der: fromBase64(b64) };
}

/** Encodes `der` as a PEM block with 64-character lines and a final newline. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Decodes unpadded base64url (RFC 7515 §2, as JWK coordinates use).
 * @throws {@link IsletError} `KEY_JWK_INVALID`.
 */
export function fromBase64UrlStrict(text: string, what: string): Bytes {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new IsletError('KEY_JWK_INVALID', 'invalid JWK', {
      details: `${what} is not unpadded base64url`,
    });
  }
  return fromBase64(text);
}

function pemError(details: string): never {
  throw new IsletError('KEY_PEM_INVALID', 'malformed PEM', { details });
}
