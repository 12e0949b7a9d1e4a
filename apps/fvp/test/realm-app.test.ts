/**
 * The sample realm app end to end on the platform: launched and measured by the host, run on the
 * worker vCPUs, attesting itself through configfs-tsm with the relying party's challenge; the
 * relying party verifies the token against the CPAK, its challenge and the offline RIM.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Gpi, GranuleState } from '@islet/abi';
import { toHex } from '@islet/arch';
import { TokenError } from '@islet/token';
import { afterAll, describe, expect, test } from 'vitest';
import { bootPlatform } from '../src/platform.ts';
import { runRealmApp, verifyRealmEvidence } from '../src/realm-app.ts';
import { computeRim } from '../src/rim.ts';

const image = readFileSync(new URL('../realms/attest.js', import.meta.url));

describe('the sample realm app (realms/attest.js)', () => {
  const platform = bootPlatform({ parallelMeasurement: true });
  afterAll(() => platform.close());

  test.each(['sha256', 'sha512'] as const)(
    '%s: attests with the fresh challenge; the token verifies and carries the predicted RIM',
    (hashAlgo) => {
      const launch = { image, hashAlgo, memorySize: 0x40_0000 };
      const challenge = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 1) & 0xff);
      const lines: string[] = [];
      const app = runRealmApp(platform, launch, {
        challenge: () => challenge,
        console: (text) => lines.push(text),
      });
      expect(app.run.reason).toBe('system-off');
      expect(app.run.exitStatus).toBe(0);
      expect(app.challenges).toEqual([challenge]);
      const rim = toHex(computeRim(launch).rim);
      // What the realm read with MEASUREMENT_READ is the offline prediction.
      expect(app.console).toContain(`RIM        ${rim}`);
      expect(app.console).toContain(`challenge  ${toHex(challenge)}`);
      expect(app.console).toMatch(/CCA token {2}\d+ bytes from arm_cca_guest, generation 1/);
      expect(lines.join('')).toBe(app.console);

      const evidence = verifyRealmEvidence(platform, app.sent, { launch, challenge });
      expect(evidence.expectedRim).toBe(rim);
      expect(toHex(evidence.report.realm.initialMeasurement)).toBe(rim);
      expect(evidence.report.realm.hashAlgorithm).toBe(
        hashAlgo === 'sha256' ? 'sha-256' : 'sha-512',
      );

      // Another challenge, or another image, is refused.
      expect(() =>
        verifyRealmEvidence(platform, app.sent, { launch, challenge: new Uint8Array(64) }),
      ).toThrow(TokenError);
      const other = { ...launch, image: new Uint8Array([...image, 0x20]) };
      expect(() => verifyRealmEvidence(platform, app.sent, { launch: other, challenge })).toThrow(
        /REALM_RIM_MISMATCH|the realm is not the one launched/,
      );

      // Destroyed: every granule the realm used is Non-secure and zero again.
      for (const g of app.realm.granules) {
        expect(platform.inspect.granule(g)).toMatchObject({
          gpi: Gpi.NonSecure,
          rmmState: GranuleState.Undelegated,
        });
        expect(platform.host.memory.read(g, 0x1000).every((b) => b === 0)).toBe(true);
      }
    },
  );

  test('bytes from the relying party reach the realm (Receive) and come back (Send)', () => {
    const inbound = Uint8Array.from({ length: 1000 }, (_, i) => (i * 13 + 5) & 0xff);
    const program = `
      const got = host.receive();
      console.log('received ' + got.length);
      host.send(got.map((b) => b ^ 0xff));
      console.log('then ' + host.receive().length);
    `;
    const app = runRealmApp(platform, { image: new TextEncoder().encode(program) }, { inbound });
    expect(app.console).toBe('received 1000\nthen 0\n');
    expect(app.sent).toEqual(inbound.map((b) => b ^ 0xff));
  });
});
