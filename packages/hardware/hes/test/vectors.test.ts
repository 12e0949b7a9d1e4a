/**
 * Islet's published vectors, reproduced: the CPAK of the dummy provisioning, the RAKs of three real
 * Islet tokens re-derived as DAKs, the platform token payloads re-encoded byte for byte, and a
 * platform token made here equal (payload) to one a real Islet HES made.
 * @module
 */
import { readFileSync } from 'node:fs';
import {
  type CryptoProvider,
  ecPublicKeyFromPem,
  equalBytes,
  nobleCrypto,
  nodeCrypto,
  toHex,
} from '@islet/arch';
import {
  decodeCoseSign1,
  decodePlatformClaims,
  inspectCcaToken,
  PlatformProfile,
  verifyPlatformToken,
} from '@islet/token';
import { describe, expect, test } from 'vitest';
import {
  deriveCpak,
  deriveDak,
  encodeHesPlatformClaims,
  encodeSwComponents,
  Hes,
  ISLET_DUMMY_PROVISIONING,
  ISLET_LEGACY_DUMMY_PROVISIONING,
  measurementToSwComponent,
  PsaStatus,
  platformInstanceId,
} from '../src/index.ts';

const vector = (path: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./vectors/${path}`, import.meta.url)));

const CPAK_BIN = vector('islet-remote-attestation/tools/rsictl/examples/cpak_public.bin');
const CPAK_PEM = readFileSync(
  new URL(
    './vectors/islet-remote-attestation/derived/tools/rsictl/examples/cpak_public.pem',
    import.meta.url,
  ),
  'utf8',
);
const PLATFORM_BIN = vector('islet-remote-attestation/tools/rsictl/examples/platform.bin');

/** The real Islet tokens, and the lifecycle word their HES wrote into the DAK seed. */
const TOKENS = [
  { path: 'islet-remote-attestation/lib/ratls/client/token.bin', dakSeedLifecycle: 3 },
  { path: 'islet-remote-attestation/lib/realm-verifier/tests/token.bin', dakSeedLifecycle: 3 },
  { path: 'islet-ratls/examples/client/ratls/token.bin', dakSeedLifecycle: 0x3000 },
] as const;

const providers: readonly CryptoProvider[] = [nodeCrypto(), nobleCrypto];

/** The platform payload, platform claims and RAK of a CCA token. */
function open(token: Uint8Array, crypto: CryptoProvider) {
  const report = inspectCcaToken(token, { crypto });
  const payload = decodeCoseSign1(report.platformToken, 'platform token').payload;
  return { payload, platform: report.platform, rak: report.rak };
}

describe.each(providers)('with $name', (crypto) => {
  test('the CPAK of the dummy provisioning is cpak_public.bin, byte for byte', () => {
    const cpak = deriveCpak(ISLET_DUMMY_PROVISIONING, crypto);
    expect(toHex(cpak.publicKey.point)).toBe(toHex(CPAK_BIN));
    expect(cpak.publicKey.point).toEqual(ecPublicKeyFromPem(CPAK_PEM).point);
  });

  test('the instance ID is 0x01 ‖ SHA-256(CPAK), as in every HES token', () => {
    const cpak = deriveCpak(ISLET_DUMMY_PROVISIONING, crypto);
    const id = platformInstanceId(cpak.publicKey, crypto);
    expect(toHex(id)).toBe('011be9c336d7a70b661382934a260192351ac61d24e20d882f494abee87f8a1e98');
    for (const { path } of TOKENS) {
      expect(open(vector(path), crypto).platform.instanceId).toEqual(id);
    }
  });

  test.each(TOKENS)(
    'the RAK of $path re-derives as the DAK (lifecycle word $dakSeedLifecycle)',
    ({ path, dakSeedLifecycle }) => {
      const { platform, rak } = open(vector(path), crypto);
      const dak = deriveDak(
        {
          guk: ISLET_DUMMY_PROVISIONING.guk,
          bl2SignedHash: ISLET_DUMMY_PROVISIONING.bl2SignedHash,
          lifecycle: dakSeedLifecycle,
          swComponents: encodeSwComponents(platform.swComponents),
        },
        crypto,
      );
      expect(toHex(dak.publicKey.point)).toBe(toHex(rak.point));
      // The other era's lifecycle word gives another key: the word matters.
      const other = deriveDak(
        {
          guk: ISLET_DUMMY_PROVISIONING.guk,
          bl2SignedHash: ISLET_DUMMY_PROVISIONING.bl2SignedHash,
          lifecycle: dakSeedLifecycle === 3 ? 0x3000 : 3,
          swComponents: encodeSwComponents(platform.swComponents),
        },
        crypto,
      );
      expect(equalBytes(other.publicKey.point, rak.point)).toBe(false);
    },
  );

  test.each(TOKENS)('the platform payload of $path re-encodes byte for byte', ({ path }) => {
    const { payload, platform } = open(vector(path), crypto);
    expect(toHex(encodeHesPlatformClaims(platform))).toBe(toHex(payload));
  });

  test('platform.bin verifies with the derived CPAK and re-encodes byte for byte', () => {
    const cpak = deriveCpak(ISLET_DUMMY_PROVISIONING, crypto).publicKey;
    const report = verifyPlatformToken(PLATFORM_BIN, { cpak, crypto });
    const payload = decodeCoseSign1(PLATFORM_BIN, 'platform token').payload;
    expect(toHex(encodeHesPlatformClaims(report.platform))).toBe(toHex(payload));
  });
});

describe('a HES provisioned like the 2023 Islet HES', () => {
  const crypto = nodeCrypto();
  const { payload, platform, rak } = open(
    vector('islet-remote-attestation/lib/ratls/client/token.bin'),
    crypto,
  );

  test('hands out that token’s RAK and signs a byte-identical platform payload', () => {
    const hes = new Hes({ crypto, provisioning: ISLET_LEGACY_DUMMY_PROVISIONING });
    const dak = hes.getDelegatedKey();
    expect(dak.status).toBe(PsaStatus.Success);
    if (dak.status !== PsaStatus.Success) return;
    expect(dak.key.publicKey.point).toEqual(rak.point);
    // The legacy RMM hashes the raw SEC1 point.
    const challenge = crypto.hash('sha256', dak.key.publicKey.point);
    expect(challenge).toEqual(platform.challenge);
    const result = hes.getPlatformToken(challenge);
    expect(result.status).toBe(PsaStatus.Success);
    if (result.status !== PsaStatus.Success) return;
    const ours = decodeCoseSign1(result.token, 'platform token');
    expect(toHex(ours.payload)).toBe(toHex(payload));
    expect(verifyPlatformToken(result.token, { cpak: hes.cpakPublicKey, crypto }).platform).toEqual(
      platform,
    );
  });

  test('makes the claims of platform.bin but for its bare 32-byte instance ID', () => {
    const hes = new Hes({ crypto, provisioning: ISLET_LEGACY_DUMMY_PROVISIONING });
    const real = decodePlatformClaims(decodeCoseSign1(PLATFORM_BIN, 'platform token').payload);
    expect(real.swComponents).toEqual(hes.measurements().map(measurementToSwComponent));
    const ours = decodePlatformClaims(
      decodeCoseSign1(hes.issuePlatformToken(real.challenge), 'platform token').payload,
    );
    expect(real.profile).toBe(PlatformProfile.Legacy);
    expect(ours.instanceId).toEqual(Uint8Array.of(0x01, ...real.instanceId));
    expect({ ...ours, instanceId: real.instanceId }).toEqual(real);
  });
});
