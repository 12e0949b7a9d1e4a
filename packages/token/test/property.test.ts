/**
 * Property tests: random claim sets survive build, sign, encode, decode and verify unchanged, and
 * no single flipped byte of a signed token is ever accepted.
 * @module
 */
import { test } from '@fast-check/vitest';
import { defaultCrypto, nobleCrypto } from '@islet/arch';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { buildCcaToken } from '../src/build.ts';
import { verifyCcaToken } from '../src/verify.ts';
import { platformClaims, realmInput } from './arbitraries.ts';

const crypto = defaultCrypto();
const cpak = crypto.ecGenerate('P-384');
const rak = crypto.ecGenerate('P-384');

describe('build, sign, encode, decode, verify', () => {
  test.prop([platformClaims, realmInput, fc.constantFrom(399, 907) as fc.Arbitrary<399 | 907>], {
    numRuns: 60,
  })('random claim sets round-trip', (platform, realm, form) => {
    const token = buildCcaToken({ platform: { claims: platform, cpak }, realm, rak, crypto, form });
    const report = verifyCcaToken(token, {
      cpak: cpak.publicKey,
      crypto,
      expectedChallenge: realm.challenge,
    });
    expect(report.form).toBe(form);
    expect(report.platform).toEqual({ ...platform, challenge: report.platform.challenge });
    const { publicKey, ...realmRest } = report.realm;
    expect(realmRest).toEqual({
      ...realm,
      extensibleMeasurements: [...realm.extensibleMeasurements],
    });
    expect(report.rak.point).toEqual(rak.publicKey.point);
    expect(publicKey.length).toBe(107);
  });

  test.prop([platformClaims, realmInput], { numRuns: 10 })(
    'tokens signed through one provider verify through the other',
    (platform, realm) => {
      const token = buildCcaToken({
        platform: { claims: platform, cpak },
        realm,
        rak,
        crypto: nobleCrypto,
      });
      expect(verifyCcaToken(token, { cpak: cpak.publicKey, crypto }).binding).toBe('valid');
    },
  );
});

describe('a flipped byte is never accepted', () => {
  const token = fc.sample(
    fc
      .tuple(platformClaims, realmInput)
      .map(([platform, realm]) =>
        buildCcaToken({ platform: { claims: platform, cpak }, realm, rak, crypto }),
      ),
    { numRuns: 1, seed: 7 },
  )[0]!;

  test.prop([fc.nat({ max: token.length - 1 }), fc.integer({ min: 1, max: 255 })], {
    numRuns: 400,
  })('flipping any byte makes decoding or verification fail', (index, mask) => {
    const bad = token.slice();
    bad[index]! ^= mask;
    expect(() => verifyCcaToken(bad, { cpak: cpak.publicKey, crypto })).toThrowError(
      expect.objectContaining({ code: expect.stringMatching(/^TOKEN_/) }),
    );
  });

  test('every byte position, flipped by 0x01, fails', () => {
    for (let i = 0; i < token.length; i++) {
      const bad = token.slice();
      bad[i]! ^= 1;
      expect(() => verifyCcaToken(bad, { cpak: cpak.publicKey, crypto }), `byte ${i}`).toThrow();
    }
  });
});
