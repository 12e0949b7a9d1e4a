/**
 * The `tsm` backend against a fake configfs-tsm: a temp directory whose injected file system acts
 * like configfs (mkdir creates the attributes, an inblob write bumps the generation and makes an
 * outblob, a real CCA token whose realm challenge is the inblob; rmdir removes the entry).
 * @module
 */
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCrypto } from '@islet/arch';
import {
  buildCcaToken,
  inspectCcaToken,
  type PlatformClaims,
  PlatformProfile,
  type RealmTokenInput,
  rakBinding,
  signPlatformToken,
} from '@islet/token';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SdkError } from '../src/errors.ts';
import { CHALLENGE_SIZE } from '../src/rsi-dispatcher.ts';
import { type TsmFs, tsmBackend } from '../src/tsm-backend.ts';

const crypto = defaultCrypto();
const cpak = crypto.ecGenerate('P-384');
const rak = crypto.ecGenerate('P-384');
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

const platformClaims: Omit<PlatformClaims, 'challenge'> = {
  profile: PlatformProfile.V1,
  implementationId: bytes(32, 0x11),
  instanceId: Uint8Array.of(0x01, ...bytes(32, 0x22)),
  config: bytes(4, 0x33),
  lifecycle: 0x3000,
  swComponents: [{ type: 'RMM', measurement: bytes(32, 0x44), signerId: bytes(32, 0x55) }],
  hashAlgorithm: 'sha-256',
};
const platformToken = signPlatformToken(
  { ...platformClaims, challenge: rakBinding(rak.publicKey, 'sha-256', crypto).challenge },
  cpak,
  crypto,
);
const realm: Omit<RealmTokenInput, 'challenge'> = {
  personalizationValue: bytes(64, 0),
  hashAlgorithm: 'sha-256',
  initialMeasurement: bytes(32, 0x66),
  extensibleMeasurements: [bytes(32, 0), bytes(32, 0), bytes(32, 0), bytes(32, 0)],
  publicKeyHashAlgorithm: 'sha-256',
};

/** What arm_cca_guest makes of an inblob: the CCA token for it, zero-padded to 64 bytes. */
function armCcaReport(inblob: Uint8Array): Uint8Array {
  const challenge = new Uint8Array(CHALLENGE_SIZE);
  challenge.set(inblob);
  return buildCcaToken({
    platform: { token: platformToken },
    realm: { ...realm, challenge },
    rak,
    crypto,
  });
}

const errno = (code: string, path: string) =>
  Object.assign(new Error(`${code}: fake configfs, ${path}`), { code });

interface FakeOptions {
  /** The `provider` attribute; `arm_cca_guest` by default. */
  readonly provider?: string;
  /** How many inblob writes another writer races (writes its own inblob right after ours). */
  readonly races?: number;
  /** An errno for a call, by operation and path, to inject a fault. */
  readonly fault?: (op: 'mkdir' | 'write' | 'read' | 'rmdir', path: string) => string | undefined;
}

interface FakeConfigfs extends TsmFs {
  /** Every call, as `op name` with the path relative to the root. */
  readonly log: string[];
}

/** A configfs-tsm look-alike over a real temp directory `root`. */
function fakeConfigfs(root: string, options: FakeOptions = {}): FakeConfigfs {
  const log: string[] = [];
  let races = options.races ?? 0;
  const rel = (path: string) => path.slice(root.length + 1);
  const fault = (op: 'mkdir' | 'write' | 'read' | 'rmdir', path: string) => {
    log.push(`${op} ${rel(path)}`);
    const code = options.fault?.(op, path);
    if (code !== undefined) throw errno(code, path);
  };
  const writeInblob = (dir: string, data: Uint8Array) => {
    if (data.length > 64) throw errno('EFBIG', `${dir}/inblob`);
    const generation = Number(nodeFs.readFileSync(join(dir, 'generation'), 'utf8'));
    nodeFs.writeFileSync(join(dir, 'inblob'), data);
    nodeFs.writeFileSync(join(dir, 'generation'), `${generation + 1}\n`);
    nodeFs.writeFileSync(join(dir, 'outblob'), armCcaReport(data));
  };
  return {
    log,
    existsSync: (path) => nodeFs.existsSync(path),
    mkdirSync(path) {
      fault('mkdir', path);
      nodeFs.mkdirSync(path);
      nodeFs.writeFileSync(join(path, 'provider'), `${options.provider ?? 'arm_cca_guest'}\n`);
      nodeFs.writeFileSync(join(path, 'generation'), '0\n');
    },
    writeFileSync(path, data) {
      fault('write', path);
      if (!path.endsWith('/inblob')) throw errno('EACCES', path);
      const dir = path.slice(0, -'/inblob'.length);
      writeInblob(dir, data);
      if (races > 0) {
        races--;
        writeInblob(dir, bytes(64, 0xee));
      }
    },
    readFileSync(path) {
      fault('read', path);
      // A Buffer, as node:fs returns: the backend must hand out a plain Uint8Array.
      return nodeFs.readFileSync(path);
    },
    rmdirSync(path) {
      fault('rmdir', path);
      if (!nodeFs.existsSync(path)) throw errno('ENOENT', path);
      for (const name of nodeFs.readdirSync(path)) nodeFs.rmSync(join(path, name));
      nodeFs.rmdirSync(path);
    },
  };
}

let root: string;
beforeEach(() => {
  root = nodeFs.mkdtempSync(join(tmpdir(), 'islet-tsm-'));
});
afterEach(() => {
  nodeFs.rmSync(root, { recursive: true, force: true });
});

const challenge = Uint8Array.from({ length: CHALLENGE_SIZE }, (_, i) => i * 3 + 1);
const entries = () => nodeFs.readdirSync(root);
const fails = (fn: () => unknown, code: string, message?: RegExp): SdkError => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(SdkError);
  const err = caught as SdkError;
  expect(err.code).toBe(code);
  if (message) expect(err.shortMessage).toMatch(message);
  return err;
};
const realmChallenge = (token: Uint8Array) =>
  inspectCcaToken(token, { crypto, cpak: cpak.publicKey }).realm.challenge;

describe('attestationToken', () => {
  test('returns the CCA token of a fresh entry, whose realm challenge is the challenge', () => {
    const fs = fakeConfigfs(root);
    const backend = tsmBackend({ root, fs });
    expect(backend.name).toBe('tsm');
    const token = backend.attestationToken(challenge);
    const report = inspectCcaToken(token, { crypto, cpak: cpak.publicKey });
    expect(report.realm.challenge).toEqual(challenge);
    expect(report.realmSignature).toBe('valid');
    expect(report.binding).toBe('valid');
    expect(token.constructor).toBe(Uint8Array);
    expect(fs.log.filter((l) => l.startsWith('mkdir'))).toHaveLength(1);
    const [, name] = fs.log[0]!.split(' ');
    expect(fs.log).toEqual([
      `mkdir ${name}`,
      `read ${name}/provider`,
      `read ${name}/generation`,
      `write ${name}/inblob`,
      `read ${name}/outblob`,
      `read ${name}/generation`,
      `rmdir ${name}`,
    ]);
    expect(entries()).toEqual([]);
  });

  test('uses a new entry name for each token', () => {
    const fs = fakeConfigfs(root);
    const backend = tsmBackend({ root, fs });
    backend.attestationToken(challenge);
    backend.attestationToken(challenge);
    const made = fs.log.filter((l) => l.startsWith('mkdir'));
    expect(made).toHaveLength(2);
    expect(made[0]).not.toBe(made[1]);
  });

  test('rejects a provider other than arm_cca_guest, naming it, and removes the entry', () => {
    const fs = fakeConfigfs(root, { provider: 'tdx_guest' });
    const err = fails(
      () => tsmBackend({ root, fs }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /"tdx_guest"/,
    );
    expect(err.shortMessage).toContain('arm_cca_guest');
    expect(fs.log.some((l) => l.startsWith('write'))).toBe(false);
    expect(entries()).toEqual([]);
  });

  test('retries in a new entry when another writer bumps the generation', () => {
    const fs = fakeConfigfs(root, { races: 2 });
    const token = tsmBackend({ root, fs }).attestationToken(challenge);
    // The racer's outblob (challenge 0xee..) was not returned.
    expect(realmChallenge(token)).toEqual(challenge);
    expect(fs.log.filter((l) => l.startsWith('mkdir'))).toHaveLength(3);
    expect(fs.log.filter((l) => l.startsWith('rmdir'))).toHaveLength(3);
    expect(entries()).toEqual([]);
  });

  test('gives up when every attempt races, and removes every entry', () => {
    const fs = fakeConfigfs(root, { races: Number.POSITIVE_INFINITY });
    const err = fails(
      () => tsmBackend({ root, fs }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /another writer .* 3 attempts/,
    );
    expect(err.details).toContain('generation 0 before writing inblob, 2 after');
    expect(fs.log.filter((l) => l.startsWith('mkdir'))).toHaveLength(3);
    expect(entries()).toEqual([]);
  });

  test('honours the attempts option', () => {
    const fs = fakeConfigfs(root, { races: Number.POSITIVE_INFINITY });
    fails(
      () => tsmBackend({ root, fs, attempts: 1 }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
    );
    expect(fs.log.filter((l) => l.startsWith('mkdir'))).toHaveLength(1);
    fails(() => tsmBackend({ root, fs, attempts: 0 }), 'SDK_ARGUMENT_INVALID');
  });

  test('says configfs-tsm is not available when the root is missing (node:fs by default)', () => {
    const missing = join(root, 'tsm', 'report');
    fails(
      () => tsmBackend({ root: missing }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /configfs-tsm is not available: .*tsm\/report does not exist \(not an Arm CCA guest, or configfs not mounted\)/,
    );
    const fs = fakeConfigfs(missing);
    fails(
      () => tsmBackend({ root: missing, fs }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /not available/,
    );
    expect(fs.log).toEqual([]);
  });

  test('turns an unreadable outblob (EIO) into one line with the path and errno, and removes the entry', () => {
    const fs = fakeConfigfs(root, {
      fault: (op, path) => (op === 'read' && path.endsWith('/outblob') ? 'EIO' : undefined),
    });
    const err = fails(
      () => tsmBackend({ root, fs }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /^configfs-tsm: cannot read \/.*\/outblob: EIO$/,
    );
    expect(err.shortMessage).toContain(root);
    expect(err.cause).toMatchObject({ code: 'EIO' });
    expect(err.walk()).toBe(err.cause);
    expect(fs.log.at(-1)).toMatch(/^rmdir /);
    expect(entries()).toEqual([]);
  });

  test('reports the first failure, not a failing rmdir after it', () => {
    const fs = fakeConfigfs(root, {
      fault: (op) => (op === 'write' && 'EIO') || (op === 'rmdir' && 'EBUSY') || undefined,
    });
    fails(
      () => tsmBackend({ root, fs }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /cannot write .*inblob: EIO/,
    );
  });

  test('fails when the entry cannot be removed after a good token', () => {
    const fs = fakeConfigfs(root, { fault: (op) => (op === 'rmdir' ? 'EBUSY' : undefined) });
    fails(
      () => tsmBackend({ root, fs }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /cannot remove .*: EBUSY/,
    );
  });

  test('fails on a mkdir error other than a missing root', () => {
    const fs = fakeConfigfs(root, { fault: (op) => (op === 'mkdir' ? 'ENXIO' : undefined) });
    fails(
      () => tsmBackend({ root, fs }).attestationToken(challenge),
      'SDK_BACKEND_FAILED',
      /cannot create .*: ENXIO \(no TSM provider registered\)/,
    );
  });

  test.each([0, 32, 63, 65])('rejects a %i-byte challenge before touching configfs', (size) => {
    const fs = fakeConfigfs(root);
    fails(
      () => tsmBackend({ root, fs }).attestationToken(new Uint8Array(size)),
      'SDK_ARGUMENT_INVALID',
      new RegExp(`64 bytes, not ${size} bytes`),
    );
    expect(fs.log).toEqual([]);
  });
});

describe('what configfs-tsm does not give', () => {
  const backend = tsmBackend({ root: '/nonexistent' });
  test.each([
    ['sealingKey', () => backend.sealingKey(0, 0), /sealing key/],
    ['measurementRead', () => backend.measurementRead(0), /measurement reads/],
    [
      'measurementExtend',
      () => backend.measurementExtend(1, bytes(32, 1)),
      /measurement extension/,
    ],
  ] as const)('%s throws SDK_NOT_SUPPORTED', (_, fn, message) => {
    const err = fails(fn, 'SDK_NOT_SUPPORTED', message);
    expect(err.shortMessage).toContain('configfs-tsm only gives attestation tokens');
  });
});
