import { isIsletError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { attest, challengeOf } from '../src/attester.ts';
import type { RsiBackend } from '../src/rsi-dispatcher.ts';

describe('attest', () => {
  it('pads the user data with zeros into the 64-byte challenge the backend signs', () => {
    const seen: Uint8Array[] = [];
    const backend: RsiBackend = {
      name: 'test',
      attestationToken: (c) => {
        seen.push(c);
        return Uint8Array.of(1, 2, 3);
      },
      sealingKey: () => new Uint8Array(32),
      measurementRead: () => new Uint8Array(64),
      measurementExtend: () => undefined,
    };
    expect(attest(backend, Uint8Array.of(0xab, 0xcd))).toEqual(Uint8Array.of(1, 2, 3));
    expect(attest(backend)).toEqual(Uint8Array.of(1, 2, 3));
    expect(seen[0]).toEqual(Uint8Array.from({ length: 64 }, (_, i) => [0xab, 0xcd][i] ?? 0));
    expect(seen[1]).toEqual(new Uint8Array(64));
  });

  it('refuses more than 64 bytes of user data', () => {
    expect(challengeOf(new Uint8Array(64)).length).toBe(64);
    try {
      challengeOf(new Uint8Array(65));
      expect.unreachable();
    } catch (e) {
      expect(isIsletError(e, 'SDK_ARGUMENT_INVALID')).toBe(true);
    }
  });
});
