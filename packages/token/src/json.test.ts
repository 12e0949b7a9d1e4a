/** Veraison JSON claims: the ccatoken JSON vectors, round trips, and JSON-only failures. @module */
import { readdirSync, readFileSync } from 'node:fs';
import { fc, test as propTest } from '@fast-check/vitest';
import { defaultCrypto } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { TokenError, type TokenErrorCode } from './errors.ts';
import {
  evidenceFromJson,
  evidenceToJson,
  platformClaimsFromJson,
  platformClaimsToJson,
  realmClaimsFromJson,
  realmClaimsToJson,
} from './json.ts';
import {
  decodePlatformClaims,
  encodePlatformClaims,
  type PlatformClaims,
} from './platform-claims.ts';
import { RealmProfile } from './profiles.ts';
import { decodeRealmClaims, encodeRealmClaims } from './realm-claims.ts';

const crypto = defaultCrypto();
const VECTORS = new URL('../test/vectors/json/', import.meta.url);

function vector(dir: string, name: string): unknown {
  return JSON.parse(readFileSync(new URL(`${dir}/${name}`, VECTORS), 'utf8'));
}

function listVectors(dir: string): string[] {
  return readdirSync(new URL(`${dir}/`, VECTORS))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** Runs `fn` and returns the TokenError it throws, failing the test otherwise. */
function tokenError(fn: () => unknown): TokenError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TokenError);
    return e as TokenError;
  }
  expect.unreachable('expected a TokenError');
}

/** Expected outcome of a negative vector: the code, and text the message must contain. */
type Negative = readonly [code: TokenErrorCode, mentions: string];

const PLATFORM_NEGATIVES: Readonly<Record<string, Negative>> = {
  'test-config-missing.json': ['TOKEN_CLAIM_MISSING', '(2401)'],
  'test-hash-algid-invalid.json': ['TOKEN_CLAIM_VALUE', '(2402)'],
  'test-hash-algid-missing.json': ['TOKEN_CLAIM_MISSING', '(2402)'],
  'test-implementation-id-invalid-long.json': ['TOKEN_CLAIM_SIZE', '(2396)'],
  'test-implementation-id-invalid-missing.json': ['TOKEN_CLAIM_MISSING', '(2396)'],
  // "1234" is valid base64 of 3 bytes.
  'test-instance-id-invalid.json': ['TOKEN_CLAIM_SIZE', '(256)'],
  'test-instance-id-missing.json': ['TOKEN_CLAIM_MISSING', '(256)'],
  'test-invalid-profile.json': ['TOKEN_PROFILE_UNKNOWN', 'PSA-SSD'],
  // psa-* names are ignored; the CCA implementation ID is then missing.
  'test-invalid-psa-claims.json': ['TOKEN_CLAIM_MISSING', '(2396)'],
  'test-lifecycle-invalid.json': ['TOKEN_CLAIM_VALUE', '(2395)'],
  'test-no-sw-components.json': ['TOKEN_CLAIM_MISSING', '(2399)'],
  // 50-byte challenge; the hash-algo "none" would fail too, but the size is checked first.
  'test-nonce-invalid.json': ['TOKEN_CLAIM_SIZE', '(10)'],
  'test-sw-components-invalid-combo.json': [
    'TOKEN_JSON_INVALID',
    'cca-platform-sw-components[0].measurement-value',
  ],
  'test-sw-components-invalid-missing.json': ['TOKEN_CLAIM_MISSING', '(2399)'],
  'test-vsi-invalid-empty.json': ['TOKEN_CLAIM_VALUE', '(2400)'],
};

const REALM_NEGATIVES: Readonly<Record<string, Negative>> = {
  // No profile, so the RAK must be a raw point; its 97 bytes are ASCII filler ("YBYB…").
  'test-cca-claims-all-valid.json': ['TOKEN_RAK_INVALID', 'realm attestation key'],
  'test-invalid-extended-meas.json': ['TOKEN_CLAIM_SIZE', '(44239)'],
  'test-invalid-initial-meas.json': ['TOKEN_CLAIM_SIZE', '(44238)'],
  'test-invalid-nonce.json': ['TOKEN_CLAIM_SIZE', '(10)'],
  'test-invalid-personalization-val.json': ['TOKEN_CLAIM_SIZE', '(44235)'],
  'test-invalid-public-key.json': ['TOKEN_RAK_INVALID', 'realm attestation key'],
  'test-missing-extended-meas.json': ['TOKEN_CLAIM_MISSING', '(44239)'],
  'test-missing-hash-alg-id.json': ['TOKEN_CLAIM_MISSING', '(44236)'],
  'test-missing-initial-meas.json': ['TOKEN_CLAIM_MISSING', '(44238)'],
  'test-missing-nonce.json': ['TOKEN_CLAIM_MISSING', '(10)'],
  'test-missing-personalization-val.json': ['TOKEN_CLAIM_MISSING', '(44235)'],
  'test-missing-public-key-alg-id.json': ['TOKEN_CLAIM_MISSING', '(44240)'],
  'test-missing-public-key.json': ['TOKEN_CLAIM_MISSING', '(44237)'],
};

const EVIDENCE_NEGATIVES: Readonly<Record<string, Negative>> = {
  'testCombinedClaimsJSONMissingPlatform.json': ['TOKEN_JSON_INVALID', 'cca-platform-token'],
  'testCombinedClaimsJSONMissingRealm.json': ['TOKEN_JSON_INVALID', 'cca-realm-delegated-token'],
};

describe('ccatoken platform JSON vectors', () => {
  it('covers every copied vector', () => {
    expect(listVectors('platform')).toEqual(
      [...Object.keys(PLATFORM_NEGATIVES), 'test-token-valid-full.json'].sort(),
    );
  });

  it('test-token-valid-full.json parses', () => {
    const claims = platformClaimsFromJson(vector('platform', 'test-token-valid-full.json'));
    expect(claims.profile).toBe('http://arm.com/CCA-SSD/1.0.0');
    expect(claims.challenge.length).toBe(32);
    expect(claims.instanceId[0]).toBe(0x01);
    expect(claims.config).toEqual(Uint8Array.of(1, 2, 3));
    expect(claims.lifecycle).toBe(12288);
    expect(claims.swComponents).toHaveLength(1);
    expect(claims.swComponents[0]?.measurement).toEqual(new Uint8Array(32).fill(3));
    expect(claims.swComponents[0]?.signerId).toEqual(new Uint8Array(32).fill(4));
    expect(claims.verificationServiceIndicator).toBe(
      'https://veraison.example/v1/challenge-response',
    );
    expect(claims.hashAlgorithm).toBe('sha-256');
  });

  it.each(Object.entries(PLATFORM_NEGATIVES))('%s is refused', (name, [code, mentions]) => {
    const err = tokenError(() => platformClaimsFromJson(vector('platform', name)));
    expect(err.code).toBe(code);
    expect(err.shortMessage).toContain(mentions);
  });
});

describe('ccatoken realm JSON vectors', () => {
  it('covers every copied vector', () => {
    expect(listVectors('realm')).toEqual(Object.keys(REALM_NEGATIVES).sort());
  });

  it.each(Object.entries(REALM_NEGATIVES))('%s is refused', (name, [code, mentions]) => {
    const err = tokenError(() => realmClaimsFromJson(vector('realm', name), crypto));
    expect(err.code).toBe(code);
    expect(err.shortMessage).toContain(mentions);
  });
});

describe('ccatoken combined evidence JSON vectors', () => {
  it('covers every copied vector', () => {
    expect(listVectors('evidence')).toEqual(
      [...Object.keys(EVIDENCE_NEGATIVES), 'testCombinedClaimsJSON.json'].sort(),
    );
  });

  it('testCombinedClaimsJSON.json parses', () => {
    const { platform, realm } = evidenceFromJson(
      vector('evidence', 'testCombinedClaimsJSON.json'),
      crypto,
    );
    expect(platform.profile).toBe('tag:arm.com,2023:cca_platform#1.0.0');
    expect(platform.challenge.length).toBe(64);
    expect(realm.profile).toBe(RealmProfile.V1);
    expect(realm.publicKey.length).toBe(107);
    expect(realm.extensibleMeasurements).toHaveLength(4);
    expect(realm.publicKeyHashAlgorithm).toBe('sha-512');
  });

  it('testCombinedClaimsJSON.json round-trips: JSON → claims → JSON', () => {
    const json = vector('evidence', 'testCombinedClaimsJSON.json');
    expect(evidenceToJson(evidenceFromJson(json, crypto))).toEqual(json);
  });

  it.each(Object.entries(EVIDENCE_NEGATIVES))('%s is refused', (name, [code, mentions]) => {
    const err = tokenError(() => evidenceFromJson(vector('evidence', name), crypto));
    expect(err.code).toBe(code);
    expect(err.shortMessage).toContain(mentions);
  });

  it('the realm part of MissingPlatform is a valid legacy realm token (no profile, raw RAK)', () => {
    // Veraison Go would default the profile to realm#1.0.0 and expect a COSE_Key here; we follow the
    // CBOR side, where an absent profile means the legacy raw-point encoding.
    const json = vector('evidence', 'testCombinedClaimsJSONMissingPlatform.json') as Record<
      string,
      unknown
    >;
    const realm = realmClaimsFromJson(json['cca-realm-delegated-token'], crypto);
    expect(realm.profile).toBeUndefined();
    expect(realm.publicKey.length).toBe(97);
    expect(realmClaimsToJson(realm)).toEqual(json['cca-realm-delegated-token']);
  });
});

describe('JSON and CBOR agree', () => {
  it('claims read from JSON survive a CBOR encode/decode unchanged', () => {
    const { platform, realm } = evidenceFromJson(
      vector('evidence', 'testCombinedClaimsJSON.json'),
      crypto,
    );
    expect(decodePlatformClaims(encodePlatformClaims(platform))).toEqual(platform);
    expect(decodeRealmClaims(encodeRealmClaims(realm, crypto), crypto)).toEqual(realm);
  });

  it('realm#2.0.0 extension fields round-trip (cca-realm-instance-id, cca-realm-mec-policy)', () => {
    const base = vector('evidence', 'testCombinedClaimsJSON.json') as Record<
      string,
      Record<string, unknown>
    >;
    const realmJson = {
      ...base['cca-realm-delegated-token'],
      'cca-realm-profile': RealmProfile.V2,
      'cca-realm-instance-id': 'AQICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC',
      'cca-realm-mec-policy': 1,
    };
    const realm = realmClaimsFromJson(realmJson, crypto);
    expect(realm.instanceId?.length).toBe(33);
    expect(realm.mecPolicy).toBe(1);
    expect(realmClaimsToJson(realm)).toEqual(realmJson);
    // realm#2.0.0 requires the instance ID, exactly as the CBOR side does.
    const { 'cca-realm-instance-id': _, ...withoutId } = realmJson;
    expect(tokenError(() => realmClaimsFromJson(withoutId, crypto)).code).toBe(
      'TOKEN_CLAIM_MISSING',
    );
  });

  const digest = fc
    .constantFrom(32, 48, 64)
    .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
  const text = fc.string({ minLength: 1, maxLength: 12 });
  const platformClaims: fc.Arbitrary<PlatformClaims> = fc.record(
    {
      profile: fc.constantFrom(
        'http://arm.com/CCA-SSD/1.0.0' as const,
        'tag:arm.com,2023:cca_platform#1.0.0' as const,
      ),
      challenge: digest,
      implementationId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      instanceId: fc
        .uint8Array({ minLength: 32, maxLength: 32 })
        .map((b) => Uint8Array.of(1, ...b)),
      config: fc.uint8Array({ maxLength: 16 }),
      lifecycle: fc.constantFrom(0x3000, 0x3003, 0x4000, 0x60ff),
      swComponents: fc.array(
        fc.record(
          {
            type: text,
            measurement: digest,
            version: text,
            signerId: digest,
            hashAlgorithm: fc.constantFrom('sha-256', 'sha-512'),
          },
          { requiredKeys: ['measurement', 'signerId'] },
        ),
        { minLength: 1, maxLength: 3 },
      ),
      verificationServiceIndicator: text,
      hashAlgorithm: fc.constantFrom('sha-256', 'sha-384', 'sha-512'),
    },
    {
      requiredKeys: [
        'profile',
        'challenge',
        'implementationId',
        'instanceId',
        'config',
        'lifecycle',
        'swComponents',
        'hashAlgorithm',
      ],
    },
  ) as fc.Arbitrary<PlatformClaims>;

  propTest.prop([platformClaims])(
    'platform claims → JSON text → claims is the identity',
    (claims) => {
      const json = JSON.parse(JSON.stringify(platformClaimsToJson(claims)));
      expect(platformClaimsFromJson(json)).toEqual(
        decodePlatformClaims(encodePlatformClaims(claims)),
      );
    },
  );
});

describe('JSON-level failures', () => {
  const valid = (): Record<string, unknown> =>
    vector('platform', 'test-token-valid-full.json') as Record<string, unknown>;

  it.each([
    ['null', null],
    ['an array', []],
    ['a string (JSON text, not parsed)', '{}'],
    ['a number', 1],
  ])('a claim set that is %s is TOKEN_JSON_INVALID', (_, json) => {
    expect(tokenError(() => platformClaimsFromJson(json)).code).toBe('TOKEN_JSON_INVALID');
    expect(tokenError(() => realmClaimsFromJson(json, crypto)).code).toBe('TOKEN_JSON_INVALID');
    expect(tokenError(() => evidenceFromJson(json, crypto)).code).toBe('TOKEN_JSON_INVALID');
  });

  it.each([
    ['base64url alphabet', 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE_'],
    ['missing padding', 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE'],
    ['embedded whitespace', 'AQEBAQEBAQEBAQEBAQEB AQEBAQEBAQEBAQEBAQEBAQE='],
  ])('a byte string with %s is TOKEN_JSON_INVALID', (_, b64) => {
    const err = tokenError(() =>
      platformClaimsFromJson({ ...valid(), 'cca-platform-challenge': b64 }),
    );
    expect(err.code).toBe('TOKEN_JSON_INVALID');
    expect(err.shortMessage).toContain('cca-platform-challenge');
  });

  it.each([
    ['cca-platform-challenge', 42],
    ['cca-platform-challenge', ['AQID']],
    ['cca-platform-profile', 1],
    ['cca-platform-lifecycle', '12288'],
    ['cca-platform-lifecycle', 12288.5],
    ['cca-platform-sw-components', {}],
    ['cca-platform-sw-components', ['x']],
    ['cca-platform-hash-algo-id', true],
  ])('%s = %j is TOKEN_CLAIM_TYPE', (name, value) => {
    const err = tokenError(() => platformClaimsFromJson({ ...valid(), [name]: value }));
    expect(err.code).toBe('TOKEN_CLAIM_TYPE');
  });

  it('a realm REM that is not a string is TOKEN_CLAIM_TYPE', () => {
    const realm = (vector('evidence', 'testCombinedClaimsJSON.json') as Record<string, object>)[
      'cca-realm-delegated-token'
    ];
    const err = tokenError(() =>
      realmClaimsFromJson({ ...realm, 'cca-realm-extensible-measurements': [1, 2, 3, 4] }, crypto),
    );
    expect(err.code).toBe('TOKEN_CLAIM_TYPE');
  });

  it('null counts as absent', () => {
    expect(
      tokenError(() => platformClaimsFromJson({ ...valid(), 'cca-platform-config': null })).code,
    ).toBe('TOKEN_CLAIM_MISSING');
    const claims = platformClaimsFromJson({ ...valid(), 'cca-platform-service-indicator': null });
    expect(claims.verificationServiceIndicator).toBeUndefined();
  });

  it('ignores unknown fields and inherited properties', () => {
    const json = Object.assign(Object.create({ 'cca-platform-config': 'AQID' }), valid(), {
      'cca-platform-future-claim': 'x',
    });
    delete json['cca-platform-config'];
    expect(tokenError(() => platformClaimsFromJson(json)).code).toBe('TOKEN_CLAIM_MISSING');
    expect(platformClaimsFromJson({ ...valid(), 'cca-platform-future-claim': 1 }).lifecycle).toBe(
      12288,
    );
  });
});
