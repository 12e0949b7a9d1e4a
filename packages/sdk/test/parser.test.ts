/**
 * Claims by Islet title and by key, and the printer, on Islet's real RA-TLS token and on tokens
 * built here where the real one cannot tell two claims apart.
 * @module
 */
import { readFileSync } from 'node:fs';
import { defaultCrypto, toHex } from '@islet/arch';
import {
  buildCcaToken,
  CCA_TOKEN_TAG,
  decodeCcaTokenParts,
  decodeCoseSign1,
  PlatformProfile,
  TokenError,
} from '@islet/token';
import { describe, expect, test } from 'vitest';
import { SdkError } from '../src/errors.ts';
import { CLAIM_TITLES, type ClaimTitle, formatClaims, parseClaims } from '../src/parser.ts';

const crypto = defaultCrypto();
const token = new Uint8Array(
  readFileSync(new URL('./vectors/islet-ratls-token.bin', import.meta.url)),
);
const claims = parseClaims(token);
const RIM = '7d77ac01f480798743d60e052dcafa1732d3243ccfd44b0078302b25e681e9e4';
const CHALLENGE =
  'a740e739e965cc3caa1b0767b50dde0f04e33700d9795ce1c6bbebac47e0dddeb41516256a83d6c55d919d4fd78681d5eb660a39f070980a9e5b98a1c67bca41';

/** A 907-form token whose RIM/REM and RAK hash algorithms differ, without a verification service. */
function builtToken(): Uint8Array {
  const fill = (n: number, v: number) => new Uint8Array(n).fill(v);
  return buildCcaToken({
    crypto,
    form: CCA_TOKEN_TAG,
    rak: crypto.ecGenerate('P-384'),
    platform: {
      cpak: crypto.ecGenerate('P-384'),
      claims: {
        profile: PlatformProfile.V1,
        implementationId: fill(32, 0xaa),
        instanceId: Uint8Array.of(1, ...fill(32, 0xbb)),
        config: fill(4, 0xcc),
        lifecycle: 0x3003,
        swComponents: [{ type: 'RMM', measurement: fill(32, 1), signerId: fill(32, 2) }],
        hashAlgorithm: 'sha-256',
      },
    },
    realm: {
      challenge: fill(64, 0xab),
      personalizationValue: fill(64, 0),
      hashAlgorithm: 'sha-512',
      initialMeasurement: fill(64, 3),
      extensibleMeasurements: [fill(64, 4), fill(64, 5), fill(64, 6), fill(64, 7)],
      publicKeyHashAlgorithm: 'sha-256',
    },
  });
}

describe('parseClaims', () => {
  test('reads the real token by Islet title', () => {
    const rim = claims.claim('Realm initial measurement')!;
    expect(rim).toMatchObject({ token: 'realm', key: 44238 });
    expect(toHex(rim.value as Uint8Array)).toBe(RIM);
    expect(claims.claim('Platform hash algo')?.value).toBe('sha-256');
    expect(claims.claim('Verification service')?.value).toBe('http://whatever.com');
    expect(claims.claim('Profile')?.value).toBe(PlatformProfile.V1);
    expect(claims.claim('Realm extentible measurements')?.value).toHaveLength(4);
    expect(claims.form).toBe(399);
  });

  test('every Islet title resolves on the real token, to the key CLAIM_TITLES names', () => {
    for (const [title, where] of Object.entries(CLAIM_TITLES)) {
      const c = claims.claim(title as ClaimTitle);
      expect(c, title).toMatchObject({ title, ...where });
    }
  });

  test('"User data" is the realm challenge, under its own title', () => {
    const userData = claims.claim('User data')!;
    expect(toHex(userData.value as Uint8Array)).toBe(CHALLENGE);
    expect(userData.title).toBe('User data');
    expect(claims.claim('Realm challenge')?.value).toBe(userData.value);
  });

  test('"Realm hash algo id" is 44236 and the RAK hash algorithm is 44240 (not Islet\'s swap)', () => {
    const c = parseClaims(builtToken());
    expect(c.claim('Realm hash algo id')).toMatchObject({ key: 44236, value: 'sha-512' });
    expect(c.claim('Realm public key hash algo id')).toMatchObject({
      key: 44240,
      value: 'sha-256',
    });
    expect(c.byKey('realm', 44236)?.value).toBe('sha-512');
    expect(c.form).toBe(CCA_TOKEN_TAG);
  });

  test('an absent optional claim is undefined', () => {
    const c = parseClaims(builtToken());
    expect(c.claim('Verification service')).toBeUndefined();
    expect(c.byKey('platform', 2400)).toBeUndefined();
  });

  test("byKey tells the two token's claim 10 apart", () => {
    expect(toHex(claims.byKey('realm', 10)!.value as Uint8Array)).toBe(CHALLENGE);
    expect(claims.byKey('realm', 10)!.title).toBe('Realm challenge');
    expect(claims.byKey('platform', 10)!.value).toHaveLength(32);
    expect(claims.byKey('platform', 2395)?.value).toBe(0x3000);
    expect(claims.byKey('realm', 2395)).toBeUndefined();
    expect(claims.byKey('realm', 99999)).toBeUndefined();
  });

  test('reaches the claims Islet has no title for', () => {
    expect(claims.byKey('realm', 265)).toMatchObject({
      title: 'Realm profile',
      value: 'tag:arm.com,2023:realm#1.0.0',
    });
  });

  test('the signatures are the COSE_Sign1 signatures', () => {
    const parts = decodeCcaTokenParts(token);
    expect(claims.claim('Realm Signature')?.value).toEqual(
      decodeCoseSign1(parts.realmToken, 'realm').signature,
    );
    expect(claims.platformSignature).toEqual(
      decodeCoseSign1(parts.platformToken, 'platform').signature,
    );
    expect(claims.realmSignature).toHaveLength(96);
  });

  test('an unknown title is an argument error', () => {
    expect(() => claims.claim('Challange' as ClaimTitle)).toThrowError(
      expect.objectContaining({ code: 'SDK_ARGUMENT_INVALID' }),
    );
    expect(() => claims.claim('toString' as ClaimTitle)).toThrowError(SdkError);
  });

  test('parsing checks no signature', () => {
    const flipped = token.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(parseClaims(flipped).realmSignature.at(-1)).toBe(claims.realmSignature.at(-1)! ^ 1);
  });
});

describe('malformed tokens', () => {
  const fails = (bytes: Uint8Array, cause: string) => {
    let err: unknown;
    try {
      parseClaims(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SdkError);
    const sdk = err as SdkError;
    expect(sdk.code).toBe('SDK_VERIFY_FAILED');
    expect(sdk.shortMessage).not.toContain('\n');
    expect(sdk.cause).toBeInstanceOf(TokenError);
    expect((sdk.cause as TokenError).code).toBe(cause);
  };
  test('not a CCA token', () => fails(Uint8Array.of(1), 'TOKEN_TAG_INVALID'));
  test('truncated', () => fails(token.subarray(0, 700), 'TOKEN_CBOR_MALFORMED'));
  test('empty', () => fails(new Uint8Array(0), 'TOKEN_CBOR_MALFORMED'));
});

describe('formatClaims', () => {
  const text = formatClaims(claims);
  const lines = text.split('\n');

  test('prints Islet-style lines, bytes as hex', () => {
    expect(lines).toContain(`Realm challenge (#10) = [${CHALLENGE}]`);
    expect(lines).toContain(`Realm initial measurement (#44238) = [${RIM}]`);
    expect(lines).toContain('Lifecycle (#2395) = 12288 (0x3000, secured)');
    expect(lines).toContain('Platform hash algo (#2402) = "sha-256"');
    expect(lines[0]).toBe(`Realm Signature = [${toHex(claims.realmSignature)}]`);
  });

  test('lists the REMs and software components on indented lines', () => {
    const rems = lines.indexOf('Realm extentible measurements (#44239) =');
    expect(lines.slice(rems + 1, rems + 5)).toEqual(
      [0, 1, 2, 3].map((i) => `  [${i}] [${'00'.repeat(32)}]`),
    );
    expect(lines).toContain(
      '  [4] type "RMM", version "", alg "sha-256", ' +
        'measurement [42926d4e3de7a8d3b32766180df3abe65109a090d2a39763721d0770eaa4b3bd], ' +
        `signer [${'00'.repeat(32)}]`,
    );
  });

  test('prints each claim once: "User data" is not repeated', () => {
    expect(text).not.toContain('User data');
    expect(lines.filter((l) => l.startsWith('Realm challenge'))).toHaveLength(1);
  });

  test('color only adds ANSI escapes', () => {
    expect(text).not.toContain('\x1b');
    const colored = formatClaims(claims, { color: true });
    expect(colored).toContain('\x1b[1mRealm challenge\x1b[22m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
    expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(text);
  });
});
