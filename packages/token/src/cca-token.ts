/**
 * The CCA attestation token: the collection that carries the platform token (signed by HES with
 * the CPAK) and the realm delegated token (signed by the RMM with the RAK). Two wire forms exist and
 * both decode: RMM 1.0's `#6.399({44234: bstr, 44241: bstr})` and RMM 1.1's CMW collection
 * `#6.907({44234: [263, bstr], 44241: [263, bstr]})`. Building produces the RMM 1.0 form.
 * @see cca-token.md §1.1
 * @module
 */
import type { Bytes } from '@islet/arch';
import { TokenError } from './errors.ts';
import { CborTag, decodeCbor, encodeCbor } from './internal/cbor.ts';
import {
  CCA_PLATFORM_TOKEN_KEY,
  CCA_REALM_DELEGATED_TOKEN_KEY,
  CCA_TOKEN_TAG,
  CCA_TOKEN_TAG_LEGACY,
  CMW_EAT_CWT,
} from './profiles.ts';

/** The wire form of a CCA token: its top-level tag. */
export type CcaTokenForm = typeof CCA_TOKEN_TAG_LEGACY | typeof CCA_TOKEN_TAG;

/** The two signed tokens of a CCA token collection, still encoded. */
export interface CcaTokenParts {
  /** Which wire form carried them. */
  readonly form: CcaTokenForm;
  /** The platform COSE_Sign1, exactly as carried. */
  readonly platformToken: Bytes;
  /** The realm COSE_Sign1, exactly as carried. */
  readonly realmToken: Bytes;
}

const WHERE = 'CCA token';

/**
 * Splits a CCA token into its two signed tokens.
 * @throws {@link TokenError} `TOKEN_CBOR_*`, `TOKEN_TAG_INVALID` or `TOKEN_COLLECTION_INVALID`.
 */
export function decodeCcaTokenParts(token: Uint8Array): CcaTokenParts {
  const item = decodeCbor(token, WHERE);
  if (
    !(item instanceof CborTag) ||
    (item.tag !== CCA_TOKEN_TAG_LEGACY && item.tag !== CCA_TOKEN_TAG)
  ) {
    throw new TokenError('TOKEN_TAG_INVALID', 'not a CCA token', {
      details: `expected tag ${CCA_TOKEN_TAG_LEGACY} or ${CCA_TOKEN_TAG}, got ${item instanceof CborTag ? `tag ${item.tag}` : 'no tag'}`,
    });
  }
  const form = item.tag as CcaTokenForm;
  const map = item.value;
  if (!(map instanceof Map)) throw collectionInvalid('the collection is not a map');
  for (const key of map.keys()) {
    if (key !== CCA_PLATFORM_TOKEN_KEY && key !== CCA_REALM_DELEGATED_TOKEN_KEY) {
      throw collectionInvalid(`unknown collection entry ${String(key)}`);
    }
  }
  return {
    form,
    platformToken: entry(map, CCA_PLATFORM_TOKEN_KEY, 'platform token', form),
    realmToken: entry(map, CCA_REALM_DELEGATED_TOKEN_KEY, 'realm token', form),
  };
}

function entry(map: Map<unknown, unknown>, key: number, name: string, form: CcaTokenForm): Bytes {
  const v = map.get(key);
  if (v === undefined) throw collectionInvalid(`the ${name} (${key}) is missing`);
  if (form === CCA_TOKEN_TAG_LEGACY) {
    if (!(v instanceof Uint8Array))
      throw collectionInvalid(`the ${name} (${key}) is not a byte string`);
    return v as Bytes;
  }
  if (!Array.isArray(v) || v.length !== 2) {
    throw collectionInvalid(`the ${name} (${key}) is not a CMW record [type, bytes]`);
  }
  if (v[0] !== CMW_EAT_CWT) {
    throw collectionInvalid(
      `the ${name} (${key}) has CMW type ${String(v[0])}, expected ${CMW_EAT_CWT} (application/eat+cwt)`,
    );
  }
  if (!(v[1] instanceof Uint8Array))
    throw collectionInvalid(`the ${name} (${key}) is not a byte string`);
  return v[1] as Bytes;
}

function collectionInvalid(details: string): TokenError {
  return new TokenError('TOKEN_COLLECTION_INVALID', `malformed ${WHERE} collection`, { details });
}

/**
 * Wraps two signed tokens into a CCA token collection.
 * @param parts - the two signed tokens, and `form`: 399 (RMM 1.0, the default) or 907 (RMM 1.1 CMW records).
 */
export function encodeCcaToken(parts: {
  platformToken: Uint8Array;
  realmToken: Uint8Array;
  form?: CcaTokenForm;
}): Bytes {
  const form = parts.form ?? CCA_TOKEN_TAG_LEGACY;
  const wrap = (b: Uint8Array): unknown => (form === CCA_TOKEN_TAG ? [CMW_EAT_CWT, b] : b);
  return encodeCbor(
    new CborTag(
      form,
      new Map<number, unknown>([
        [CCA_PLATFORM_TOKEN_KEY, wrap(parts.platformToken)],
        [CCA_REALM_DELEGATED_TOKEN_KEY, wrap(parts.realmToken)],
      ]),
    ),
  );
}
