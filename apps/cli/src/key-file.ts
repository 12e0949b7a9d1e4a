/**
 * Reads a verification key (a CPAK) from a file in whichever form the CCA projects publish it:
 * PEM (public, or private whose public half is used), a JWK or a Veraison/rust-ccatoken trust-anchor
 * JSON, or a raw uncompressed SEC1 point (Islet's `cpak_public.bin`).
 * @module
 */
import {
  type CryptoProvider,
  curveFromPointLength,
  type EcPublicKey,
  ecPrivateKeyFromPem,
  ecPublicKeyFromJwk,
  ecPublicKeyFromPem,
  ecPublicKeyFromRaw,
  IsletError,
} from '@islet/arch';

/**
 * Parses the bytes of a key file.
 * @throws {@link IsletError} `KEY_FILE_UNRECOGNIZED` or the key parser's own code.
 */
export function parseKeyFile(bytes: Uint8Array, crypto: CryptoProvider): EcPublicKey {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).trim();
  if (text.startsWith('-----BEGIN')) {
    if (/-----BEGIN (EC )?PRIVATE KEY-----/.test(text))
      return ecPrivateKeyFromPem(text, crypto).publicKey;
    return ecPublicKeyFromPem(text);
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new IsletError('KEY_FILE_UNRECOGNIZED', 'the key file is not valid JSON', { cause });
    }
    // A trust-anchor store: [{ "instance-id", "implementation-id", "pkey": JWK }]; take the only entry.
    if (Array.isArray(json)) {
      if (json.length !== 1) {
        throw new IsletError(
          'KEY_FILE_UNRECOGNIZED',
          'a trust-anchor file must hold exactly one anchor',
          {
            details: `it holds ${json.length}`,
          },
        );
      }
      json = json[0];
    }
    const jwk = json !== null && typeof json === 'object' && 'pkey' in json ? json.pkey : json;
    return ecPublicKeyFromJwk(jwk);
  }
  if (bytes[0] === 0x04) return ecPublicKeyFromRaw(curveFromPointLength(bytes.length), bytes);
  throw new IsletError('KEY_FILE_UNRECOGNIZED', 'unrecognized key file', {
    details: 'expected a PEM key, a JWK or trust-anchor JSON, or a raw 04||X||Y point',
  });
}
