/**
 * Hostile input: every malformed token gets a coded TokenError naming its reason, and none is
 * accepted.
 * @module
 */
import { defaultCrypto } from '@islet/arch';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildCcaToken, rakBinding } from '../src/build.ts';
import { decodeCcaTokenParts, encodeCcaToken } from '../src/cca-token.ts';
import { signCoseSign1 } from '../src/cose-sign1.ts';
import { CborTag, decodeCbor, encodeCbor } from '../src/internal/cbor.ts';
import { platformClaimsToMap } from '../src/platform-claims.ts';
import { RealmProfile } from '../src/profiles.ts';
import { realmClaimsToMap } from '../src/realm-claims.ts';
import { verifyCcaToken } from '../src/verify.ts';
import { platformClaims, realmInput } from './arbitraries.ts';

const crypto = defaultCrypto();
const cpak = crypto.ecGenerate('P-384');
const rak = crypto.ecGenerate('P-384');
const [platform, realm] = fc.sample(fc.tuple(platformClaims, realmInput), {
  numRuns: 1,
  seed: 3,
})[0]!;
const binding = rakBinding(rak.publicKey, realm.publicKeyHashAlgorithm, crypto);
const goodPlatformMap = platformClaimsToMap({ ...platform, challenge: binding.challenge });
const goodRealmMap = realmClaimsToMap({
  ...realm,
  profile: RealmProfile.V1,
  publicKey: binding.publicKey,
});

/** A token whose claim maps were edited, then signed correctly, so only the edit is wrong. */
function tokenWith(edit: {
  platform?: (m: Map<number, unknown>) => void;
  realm?: (m: Map<number, unknown>) => void;
}): Uint8Array {
  const p = new Map(goodPlatformMap);
  const r = new Map(goodRealmMap);
  edit.platform?.(p);
  edit.realm?.(r);
  return encodeCcaToken({
    platformToken: signCoseSign1(encodeCbor(p), cpak, crypto),
    realmToken: signCoseSign1(encodeCbor(r), rak, crypto),
  });
}

const verify = (token: Uint8Array) => verifyCcaToken(token, { cpak: cpak.publicKey, crypto });
const fails = (token: Uint8Array, code: string) =>
  expect(() => verify(token)).toThrowError(expect.objectContaining({ code }));

test('the unedited token verifies', () => {
  expect(verify(tokenWith({})).binding).toBe('valid');
  expect(
    verify(buildCcaToken({ platform: { claims: platform, cpak }, realm, rak, crypto }))
      .realmSignature,
  ).toBe('valid');
});

describe('CBOR', () => {
  const good = tokenWith({});
  test('truncated at every length', () => {
    for (let n = 0; n < good.length; n += 37) fails(good.subarray(0, n), 'TOKEN_CBOR_MALFORMED');
  });
  test('trailing bytes', () => fails(Uint8Array.of(...good, 0), 'TOKEN_CBOR_TRAILING'));
  test('indefinite lengths are refused', () => {
    expect(() => decodeCbor(Uint8Array.of(0x5f, 0x41, 0x01, 0xff), 'item')).toThrowError(
      expect.objectContaining({ code: 'TOKEN_CBOR_MALFORMED' }),
    );
  });
  test('reserved additional information is refused', () => {
    expect(() => decodeCbor(Uint8Array.of(0x1c), 'item')).toThrowError(
      expect.objectContaining({ code: 'TOKEN_CBOR_MALFORMED' }),
    );
  });
  test('duplicate map keys, even with a non-preferred encoding', () => {
    expect(() => decodeCbor(Uint8Array.of(0xa2, 0x01, 0x02, 0x01, 0x03), 'item')).toThrowError(
      expect.objectContaining({ code: 'TOKEN_CBOR_DUPLICATE_KEY' }),
    );
    expect(() =>
      decodeCbor(Uint8Array.of(0xa2, 0x0a, 0x02, 0x18, 0x0a, 0x03), 'item'),
    ).toThrowError(expect.objectContaining({ code: 'TOKEN_CBOR_DUPLICATE_KEY' }));
  });
  test('nesting bombs are refused', () => {
    expect(() => decodeCbor(new Uint8Array(100).fill(0x81), 'item')).toThrowError(
      expect.objectContaining({ code: 'TOKEN_CBOR_MALFORMED' }),
    );
  });
  test('a huge declared length is refused without allocating', () => {
    expect(() =>
      decodeCbor(Uint8Array.of(0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 'item'),
    ).toThrowError(expect.objectContaining({ code: 'TOKEN_CBOR_MALFORMED' }));
  });
  test('decoded byte strings are copies, not views of the input', () => {
    const input = Uint8Array.of(0x43, 1, 2, 3);
    const out = decodeCbor(input, 'item') as Uint8Array;
    input[1] = 9;
    expect([...out]).toEqual([1, 2, 3]);
  });
  test('decoding leaves the input as it was: no property is added to it', () => {
    const input = Uint8Array.of(0x82, 0x43, 1, 2, 3, 0x19, 0x01, 0x00);
    decodeCbor(input, 'item');
    expect(Object.getOwnPropertyNames(input)).toEqual(
      Object.getOwnPropertyNames(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0)),
    );
  });
  test('a duplicated claim in a signed payload is refused', () => {
    const p = encodeCbor(goodPlatformMap);
    // Append a second lifecycle claim: bump the map length and add `19 095b 19 3000`.
    const dup = Uint8Array.of(p[0]! + 1, ...p.subarray(1), 0x19, 0x09, 0x5b, 0x19, 0x30, 0x00);
    const token = encodeCcaToken({
      platformToken: signCoseSign1(dup, cpak, crypto),
      realmToken: signCoseSign1(encodeCbor(goodRealmMap), rak, crypto),
    });
    fails(token, 'TOKEN_CBOR_DUPLICATE_KEY');
  });
});

describe('tags and structure', () => {
  const parts = decodeCcaTokenParts(tokenWith({}));
  test('a wrong top-level tag', () => {
    fails(
      encodeCbor(
        new CborTag(
          400,
          new Map([
            [44234, parts.platformToken],
            [44241, parts.realmToken],
          ]),
        ),
      ),
      'TOKEN_TAG_INVALID',
    );
    fails(
      encodeCbor(
        new Map([
          [44234, parts.platformToken],
          [44241, parts.realmToken],
        ]),
      ),
      'TOKEN_TAG_INVALID',
    );
  });
  test('a missing or unknown collection entry', () => {
    fails(
      encodeCbor(new CborTag(399, new Map([[44234, parts.platformToken]]))),
      'TOKEN_COLLECTION_INVALID',
    );
    fails(
      encodeCbor(
        new CborTag(
          399,
          new Map<number, unknown>([
            [44234, parts.platformToken],
            [44241, parts.realmToken],
            [44444, 1],
          ]),
        ),
      ),
      'TOKEN_COLLECTION_INVALID',
    );
  });
  test('907 entries must be [263, bstr]', () => {
    fails(
      encodeCbor(
        new CborTag(
          907,
          new Map([
            [44234, [264, parts.platformToken]],
            [44241, [263, parts.realmToken]],
          ]),
        ),
      ),
      'TOKEN_COLLECTION_INVALID',
    );
    fails(
      encodeCbor(
        new CborTag(
          907,
          new Map([
            [44234, parts.platformToken],
            [44241, parts.realmToken],
          ]),
        ),
      ),
      'TOKEN_COLLECTION_INVALID',
    );
  });
  test('an inner token without tag 18', () => {
    const untagged = (decodeCbor(parts.realmToken, 'realm') as CborTag).value;
    fails(
      encodeCcaToken({ platformToken: parts.platformToken, realmToken: encodeCbor(untagged) }),
      'TOKEN_TAG_INVALID',
    );
  });
  test('an unsupported COSE algorithm', () => {
    const [, unprot, payload, sig] = (decodeCbor(parts.realmToken, 'realm') as CborTag)
      .value as unknown[];
    const ps256 = encodeCbor(
      new CborTag(18, [encodeCbor(new Map([[1, -37]])), unprot, payload, sig]),
    );
    fails(
      encodeCcaToken({ platformToken: parts.platformToken, realmToken: ps256 }),
      'TOKEN_COSE_ALG_UNSUPPORTED',
    );
  });
});

describe('claims', () => {
  test('a missing claim', () => {
    fails(tokenWith({ realm: (m) => m.delete(44238) }), 'TOKEN_CLAIM_MISSING');
    fails(tokenWith({ platform: (m) => m.delete(2396) }), 'TOKEN_CLAIM_MISSING');
  });
  test('a wrong type', () => {
    fails(tokenWith({ platform: (m) => m.set(2395, 'secured') }), 'TOKEN_CLAIM_TYPE');
    fails(tokenWith({ realm: (m) => m.set(44236, new Uint8Array(7)) }), 'TOKEN_CLAIM_TYPE');
  });
  test('a wrong size', () => {
    fails(tokenWith({ realm: (m) => m.set(10, new Uint8Array(32)) }), 'TOKEN_CLAIM_SIZE');
    fails(tokenWith({ platform: (m) => m.set(2396, new Uint8Array(31)) }), 'TOKEN_CLAIM_SIZE');
    fails(tokenWith({ realm: (m) => m.set(44239, [new Uint8Array(32)]) }), 'TOKEN_CLAIM_SIZE');
  });
  test('a value outside the profile', () => {
    fails(tokenWith({ platform: (m) => m.set(2395, 0x7f35) }), 'TOKEN_CLAIM_VALUE');
    fails(tokenWith({ realm: (m) => m.set(44236, 'md5') }), 'TOKEN_CLAIM_VALUE');
  });
  test('an unknown profile', () => {
    fails(
      tokenWith({ platform: (m) => m.set(265, 'http://arm.com/PSA-SSD/1.0.0') }),
      'TOKEN_PROFILE_UNKNOWN',
    );
    fails(
      tokenWith({ realm: (m) => m.set(265, 'tag:arm.com,2099:realm#9.0.0') }),
      'TOKEN_PROFILE_UNKNOWN',
    );
  });
  test('a RAK in the wrong encoding for its profile', () => {
    fails(tokenWith({ realm: (m) => m.delete(265) }), 'TOKEN_RAK_INVALID');
    fails(tokenWith({ realm: (m) => m.set(44237, rak.publicKey.point) }), 'TOKEN_RAK_INVALID');
  });
  test('realm#2.0.0 requires the realm instance ID', () => {
    fails(tokenWith({ realm: (m) => m.set(265, RealmProfile.V2) }), 'TOKEN_CLAIM_MISSING');
  });
});

describe('signatures and binding', () => {
  test('a wrong CPAK', () => {
    expect(() => verifyCcaToken(tokenWith({}), { cpak: rak.publicKey, crypto })).toThrowError(
      expect.objectContaining({ code: 'TOKEN_PLATFORM_SIGNATURE_INVALID' }),
    );
  });
  test('a realm token signed by another key than the RAK it carries', () => {
    const other = crypto.ecGenerate('P-384');
    const parts = decodeCcaTokenParts(tokenWith({}));
    const forged = signCoseSign1(encodeCbor(goodRealmMap), other, crypto);
    fails(
      encodeCcaToken({ platformToken: parts.platformToken, realmToken: forged }),
      'TOKEN_REALM_SIGNATURE_INVALID',
    );
  });
  test('a binding mismatch', () => {
    fails(tokenWith({ platform: (m) => m.set(10, new Uint8Array(32)) }), 'TOKEN_BINDING_MISMATCH');
  });
  test('an unsupported RAK hash algorithm', () => {
    fails(tokenWith({ realm: (m) => m.set(44240, 'sha-224') }), 'TOKEN_BINDING_ALG_UNSUPPORTED');
  });
  test('a stale realm challenge', () => {
    expect(() =>
      verifyCcaToken(tokenWith({}), {
        cpak: cpak.publicKey,
        crypto,
        expectedChallenge: new Uint8Array(64),
      }),
    ).toThrowError(expect.objectContaining({ code: 'TOKEN_CHALLENGE_MISMATCH' }));
  });
});
