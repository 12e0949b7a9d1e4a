/**
 * The vector table: every real token of test/vectors (copied from public projects; see each
 * folder's SOURCES.md) verifies with the key its SOURCES.md names, and every negative vector fails
 * with the error code of its reason.
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  defaultCrypto,
  type EcPublicKey,
  ecPublicKeyFromJwk,
  ecPublicKeyFromPem,
  ecPublicKeyFromRaw,
} from '@islet/arch';
import { describe, expect, test } from 'vitest';
import {
  decodePlatformClaims,
  decodeRealmClaims,
  inspectCcaToken,
  type TokenErrorCode,
  verifyCcaToken,
  verifyPlatformToken,
} from '../src/index.ts';

const crypto = defaultCrypto();
const read = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./vectors/${path}`, import.meta.url)));
const text = (path: string): string => new TextDecoder().decode(read(path));

/** The verification keys the SOURCES.md files name. */
const KEYS: Record<string, () => EcPublicKey> = {
  // TF-M CPAK (P-384): cca_platform.pub is the SPKI of the cca_platform.pem private key.
  'tfm-cpak': () => ecPublicKeyFromPem(text('ccatoken/realm/testvectors/tf-rmm/cca_platform.pub')),
  // Veraison testIAK (P-256), a private JWK: its public half.
  'veraison-iak': () =>
    ecPublicKeyFromJwk(JSON.parse(text('ccatoken/extracted/test_common.go/testIAK.jwk.json'))),
  'veraison-alt-iak': () =>
    ecPublicKeyFromJwk(JSON.parse(text('ccatoken/extracted/test_common.go/testAltIAK.jwk.json'))),
  // Islet's FVP CPAK as a raw 97-byte point.
  'islet-cpak': () =>
    ecPublicKeyFromRaw(
      'P-384',
      read('islet-remote-attestation/tools/rsictl/examples/cpak_public.bin'),
    ),
  'islet-cpak-pem': () =>
    ecPublicKeyFromPem(
      text('islet-remote-attestation/derived/tools/rsictl/examples/cpak_public.pem'),
    ),
};

const POSITIVE: [file: string, key: string][] = [
  ['ccatoken/extracted/test_common.go/testGoodCCAToken.cbor', 'veraison-iak'],
  ['ccatoken/extracted/test_common.go/testGoodLegacyCCAToken.cbor', 'veraison-iak'],
  ['ccatoken/extracted/test_common.go/testRMMLegacyEvidence.cbor', 'tfm-cpak'],
  ['ccatoken/realm/testvectors/tf-rmm/cca_token.cbor', 'tfm-cpak'],
  ['islet-ratls/examples/client/ratls/token.bin', 'islet-cpak'],
  ['islet-ratls/examples/client/ratls/token.bin', 'islet-cpak-pem'],
  ['islet-remote-attestation/lib/ratls/client/token.bin', 'islet-cpak'],
  ['islet-remote-attestation/lib/realm-verifier/tests/token.bin', 'islet-cpak'],
  ['islet-remote-attestation/tools/rsictl/examples/token.bin', 'tfm-cpak'],
  ['rust-ccatoken/testdata/cca-token-01.cbor', 'tfm-cpak'],
  ['rust-ccatoken/testdata/cca-token-02.cbor', 'veraison-iak'],
  ['rust-ccatoken/testdata/cca-token-draft-ffm-00.cbor', 'tfm-cpak'],
  ['services/end-to-end/input/cca-evidence.cbor', 'veraison-iak'],
  ['services/scheme/arm-cca/test/evidence/cca-good.cbor', 'veraison-iak'],
  ['tf-m-tools/history/3450f2a/iat-verifier/tests/data/cca_example_token_legacy.cbor', 'tfm-cpak'],
  ['tf-m-tools/history/c7a1f2a/iat-verifier/tests/data/cca_token.cbor', 'tfm-cpak'],
  ['tf-m-tools/history/e84d296/iat-verifier/tests/data/cca_example_token.cbor', 'tfm-cpak'],
  ['tf-m-tools/history/e84d296/iat-verifier/tests/data/cca_example_token_legacy.cbor', 'tfm-cpak'],
  ['tf-m-tools/history/e84d296/iat-verifier/tests/data/cca_token.cbor', 'tfm-cpak'],
  ['tf-m-tools/iat-verifier/tests/data/cca_example_token.cbor', 'tfm-cpak'],
  ['tf-m-tools/iat-verifier/tests/data/cca_example_token_legacy.cbor', 'tfm-cpak'],
  ['tf-m-tools/iat-verifier/tests/data/cca_token.cbor', 'tfm-cpak'],
  // TF-RMM rel0 itself produced this one through RSI_ATTESTATION_TOKEN_INIT/CONTINUE.
  ['tf-rmm-host/cca-token.cbor', 'tfm-cpak'],
];

const NEGATIVE: [file: string, key: string, code: TokenErrorCode, reason: string][] = [
  [
    'ccatoken/extracted/test_common.go/testBadUnwrappedTokens.cbor',
    'veraison-iak',
    'TOKEN_COLLECTION_INVALID',
    'COSE_Sign1 carried as an array, not a byte string',
  ],
  [
    'rust-ccatoken/testdata/bug-33-repro.cbor',
    'tfm-cpak',
    'TOKEN_BINDING_MISMATCH',
    'challenge is not H(RAK)',
  ],
  // Same token, wrong key: the alternative Veraison IAK, and the Islet CPAK for a TF-M-signed token.
  [
    'ccatoken/extracted/test_common.go/testGoodCCAToken.cbor',
    'veraison-alt-iak',
    'TOKEN_PLATFORM_SIGNATURE_INVALID',
    'platform key mismatch',
  ],
  [
    'islet-remote-attestation/tools/rsictl/examples/token.bin',
    'islet-cpak',
    'TOKEN_PLATFORM_SIGNATURE_INVALID',
    'signed by the TF-M CPAK, not Islet',
  ],
  [
    'rust-ccatoken/testdata/cca-token-01.cbor',
    'veraison-iak',
    'TOKEN_PLATFORM_SIGNATURE_INVALID',
    'ES384 token, P-256 key',
  ],
];

describe('CCA tokens that must verify', () => {
  test.each(POSITIVE)('%s with %s', (file, key) => {
    const report = verifyCcaToken(read(file), { cpak: KEYS[key]!(), crypto });
    expect(report.platformSignature).toBe('valid');
    expect(report.realmSignature).toBe('valid');
    expect(report.binding).toBe('valid');
    expect(report.realm.challenge.length).toBe(64);
  });
});

describe('CCA tokens that must fail', () => {
  test.each(NEGATIVE)('%s with %s fails with %s (%s)', (file, key, code) => {
    expect(() => verifyCcaToken(read(file), { cpak: KEYS[key]!(), crypto })).toThrowError(
      expect.objectContaining({ code }),
    );
  });

  test('a trust anchor whose point is not on P-256 is refused before any token is checked', () => {
    const [anchor] = JSON.parse(text('rust-ccatoken/testdata/ta-02-bad.json')) as {
      pkey: unknown;
    }[];
    expect(() => ecPublicKeyFromJwk(anchor!.pkey)).toThrowError(
      expect.objectContaining({ code: 'KEY_POINT_INVALID' }),
    );
  });
});

describe('what each token carries', () => {
  test('the wire form and profiles are recognised', () => {
    const islet = inspectCcaToken(read('islet-ratls/examples/client/ratls/token.bin'), { crypto });
    expect(islet.form).toBe(399);
    expect(islet.platformSignature).toBe('unchecked');
    expect(islet.realm.profile).toBe('tag:arm.com,2023:realm#1.0.0');
    expect(islet.platform.swComponents.map((c) => c.type)).toContain('RMM');
    const newest = inspectCcaToken(
      read('tf-m-tools/iat-verifier/tests/data/cca_example_token.cbor'),
      { crypto },
    );
    expect(newest.form).toBe(907);
    expect(newest.realm.profile).toBe('tag:arm.com,2024:realm#2.0.0');
    expect(newest.realm.instanceId?.length).toBe(33);
    expect(newest.realm.mecPolicy).toBe(1);
    const legacy = inspectCcaToken(read('rust-ccatoken/testdata/cca-token-01.cbor'), { crypto });
    expect(legacy.realm.profile).toBeUndefined();
    expect(legacy.realm.publicKey.length).toBe(97);
  });

  test('the RIM of the Islet token matches its reference values', () => {
    const report = inspectCcaToken(read('islet-ratls/examples/client/ratls/token.bin'), { crypto });
    expect(Buffer.from(report.realm.initialMeasurement).toString('hex')).toMatch(/^7d77ac01/);
  });
});

describe('platform tokens alone (tag 18)', () => {
  test.each([
    ['tf-m-tools/iat-verifier/tests/data/cca_example_platform_token.cbor', 'tfm-cpak'],
    ['tf-m-tools/iat-verifier/tests/data/cca_example_platform_token_legacy.cbor', 'tfm-cpak'],
    ['tf-m-tools/iat-verifier/tests/data/cca_platform_token.cbor', 'tfm-cpak'],
    ['islet-remote-attestation/tools/rsictl/examples/platform.bin', 'islet-cpak'],
  ])('%s verifies with %s', (file, key) => {
    expect(verifyPlatformToken(read(file), { cpak: KEYS[key]!(), crypto }).platformSignature).toBe(
      'valid',
    );
  });

  test('the Islet platform token does not verify with the TF-M CPAK', () => {
    expect(() =>
      verifyPlatformToken(read('islet-remote-attestation/tools/rsictl/examples/platform.bin'), {
        cpak: KEYS['tfm-cpak']!(),
        crypto,
      }),
    ).toThrowError(expect.objectContaining({ code: 'TOKEN_PLATFORM_SIGNATURE_INVALID' }));
  });
});

const PX = 'ccatoken/extracted/platform/pretty_test_vectors.go';
const RX = 'ccatoken/extracted/realm/pretty_test_vectors.go';

describe('claim sets', () => {
  test.each([
    `${PX}/testEncodedCcaPlatformClaimsAll.cbor`,
    `${PX}/testEncodedCcaPlatformClaimsMandatoryOnly.cbor`,
    `${PX}/testEncodedCcaPlatformLegacyClaimsAll.cbor`,
    `${PX}/testEncodedCcaPlatformLegacyClaimsMandatoryOnly.cbor`,
    'rust-ccatoken/testdata/platform-claims.cbor',
  ])('platform claims %s are valid', (file) => {
    expect(decodePlatformClaims(read(file)).swComponents.length).toBeGreaterThan(0);
  });

  test.each([
    [`${PX}/testEncodedCcaPlatformClaimsInvalidMultiNonce.cbor`, 'TOKEN_CLAIM_TYPE'],
    [`${PX}/testEncodedCcaPlatformClaimsMissingMandatoryNonce.cbor`, 'TOKEN_CLAIM_MISSING'],
  ])('platform claims %s fail with %s', (file, code) => {
    expect(() => decodePlatformClaims(read(file))).toThrowError(expect.objectContaining({ code }));
  });

  test.each([
    `${RX}/testEncodedCcaRealmClaimsAll.cbor`,
    `${RX}/testEncodedCcaRealmLegacyClaimsAll.cbor`,
    'rust-ccatoken/testdata/realm-claims.cbor',
    'rust-ccatoken/testdata/realm-claims+spurious-numeric-key.cbor',
    'rust-ccatoken/testdata/realm-claims+spurious-text-key.cbor',
  ])('realm claims %s are valid', (file) => {
    expect(decodeRealmClaims(read(file), crypto).challenge.length).toBe(64);
  });

  test.each([
    [`${RX}/testEncodedCcaClaimsMissingMandExtendedMeas.cbor`, 'TOKEN_CLAIM_MISSING'],
    [`${RX}/testEncodedCcaClaimsMissingMandHashAlgID.cbor`, 'TOKEN_CLAIM_MISSING'],
    [`${RX}/testEncodedCcaClaimsMissingMandInitialMeas.cbor`, 'TOKEN_CLAIM_MISSING'],
    [`${RX}/testEncodedCcaClaimsMissingMandPubKey.cbor`, 'TOKEN_CLAIM_MISSING'],
    [`${RX}/testEncodedCcaRealmClaimsMissingMandNonce.cbor`, 'TOKEN_CLAIM_MISSING'],
    ['rust-ccatoken/testdata/realm-claims-missing-challenge.cbor', 'TOKEN_CLAIM_MISSING'],
  ])('realm claims %s fail with %s', (file, code) => {
    expect(() => decodeRealmClaims(read(file), crypto)).toThrowError(
      expect.objectContaining({ code }),
    );
  });
});
