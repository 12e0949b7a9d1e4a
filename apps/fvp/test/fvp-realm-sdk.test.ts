/**
 * The SDK's emulated backend: the SDK bundled into a realm program of this platform, reaching the
 * RMM through the guest shim. Its tokens verify with the platform's CPAK, carry the user data and
 * have the simulated backend's claims shape; its sealing round-trips in the realm and refuses
 * another identity's blobs; its identity is measured; its errors keep their SDK codes; and the
 * runtime sees nothing of Node.
 * @module
 */
import { equalBytes, toHex } from '@islet/arch';
import { attest, verify } from '@islet/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FVP_REALM_DATA_MAX,
  FvpRealmSdk,
  sdkRealmProgram,
  sdkRealmRuntime,
} from '../src/fvp-realm-sdk.ts';
import { bootPlatform } from '../src/platform.ts';
import { runRealmApp } from '../src/realm-app.ts';
import { computeRim } from '../src/rim.ts';
import { ServiceRealm, serviceImage } from '../src/service-realm.ts';
import { SimulatedRealm } from '../src/simulated-realm.ts';
import { claimsShape } from './support/claims-shape.ts';
import { errorCode } from './support/error-code.ts';

const enc = (s: string) => new TextEncoder().encode(s);

const a = new FvpRealmSdk({ identity: 'app-a' });
const b = new FvpRealmSdk({ identity: 'app-b' });
const simulated = new SimulatedRealm({ identity: 'app-a' });
afterAll(() => {
  a.close();
  b.close();
  simulated.close();
});

describe('FvpRealmSdk', () => {
  it('attests in the realm: the token verifies with the CPAK and carries the user data', () => {
    const token = a.attest(enc('nonce-42'));
    const claims = verify(token, { cpak: a.cpak, challenge: enc('nonce-42') });
    expect(toHex(claims.realm.challenge)).toBe(toHex(enc('nonce-42')).padEnd(128, '0'));
    expect(() => verify(token, { cpak: a.cpak, challenge: enc('nonce-43') })).toThrow();
    const bad = token.slice();
    bad[bad.length - 70]! ^= 1;
    expect(errorCode(() => verify(bad, { cpak: a.cpak }))).toBe('SDK_VERIFY_FAILED');
  });

  it('gives the same claims shape as the simulated backend', () => {
    const emulated = claimsShape(a.attest(enc('x')));
    expect(emulated.length).toBeGreaterThan(15);
    expect(emulated).toEqual(claimsShape(attest(simulated, enc('x'))));
  });

  it('measures the identity: the RIM is the prediction for the image, and changes with it', () => {
    const rimA = a.measurementRead(0);
    const rimB = b.measurementRead(0);
    expect(equalBytes(rimA, rimB)).toBe(false);
    const image = serviceImage(sdkRealmProgram(), 'app-a');
    expect(toHex(rimA)).toBe(toHex(computeRim({ image }).rim));
    expect(toHex(verify(a.attest(), { cpak: a.cpak }).realm.initialMeasurement)).toBe(toHex(rimA));
    // Not the simulated realm of the same identity: another program, another RIM.
    expect(equalBytes(rimA, simulated.measurementRead(0))).toBe(false);
  });

  it('seals and unseals in the realm; another identity cannot open the blob', () => {
    const blob = a.seal(enc('secret'));
    expect(a.unseal(blob)).toEqual(enc('secret'));
    expect(errorCode(() => b.unseal(blob))).toBe('SDK_SEALED_INVALID');
    // The key is derived, not stored: a fresh platform and realm of the same identity opens it.
    const again = new FvpRealmSdk({ identity: 'app-a' });
    try {
      expect(again.unseal(blob)).toEqual(enc('secret'));
    } finally {
      again.close();
    }
    // Fresh IVs from the guest's random: the same data seals differently.
    expect(equalBytes(a.seal(enc('secret')), blob)).toBe(false);
    const changed = blob.slice();
    changed[changed.length - 1]! ^= 1;
    expect(errorCode(() => a.unseal(changed))).toBe('SDK_SEALED_INVALID');
  });

  it('extends REMs in the realm, which its next token reports', () => {
    const before = a.measurementRead(2);
    a.measurementExtend(2, enc('config'));
    const after = a.measurementRead(2);
    expect(equalBytes(before, after)).toBe(false);
    const { realm } = verify(a.attest(), { cpak: a.cpak });
    expect(toHex(realm.extensibleMeasurements[1]!)).toBe(toHex(after));
  });

  it('carries the codes of errors raised in the realm back to the host', () => {
    expect(errorCode(() => a.unseal(new Uint8Array(40)))).toBe('SDK_SEALED_INVALID');
    expect(errorCode(() => a.attest(new Uint8Array(65)))).toBe('SDK_ARGUMENT_INVALID');
    expect(errorCode(() => a.measurementExtend(1, new Uint8Array(65)))).toBe(
      'SDK_ARGUMENT_INVALID',
    );
    expect(errorCode(() => a.measurementExtend(1, new Uint8Array(0)))).toBe('SDK_ARGUMENT_INVALID');
    expect(errorCode(() => a.unseal(enc('not a blob')))).toBe('SDK_SEALED_INVALID');
    expect(errorCode(() => a.measurementRead(5))).toBe('SDK_ARGUMENT_INVALID');
    expect(errorCode(() => a.seal(new Uint8Array(FVP_REALM_DATA_MAX + 1)))).toBe(
      'SDK_ARGUMENT_INVALID',
    );
    // The realm still serves after refusals.
    expect(a.measurementRead(0).length).toBe(32);
  });

  it('has no request that hands out a sealing key, and refuses malformed requests', () => {
    const raw = new ServiceRealm(sdkRealmProgram(), 'the raw realm');
    try {
      expect(errorCode(() => raw.call(Uint8Array.of(2, 3, 0, 0, 0, 0, 0, 0, 0)))).toBe(
        'SDK_ARGUMENT_INVALID',
      );
      expect(errorCode(() => raw.call(Uint8Array.of(3)))).toBe('SDK_ARGUMENT_INVALID');
      expect(errorCode(() => raw.call(Uint8Array.of(3, 0, 0)))).toBe('SDK_ARGUMENT_INVALID');
      expect(errorCode(() => raw.call(Uint8Array.of(4)))).toBe('SDK_ARGUMENT_INVALID');
      expect(errorCode(() => raw.call(Uint8Array.of(0xff)))).toBe('SDK_ARGUMENT_INVALID');
      // What the host checks, the realm checks again: a request that skips the host's checks.
      for (const request of [
        Uint8Array.of(1, ...new Uint8Array(65)),
        Uint8Array.of(3, 5),
        Uint8Array.of(4, 0, 1),
        Uint8Array.of(4, 1, ...new Uint8Array(65)),
      ]) {
        expect(errorCode(() => raw.call(request))).toBe('SDK_ARGUMENT_INVALID');
      }
      expect(raw.call(Uint8Array.of(3, 0)).length).toBe(32);
    } finally {
      raw.close();
    }
  });

  it('refuses every operation once closed (and closes once)', () => {
    const closed = new FvpRealmSdk();
    for (let i = 0; i < 2; i++) closed.close();
    for (const op of [() => closed.attest(), () => closed.seal(enc('x'))]) {
      expect(errorCode(op)).toBe('SDK_BACKEND_FAILED');
    }
  });
});

describe('the SDK realm runtime', () => {
  it('reaches no Node or web global, and seals with the guest random', () => {
    const platform = bootPlatform();
    try {
      const probe = `
        const escape = () => {
          try { return typeof IsletSdkRealm.sdkRealmHandler.constructor('return process')(); }
          catch (e) { return e.name; }
        };
        const handle = IsletSdkRealm.sdkRealmHandler({ rsi, random });
        host.send(text.encode(JSON.stringify({
          process: typeof process, require: typeof require, Buffer: typeof Buffer,
          crypto: typeof crypto, TextEncoder: typeof TextEncoder, escape: escape(),
          sealed: handle(Uint8Array.of(5, 1, 2, 3)).length,
        })));`;
      const app = runRealmApp(platform, { image: enc(`${sdkRealmRuntime()}\n${probe}`) });
      expect(app.run.exitStatus).toBe(0);
      expect(JSON.parse(new TextDecoder().decode(app.sent))).toEqual({
        process: 'undefined',
        require: 'undefined',
        Buffer: 'undefined',
        crypto: 'undefined',
        TextEncoder: 'undefined',
        escape: 'EvalError',
        sealed: 3 + 20 + 16,
      });
    } finally {
      platform.close();
    }
  });
});
