/**
 * The fvp backend over a fake guest `rsi` object: arguments checked before any call, results
 * after, and the guest's coded errors mapped to the SDK's codes. The real guest shim is exercised
 * by `@islet/fvp`'s emulated-realm tests.
 * @module
 */
import { defaultCrypto, isIsletError } from '@islet/arch';
import { describe, expect, it } from 'vitest';
import { isSdkErrorCode } from '../src/errors.ts';
import { type GuestRsi, guestBackend } from '../src/guest-backend.ts';
import { realmSdk } from '../src/realm-sdk.ts';
import { Sealer } from '../src/sealing.ts';

/** A guest error as the sandbox delivers it: an Error with a string `code`. */
function guestError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** A fake realm: a fixed key per (flags, svn), a token that echoes the challenge, REMs by XOR. */
function fakeRsi(calls: string[] = []): GuestRsi {
  const rems = [new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)];
  return {
    attestationToken(challenge) {
      calls.push('token');
      return Uint8Array.of(0xd9, ...challenge);
    },
    sealingKey(flags, svn) {
      calls.push('key');
      if (svn === 99)
        throw guestError(
          'GUEST_RSI_ERROR_INPUT',
          'RSI_ISLET_REALM_SEALING_KEY returned RSI_ERROR_INPUT',
        );
      return new Uint8Array(32).fill(flags + svn);
    },
    measurementRead(index) {
      calls.push('read');
      return index === 0 ? new Uint8Array(32).fill(7) : rems[index - 1]!.slice();
    },
    measurementExtend(index, value) {
      calls.push('extend');
      value.forEach((b, i) => {
        rems[index - 1]![i % 32]! ^= b;
      });
    },
  };
}

/** The code of the error `fn` throws (the value itself if it is not coded). */
const codeOf = (fn: () => unknown): unknown => {
  let thrown: unknown = 'nothing thrown';
  try {
    fn();
  } catch (e) {
    thrown = isIsletError(e) ? e.code : e;
  }
  return thrown;
};

describe('guestBackend', () => {
  it('is named fvp and passes each call through to the realm', () => {
    const backend = guestBackend(fakeRsi());
    expect(backend.name).toBe('fvp');
    expect(backend.attestationToken(new Uint8Array(64).fill(1))).toEqual(
      Uint8Array.of(0xd9, ...new Uint8Array(64).fill(1)),
    );
    expect(backend.sealingKey(3, 4)).toEqual(new Uint8Array(32).fill(7));
    expect(backend.measurementRead(0)).toEqual(new Uint8Array(32).fill(7));
    backend.measurementExtend(2, Uint8Array.of(0xff));
    expect(backend.measurementRead(2)[0]).toBe(0xff);
  });

  it('refuses bad arguments before any RSI call', () => {
    const calls: string[] = [];
    const backend = guestBackend(fakeRsi(calls));
    const refusals = [
      () => backend.attestationToken(new Uint8Array(63)),
      () => backend.sealingKey(-1, 0),
      () => backend.sealingKey(0, 2 ** 32),
      () => backend.measurementRead(5),
      () => backend.measurementRead(1.5),
      () => backend.measurementExtend(0, Uint8Array.of(1)),
      () => backend.measurementExtend(1, new Uint8Array(0)),
      () => backend.measurementExtend(1, new Uint8Array(65)),
    ];
    expect(refusals.map(codeOf)).toEqual(new Array(8).fill('SDK_ARGUMENT_INVALID'));
    expect(calls).toEqual([]);
  });

  it("maps the guest's codes: refusals, unknown commands, argument errors, uncoded throws", () => {
    const failing = (err: unknown): GuestRsi => ({
      ...fakeRsi(),
      measurementRead: () => {
        throw err;
      },
    });
    const read = (err: unknown) => codeOf(() => guestBackend(failing(err)).measurementRead(0));
    expect(read(guestError('GUEST_RSI_ERROR_INPUT', 'x'))).toBe('SDK_BACKEND_FAILED');
    expect(read(guestError('GUEST_RSI_NOT_SUPPORTED', 'x'))).toBe('SDK_NOT_SUPPORTED');
    expect(read(guestError('GUEST_ARGUMENT_INVALID', 'x'))).toBe('SDK_ARGUMENT_INVALID');
    expect(read(new Error('no code'))).toBe('SDK_BACKEND_FAILED');
    expect(read('a string')).toBe('SDK_BACKEND_FAILED');
    try {
      guestBackend(
        failing(
          guestError('GUEST_RSI_ERROR_STATE', 'RSI_MEASUREMENT_READ returned RSI_ERROR_STATE'),
        ),
      ).measurementRead(0);
      expect.unreachable();
    } catch (e) {
      expect(isIsletError(e, 'SDK_BACKEND_FAILED') && e.shortMessage).toBe(
        'RSI_MEASUREMENT_READ failed in the realm: RSI_MEASUREMENT_READ returned RSI_ERROR_STATE',
      );
      expect(isIsletError(e) && e.details).toBe('GUEST_RSI_ERROR_STATE');
    }
  });

  it('refuses results the command cannot return', () => {
    const lying: GuestRsi = {
      ...fakeRsi(),
      measurementRead: () => new Uint8Array(31),
      sealingKey: () => new Uint8Array(16),
      attestationToken: () => 'a token' as unknown as Uint8Array,
    };
    const backend = guestBackend(lying);
    expect(codeOf(() => backend.measurementRead(0))).toBe('SDK_BACKEND_FAILED');
    expect(codeOf(() => backend.sealingKey(0, 0))).toBe('SDK_BACKEND_FAILED');
    expect(codeOf(() => backend.attestationToken(new Uint8Array(64)))).toBe('SDK_BACKEND_FAILED');
  });

  it('seals through the guest: a refused key is SDK_BACKEND_FAILED, a blob round-trips', () => {
    const backend = guestBackend(fakeRsi());
    const blob = new Sealer(backend).seal(Uint8Array.of(1, 2, 3));
    expect(new Sealer(backend).unseal(blob)).toEqual(Uint8Array.of(1, 2, 3));
    const refused = () => new Sealer(backend, { svn: 99 }).seal(Uint8Array.of(1));
    expect(codeOf(refused)).toBe('SDK_BACKEND_FAILED');
  });
});

describe('realmSdk', () => {
  it("is the SDK's operations over one backend, closed with it", () => {
    let closed = 0;
    const backend = { ...guestBackend(fakeRsi()), close: () => void closed++ };
    const sdk = realmSdk(backend);
    expect(sdk.name).toBe('fvp');
    expect(sdk.attest(Uint8Array.of(9)).subarray(0, 3)).toEqual(Uint8Array.of(0xd9, 9, 0));
    expect(sdk.unseal(sdk.seal(Uint8Array.of(4, 5)))).toEqual(Uint8Array.of(4, 5));
    sdk.measurementExtend(1, Uint8Array.of(0x0f));
    expect(sdk.measurementRead(1)[0]).toBe(0x0f);
    expect(codeOf(() => sdk.unseal(new Uint8Array(10)))).toBe('SDK_SEALED_INVALID');
    expect(codeOf(() => sdk.attest(new Uint8Array(65)))).toBe('SDK_ARGUMENT_INVALID');
    sdk.close?.();
    expect(closed).toBe(1);
  });

  it('takes the random source of its IVs from the crypto provider it is given', () => {
    let drawn = 0;
    const sdk = realmSdk(guestBackend(fakeRsi()), {
      crypto: {
        ...defaultCrypto(),
        randomBytes: (n: number) => {
          drawn += n;
          return new Uint8Array(n);
        },
      },
    });
    sdk.seal(Uint8Array.of(1));
    expect(drawn).toBeGreaterThan(0);
  });
});

describe('isSdkErrorCode', () => {
  it('knows exactly the SDK codes', () => {
    expect(isSdkErrorCode('SDK_SEALED_INVALID')).toBe(true);
    expect(isSdkErrorCode('GUEST_RSI_ERROR_INPUT')).toBe(false);
    expect(isSdkErrorCode('toString')).toBe(false);
    expect(isSdkErrorCode(1)).toBe(false);
  });
});
