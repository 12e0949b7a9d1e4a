/**
 * verify() on Islet's real token with the real CPAK, and on tokens built here so that each
 * reference value and the challenge can be made to differ on its own; parseReferenceValues on
 * malformed documents.
 * @module
 */
import { readFileSync } from 'node:fs';
import { defaultCrypto, ecPublicKeyFromRaw, toHex } from '@islet/arch';
import { buildCcaToken, PlatformProfile, type SwComponent, TokenError } from '@islet/token';
import { describe, expect, test } from 'vitest';
import { SdkError } from '../src/errors.ts';
import { parseReferenceValues, type ReferenceValues, verify } from '../src/verifier.ts';

const crypto = defaultCrypto();
const vector = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./vectors/${name}`, import.meta.url)));
const isletToken = vector('islet-ratls-token.bin');
const isletCpak = ecPublicKeyFromRaw('P-384', vector('islet-cpak-public.bin'));

const zeros = (n: number) => '00'.repeat(n);
/** The real token's values, as a relying party would write them down. */
const isletReference: ReferenceValues = {
  rim: '7d77ac01f480798743d60e052dcafa1732d3243ccfd44b0078302b25e681e9e4',
  rems: [zeros(32), zeros(32), zeros(32), zeros(32)],
  rpv: zeros(64),
  platformSwComponents: [
    {
      measurementType: 'Dummy BL1',
      measurementValue: '697de4407dae45c07506d1f00b3dbf5ce1db41f69e1750a311f91d213e119889',
      signerId: 'c6c32a957df4c6698c550b695d022ed5180cae71f8b49cbb75e6061c2ef497e1',
      version: '0.1.0',
    },
    {
      measurementType: 'Dummy BL2',
      measurementValue:
        '8e175a1dcd79b8b51ce9e259c2568305b73f5f26f5673a8cf781a94598e44f67fdf4926869ee7667e9120b5c1b97625cc96d347c23ce3c5f763bf1d9b54781f6',
    },
    {
      measurementValue: '022e5966dd6a001d3f3923b0f9ca82b1d6c894aac1093ba6309549dd3f58e813',
    },
    {
      measurementType: 'SECURE_RT_EL3',
      measurementValue: '7f6f5265bfa2611f505d7d6dda99fed2b6d4d232528d4b5e23194d2ec357d932',
      signerId: zeros(32),
    },
    {
      measurementType: 'RMM',
      measurementValue: '42926d4e3de7a8d3b32766180df3abe65109a090d2a39763721d0770eaa4b3bd',
    },
  ],
};

/** Catches what `fn` throws; fails the test if it returns. */
function thrown(fn: () => unknown): SdkError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SdkError);
    return e as SdkError;
  }
  throw new Error('expected an SdkError, nothing was thrown');
}

/** Expects `SDK_VERIFY_FAILED` with a one-line message containing `what`. */
function failsWith(fn: () => unknown, what: string): SdkError {
  const err = thrown(fn);
  expect(err.code).toBe('SDK_VERIFY_FAILED');
  expect(err.shortMessage).toContain(what);
  expect(err.shortMessage).not.toContain('\n');
  return err;
}

describe("Islet's token", () => {
  test('verifies with the CPAK and returns its claims', () => {
    const claims = verify(isletToken, { cpak: isletCpak });
    expect(toHex(claims.realm.initialMeasurement)).toBe(isletReference.rim);
    expect(claims.claim('Lifecycle')?.value).toBe(0x3000);
  });

  test('matches its reference values and its own challenge', () => {
    const { realm } = verify(isletToken, { cpak: isletCpak, crypto });
    expect(
      verify(isletToken, {
        cpak: isletCpak,
        crypto,
        challenge: realm.challenge,
        reference: isletReference,
      }).realm.challenge,
    ).toEqual(realm.challenge);
  });

  test('uppercase hex matches', () => {
    expect(() =>
      verify(isletToken, {
        cpak: isletCpak,
        reference: { rim: isletReference.rim!.toUpperCase() },
      }),
    ).not.toThrow();
  });

  test('fails with another CPAK, naming the platform signature', () => {
    const err = failsWith(
      () => verify(isletToken, { cpak: crypto.ecGenerate('P-384').publicKey }),
      'platform token signature',
    );
    expect(err.cause).toBeInstanceOf(TokenError);
    expect((err.cause as TokenError).code).toBe('TOKEN_PLATFORM_SIGNATURE_INVALID');
  });

  test('fails when any byte is flipped', () => {
    for (let i = 0; i < isletToken.length; i++) {
      const flipped = isletToken.slice();
      flipped[i]! ^= 0x01;
      const err = thrown(() => verify(flipped, { cpak: isletCpak, crypto }));
      expect(err.code, `byte ${i}`).toBe('SDK_VERIFY_FAILED');
    }
  });

  test('a flipped last byte is a bad realm signature', () => {
    const flipped = isletToken.slice();
    flipped[flipped.length - 1]! ^= 0x80;
    const err = failsWith(() => verify(flipped, { cpak: isletCpak }), 'realm token signature');
    expect((err.cause as TokenError).code).toBe('TOKEN_REALM_SIGNATURE_INVALID');
  });

  test('a challenge that is only a prefix of the realm challenge does not match', () => {
    const { realm } = verify(isletToken, { cpak: isletCpak });
    failsWith(
      () => verify(isletToken, { cpak: isletCpak, challenge: realm.challenge.subarray(0, 63) }),
      'realm challenge differs',
    );
  });

  test.each([
    ['rim', { rim: zeros(32) }, 'realm initial measurement differs from the reference'],
    [
      'a REM',
      { rems: [undefined, undefined, 'ff'.repeat(32)] },
      'extensible measurement 2 differs',
    ],
    ['the RPV', { rpv: 'ff'.repeat(64) }, 'realm personalization value differs'],
  ] as const)('a mismatching %s fails', (_, reference, what) => {
    failsWith(() => verify(isletToken, { cpak: isletCpak, reference }), what);
  });

  test('a missing or unexpected software component fails', () => {
    const sw = isletReference.platformSwComponents!;
    failsWith(
      () =>
        verify(isletToken, { cpak: isletCpak, reference: { platformSwComponents: sw.slice(1) } }),
      'platform sw component 0 (Dummy BL1) matches no reference value',
    );
    failsWith(
      () =>
        verify(isletToken, {
          cpak: isletCpak,
          reference: { platformSwComponents: [...sw, { measurementValue: zeros(32) }] },
        }),
      'reference sw component 5 is not in the platform token',
    );
  });
});

describe('built tokens', () => {
  const fill = (n: number, v: number) => new Uint8Array(n).fill(v);
  const cpak = crypto.ecGenerate('P-384');
  const rmm: SwComponent = {
    type: 'RMM',
    measurement: fill(32, 1),
    version: '1.0',
    signerId: fill(32, 2),
  };
  const userData = new TextEncoder().encode('hello');
  const challenge = new Uint8Array(64);
  challenge.set(userData);
  const token = buildCcaToken({
    crypto,
    rak: crypto.ecGenerate('P-384'),
    platform: {
      cpak,
      claims: {
        profile: PlatformProfile.V1,
        implementationId: fill(32, 0xaa),
        instanceId: Uint8Array.of(1, ...fill(32, 0xbb)),
        config: fill(4, 0xcc),
        lifecycle: 0x3000,
        swComponents: [rmm, { ...rmm, type: 'BL2', measurement: fill(48, 3) }],
        hashAlgorithm: 'sha-256',
      },
    },
    realm: {
      challenge,
      personalizationValue: fill(64, 9),
      hashAlgorithm: 'sha-256',
      initialMeasurement: fill(32, 4),
      extensibleMeasurements: [fill(32, 5), fill(32, 6), fill(32, 7), fill(32, 8)],
      publicKeyHashAlgorithm: 'sha-256',
    },
  });
  const good: ReferenceValues = {
    rim: toHex(fill(32, 4)),
    rems: [toHex(fill(32, 5)), toHex(fill(32, 6)), toHex(fill(32, 7)), toHex(fill(32, 8))],
    rpv: toHex(fill(64, 9)),
    platformSwComponents: [
      { measurementValue: toHex(fill(48, 3)), measurementType: 'BL2' },
      {
        measurementType: 'RMM',
        measurementValue: toHex(fill(32, 1)),
        signerId: toHex(fill(32, 2)),
        version: '1.0',
      },
    ],
  };
  const run = (options: { challenge?: Uint8Array; reference?: ReferenceValues }) =>
    verify(token, { cpak: cpak.publicKey, crypto, ...options });

  test('the user data, zero-padded, is the challenge; the reference matches', () => {
    expect(run({ challenge: userData, reference: good }).realm.challenge).toEqual(challenge);
    expect(() => run({ challenge })).not.toThrow();
  });

  test('other user data fails', () => {
    failsWith(
      () => run({ challenge: new TextEncoder().encode('hellp') }),
      'realm challenge differs from the expected challenge',
    );
    failsWith(() => run({ challenge: new Uint8Array(0) }), 'realm challenge differs');
  });

  test('user data above 64 bytes is an argument error', () => {
    expect(thrown(() => run({ challenge: new Uint8Array(65) })).code).toBe('SDK_ARGUMENT_INVALID');
  });

  test.each([
    ['RIM', { rim: toHex(fill(32, 5)) }, 'realm initial measurement differs from the reference'],
    ['REM 0', { rems: [toHex(fill(32, 6))] }, 'realm extensible measurement 0 differs'],
    ['REM 3', { rems: [undefined, undefined, undefined, toHex(fill(32, 5))] }, 'measurement 3'],
    ['RPV', { rpv: toHex(fill(64, 8)) }, 'realm personalization value differs from the reference'],
  ] as const)('a different %s fails', (_, change, what) => {
    failsWith(() => run({ reference: { ...good, ...change } }), what);
  });

  test('REMs the reference leaves out are not compared', () => {
    expect(() =>
      run({ reference: { rems: [undefined, undefined, toHex(fill(32, 7))] } }),
    ).not.toThrow();
  });

  const sw = good.platformSwComponents!;
  test.each([
    ['measurement', { ...sw[1]!, measurementValue: toHex(fill(32, 7)) }],
    ['signer ID', { ...sw[1]!, signerId: toHex(fill(32, 7)) }],
    ['type', { ...sw[1]!, measurementType: 'BL1' }],
    ['version', { ...sw[1]!, version: '1.1' }],
  ])('a software component with a different %s fails', (_, changed) => {
    failsWith(
      () => run({ reference: { platformSwComponents: [sw[0]!, changed] } }),
      'platform sw component 0 (RMM) matches no reference value',
    );
  });

  test('one reference entry matches one component only', () => {
    const twice = [{ measurementValue: toHex(fill(32, 1)) }, sw[0]!, sw[0]!];
    failsWith(
      () => run({ reference: { platformSwComponents: twice } }),
      'reference sw component 2 (BL2) is not in the platform token',
    );
  });

  test('malformed reference values are refused before the token is looked at', () => {
    const err = thrown(() =>
      verify(new Uint8Array(1), { cpak: cpak.publicKey, reference: { rim: 'xyz' } }),
    );
    expect(err.code).toBe('SDK_REFERENCE_INVALID');
  });
});

describe('parseReferenceValues', () => {
  const digest = 'ab'.repeat(32);

  test('accepts a full document, null REMs become undefined', () => {
    const json = JSON.parse(
      JSON.stringify({
        rim: digest,
        rems: [null, digest.toUpperCase(), null, 'cd'.repeat(64)],
        rpv: '00'.repeat(64),
        platformSwComponents: [
          { measurementType: 'RMM', measurementValue: digest, signerId: digest, version: '1' },
          { measurementValue: 'ef'.repeat(48) },
        ],
      }),
    );
    expect(parseReferenceValues(json)).toEqual({
      rim: digest,
      rems: [undefined, digest.toUpperCase(), undefined, 'cd'.repeat(64)],
      rpv: '00'.repeat(64),
      platformSwComponents: [
        { measurementType: 'RMM', measurementValue: digest, signerId: digest, version: '1' },
        { measurementValue: 'ef'.repeat(48) },
      ],
    });
    expect(parseReferenceValues({})).toEqual({});
  });

  test.each([
    [null, 'the document is not an object'],
    [[], 'the document is not an object'],
    ['rim', 'the document is not an object'],
    [{ rim: digest, RIM: digest }, 'the document has an unknown field "RIM"'],
    [{ rim: 'zz'.repeat(32) }, 'rim is not hex'],
    [{ rim: `${digest}a` }, 'rim is not hex'],
    [{ rim: `0x${digest}` }, 'rim is not hex'],
    [{ rim: 'ab' }, 'rim is 1 bytes, expected 32, 48, 64'],
    [{ rim: 7 }, 'rim is not a string'],
    [{ rpv: digest }, 'rpv is 32 bytes, expected 64'],
    [{ rems: digest }, 'rems is not an array'],
    [{ rems: [digest, digest, digest, digest, digest] }, 'rems has 5 entries'],
    [{ rems: [null, 'ab'.repeat(31)] }, 'rems[1] is 31 bytes'],
    [{ rems: [null, 5] }, 'rems[1] is not a string'],
    [{ platformSwComponents: {} }, 'platformSwComponents is not an array'],
    [{ platformSwComponents: [null] }, 'platformSwComponents[0] is not an object'],
    [{ platformSwComponents: [{}] }, 'platformSwComponents[0].measurementValue is missing'],
    [
      { platformSwComponents: [{ measurementValue: digest, signerID: digest }] },
      'platformSwComponents[0] has an unknown field "signerID"',
    ],
    [
      { platformSwComponents: [{ measurementValue: digest }, { measurementValue: 'ab' }] },
      'platformSwComponents[1].measurementValue is 1 bytes',
    ],
    [
      { platformSwComponents: [{ measurementValue: digest, signerId: 'ab'.repeat(20) }] },
      'platformSwComponents[0].signerId is 20 bytes',
    ],
    [
      { platformSwComponents: [{ measurementValue: digest, version: 1 }] },
      'platformSwComponents[0].version is not a string',
    ],
    [
      { platformSwComponents: [{ measurementValue: digest, measurementType: null }] },
      'platformSwComponents[0].measurementType is not a string',
    ],
  ])('refuses %j', (json, message) => {
    const err = thrown(() => parseReferenceValues(json));
    expect(err.code).toBe('SDK_REFERENCE_INVALID');
    expect(err.shortMessage).toContain(`reference values: ${message}`);
    expect(err.shortMessage).not.toContain('\n');
  });
});
