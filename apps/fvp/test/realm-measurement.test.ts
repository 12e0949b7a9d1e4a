/**
 * The RIM three ways, which must agree byte for byte: what the realm reads with
 * RSI_MEASUREMENT_READ from inside, what the offline calculator predicts from the launch alone,
 * and what the realm's attestation token claims, for SHA-256 and SHA-512 across images and memory
 * sizes (page-sized, unaligned and large images; whole and partial 2 MiB blocks of RAM).
 * @module
 */
import { hashDigestLength } from '@islet/abi';
import { defaultCrypto, toHex } from '@islet/arch';
import type { RealmLaunch } from '@islet/host';
import { verifyCcaToken } from '@islet/token';
import { afterAll, describe, expect, test } from 'vitest';
import { bootPlatform } from '../src/platform.ts';
import { runRealmApp } from '../src/realm-app.ts';
import { computeRim } from '../src/rim.ts';

/** Sends the RIM it reads, then its token for the host's challenge. */
const PROGRAM = `
const rim = rsi.measurementRead(0);
host.send(rim);
host.send(rsi.attestationToken(host.challenge()));
`;

/** The program padded with a comment to exactly `size` bytes (ASCII). */
function image(size: number): Uint8Array {
  const text = `${PROGRAM}//`;
  return new TextEncoder().encode(text.padEnd(size, 'x'));
}

const CASES: [string, number, number][] = [
  ['one page', 4096, 0x20_0000],
  ['5000 bytes', 5000, 0x80_0000],
  ['300 KiB in a partial block', 300 * 1024, 0x80_3000],
  ['2 MiB + 1 byte', 0x20_0001, 0x60_0000],
];

describe('RIM: MEASUREMENT_READ = offline prediction = token claim', () => {
  const platform = bootPlatform({ parallelMeasurement: true });
  afterAll(() => platform.close());

  for (const hashAlgo of ['sha256', 'sha512'] as const) {
    test.each(CASES)(
      `${hashAlgo}, %s image (%i bytes), memory %i bytes`,
      (_name, size, memorySize) => {
        const launch: RealmLaunch = { image: image(size), hashAlgo, memorySize };
        const app = runRealmApp(platform, launch);
        expect(app.run.reason).toBe('system-off');
        expect(app.run.exitStatus).toBe(0);
        const predicted = computeRim(launch);
        const length = hashDigestLength(predicted.plan.hashAlgo);
        const read = app.sent.subarray(0, length);
        const token = app.sent.subarray(length);
        const report = verifyCcaToken(token, {
          cpak: platform.boot.cpakPublicKey,
          crypto: defaultCrypto(),
          expectedChallenge: app.challenges[0]!,
        });
        expect(toHex(read)).toBe(toHex(predicted.rim));
        expect(toHex(report.realm.initialMeasurement)).toBe(toHex(predicted.rim));
        expect(report.realm.hashAlgorithm).toBe(hashAlgo === 'sha256' ? 'sha-256' : 'sha-512');
      },
    );
  }

  test('one byte of the program changes all three', () => {
    const a = computeRim({ image: image(5000) }).rim;
    const changed = image(5000);
    changed[changed.length - 1] = 0x79;
    const app = runRealmApp(platform, { image: changed });
    const b = computeRim({ image: changed }).rim;
    expect(toHex(b)).not.toBe(toHex(a));
    expect(toHex(app.sent.subarray(0, 32))).toBe(toHex(b));
  });
});
