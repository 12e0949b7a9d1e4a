/**
 * The root of trust meets the command line: a platform token from HES, and a CCA token whose realm
 * part is signed with the RAK HES derived, verify with `islet token verify` and Islet's CPAK.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCrypto, ecPublicKeyToPem } from '@islet/arch';
import { Hes, ISLET_DUMMY_PROVISIONING, PsaStatus } from '@islet/hes';
import { buildCcaToken, inspectPlatformToken, rakBinding } from '@islet/token';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from './cli.ts';

const crypto = defaultCrypto();
const dir = mkdtempSync(join(tmpdir(), 'islet-hes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const islet = async (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { status, out: out.join('\n'), err };
};
const isletCpak = fileURLToPath(new URL('../test/vectors/islet-cpak.bin', import.meta.url));

describe('HES platform tokens through the islet command', () => {
  const hes = new Hes({ crypto });
  const dak = hes.getDelegatedKey();
  if (dak.status !== PsaStatus.Success) throw new Error('no DAK');
  const { challenge } = rakBinding(dak.key.publicKey, 'sha-256', crypto);
  const result = hes.getPlatformToken(challenge);
  if (result.status !== PsaStatus.Success) throw new Error('no platform token');

  test('the platform token verifies with Islet’s published CPAK', async () => {
    const r = await islet(
      'token',
      'verify',
      file('platform.cbor', result.token),
      '--cpak',
      isletCpak,
    );
    expect(r).toMatchObject({ status: 0, err: [] });
    expect(r.out).toMatch(/^OK: platform token \(tag 18\) verifies/);
  });

  test('its software components are the measured-boot slots', () => {
    const { platform } = inspectPlatformToken(result.token, { crypto });
    const slots = hes.measurements();
    expect(platform.swComponents.map((c) => c.type)).toEqual(slots.map((m) => m.metadata.swType));
    expect(platform.swComponents.map((c) => c.measurement)).toEqual(slots.map((m) => m.value));
    expect(platform.swComponents.map((c) => c.signerId)).toEqual(
      slots.map((m) => m.metadata.signerId),
    );
    expect(platform.swComponents.map((c) => c.type)).toEqual(
      ISLET_DUMMY_PROVISIONING.bootMeasurements.map((m) => m.metadata.swType),
    );
  });

  test('a full CCA token with the HES RAK verifies, and fails with another CPAK', async () => {
    const token = buildCcaToken({
      platform: { token: result.token },
      realm: {
        challenge: new Uint8Array(64).fill(7),
        personalizationValue: new Uint8Array(64),
        hashAlgorithm: 'sha-256',
        initialMeasurement: new Uint8Array(32).fill(1),
        extensibleMeasurements: [1, 2, 3, 4].map(() => new Uint8Array(32)),
        publicKeyHashAlgorithm: 'sha-256',
      },
      rak: dak.key,
      crypto,
    });
    const path = file('cca.cbor', token);
    const ok = await islet(
      'token',
      'verify',
      path,
      '--cpak',
      file('cpak.pem', ecPublicKeyToPem(hes.cpakPublicKey)),
    );
    expect(ok).toMatchObject({ status: 0, err: [] });
    const other = ecPublicKeyToPem(crypto.ecGenerate('P-384').publicKey);
    const bad = await islet('token', 'verify', path, '--cpak', file('other.pem', other));
    expect(bad.status).toBe(1);
    expect(bad.err[0]).toMatch(/^islet: TOKEN_PLATFORM_SIGNATURE_INVALID: /);
  });

  test('a tampered platform token is refused', async () => {
    const tampered = result.token.slice();
    tampered[tampered.length - 1]! ^= 1;
    const r = await islet('token', 'verify', file('bad.cbor', tampered), '--cpak', isletCpak);
    expect(r.err[0]).toMatch(/^islet: TOKEN_PLATFORM_SIGNATURE_INVALID: /);
  });
});
