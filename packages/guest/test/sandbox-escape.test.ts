/**
 * Realm programs that try to reach the host, run on worker vCPUs: none may. The worker's host
 * realm is where the vCPU runtime runs; its `process.env` carries a sentinel (a copy of this
 * process's environment), which only an escaped program could read and print.
 * @module
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { FakeRealm } from './fake-platform.ts';

const SENTINEL = 'islet-host-sentinel-7f3a';

/** Prints `name: result` for each probe; an escape would print the sentinel. */
const PRELUDE = `
  const reach = (x) => x.constructor.constructor('return globalThis.process.env.ISLET_ESCAPE_SENTINEL')();
  const probe = (name, f) => {
    let r;
    try { r = f(); } catch (e) { r = 'threw ' + (e && e.name); }
    console.log(name + ': ' + String(r));
  };
`;

describe('a realm program cannot reach the host', () => {
  beforeAll(() => {
    process.env.ISLET_ESCAPE_SENTINEL = SENTINEL;
  });

  test('globals, constructors of API functions, results and errors, code generation', () => {
    const realm = new FakeRealm(
      `${PRELUDE}
      probe('typeof process', () => typeof process);
      probe('typeof require', () => typeof require);
      probe('typeof module', () => typeof module + typeof globalThis.global + typeof setTimeout);
      probe('global', () => reach(globalThis));
      probe('global proto', () => reach(Object.getPrototypeOf(globalThis)));
      probe('API function', () => rsi.measurementRead.constructor('return process')());
      probe('API namespace', () => reach(rsi));
      probe('console', () => reach(console.log));
      probe('returned bytes', () => reach(rsi.measurementRead(0)));
      probe('returned buffer', () => reach(rsi.measurementRead(0).buffer));
      probe('returned proto', () => reach(Object.getPrototypeOf(rsi.measurementRead(0))));
      probe('returned object', () => reach(rsi.realmConfig()));
      probe('returned nested', () => reach(rsi.realmConfig().rpv));
      probe('returned array', () => reach(rsi.hostCall(99, [1n])));
      probe('API error', () => { try { rsi.measurementRead(9) } catch (e) { return reach(e) } });
      probe('SEA error', () => { try { memory.read(0x90000, 1) } catch (e) { return reach(e) } });
      probe('bad argument error', () => { try { memory.write(0, {}) } catch (e) { return reach(e) } });
      probe('eval', () => eval('1'));
      probe('Function', () => new Function('return 1')());
      probe('async Function', () => (async () => {}).constructor('return 1')());
      probe('generator Function', () => (function* () {}).constructor('return 1')());
      probe('WebAssembly', () => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])));
    `,
      { seaPages: [0x90] },
    );
    realm.runOnWorkers();
    expect(realm.console).not.toContain(SENTINEL);
    expect(realm.console.split('\n').slice(0, -1)).toEqual([
      'typeof process: undefined',
      'typeof require: undefined',
      'typeof module: undefinedundefinedundefined',
      'global: threw EvalError',
      'global proto: threw EvalError',
      'API function: threw EvalError',
      'API namespace: threw EvalError',
      'console: threw EvalError',
      'returned bytes: threw EvalError',
      'returned buffer: threw EvalError',
      'returned proto: threw EvalError',
      'returned object: threw EvalError',
      'returned nested: threw EvalError',
      'returned array: threw EvalError',
      'API error: threw EvalError',
      'SEA error: threw EvalError',
      'bad argument error: threw EvalError',
      'eval: threw EvalError',
      'Function: threw EvalError',
      'async Function: threw EvalError',
      'generator Function: threw EvalError',
      'WebAssembly: threw CompileError',
    ]);
    expect(realm.exitStatus).toBe(0);
  });

  test('callers and stack frames seen from program code the API runs', () => {
    const realm = new FakeRealm(`${PRELUDE}
      const seen = [];
      const look = function () {
        const caller = arguments.callee.caller;
        seen.push(caller === null ? 'null' : typeof caller);
        if (caller) { try { seen.push(reach(caller)) } catch (e) { seen.push(e.name) } }
        return 1n;
      };
      const regs = [];
      Object.defineProperty(regs, 0, { get: look, enumerable: true, configurable: true });
      rsi.hostCall(99, regs);
      console.log({ toJSON: look });
      String({ toString: look, [Symbol.toPrimitive]: undefined });
      console.log(String({ toString() { return look() } }));
      probe('callers', () => seen.join(','));
      Error.prepareStackTrace = (_e, sites) => sites;
      let sites;
      Object.defineProperty(regs, 0, { get() { sites = new Error('x').stack; return 1n } });
      rsi.hostCall(99, regs);
      Error.prepareStackTrace = undefined;
      probe('sites', () => reach(sites));
      for (let i = 0; i < sites.length; i++) {
        const s = sites[i];
        probe('site ' + i, () => [reach(s), typeof s.getFunction(), String(s.getThis() === undefined || s.getThis() === globalThis)].join());
      }
    `);
    realm.runOnWorkers();
    expect(realm.console).not.toContain(SENTINEL);
    const lines = realm.console.split('\n');
    // Builtins and the API's (strict) wrappers hide as null; the last caller is the program's own.
    expect(lines).toContain('callers: null,null,null,function,EvalError');
    expect(lines).toContain('sites: threw EvalError');
    const sites = lines.filter((l) => l.startsWith('site '));
    expect(sites.length).toBeGreaterThan(3);
    for (const line of sites) expect(line).toMatch(/^site \d+: threw EvalError$/);
    expect(realm.exitStatus).toBe(0);
  });

  test('import() gives a promise of the context that never yields a module', () => {
    // The vCPU's dynamic-import hook throws a context error; Node settles the promise on the
    // worker's event loop, which never turns while a program runs, so nothing is imported.
    const realm = new FakeRealm(`${PRELUDE}
      const p = import('node:fs');
      p.then(() => console.log('imported'), (e) => probe('escape', () => reach(e)));
      console.log('promise of the context: ' + (p instanceof Promise));
      import(/* a comment */ 'node:child_process').then(() => console.log('imported'));
      console.log('running');
    `);
    realm.runOnWorkers();
    const lines = realm.console.split('\n');
    expect(lines).toContain('promise of the context: true');
    expect(lines).toContain('running');
    expect(realm.console).not.toContain('imported');
    expect(realm.console).not.toContain(SENTINEL);
    expect(realm.exitStatus).toBe(0);
  });

  test('a stack overflow at the API boundary stays in the context', () => {
    const realm = new FakeRealm(`${PRELUDE}
      let last;
      // At the deepest frame, the API call itself overflows (in the wrapper or in host code).
      const dive = (n) => {
        try {
          return dive(n + 1);
        } catch {
          try { rsi.features(0); } catch (e) { last ??= e; }
          return n;
        }
      };
      dive(0);
      probe('overflow', () => last.name + ' ' + (last instanceof Error) + ' ' + reach(last));
    `);
    realm.runOnWorkers();
    expect(realm.console).not.toContain(SENTINEL);
    expect(realm.console).toMatch(/^overflow: threw EvalError\n$/);
  });
});
