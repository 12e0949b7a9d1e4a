/**
 * The SDK's simulated backend: tokens from a real platform (verified with its CPAK, which for the
 * default provisioning is Islet's published one), the user data in the challenge, the identity
 * and RPV measured, sealing keys bound to them, measurements read and extended, coded errors.
 * @module
 */
import { IsletSealingKeyFlag } from '@islet/abi';
import { defaultCrypto, equalBytes, toHex } from '@islet/arch';
import { attest, parseClaims, Sealer } from '@islet/sdk';
import { verifyCcaToken } from '@islet/token';
import { afterAll, describe, expect, it } from 'vitest';
import { bootPlatform } from '../src/platform.ts';
import { runRealmApp } from '../src/realm-app.ts';
import { computeRim } from '../src/rim.ts';
import { SERVICE_PROGRAM, SimulatedRealm } from '../src/simulated-realm.ts';
import { claimsShape } from './support/claims-shape.ts';
import { errorCode } from './support/error-code.ts';

const crypto = defaultCrypto();
const enc = (s: string) => new TextEncoder().encode(s);
const code = errorCode;

const a = new SimulatedRealm({ identity: 'app-a' });
const b = new SimulatedRealm({ identity: 'app-b' });
afterAll(() => {
  a.close();
  b.close();
});

describe('SimulatedRealm', () => {
  it('gives real tokens: they verify with the CPAK and carry the user data and the measured RIM', () => {
    const token = attest(a, enc('nonce-42'));
    const report = verifyCcaToken(token, { crypto, cpak: a.cpak });
    expect(toHex(report.realm.challenge)).toBe(toHex(enc('nonce-42')).padEnd(128, '0'));
    const image = enc(`${SERVICE_PROGRAM}// identity: "app-a"\n`);
    expect(toHex(report.realm.initialMeasurement)).toBe(toHex(computeRim({ image }).rim));
    const bad = token.slice();
    bad[bad.length - 70]! ^= 1;
    expect(() => verifyCcaToken(bad, { crypto, cpak: a.cpak })).toThrow();
  });

  it('measures the identity: another identity, another RIM and other sealing keys', () => {
    const rimA = a.measurementRead(0);
    const rimB = b.measurementRead(0);
    expect(equalBytes(rimA, rimB)).toBe(false);
    const flags = IsletSealingKeyFlag.UseVhukM | IsletSealingKeyFlag.Rim;
    expect(equalBytes(a.sealingKey(flags, 0), b.sealingKey(flags, 0))).toBe(false);
    expect(equalBytes(a.sealingKey(flags, 0), a.sealingKey(flags, 0))).toBe(true);
    const blob = new Sealer(a).seal(enc('secret'));
    expect(new Sealer(a).unseal(blob)).toEqual(enc('secret'));
    expect(code(() => new Sealer(b).unseal(blob))).toBe('SDK_SEALED_INVALID');
  });

  it('extends REMs, which the next token reports', () => {
    const before = a.measurementRead(1);
    a.measurementExtend(1, enc('config'));
    const after = a.measurementRead(1);
    expect(equalBytes(before, after)).toBe(false);
    const { realm } = verifyCcaToken(attest(a), { crypto, cpak: a.cpak });
    expect(toHex(realm.extensibleMeasurements[0]!)).toBe(toHex(after.subarray(0, 32)));
  });

  it('gives coded errors for bad arguments and for what the RMM refuses', () => {
    expect(code(() => a.measurementRead(5))).toBe('SDK_ARGUMENT_INVALID');
    expect(code(() => a.measurementExtend(0, enc('x')))).toBe('SDK_ARGUMENT_INVALID');
    expect(code(() => a.measurementExtend(1, new Uint8Array(65)))).toBe('SDK_ARGUMENT_INVALID');
    expect(code(() => a.attestationToken(new Uint8Array(63)))).toBe('SDK_ARGUMENT_INVALID');
    expect(code(() => a.sealingKey(0x10, 0))).toBe('SDK_BACKEND_FAILED');
    // The realm still serves after a refusal.
    expect(a.measurementRead(0).length).toBe(32);
  });

  it('gives the claims shape of a token a realm app gets through the guest shim (emulated)', () => {
    const platform = bootPlatform();
    try {
      const app = runRealmApp(platform, {
        image: enc('host.send(rsi.attestationToken(host.challenge()));'),
      });
      const emulated = claimsShape(app.sent);
      expect(emulated.length).toBeGreaterThan(15);
      expect(claimsShape(attest(a, enc('x')))).toEqual(emulated);
      expect(parseClaims(app.sent).claim('User data')?.value).toEqual(app.challenges[0]);
    } finally {
      platform.close();
    }
  });

  it('a closed backend refuses further calls', () => {
    const c = new SimulatedRealm();
    c.close();
    c.close();
    expect(code(() => c.measurementRead(0))).toBe('SDK_BACKEND_FAILED');
  });
});
