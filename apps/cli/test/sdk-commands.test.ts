/**
 * The realm commands of the `islet` command on `@islet/sdk`, run in-process against the simulated
 * backend (a real platform and realm per command): attest, verify, claims, measurement-read and
 * -extend, seal and unseal, version; and the tsm backend's refusals.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toHex } from '@islet/arch';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Io, main } from '../src/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'islet-sdk-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = (name: string): string => join(dir, name);
const write = (name: string, bytes: Uint8Array | string): string => {
  writeFileSync(path(name), bytes);
  return path(name);
};
const vector = (name: string): string =>
  fileURLToPath(new URL(`./vectors/${name}`, import.meta.url));

async function islet(...argv: string[]): Promise<{ status: number; out: string; err: string[] }> {
  return isletWith({}, ...argv);
}

async function isletWith(
  options: Pick<Io, 'color'>,
  ...argv: string[]
): Promise<{ status: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    ...options,
  });
  return { status, out: out.join('\n'), err };
}

/** One line, `islet: CODE: …`, and nothing on stdout's behalf of a stack trace. */
function expectError(r: { status: number; err: string[] }, code: string, status = 1): void {
  expect(r.status).toBe(status);
  expect(r.err).toHaveLength(1);
  expect(r.err[0]).toMatch(new RegExp(`^islet: ${code}: `));
  expect(r.err[0]).not.toMatch(/\n|\bat .*\.ts:\d+/);
}

const USER_DATA = 'nonce-42';
const USER_DATA_HEX = toHex(new TextEncoder().encode(USER_DATA));

describe('islet attest and islet verify', () => {
  const token = path('token.bin');
  let rim = '';

  beforeAll(async () => {
    const r = await islet('attest', '--output', token, '--user-data', USER_DATA);
    expect(r.err).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^attest: wrote a \d+-byte CCA token to .*token\.bin/);
    expect(r.out).toContain(`user data ${USER_DATA_HEX}`);
    const read = await islet('measurement-read', '--index', '0');
    expect(read.status).toBe(0);
    rim = read.out;
  });

  test('the token verifies with the default CPAK and carries the user data', async () => {
    const r = await islet('verify', '--input', token, '--user-data', USER_DATA);
    expect(r.err).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`Realm challenge (#10) = [${USER_DATA_HEX}${'00'.repeat(56)}]`);
    expect(r.out).toContain(`Realm initial measurement (#44238) = [${rim}]`);
    expect(r.out).toMatch(/\nverified: platform signature \(Islet's dummy CPAK\).*user data$/);
    expect(r.out).not.toContain('\x1b[');
  });

  test("the default CPAK is Islet's published cpak_public.bin", async () => {
    const r = await islet('verify', '--input', token, '--cpak', vector('islet-cpak.bin'));
    expect(r.status).toBe(0);
    expect(r.out).toContain(`verified: platform signature (CPAK ${vector('islet-cpak.bin')})`);
  });

  test("--input reads the user data from a file (Islet's challenge file)", async () => {
    const input = write('challenge.bin', new TextEncoder().encode(USER_DATA));
    const t = path('from-file.bin');
    expect((await islet('attest', '-o', t, '-i', input)).status).toBe(0);
    expect((await islet('verify', '--input', t, '--user-data', USER_DATA)).status).toBe(0);
    expectError(await islet('attest', '-o', t, '-i', input, '--user-data', USER_DATA), 'USAGE', 2);
    expectError(await islet('attest', '-o', t, '-i', path('missing.bin')), 'FILE_UNREADABLE');
    const big = write('big.bin', new Uint8Array(65));
    expectError(await islet('attest', '-o', t, '-i', big), 'SDK_ARGUMENT_INVALID');
  });

  test('--user-data-hex is the same user data', async () => {
    const r = await islet('verify', '--input', token, '--user-data-hex', `0x${USER_DATA_HEX}`);
    expect(r.status).toBe(0);
  });

  test('other user data fails', async () => {
    const r = await islet('verify', '--input', token, '--user-data', 'nonce-43');
    expectError(r, 'SDK_VERIFY_FAILED');
    expect(r.out).toBe('');
  });

  test('a flipped byte fails with SDK_VERIFY_FAILED', async () => {
    const bytes = new Uint8Array(readFileSync(token));
    for (const at of [bytes.length - 1, bytes.length >> 1]) {
      const tampered = bytes.slice();
      tampered[at]! ^= 0x01;
      const r = await islet('verify', '--input', write(`tampered-${at}.bin`, tampered));
      expectError(r, 'SDK_VERIFY_FAILED');
    }
  });

  test('another CPAK fails', async () => {
    // Veraison's sample trust anchor: a valid key that is not this platform's CPAK.
    const r = await islet('verify', '--input', token, '--cpak', vector('veraison-ta.json'));
    expectError(r, 'SDK_VERIFY_FAILED');
  });

  test('--reference with the right RIM passes, a wrong RIM fails', async () => {
    const right = write('right.json', JSON.stringify({ rim, rems: [null, '00'.repeat(32)] }));
    const ok = await islet('verify', '--input', token, '--reference', right);
    expect(ok.err).toEqual([]);
    expect(ok.status).toBe(0);
    expect(ok.out).toContain(`reference values ${right}`);
    const wrong = write('wrong.json', JSON.stringify({ rim: `${rim.slice(0, -2)}00` }));
    const bad = await islet('verify', '--input', token, '--reference', wrong);
    expectError(bad, 'SDK_VERIFY_FAILED');
    expect(bad.err[0]).toContain('initial measurement');
  });

  test("another identity's RIM is not this token's", async () => {
    const other = await islet('measurement-read', '--index', '0', '--identity', 'someone-else');
    expect(other.status).toBe(0);
    expect(other.out).not.toBe(rim);
    const ref = write('other.json', JSON.stringify({ rim: other.out }));
    expectError(await islet('verify', '--input', token, '--reference', ref), 'SDK_VERIFY_FAILED');
  });

  test('bad reference JSON fails with SDK_REFERENCE_INVALID', async () => {
    for (const [name, text] of [
      ['syntax.json', '{ "rim": '],
      ['typo.json', '{ "rimm": "00" }'],
      ['short.json', '{ "rim": "abcd" }'],
    ] as const) {
      const r = await islet('verify', '--input', token, '--reference', write(name, text));
      expectError(r, 'SDK_REFERENCE_INVALID');
    }
  });

  test('--json prints Veraison names and "verified": true', async () => {
    const r = await islet('verify', '--input', token, '--json');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.verified).toBe(true);
    expect(json.form).toBe(399);
    expect(json['cca-platform-token']['cca-platform-profile']).toBe(
      'tag:arm.com,2023:cca_platform#1.0.0',
    );
    expect(json['cca-realm-delegated-token']['cca-realm-challenge']).toBe(
      Buffer.from(`${USER_DATA_HEX}${'00'.repeat(56)}`, 'hex').toString('base64'),
    );
  });

  test('colours only when the Io asks for them', async () => {
    const r = await isletWith({ color: true }, 'verify', '--input', token);
    expect(r.status).toBe(0);
    expect(r.out).toContain('\x1b[1mRealm challenge\x1b[22m');
  });

  test('islet claims prints without verifying, and says so', async () => {
    const bytes = new Uint8Array(readFileSync(token));
    bytes[bytes.length - 1]! ^= 0x01; // a bad signature does not stop it
    const tampered = write('claims-tampered.bin', bytes);
    const r = await islet('claims', '--input', tampered);
    expect(r.status).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^NOT verified: /);
    expect(r.out).toContain(`Realm initial measurement (#44238) = [${rim}]`);
    const json = JSON.parse((await islet('claims', '--input', tampered, '--json')).out);
    expect(json.verified).toBe(false);
    expect(json['cca-realm-delegated-token']).toBeDefined();
  });

  test('claims of something that is not a token fails with one line', async () => {
    expectError(
      await islet('claims', '--input', write('junk.bin', 'not a token')),
      'SDK_VERIFY_FAILED',
    );
  });
});

describe('argument and file errors', () => {
  test('user data over 64 bytes', async () => {
    const r = await islet('attest', '--output', path('x.bin'), '--user-data', 'a'.repeat(65));
    expectError(r, 'SDK_ARGUMENT_INVALID');
    const v = await islet(
      'verify',
      '--input',
      vector('islet-ratls-token.bin'),
      '--user-data-hex',
      '00'.repeat(65),
    );
    expectError(v, 'SDK_ARGUMENT_INVALID');
  });

  test('bad hex, and both forms of user data', async () => {
    expectError(
      await islet('attest', '--output', path('x.bin'), '--user-data-hex', 'abc'),
      'HEX_INVALID',
    );
    expectError(
      await islet('attest', '--output', path('x.bin'), '--user-data', 'a', '--user-data-hex', 'aa'),
      'USAGE',
      2,
    );
  });

  test('a missing input file', async () => {
    for (const argv of [
      ['verify', '--input', path('missing.bin')],
      ['claims', '--input', path('missing.bin')],
      ['unseal', '--input', path('missing.bin'), '--output', path('out')],
      ['verify', '--input', vector('islet-ratls-token.bin'), '--reference', path('missing.json')],
    ]) {
      const r = await islet(...argv);
      expectError(r, 'FILE_UNREADABLE');
      expect(r.err[0]).toContain('(ENOENT)');
    }
  });

  test('an unwritable output file', async () => {
    const r = await islet('attest', '--output', path('no-such-dir/token.bin'));
    expectError(r, 'FILE_UNWRITABLE');
  });

  test('missing required options and unknown ones are usage errors', async () => {
    expectError(await islet('attest'), 'USAGE', 2);
    expectError(await islet('verify'), 'USAGE', 2);
    expectError(await islet('seal', '--input', 'x'), 'USAGE', 2);
    expectError(await islet('attest', '--output', 'x', '--bogus'), 'USAGE', 2);
    expectError(await islet('attest', '--output', 'x', '--backend', 'hw'), 'USAGE', 2);
    expectError(
      await islet('attest', '--output', 'x', '--backend', 'tsm', '--identity', 'a'),
      'USAGE',
      2,
    );
  });
});

describe('islet measurement-read and measurement-extend', () => {
  test('index 0 is the RIM, 1..4 start at zero', async () => {
    const rim = await islet('measurement-read', '--index', '0', '--identity', 'm');
    expect(rim.status).toBe(0);
    expect(rim.out).toMatch(/^[0-9a-f]{64}$/);
    expect(rim.out).not.toBe('0'.repeat(64));
    const rem = await islet('measurement-read', '--index', '3', '--identity', 'm');
    expect(rem.out).toBe('0'.repeat(64));
  });

  test('extend prints the new REM, and each command is a fresh realm', async () => {
    const a = await islet('measurement-extend', '--index', '2', '--data', 'hello');
    expect(a.err).toEqual([]);
    expect(a.status).toBe(0);
    expect(a.out).toMatch(/^[0-9a-f]{64}$/);
    expect(a.out).not.toBe('0'.repeat(64));
    // The same extension of a fresh realm gives the same value: nothing carried over.
    const b = await islet(
      'measurement-extend',
      '--index',
      '2',
      '--data-hex',
      toHex(new TextEncoder().encode('hello')),
    );
    expect(b.out).toBe(a.out);
    expect((await islet('measurement-read', '--index', '2')).out).toBe('0'.repeat(64));
  });

  test('--random extends with that many random bytes, printed first', async () => {
    const r = await islet('measurement-extend', '--index', '3', '-r', '16');
    expect(r.err).toEqual([]);
    const [used, rem] = r.out.split('\n');
    expect(used).toMatch(/^extending with [0-9a-f]{32}$/);
    // The same bytes given as hex to a fresh realm give the same REM.
    const again = await islet(
      'measurement-extend',
      '--index',
      '3',
      '--data-hex',
      used!.slice('extending with '.length),
    );
    expect(again.out).toBe(rem);
    expectError(await islet('measurement-extend', '--index', '3', '--random', '65'), 'USAGE', 2);
    expectError(
      await islet('measurement-extend', '--index', '3', '--random', '4', '--data', 'x'),
      'USAGE',
      2,
    );
  });

  test('out-of-range indices and data', async () => {
    expectError(await islet('measurement-read', '--index', '5'), 'USAGE', 2);
    expectError(await islet('measurement-read', '--index', 'x'), 'USAGE', 2);
    expectError(await islet('measurement-read'), 'USAGE', 2);
    expectError(await islet('measurement-extend', '--index', '0', '--data', 'a'), 'USAGE', 2);
    expectError(await islet('measurement-extend', '--index', '1'), 'USAGE', 2);
    expectError(
      await islet('measurement-extend', '--index', '1', '--data-hex', '00'.repeat(65)),
      'SDK_ARGUMENT_INVALID',
    );
  });

  test('the help says each command is a fresh realm', async () => {
    const r = await islet('measurement-extend', '--help');
    expect(r.status).toBe(0);
    expect(r.out).toContain('lives only for');
    expect((await islet('measurement-read', '-h')).out).toContain('fresh platform and realm');
  });
});

describe('islet seal and islet unseal', () => {
  const plain = write('plain.txt', 'the secret');
  const blob = path('sealed.bin');

  beforeAll(async () => {
    const r = await islet('seal', '--input', plain, '--output', blob, '--identity', 'app-a');
    expect(r.err).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^seal: sealed 10 bytes into a \d+-byte blob/);
  });

  test('the same identity unseals', async () => {
    const out = path('unsealed.txt');
    const r = await islet('unseal', '--input', blob, '--output', out, '--identity', 'app-a');
    expect(r.err).toEqual([]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('the secret');
  });

  test('another identity does not', async () => {
    const r = await islet('unseal', '--input', blob, '--output', path('u2'), '--identity', 'app-b');
    expectError(r, 'SDK_SEALED_INVALID');
    const d = await islet('unseal', '--input', blob, '--output', path('u3'));
    expectError(d, 'SDK_SEALED_INVALID');
  });

  test('a truncated or changed blob does not', async () => {
    const bytes = new Uint8Array(readFileSync(blob));
    for (const [name, b] of [
      ['truncated', bytes.subarray(0, 30)],
      ['short', bytes.subarray(0, bytes.length - 1)],
      ['flipped', bytes.map((x, i) => (i === bytes.length - 3 ? x ^ 0x80 : x))],
      ['empty', new Uint8Array(0)],
    ] as const) {
      const r = await islet(
        'unseal',
        '--input',
        write(`${name}.bin`, b),
        '--output',
        path('u4'),
        '--identity',
        'app-a',
      );
      expectError(r, 'SDK_SEALED_INVALID');
    }
  });
});

describe('the tsm backend', () => {
  const root = path('no-tsm-here');

  test('without configfs-tsm attest says so', async () => {
    const r = await islet(
      'attest',
      '--output',
      path('t.bin'),
      '--backend',
      'tsm',
      '--tsm-root',
      root,
    );
    expectError(r, 'SDK_BACKEND_FAILED');
    expect(r.err[0]).toContain('configfs-tsm is not available');
  });

  test('sealing and measurements are not supported', async () => {
    const s = await islet(
      'seal',
      '--input',
      write('p', 'x'),
      '--output',
      path('s'),
      '--backend',
      'tsm',
    );
    expectError(s, 'SDK_NOT_SUPPORTED');
    const m = await islet(
      'measurement-read',
      '--index',
      '0',
      '--backend',
      'tsm',
      '--tsm-root',
      dir,
    );
    expectError(m, 'SDK_NOT_SUPPORTED');
  });
});

describe('the fvp backend: the SDK inside the realm', () => {
  const token = path('fvp-token.bin');

  beforeAll(async () => {
    const r = await islet('attest', '-o', token, '--user-data', USER_DATA, '--backend', 'fvp');
    expect(r.err).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^attest: wrote a \d+-byte CCA token to .*\(fvp, identity "islet-sdk"; /);
  });

  test("attest then verify: the default CPAK, the user data, the fvp realm's RIM", async () => {
    const rim = await islet('measurement-read', '--index', '0', '--backend', 'fvp');
    expect(rim.err).toEqual([]);
    expect(rim.out).toMatch(/^[0-9a-f]{64}$/);
    const r = await islet('verify', '--input', token, '--user-data', USER_DATA);
    expect(r.err).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`Realm challenge (#10) = [${USER_DATA_HEX}${'00'.repeat(56)}]`);
    expect(r.out).toContain(`Realm initial measurement (#44238) = [${rim.out}]`);
    expect(r.out).toMatch(/\nverified: .*user data$/);
    const other = await islet('verify', '--input', token, '--user-data', 'nonce-43');
    expectError(other, 'SDK_VERIFY_FAILED');
  });

  test("its RIM is not the simulated realm's, and changes with --identity", async () => {
    const read = async (...more: string[]) =>
      (await islet('measurement-read', '--index', '0', ...more)).out;
    const fvp = await read('--backend', 'fvp');
    expect(fvp).not.toBe(await read());
    expect(await read('--backend', 'fvp', '--identity', 'app-b')).not.toBe(fvp);
  });

  test('measurement-extend extends in the realm', async () => {
    const r = await islet('measurement-extend', '-n', '1', '--data', 'hello', '--backend', 'fvp');
    expect(r.err).toEqual([]);
    expect(r.out).toMatch(/^[0-9a-f]{64}$/);
    expect(r.out).not.toBe('0'.repeat(64));
  });

  test('seal and unseal in the realm: the same identity opens, others do not', async () => {
    const plain = write('fvp-plain.txt', 'the fvp secret');
    const blob = path('fvp-sealed.bin');
    const fvp = ['--backend', 'fvp', '--identity', 'app-a'];
    const s = await islet('seal', '-i', plain, '-o', blob, ...fvp);
    expect(s.err).toEqual([]);
    expect(s.out).toContain('(fvp, identity "app-a")');
    const out = path('fvp-unsealed.txt');
    expect((await islet('unseal', '-i', blob, '-o', out, ...fvp)).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('the fvp secret');
    const other = ['--backend', 'fvp', '--identity', 'app-b'];
    expectError(await islet('unseal', '-i', blob, '-o', out, ...other), 'SDK_SEALED_INVALID');
    // The simulated realm of the same identity is another program: another RIM, another key.
    const simulated = ['--identity', 'app-a'];
    expectError(await islet('unseal', '-i', blob, '-o', out, ...simulated), 'SDK_SEALED_INVALID');
  });

  test('--tsm-root does not apply', async () => {
    expectError(
      await islet('attest', '-o', path('x.bin'), '--backend', 'fvp', '--tsm-root', dir),
      'USAGE',
      2,
    );
  });
});

describe('islet version and help', () => {
  test('version prints the package version and the backends', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = await islet('version');
    expect(r.status).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(
      new RegExp(`^islet ${pkg.version.replace(/\./g, '\\.')} `),
    );
    expect(r.out).toMatch(/^ {2}simulated /m);
    expect(r.out).toMatch(/^ {2}fvp /m);
    expect(r.out).toMatch(/^ {2}tsm /m);
  });

  test('the usage text lists every command', async () => {
    const r = await islet('--help');
    expect(r.status).toBe(0);
    for (const name of [
      'attest',
      'verify',
      'claims',
      'measurement-read',
      'measurement-extend',
      'seal',
      'unseal',
      'version',
      'token print',
      'rim',
    ]) {
      expect(r.out).toMatch(new RegExp(`^ {2}${name}( |$)`, 'm'));
    }
  });
});
