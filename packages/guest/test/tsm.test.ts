/** configfs-tsm and the arm_cca_guest provider. @module */
import { describe, expect, test } from 'vitest';
import {
  ARM_CCA_INBLOB_MIN,
  armCcaGuest,
  ConfigfsTsm,
  RsiShim,
  TsmError,
  type TsmProvider,
} from '../src/index.ts';
import { FakeRealm, fakeToken } from './fake-platform.ts';

const errnoOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof TsmError) return e.code;
    throw e;
  }
  return 'no error';
};

/** A provider whose report is the inblob reversed, counting calls. */
function countingProvider(): TsmProvider & { calls: number } {
  const p = {
    name: 'test_provider',
    calls: 0,
    report(inblob: Uint8Array): Uint8Array {
      p.calls++;
      return Uint8Array.from(inblob).reverse();
    },
  };
  return p;
}

describe('ConfigfsTsm', () => {
  test('entries: create, list, remove; names configfs refuses', () => {
    const tsm = new ConfigfsTsm(countingProvider());
    tsm.create('a');
    tsm.create('b');
    expect(tsm.names()).toEqual(['a', 'b']);
    expect(errnoOf(() => tsm.create('a'))).toBe('GUEST_TSM_EEXIST');
    for (const bad of ['', '.', '..', 'x/y', 'n\0', 'é'.repeat(128)]) {
      expect(errnoOf(() => tsm.create(bad))).toBe('GUEST_TSM_EINVAL');
    }
    expect(errnoOf(() => tsm.create(42 as unknown as string))).toBe('GUEST_TSM_EINVAL');
    tsm.remove('a');
    expect(tsm.names()).toEqual(['b']);
    expect(errnoOf(() => tsm.remove('a'))).toBe('GUEST_TSM_ENOENT');
    expect(errnoOf(() => tsm.read('a', 'provider'))).toBe('GUEST_TSM_ENOENT');
  });

  test('attributes: provider and generation as text; inblob write-only; outblob read-only', () => {
    const tsm = new ConfigfsTsm(countingProvider());
    tsm.create('r');
    const text = (attr: 'provider' | 'generation') => new TextDecoder().decode(tsm.read('r', attr));
    expect(text('provider')).toBe('test_provider\n');
    expect(text('generation')).toBe('0\n');
    tsm.write('r', 'inblob', Uint8Array.of(1, 2));
    tsm.write('r', 'inblob', Uint8Array.of(1, 2, 3));
    expect(text('generation')).toBe('2\n');
    expect(errnoOf(() => tsm.read('r', 'inblob'))).toBe('GUEST_TSM_EACCES');
    expect(errnoOf(() => tsm.write('r', 'generation', Uint8Array.of(1)))).toBe('GUEST_TSM_EACCES');
    expect(errnoOf(() => tsm.read('r', 'auxblob' as 'outblob'))).toBe('GUEST_TSM_ENOENT');
    expect(errnoOf(() => tsm.write('r', 'inblob', new Uint8Array(65)))).toBe('GUEST_TSM_EFBIG');
    expect(errnoOf(() => tsm.write('r', 'inblob', [1, 2] as unknown as Uint8Array))).toBe(
      'GUEST_TSM_EINVAL',
    );
    expect(text('generation')).toBe('2\n');
  });

  test('outblob: made on the first read after a write, cached until inblob changes', () => {
    const provider = countingProvider();
    const tsm = new ConfigfsTsm(provider);
    const report = tsm.create('r');
    const inblob = Uint8Array.of(1, 2, 3);
    report.writeInblob(inblob);
    inblob[0] = 9;
    expect(report.readOutblob()).toEqual({ outblob: Uint8Array.of(3, 2, 1), generation: 1 });
    const again = report.readOutblob();
    again.outblob[0] = 0;
    expect(report.readOutblob().outblob).toEqual(Uint8Array.of(3, 2, 1));
    expect(provider.calls).toBe(1);
    // Writing the same bytes is a new generation: a new report.
    report.writeInblob(Uint8Array.of(1, 2, 3));
    expect(tsm.read('r', 'outblob')).toEqual(Uint8Array.of(3, 2, 1));
    expect(provider.calls).toBe(2);
    expect(report.generation).toBe(2);
    expect(report.provider).toBe('test_provider');
  });

  test('a provider error is not cached', () => {
    let fail = true;
    const tsm = new ConfigfsTsm({
      name: 'flaky',
      report: (b) => {
        if (fail) throw new TsmError('EINVAL', 'not now');
        return b;
      },
    });
    tsm.create('r');
    tsm.write('r', 'inblob', Uint8Array.of(5));
    expect(errnoOf(() => tsm.read('r', 'outblob'))).toBe('GUEST_TSM_EINVAL');
    fail = false;
    expect(tsm.read('r', 'outblob')).toEqual(Uint8Array.of(5));
  });
});

describe('armCcaGuest', () => {
  test('the inblob is the challenge, 32..64 bytes, zero-padded to 64', () => {
    const seen: Uint8Array[] = [];
    const provider = armCcaGuest({
      attestationToken: (c) => {
        seen.push(c);
        return Uint8Array.of(0xd2);
      },
    });
    expect(provider.name).toBe('arm_cca_guest');
    expect(provider.report(new Uint8Array(ARM_CCA_INBLOB_MIN).fill(1))).toEqual(
      Uint8Array.of(0xd2),
    );
    expect(seen[0]).toEqual(Uint8Array.from({ length: 64 }, (_, i) => (i < 32 ? 1 : 0)));
    expect(errnoOf(() => provider.report(new Uint8Array(31)))).toBe('GUEST_TSM_EINVAL');
    expect(errnoOf(() => provider.report(new Uint8Array(0)))).toBe('GUEST_TSM_EINVAL');
    expect(errnoOf(() => provider.report(new Uint8Array(65)))).toBe('GUEST_TSM_EINVAL');
  });

  test('over the RSI shim, an outblob is the CCA token for the padded inblob', () => {
    const cpu = new FakeRealm('').cpu();
    const rsi = new RsiShim({ smc: cpu.smc, memory: cpu.memory, scratch: 0x4_0000 });
    const tsm = new ConfigfsTsm(armCcaGuest(rsi));
    tsm.create('attest');
    const inblob = new Uint8Array(48).fill(0xab);
    tsm.write('attest', 'inblob', inblob);
    const challenge = new Uint8Array(64);
    challenge.set(inblob);
    expect(tsm.read('attest', 'outblob')).toEqual(fakeToken(challenge));
  });
});
