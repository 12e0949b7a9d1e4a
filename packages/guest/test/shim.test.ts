/** The RSI shim over a fake RMM in this thread, and over stub RMMs that misbehave. @module */
import { fc, test as prop } from '@fast-check/vitest';
import {
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_HOST_CALL,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_REALM_CONFIG,
  SMC_UNKNOWN,
} from '@islet/abi';
import { isIsletError } from '@islet/arch';
import { describe, expect, test } from 'vitest';
import { type RealmSmc, RsiError, RsiShim } from '../src/index.ts';
import { FakeRealm, fakeToken, PAGE, SEALING_KEY_WORDS } from './fake-platform.ts';

const SCRATCH = 0x4_0000;

function shimOf(realm: FakeRealm): RsiShim {
  const cpu = realm.cpu();
  return new RsiShim({ smc: cpu.smc, memory: cpu.memory, scratch: SCRATCH });
}

/** A shim whose RMM answers every SMC with `answer` (memory: a fake realm's). */
function stubShim(answer: RealmSmc, realm = new FakeRealm('')): RsiShim {
  return new RsiShim({ smc: answer, memory: realm.cpu().memory, scratch: SCRATCH });
}

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isIsletError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('RsiShim', () => {
  test('RSI_VERSION: the version in use, or the supported range in the error', () => {
    const rsi = shimOf(new FakeRealm(''));
    expect(rsi.abiVersion()).toEqual({ major: 1, minor: 0 });
    let err: unknown;
    try {
      rsi.abiVersion(2, 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RsiError);
    expect((err as RsiError).code).toBe('GUEST_RSI_ERROR_INPUT');
    expect((err as RsiError).command).toBe('RSI_VERSION');
    expect((err as RsiError).shortMessage).toBe(
      'RSI_VERSION: the RMM does not speak 2.0 (it speaks 1.0 to 1.0)',
    );
    expect(codeOf(() => rsi.abiVersion(0x8000, 0))).toBe('GUEST_ARGUMENT_INVALID');
  });

  test('statuses become coded errors naming the command', () => {
    expect(codeOf(() => stubShim(() => [SMC_UNKNOWN]).features(0))).toBe('GUEST_RSI_NOT_SUPPORTED');
    expect(codeOf(() => stubShim(() => [2n]).features(0))).toBe('GUEST_RSI_ERROR_STATE');
    expect(codeOf(() => stubShim(() => [3n]).features(0))).toBe('GUEST_RSI_INCOMPLETE');
    expect(codeOf(() => stubShim(() => [4n]).features(0))).toBe('GUEST_RSI_ERROR_UNKNOWN');
    expect(codeOf(() => stubShim(() => [77n]).features(0))).toBe('GUEST_RSI_STATUS_INVALID');
    expect(codeOf(() => stubShim(() => []).features(0))).toBe('GUEST_RSI_NOT_SUPPORTED');
    const err = RsiError.fromStatus('RSI_MEASUREMENT_READ', 1n);
    expect(err.message).toBe('RSI_MEASUREMENT_READ returned RSI_ERROR_INPUT');
  });

  test('measurements are as long as the realm hash; extend packs the value into X3..X10', () => {
    const realm = new FakeRealm('');
    const rsi = shimOf(realm);
    expect(rsi.measurementRead(0)).toEqual(realm.measurements[0]!.slice(0, 32));
    rsi.measurementExtend(2, Uint8Array.of(1, 2, 3));
    expect(rsi.measurementRead(2)).toEqual(realm.measurements[2]!.slice(0, 32));
    expect(rsi.measurementRead(2)).not.toEqual(new Uint8Array(32));
    expect(shimOf(new FakeRealm('', { hashAlgo: 1 })).measurementRead(3)).toHaveLength(64);
    expect(codeOf(() => rsi.measurementRead(5))).toBe('GUEST_ARGUMENT_INVALID');
    expect(codeOf(() => rsi.measurementRead(0.5))).toBe('GUEST_ARGUMENT_INVALID');
    expect(codeOf(() => rsi.measurementExtend(0, new Uint8Array(1)))).toBe(
      'GUEST_ARGUMENT_INVALID',
    );
    expect(codeOf(() => rsi.measurementExtend(1, new Uint8Array(65)))).toBe(
      'GUEST_ARGUMENT_INVALID',
    );
  });

  prop.prop([fc.uint8Array({ maxLength: 64 })])(
    'extend passes size and little-endian words',
    (value) => {
      let seen: readonly bigint[] = [];
      const rsi = stubShim((x) => {
        seen = x;
        return [0n];
      });
      rsi.measurementExtend(1, value);
      expect(seen[0]).toBe(BigInt(SMC_RSI_MEASUREMENT_EXTEND));
      expect(seen[2]).toBe(BigInt(value.length));
      const padded = new Uint8Array(64);
      padded.set(value);
      const v = new DataView(padded.buffer);
      expect(seen.slice(3, 11)).toEqual(
        Array.from({ length: 8 }, (_, i) => v.getBigUint64(i * 8, true)),
      );
    },
  );

  test('realm config: decoded from the scratch page; a bad hash algorithm or IPA width is refused', () => {
    const realm = new FakeRealm('');
    expect(shimOf(realm).realmConfig()).toMatchObject({ ipaWidth: 33, hashAlgo: 0 });
    expect(realm.rsiFaults).toBe(1);
    const bad = new FakeRealm('', { hashAlgo: 7 });
    expect(codeOf(() => shimOf(bad).realmConfig())).toBe('GUEST_RSI_RESULT_INVALID');
    expect(codeOf(() => shimOf(bad).measurementRead(0))).toBe('GUEST_RSI_RESULT_INVALID');
    for (const ipaWidth of [31, 53]) {
      const narrow = new FakeRealm('', { ipaWidth });
      expect(codeOf(() => shimOf(narrow).realmConfig())).toBe('GUEST_RSI_RESULT_INVALID');
    }
    expect(shimOf(new FakeRealm('', { ipaWidth: 52 })).realmConfig().ipaWidth).toBe(52);
  });

  test('attestation token: INIT, then CONTINUE in granule-sized rounds until success', () => {
    const realm = new FakeRealm('');
    const challenge = new Uint8Array(64).fill(9);
    expect(shimOf(realm).attestationToken(challenge)).toEqual(fakeToken(challenge));
    expect(codeOf(() => shimOf(realm).attestationToken(new Uint8Array(63)))).toBe(
      'GUEST_ARGUMENT_INVALID',
    );
  });

  test('attestation token: a misbehaving RMM ends in a coded error, never a hang', () => {
    const answers = (cont: (x: readonly bigint[]) => bigint[], maxSize = 4096n): RealmSmc => {
      return (x) =>
        x[0] === BigInt(SMC_RSI_ATTESTATION_TOKEN_INIT)
          ? [0n, maxSize]
          : x[0] === BigInt(SMC_RSI_ATTESTATION_TOKEN_CONTINUE)
            ? cont(x)
            : [SMC_UNKNOWN];
    };
    const challenge = new Uint8Array(64);
    // Copies more than it was asked to.
    const greedy = answers((x) => [3n, x[3]! + 1n]);
    expect(codeOf(() => stubShim(greedy).attestationToken(challenge))).toBe(
      'GUEST_RSI_RESULT_INVALID',
    );
    // Says INCOMPLETE forever without copying anything.
    const stalled = answers(() => [3n, 0n]);
    expect(codeOf(() => stubShim(stalled).attestationToken(challenge))).toBe(
      'GUEST_RSI_RESULT_INVALID',
    );
    // Never finishes: past max_size.
    const endless = answers((x) => [3n, x[3]!]);
    expect(codeOf(() => stubShim(endless).attestationToken(challenge))).toBe(
      'GUEST_RSI_RESULT_INVALID',
    );
    // max_size 0, and a failure status.
    expect(codeOf(() => stubShim(answers(() => [0n, 0n], 0n)).attestationToken(challenge))).toBe(
      'GUEST_RSI_RESULT_INVALID',
    );
    expect(codeOf(() => stubShim(answers(() => [2n])).attestationToken(challenge))).toBe(
      'GUEST_RSI_ERROR_STATE',
    );
    // A zero-progress INCOMPLETE now and then (an IRQ) is fine.
    let calls = 0;
    const irq = answers(
      (x) => (++calls % 2 === 1 ? [3n, 0n] : calls < 6 ? [3n, x[3]!] : [0n, 10n]),
      16_384n,
    );
    expect(stubShim(irq).attestationToken(challenge)).toHaveLength(2 * PAGE + 10);
  });

  test('sealing key, IPA state, host call', () => {
    const realm = new FakeRealm('');
    const rsi = shimOf(realm);
    const key = rsi.sealingKey(0xf, 3n);
    expect(new DataView(key.buffer).getBigUint64(24, true)).toBe(SEALING_KEY_WORDS[3]);
    expect(key).toHaveLength(32);
    expect(codeOf(() => rsi.sealingKey(-1, 0))).toBe('GUEST_ARGUMENT_INVALID');
    expect(codeOf(() => rsi.sealingKey(0, 2n ** 64n))).toBe('GUEST_ARGUMENT_INVALID');
    expect(rsi.ipaStateGet(0, 0x2000)).toEqual({ top: 0x2000, ripas: 1 });
    expect(codeOf(() => rsi.ipaStateGet(-1, 0x2000))).toBe('GUEST_ARGUMENT_INVALID');
    const answered = rsi.hostCall(99, [1n, 2, 3n]);
    expect(answered).toHaveLength(31);
    expect(answered.slice(0, 4)).toEqual([SMC_UNKNOWN, 2n, 3n, 0n]);
    expect(codeOf(() => rsi.hostCall(0x10000))).toBe('GUEST_ARGUMENT_INVALID');
    expect(codeOf(() => rsi.hostCall(1, new Array(32).fill(0n)))).toBe('GUEST_ARGUMENT_INVALID');
    expect(
      codeOf(() => stubShim((x) => (x[0] === BigInt(SMC_RSI_HOST_CALL) ? [1n] : [0n])).hostCall(1)),
    ).toBe('GUEST_RSI_ERROR_INPUT');
    const top = stubShim(() => [0n, 2n ** 60n, 0n]);
    expect(codeOf(() => top.ipaStateGet(0, 0x1000))).toBe('GUEST_RSI_RESULT_INVALID');
    expect(codeOf(() => top.ipaStateSet(0, 0x1000, 1))).toBe('GUEST_RSI_RESULT_INVALID');
    expect(stubShim(() => [0n, 0x1000n, 1n]).ipaStateSet(0, 0x2000, 1)).toEqual({
      newBase: 0x1000,
      response: 1,
    });
  });

  test('the scratch page must be a 4 KiB aligned IPA', () => {
    const memory = new FakeRealm('').cpu().memory;
    const smc: RealmSmc = () => [0n];
    expect(codeOf(() => new RsiShim({ smc, memory, scratch: 0x4_0010 }))).toBe(
      'GUEST_ARGUMENT_INVALID',
    );
    expect(codeOf(() => new RsiShim({ smc, memory, scratch: 2 ** 52 }))).toBe(
      'GUEST_ARGUMENT_INVALID',
    );
    // RSI_REALM_CONFIG is issued with the scratch page (which holds a 40-bit config here).
    memory.write(SCRATCH, Uint8Array.of(40));
    let seen = 0n;
    new RsiShim({
      smc: (x) => {
        if (x[0] === BigInt(SMC_RSI_REALM_CONFIG)) seen = x[1]!;
        return [0n];
      },
      memory,
      scratch: SCRATCH,
    }).realmConfig();
    expect(seen).toBe(BigInt(SCRATCH));
  });
});
