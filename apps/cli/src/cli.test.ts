/** The `islet` command, run in-process on real tokens. @module */
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { main } from './cli.ts';

const vector = (name: string): string =>
  fileURLToPath(new URL(`../test/vectors/${name}`, import.meta.url));

async function islet(...argv: string[]): Promise<{ status: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
  return { status, out: out.join('\n'), err };
}

describe('islet token print', () => {
  test('prints the claims and the checks of a real Islet token', async () => {
    const r = await islet(
      'token',
      'print',
      vector('islet-ratls-token.bin'),
      '--cpak',
      vector('islet-cpak.pem'),
    );
    expect(r.status).toBe(0);
    expect(r.out).toContain('tag:arm.com,2023:realm#1.0.0');
    expect(r.out).toMatch(/initial measurement \(44238\)\s+7d77ac01/);
    expect(r.out).toMatch(/platform signature \(ES384\)\s+OK/);
    expect(r.out).toMatch(/realm signature \(ES384, RAK P-384\)\s+OK/);
    expect(r.out).toMatch(/binding \(sha-256 of RAK\)\s+OK/);
  });

  test('without a key the platform signature is reported as not checked', async () => {
    const r = await islet('token', 'print', vector('islet-ratls-token.bin'));
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/platform signature \(ES384\)\s+not checked/);
  });

  test('--json prints Veraison claim names and the checks', async () => {
    const r = await islet(
      'token',
      'print',
      vector('islet-ratls-token.bin'),
      '--json',
      '--cpak',
      vector('islet-cpak.bin'),
    );
    const json = JSON.parse(r.out);
    expect(json['cca-realm-delegated-token']['cca-realm-profile']).toBe(
      'tag:arm.com,2023:realm#1.0.0',
    );
    expect(json['cca-platform-token']['cca-platform-sw-components'].length).toBeGreaterThan(0);
    expect(json.checks).toEqual({
      platformSignature: 'valid',
      realmSignature: 'valid',
      binding: 'valid',
    });
  });

  test('a platform token alone', async () => {
    const r = await islet(
      'token',
      'print',
      vector('islet-platform.bin'),
      '--cpak',
      vector('islet-cpak.bin'),
    );
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/platform signature \(ES384\)\s+OK/);
  });

  test('a failed binding is shown and the status is 1', async () => {
    const r = await islet('token', 'print', vector('bug-33-repro.cbor'));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/binding \(sha-256 of RAK\)\s+FAILED/);
  });
});

describe('islet token verify', () => {
  test.each([
    ['islet-ratls-token.bin', 'islet-cpak.pem'],
    ['islet-ratls-token.bin', 'islet-cpak.bin'],
    ['cca-token-02.cbor', 'veraison-ta.json'],
    ['islet-platform.bin', 'islet-cpak.bin'],
  ])('%s verifies with %s', async (token, key) => {
    const r = await islet('token', 'verify', vector(token), '--cpak', vector(key));
    expect(r).toMatchObject({ status: 0, err: [] });
    expect(r.out).toMatch(/^OK: (CCA|platform) token/);
  });

  test.each([
    ['cca-token-02.cbor', 'islet-cpak.pem', 'TOKEN_PLATFORM_SIGNATURE_INVALID'],
    ['bug-33-repro.cbor', 'islet-cpak.pem', 'TOKEN_PLATFORM_SIGNATURE_INVALID'],
    ['islet-cpak.bin', 'islet-cpak.pem', 'TOKEN_CBOR_TRAILING'],
    ['veraison-ta.json', 'islet-cpak.pem', 'TOKEN_CBOR_MALFORMED'],
    ['islet-cpak.pem', 'islet-cpak.pem', 'TOKEN_CBOR_TRAILING'],
    ['islet-platform.bin', 'veraison-ta.json', 'TOKEN_PLATFORM_SIGNATURE_INVALID'],
    ['islet-ratls-token.bin', 'islet-ratls-token.bin', 'KEY_FILE_UNRECOGNIZED'],
    ['missing.bin', 'islet-cpak.pem', 'FILE_UNREADABLE'],
  ])('%s with %s fails with one line: %s', async (token, key, code) => {
    const r = await islet('token', 'verify', vector(token), '--cpak', vector(key));
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(new RegExp(`^islet: ${code}: `));
    expect(r.err[0]).not.toContain('\n');
  });

  test('a stale challenge fails', async () => {
    const r = await islet(
      'token',
      'verify',
      vector('islet-ratls-token.bin'),
      '--cpak',
      vector('islet-cpak.pem'),
      '--challenge',
      '00',
    );
    expect(r.err[0]).toMatch(/^islet: TOKEN_CHALLENGE_MISMATCH: /);
  });
});

describe('usage', () => {
  test.each([
    [['token', 'verify', 'x']],
    [['token', 'frobnicate', 'x']],
    [['token', 'print']],
    [['token', 'print', 'a', '--bogus']],
    [
      [
        'token',
        'verify',
        vector('islet-platform.bin'),
        '--cpak',
        vector('islet-cpak.bin'),
        '--challenge',
        '00',
      ],
    ],
  ])('%j is a usage error with status 2', async (argv) => {
    const r = await islet(...argv);
    expect(r.status).toBe(2);
    expect(r.err[0]).toMatch(/^islet: USAGE: /);
  });

  test('--help prints the usage', async () => {
    const r = await islet('--help');
    expect(r.status).toBe(0);
    expect(r.out).toContain('token verify <file> --cpak <key>');
  });
});
