/**
 * The independent verifier accepts the tokens the SDK's simulated realm makes and a real Islet
 * token, and rejects every sampled single-byte corruption of either COSE_Sign1.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ecPublicKeyToPem } from '@islet/arch';
import { SimulatedRealm } from '@islet/fvp';
import { decode, encode, Tag } from 'cbor2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CcaVerifyError, type CpakInput, splitCcaToken, verifyCcaToken } from '../verify.mjs';

const VERIFY = fileURLToPath(new URL('../verify.mjs', import.meta.url));
const vector = (name: string): Buffer =>
  readFileSync(new URL(`./vectors/${name}`, import.meta.url));
const ISLET_TOKEN = vector('islet-ratls-token.bin');
const ISLET_CPAK = vector('islet-cpak-public.bin');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Byte ranges of one COSE_Sign1's parts inside the whole token. */
interface Region {
  name: string;
  start: number;
  length: number;
}

/** Where each part of both COSE_Sign1 lies in `token` (found by content, not by our decoder). */
function regions(token: Uint8Array): Region[] {
  const whole = Buffer.from(token);
  const parts = splitCcaToken(token);
  const out: Region[] = [];
  for (const which of ['platform', 'realm'] as const) {
    const sign1 = parts[which];
    const at = whole.indexOf(Buffer.from(sign1));
    expect(at, `${which} COSE_Sign1 in the token`).toBeGreaterThan(0);
    const [prot, , payload, signature] = (decode(sign1) as Tag).contents as Uint8Array[];
    for (const [name, bytes] of [
      ['protected header', prot!],
      ['payload', payload!],
      ['signature', signature!],
    ] as const) {
      const within = Buffer.from(sign1).indexOf(Buffer.from(bytes));
      expect(within).toBeGreaterThan(0);
      out.push({ name: `${which} ${name}`, start: at + within, length: bytes.length });
    }
  }
  return out;
}

/** Up to `n` positions spread over `[0, length)`, always the first and the last. */
function sample(length: number, n: number): number[] {
  if (length <= n) return Array.from({ length }, (_, i) => i);
  return [
    ...new Set(Array.from({ length: n }, (_, i) => Math.round((i * (length - 1)) / (n - 1)))),
  ];
}

function expectEveryFlipRejected(token: Uint8Array, cpak: CpakInput, perRegion: number): number {
  let flips = 0;
  for (const region of regions(token)) {
    for (const offset of sample(region.length, perRegion)) {
      for (const mask of [0x01, 0x80]) {
        const bad = Uint8Array.from(token);
        bad[region.start + offset]! ^= mask;
        expect(
          () => verifyCcaToken(bad, cpak),
          `${region.name} byte ${offset} ^ 0x${mask.toString(16)}`,
        ).toThrow(CcaVerifyError);
        flips++;
      }
    }
  }
  return flips;
}

/** Rewraps a 399 token as the RMM 1.1 form: tag 907 with [263, bstr] CMW records. */
function as907(token: Uint8Array): Uint8Array {
  const parts = splitCcaToken(token);
  return encode(
    new Tag(
      907,
      new Map([
        [44234, [263, parts.platform]],
        [44241, [263, parts.realm]],
      ]),
    ),
  );
}

describe('tokens of the simulated realm', () => {
  let realm: SimulatedRealm;
  let challenge: Uint8Array;
  let token: Uint8Array;
  let cpakPem: string;

  beforeAll(() => {
    realm = new SimulatedRealm({ identity: 'independent-verifier' });
    challenge = new Uint8Array(randomBytes(64));
    token = realm.attestationToken(challenge);
    cpakPem = ecPublicKeyToPem(realm.cpak);
  });
  afterAll(() => realm?.close());

  test('verify with the CPAK as a raw point and as SPKI PEM; the realm challenge is ours', () => {
    for (const cpak of [realm.cpak.point, cpakPem]) {
      const result = verifyCcaToken(token, cpak);
      expect(result.realmChallenge).toBe(hex(challenge));
      expect(result.realm.challenge).toBe(hex(challenge));
      expect(result.rim).toMatch(/^[0-9a-f]{64}$|^[0-9a-f]{128}$/);
      expect(result.rem).toHaveLength(4);
      expect(result.rpv).toBe('00'.repeat(64));
      expect(result.platform.alg).toBe('ES384');
      expect(result.realm.alg).toBe('ES384');
    }
  });

  test('a second token carries its own challenge and the same platform token', () => {
    const other = new Uint8Array(randomBytes(64));
    const a = verifyCcaToken(token, realm.cpak.point);
    const b = verifyCcaToken(realm.attestationToken(other), realm.cpak.point);
    expect(b.realmChallenge).toBe(hex(other));
    expect(b.platform).toEqual(a.platform);
    expect(b.rim).toBe(a.rim);
  });

  test('the same token rewrapped as tag 907 with CMW records verifies', () => {
    const result = verifyCcaToken(as907(token), cpakPem);
    expect(result.format).toEqual({ tag: 907, entries: 'cmw' });
    expect(result.realmChallenge).toBe(hex(challenge));
  });

  test('another P-384 key is not the CPAK', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => verifyCcaToken(token, publicKey)).toThrow(/^platform signature: /);
  });

  test('a single-byte flip anywhere sampled in either COSE_Sign1 is rejected', () => {
    expect(expectEveryFlipRejected(token, realm.cpak.point, 24)).toBeGreaterThan(200);
  });
});

describe('the Islet RA-TLS token (islet-project/ratls)', () => {
  test('verifies with the Islet CPAK', () => {
    const result = verifyCcaToken(ISLET_TOKEN, ISLET_CPAK);
    expect(result.format).toEqual({ tag: 399, entries: 'bstr' });
    expect(result.rim).toBe('7d77ac01f480798743d60e052dcafa1732d3243ccfd44b0078302b25e681e9e4');
    expect(result.realm.profile).toBe('tag:arm.com,2023:realm#1.0.0');
    expect(result.platform.challenge).toBe(
      '1e1911620be9b41bfd48bf57f1bf9ce34ef810232f66ddc60a1a5db164df3c4e',
    );
  });

  test('a single-byte flip anywhere sampled in either COSE_Sign1 is rejected', () => {
    expect(expectEveryFlipRejected(ISLET_TOKEN, ISLET_CPAK, 24)).toBeGreaterThan(200);
  });

  test('the binding: another realm token under the same platform token fails', () => {
    // Swap in a realm COSE_Sign1 whose RAK differs: the simulated realm's, under Islet's platform.
    const realm = new SimulatedRealm();
    try {
      const ours = splitCcaToken(realm.attestationToken(new Uint8Array(64)));
      const islet = splitCcaToken(ISLET_TOKEN);
      const mixed = encode(
        new Tag(
          399,
          new Map([
            [44234, islet.platform],
            [44241, ours.realm],
          ]),
        ),
      );
      expect(() => verifyCcaToken(mixed, ISLET_CPAK)).toThrow(/^binding: /);
    } finally {
      realm.close();
    }
  });

  test('malformed collections name the collection check', () => {
    const bad = [
      encode(new Tag(400, new Map())),
      encode(new Map([[44234, new Uint8Array(1)]])),
      encode(new Tag(399, new Map([[44234, splitCcaToken(ISLET_TOKEN).platform]]))),
      Uint8Array.of(...ISLET_TOKEN, 0),
    ];
    for (const token of bad)
      expect(() => verifyCcaToken(token, ISLET_CPAK)).toThrow(/^collection: /);
  });
});

describe('the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'independent-verifier-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('prints the claims as JSON and exits 0, or names the failed check and exits 1', () => {
    const cpak = join(dir, 'cpak.bin');
    writeFileSync(cpak, ISLET_CPAK);
    const token = join(dir, 'token.bin');
    writeFileSync(token, ISLET_TOKEN);
    const good = JSON.parse(
      execFileSync(process.execPath, [VERIFY, token, cpak], { encoding: 'utf8' }),
    );
    expect(good.ok).toBe(true);
    expect(good.rim).toBe('7d77ac01f480798743d60e052dcafa1732d3243ccfd44b0078302b25e681e9e4');

    const bad = Uint8Array.from(ISLET_TOKEN);
    bad[bad.length - 1]! ^= 1; // the realm signature's last byte
    writeFileSync(token, bad);
    let status = 0;
    let stdout = '';
    try {
      execFileSync(process.execPath, [VERIFY, token, cpak], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      ({ status, stdout } = err as { status: number; stdout: string });
    }
    expect(status).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, check: 'realm signature' });
  });
});
