/** The realm runtime in this thread, on a fake vCPU: boot, program, and how a realm ends. @module */
import { SMC_RSI_HOST_CALL } from '@islet/abi';
import { describe, expect, test } from 'vitest';
import { runRealmVcpu, secondaryContextId } from '../src/index.ts';
import { FakeRealm, Halted } from './fake-platform.ts';

/** Runs REC `index` of `realm` in this thread until it halts. */
function runUntilHalt(realm: FakeRealm, index = 0): void {
  expect(() => runRealmVcpu(realm.cpu(index))).toThrow(Halted);
}

describe('runRealmVcpu', () => {
  test('REC 0 runs the program, then Exit(0) and SYSTEM_OFF', () => {
    const realm = new FakeRealm(`console.log('hi', vcpu.index, memory.size.toString(16));`);
    runUntilHalt(realm);
    expect(realm.console).toBe('hi 0 100000\n');
    expect(realm.exitStatus).toBe(0);
    expect(realm.off).toBe(true);
  });

  test('memory.sharedBase() is the first unprotected IPA, from RSI_REALM_CONFIG, asked once', () => {
    const realm = new FakeRealm(
      `console.log(memory.sharedBase().toString(16), memory.sharedBase() === 2 ** 32);`,
    );
    runUntilHalt(realm);
    expect(realm.console).toBe('100000000 true\n');
    expect(realm.rsiFaults).toBe(1);
    const bad = new FakeRealm(`memory.sharedBase();`, { ipaWidth: 60 });
    runUntilHalt(bad);
    expect(bad.console).toMatch(/RSI_REALM_CONFIG answered ipa_width 60/);
    expect(bad.exitStatus).toBe(1);
  });

  test('a secondary finds the program through its context id and ends with CPU_OFF', () => {
    const realm = new FakeRealm(`console.log('on', vcpu.index);`);
    const boot = {
      primary: true,
      imageIpa: 0,
      imageLength: realm.image.length,
      memorySize: realm.memorySize,
    };
    realm.addRec(1, 0n, [secondaryContextId(boot)]);
    runUntilHalt(realm, 1);
    expect(realm.console).toBe('on 1\n');
    expect(realm.exitStatus).toBeUndefined();
    expect(realm.off).toBe(false);
    expect(realm.on.has(1)).toBe(false);
  });

  test('an uncaught error, a refused program, an image that is not UTF-8: printed, Exit(1)', () => {
    const cases: [string | Uint8Array, RegExp][] = [
      [`null.x`, /^Uncaught TypeError: Cannot read properties of null/],
      [`const = 1`, /^Uncaught IsletError: the program does not compile: Unexpected token '='/],
      [`import('x')`, /^Uncaught IsletError: the program uses `import`/],
      [Uint8Array.of(0x63, 0xff, 0x0a), /^Uncaught IsletError: the image is not UTF-8\n$/],
    ];
    for (const [program, printed] of cases) {
      const realm = new FakeRealm(program);
      runUntilHalt(realm);
      expect(realm.console).toMatch(printed);
      expect(realm.exitStatus).toBe(1);
      expect(realm.off).toBe(true);
    }
  });

  test('an image that aborts when read: printed, Exit(1)', () => {
    const realm = new FakeRealm(`1`, { seaPages: [0] });
    runUntilHalt(realm);
    expect(realm.console).toBe('Uncaught Guest.SeaError: synchronous external abort at IPA 0x0\n');
    expect(realm.exitStatus).toBe(1);
  });

  test('smc() issues a raw SMC with any arguments and returns X0..X10', () => {
    const realm = new FakeRealm(`
      const x = smc(0xc4000190, 0x10000);
      console.log(x.length, typeof x[0], x[0] === 0n, Array.isArray(x));
      for (const bad of [[], [-1], [2n ** 64n], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], ['1']]) {
        try { smc(...bad); console.log('accepted'); } catch (e) { console.log(e.code); }
      }
    `);
    runUntilHalt(realm);
    expect(realm.console.split('\n').slice(0, 6)).toEqual([
      '11 bigint true true',
      ...new Array(5).fill('GUEST_ARGUMENT_INVALID'),
    ]);
    expect(realm.exitStatus).toBe(0);
  });

  test('boot registers that describe no program: off without a word', () => {
    const realm = new FakeRealm(`console.log('never')`);
    realm.recs[0]!.gprs[0] = 0n;
    runUntilHalt(realm);
    expect(realm.console).toBe('');
    expect(realm.exitStatus).toBeUndefined();
    expect(realm.off).toBe(true);
    const secondary = new FakeRealm(`1`);
    secondary.addRec(1, 0n, [1n << 63n]);
    runUntilHalt(secondary, 1);
    expect(secondary.off).toBe(false);
    expect(secondary.on.has(1)).toBe(false);
  });

  test('the guest API checks what the program passes', () => {
    const realm = new FakeRealm(`
      const code = (f) => { try { f(); return 'ok' } catch (e) { return e.code } };
      console.log(
        code(() => memory.read(-1, 1)),
        code(() => memory.read(0, 2 ** 27)),
        code(() => memory.read(2 ** 52 - 1, 2)),
        code(() => memory.write(0, 'str')),
        code(() => mmio.read(${2 ** 32 + 1}, 4)),
        code(() => mmio.read(0, 3)),
        code(() => mmio.write(0, 1, 256)),
        code(() => mmio.write(0, 1, -129)),
        code(() => exit(1.5)),
        code(() => text.encode(1)),
        code(() => hex.decode('xyz')),
        code(() => rsi.hostCall(1, 'no')),
        code(() => psci.cpuOn(2 ** 28)),
        code(() => tsm.write('none', 'inblob', new Uint8Array(1))),
        code(() => random(-1)),
        code(() => random(65537)),
        code(() => random('8')),
      );
      console.log(hex.encode(text.encode('€')), text.decode(hex.decode('e282ac')), memory.read(0, 0).length);
      console.log(mmio.read(${2 ** 32}, 1), mmio.write(${2 ** 32}, 1, -1), rsi.features(0), rsi.ipaStateGet(0, 4096));
    `);
    runUntilHalt(realm);
    expect(realm.console.split('\n')).toEqual([
      [
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'HEX_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_TSM_ENOENT',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
        'GUEST_ARGUMENT_INVALID',
      ].join(' '),
      'e282ac € 0',
      '128n undefined 0n {"top":4096,"ripas":1}',
      '',
    ]);
    expect(realm.mmioWrites).toEqual([{ ipa: 2 ** 32, size: 1, value: 0xffn }]);
  });

  test('random gives fresh bytes of the asked length, from the vCPU', () => {
    const realm = new FakeRealm(`
      const a = random(32), b = random(32);
      console.log(a instanceof Uint8Array, a.length, hex.encode(a) !== hex.encode(b), random(0).length, random(65536).length);
    `);
    runUntilHalt(realm);
    expect(realm.console).toBe('true 32 true 0 65536\n');
  });

  test('console output is cut into ConsoleWrites of at most 232 bytes between characters', () => {
    const line = '€'.repeat(100);
    const realm = new FakeRealm(`console.log(${JSON.stringify(line)})`);
    const writes: number[] = [];
    const smc = realm.cpu().smc;
    runRealmWith(realm, (x) => {
      if (x[0] === BigInt(SMC_RSI_HOST_CALL)) {
        const page = realm.page(0x1000);
        const n = new DataView(page.buffer).getBigUint64(8, true);
        if (new DataView(page.buffer).getUint32(0, true) === 1) writes.push(Number(n));
      }
      return smc(x);
    });
    expect(realm.console).toBe(`${line}\n`);
    // 301 bytes: 231 (77 whole euro signs), then 70.
    expect(writes).toEqual([231, 70]);
  });
});

function runRealmWith(realm: FakeRealm, smc: (x: readonly bigint[]) => bigint[]): void {
  expect(() => runRealmVcpu({ ...realm.cpu(), smc })).toThrow(Halted);
}
