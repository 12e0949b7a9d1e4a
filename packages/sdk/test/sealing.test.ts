/**
 * Sealing against an in-memory backend whose keys are HMAC-derived from a realm identity: a blob
 * opens only under the same identity and the same key selection, and any changed bit fails.
 * @module
 */
import { IsletSealingKeyFlag } from '@islet/abi';
import { defaultCrypto, equalBytes, isIsletError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { SdkError } from '../src/errors.ts';
import type { RsiBackend } from '../src/rsi-dispatcher.ts';
import { DEFAULT_SEALING_FLAGS, SEALED_HEADER_SIZE, Sealer } from '../src/sealing.ts';

const crypto = defaultCrypto();
const enc = (s: string) => new TextEncoder().encode(s);

/** A backend whose sealing key is H(identity ‖ flags ‖ svn); counts the key requests. */
function realm(identity: string, keyless = false): RsiBackend & { requests: number } {
  const backend = {
    name: 'test',
    requests: 0,
    attestationToken: () => new Uint8Array(0),
    measurementRead: () => new Uint8Array(64),
    measurementExtend: () => undefined,
    sealingKey(flags: number, svn: number): Uint8Array {
      if (keyless) throw new SdkError('SDK_NOT_SUPPORTED', 'no sealing key here');
      backend.requests++;
      return crypto.hash('sha256', enc(`${identity}/${flags}/${svn}`));
    },
  };
  return backend;
}

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isIsletError(e) ? e.code : `not coded: ${String(e)}`;
  }
  return undefined;
};

describe('Sealer', () => {
  it('round-trips empty, 4 KiB and 1 MiB data, asking the RMM for the key once', () => {
    const r = realm('A');
    const sealer = new Sealer(r);
    for (const size of [0, 4096, 1 << 20]) {
      const data = crypto.randomBytes(size);
      const blob = sealer.seal(data);
      expect(blob.length).toBe(SEALED_HEADER_SIZE + size + 16);
      // equalBytes: a deep equality over 1 MiB takes seconds.
      expect(equalBytes(sealer.unseal(blob), data)).toBe(true);
    }
    expect(r.requests).toBe(1);
  });

  it('writes version 1, the flags and the SVN, and a fresh IV each time', () => {
    const sealer = new Sealer(realm('A'), { svn: 7 });
    const a = sealer.seal(enc('x'));
    const b = sealer.seal(enc('x'));
    expect([a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]]).toEqual([
      1,
      0,
      DEFAULT_SEALING_FLAGS,
      0,
      7,
      0,
      0,
      0,
    ]);
    expect(a.subarray(8, 20)).not.toEqual(b.subarray(8, 20));
  });

  it('unsealing takes the SVN from the blob, all 32 bits of it', () => {
    const blob = new Sealer(realm('A'), { svn: 0xfedc_ba98 }).seal(enc('versioned'));
    expect([blob[4], blob[5], blob[6], blob[7]]).toEqual([0x98, 0xba, 0xdc, 0xfe]);
    expect(new TextDecoder().decode(new Sealer(realm('A')).unseal(blob))).toBe('versioned');
  });

  it('a blob of another realm identity does not open', () => {
    const blob = new Sealer(realm('A')).seal(enc('secret'));
    expect(code(() => new Sealer(realm('B')).unseal(blob))).toBe('SDK_SEALED_INVALID');
  });

  it('every flipped bit, in the header, the ciphertext or the tag, is rejected', () => {
    const sealer = new Sealer(realm('A'));
    const blob = sealer.seal(enc('sixteen bytes!!!'));
    for (let bit = 0; bit < blob.length * 8; bit++) {
      const bad = blob.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(
        code(() => sealer.unseal(bad)),
        `bit ${bit}`,
      ).toBe('SDK_SEALED_INVALID');
    }
  });

  it('truncated blobs are rejected with a coded error', () => {
    const sealer = new Sealer(realm('A'));
    const blob = sealer.seal(enc('secret'));
    for (const n of [0, 1, SEALED_HEADER_SIZE, SEALED_HEADER_SIZE + 15, blob.length - 1]) {
      expect(
        code(() => sealer.unseal(blob.subarray(0, n))),
        `${n} bytes`,
      ).toBe('SDK_SEALED_INVALID');
    }
  });

  it('the key selection is read from the blob: a sealer with other defaults still opens it', () => {
    const r = realm('A');
    const blob = new Sealer(r, { flags: IsletSealingKeyFlag.Rim, svn: 3 }).seal(enc('s'));
    expect(new Sealer(r).unseal(blob)).toEqual(enc('s'));
  });

  it('refuses undefined flag bits and bad SVNs; passes the backend refusal through', () => {
    expect(code(() => new Sealer(realm('A'), { flags: 0x10 }))).toBe('SDK_ARGUMENT_INVALID');
    expect(code(() => new Sealer(realm('A'), { svn: -1 }))).toBe('SDK_ARGUMENT_INVALID');
    expect(code(() => new Sealer(realm('A'), { svn: 2 ** 32 }))).toBe('SDK_ARGUMENT_INVALID');
    expect(code(() => new Sealer(realm('A', true)).seal(enc('s')))).toBe('SDK_NOT_SUPPORTED');
  });
});
