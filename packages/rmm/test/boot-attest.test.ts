/**
 * Cold boot fetching the attestation material from EL3 (rmm-abi.md §7.1): the RAK through
 * RMM_ATTEST_GET_REALM_KEY, then the platform token through RMM_ATTEST_GET_PLAT_TOKEN in hunks
 * (retrying Again) with SHA-256 of the RAK's COSE_Key as challenge, all through the shared buffer.
 * Any failure leaves no attestation material but does not fail the boot (TF-RMM only warns).
 * @module
 */
import { RmmBootError, RmmEl3Status } from '@islet/abi';
import { nodeCrypto } from '@islet/arch';
import { encodeCoseKey, rakBinding } from '@islet/token';
import { describe, expect, it } from 'vitest';
import { MAX_PLAT_TOKEN_CALLS } from '../src/attest/boot.ts';
import { type AttestServe, SECURE_PA } from './support/platform.ts';
import { setup } from './support/rmm.ts';

const BUF = 0xff00_0000;
const GOOD = { cpuId: 0, ifcVersion: 0x4, numCpus: 4, sharedBuffer: BUF };
const crypto = nodeCrypto();
const SCALAR = Uint8Array.from({ length: 48 }, (_, i) => i + 1);
const TOKEN = Uint8Array.from({ length: 1518 }, (_, i) => (i * 7 + 3) & 0xff);
const K = RmmEl3Status;

function boot(serve: AttestServe, args = GOOD) {
  const { rmm, platform } = setup();
  platform.attest = serve;
  const status = rmm.coldBoot(args);
  return { rmm, platform, status };
}

describe('coldBoot fetches the RAK and the platform token', () => {
  it('keeps the RAK and the token; the challenge is SHA-256 of the RAK COSE_Key', () => {
    const { rmm, platform, status } = boot({
      key: SCALAR,
      token: TOKEN,
      hunk: 500,
      againAt: [0, 2],
    });
    expect(status).toBe(RmmBootError.Success);
    const pub = crypto.ecFromPrivate('P-384', SCALAR).publicKey;
    const cose = encodeCoseKey(pub);
    expect(cose.length).toBe(107);
    const hash = crypto.hash('sha256', cose);
    expect(rakBinding(pub, 'sha-256', crypto).challenge).toEqual(hash);
    // EL3 saw exactly that challenge, once.
    expect(platform.challenges).toEqual([hash]);
    const a = rmm.inspect.attestation();
    expect(a?.rakPublic).toEqual(pub);
    expect(a?.rakCoseKey).toEqual(cose);
    expect(a?.rakHash).toEqual(hash);
    expect(a?.platformToken).toEqual(TOKEN);
    // The calls: key (buffer, 4096, curve 0); token with c_size 32 until the first Ok (an Again
    // is retried as the same call), then 0; 1518 bytes in hunks of 500.
    expect(platform.attestCalls).toEqual([
      ['key', BUF, 4096, 0, K.Ok],
      ['token', BUF, 4096, 32, K.Again],
      ['token', BUF, 4096, 32, K.Ok],
      ['token', BUF, 4096, 0, K.Again],
      ['token', BUF, 4096, 0, K.Ok],
      ['token', BUF, 4096, 0, K.Ok],
      ['token', BUF, 4096, 0, K.Ok],
    ]);
    // The snapshot is a copy.
    a?.platformToken.fill(0);
    expect(rmm.inspect.attestation()?.platformToken).toEqual(TOKEN);
  });

  it('zeroes the key in the shared buffer: only the hash and the token hunk are left there', () => {
    const { rmm, platform } = boot({ key: SCALAR, token: TOKEN.subarray(0, 16) });
    const a = rmm.inspect.attestation();
    expect(a?.platformToken).toEqual(TOKEN.subarray(0, 16));
    const buf = platform.raw(BUF);
    expect(buf.subarray(0, 16)).toEqual(TOKEN.subarray(0, 16));
    expect(buf.subarray(16, 32)).toEqual(a?.rakHash.subarray(16));
    expect(buf.subarray(32).every((b) => b === 0)).toBe(true);
  });

  it('accepts a token of exactly ATTEST_PLAT_TOKEN_SIZE bytes in one hunk', () => {
    const big = new Uint8Array(4096).fill(0x5a);
    expect(boot({ key: SCALAR, token: big }).rmm.inspect.attestation()?.platformToken).toEqual(big);
  });

  it('nothing before cold boot, nor when the boot arguments fail (EL3 is not called)', () => {
    const { rmm, platform } = setup();
    platform.attest = { key: SCALAR, token: TOKEN };
    expect(rmm.inspect.attestation()).toBeUndefined();
    expect(rmm.coldBoot({ ...GOOD, ifcVersion: 2 })).toBe(RmmBootError.VersionMismatch);
    expect(platform.attestCalls).toEqual([]);
    expect(rmm.inspect.attestation()).toBeUndefined();
  });

  it.each([
    ['RAK refused (Unknown)', { key: SCALAR, keyStatus: K.Unknown, token: TOKEN }],
    ['no RAK at all', { token: TOKEN }],
    ['key size ≠ 48', { key: SCALAR.subarray(0, 32), token: TOKEN }],
    ['zero scalar', { key: new Uint8Array(48), token: TOKEN }],
    ['scalar ≥ the group order', { key: new Uint8Array(48).fill(0xff), token: TOKEN }],
    ['token refused on the first call', { key: SCALAR, token: TOKEN, failAt: [0, K.Inval] }],
    ['token refused mid-way', { key: SCALAR, token: TOKEN, hunk: 500, failAt: [2, K.Unknown] }],
    ['token larger than 4096 bytes', { key: SCALAR, token: new Uint8Array(5000), hunk: 1000 }],
    ['hunk size above the buffer', { key: SCALAR, token: TOKEN, lieHunk: 4097 }],
    ['Again forever', { key: SCALAR, token: TOKEN, alwaysAgain: true }],
  ] as const)('%s → boot succeeds, no attestation material', (_n, serve) => {
    const { rmm, status, platform } = boot(serve as AttestServe);
    expect(status).toBe(RmmBootError.Success);
    expect(rmm.inspect.attestation()).toBeUndefined();
    // A failed RAK stops before the platform token.
    if (!platform.attestCalls.some(([n, , , , s]) => n === 'key' && s === K.Ok)) {
      expect(platform.attestCalls.filter(([n]) => n === 'token')).toEqual([]);
    }
  });

  it('gives up on Again after MAX_PLAT_TOKEN_CALLS calls', () => {
    const { platform } = boot({ key: SCALAR, token: TOKEN, alwaysAgain: true });
    expect(platform.attestCalls.filter(([n]) => n === 'token')).toHaveLength(MAX_PLAT_TOKEN_CALLS);
  });

  it('a shared buffer outside the Realm PAS cannot be read: no attestation material', () => {
    const { rmm, status } = boot(
      { key: SCALAR, token: TOKEN },
      { ...GOOD, sharedBuffer: SECURE_PA },
    );
    expect(status).toBe(RmmBootError.Success);
    expect(rmm.inspect.attestation()).toBeUndefined();
  });
});
