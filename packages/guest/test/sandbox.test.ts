/**
 * The sandbox in this thread: what crosses between the host API and a program, and escape
 * attempts against a sentinel on this realm's global object.
 * @module
 */
import { types } from 'node:util';
import { IsletError } from '@islet/arch';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type HostApi, type ProgramOutcome, runProgram } from '../src/index.ts';

const SENTINEL = 'islet-in-thread-sentinel';
declare global {
  var __isletSentinel: string | undefined;
}

/** Runs `source` with a small API; returns what it printed, its outcome and what the host saw. */
function run(source: string) {
  const printed: string[] = [];
  const seen: unknown[] = [];
  const api: HostApi = {
    host: {
      bytes: () => Uint8Array.of(1, 2, 3),
      object: () => ({ a: 1n, b: 'x', c: [Uint8Array.of(9)], f: () => 1 }),
      fn: () => () => globalThis,
      fail: () => {
        throw new IsletError('GUEST_TEST', 'it failed', { details: 'secret host detail' });
      },
      raw: () => {
        throw new RangeError('plain');
      },
      see: (...args: unknown[]) => {
        seen.push(...args);
      },
    },
    answer: 42,
  };
  let outcome: ProgramOutcome | string;
  try {
    outcome = runProgram(source, api, (t) => printed.push(t));
  } catch (e) {
    outcome = e instanceof IsletError ? e.code : 'not coded';
  }
  return { printed: printed.join(''), outcome, seen };
}

describe('runProgram', () => {
  beforeAll(() => {
    globalThis.__isletSentinel = SENTINEL;
  });
  afterAll(() => {
    globalThis.__isletSentinel = undefined;
  });

  test('the escape payload works where it reaches the host (positive control)', () => {
    const reach = (x: { constructor: { constructor: FunctionConstructor } }) =>
      x.constructor.constructor('return globalThis.__isletSentinel')();
    expect(reach(Uint8Array.of(1) as never)).toBe(SENTINEL);
  });

  test('results are copies made by the program context; functions do not cross', () => {
    const r = run(`
      const b = host.bytes();
      const o = host.object();
      console.log(b instanceof Uint8Array, b.buffer instanceof ArrayBuffer, o.c[0] instanceof Uint8Array);
      console.log(Object.getPrototypeOf(o) === Object.prototype, Array.isArray(o.c), o.f, host.fn());
      console.log(o, answer, Object.isFrozen(host), typeof host.bytes);
    `);
    expect(r.outcome).toEqual({ kind: 'returned' });
    expect(r.printed).toBe(
      'true true true\ntrue true undefined undefined\n{"a":"1n","b":"x","c":["09"]} 42 true function\n',
    );
  });

  test('host errors arrive as context errors with only message and code', () => {
    const r = run(`
      try { host.fail() } catch (e) {
        console.log(e instanceof Error, e.message, e.code, Object.keys(e), String(e.stack).includes('secret'));
      }
      try { host.raw() } catch (e) { console.log(e.code, e.message) }
      try { host.see({}) } catch (e) { console.log(e instanceof TypeError, e.message) }
      try { host.see([{}]) } catch (e) { console.log(e instanceof TypeError) }
    `);
    expect(r.printed).toBe(
      'true it failed GUEST_TEST ["code"] false\n' +
        'GUEST_INTERNAL plain\n' +
        'true an argument is a primitive, a Uint8Array or an array of primitives\n' +
        'true\n',
    );
  });

  test('arguments reach the host as primitives and fresh copies, whatever the program patched', () => {
    const r = run(`
      const bytes = new Uint8Array([7, 8]);
      const list = [4, 5n];
      Array.prototype[Symbol.iterator] = function () { throw new Error('iterated') };
      Object.defineProperty(Array.prototype, '0', { set() { throw new Error('set') }, configurable: true });
      Uint8Array.prototype.set = function () { throw new Error('set bytes') };
      Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), 'length', { get() { return 0 } });
      host.see(1, 'two', 3n, bytes, list);
      bytes[0] = 0;
      console.log('ok', host.bytes()[2]);
    `);
    expect(r.printed).toBe('ok 3\n');
    expect(r.seen.slice(0, 3)).toEqual([1, 'two', 3n]);
    expect(types.isUint8Array(r.seen[3])).toBe(true);
    expect(new Uint8Array(r.seen[3] as Uint8Array)).toEqual(Uint8Array.of(7, 8));
    // A context array: read by index (its iterator is the program's).
    const list = r.seen[4] as unknown[];
    expect(Array.isArray(list)).toBe(true);
    expect([list.length, list[0], list[1]]).toEqual([2, 4, 5n]);
  });

  test('escapes through globals, constructors, results and errors all fail', () => {
    const r = run(`
      const reach = (x) => x.constructor.constructor('return globalThis.__isletSentinel')();
      const probes = {
        process: () => typeof process + typeof require,
        global: () => reach(globalThis),
        api: () => reach(host.bytes),
        result: () => reach(host.bytes()),
        buffer: () => reach(host.bytes().buffer),
        nested: () => reach(host.object().c),
        error: () => { try { host.fail() } catch (e) { return reach(e) } },
        eval: () => eval('1'),
        Function: () => Function('return 1')(),
        caller: () => {
          let c;
          host.see(Object.defineProperty([], 0, { get: function () { c = arguments.callee.caller; return 1 }, enumerable: true }));
          return String(c);
        },
      };
      for (const [name, f] of Object.entries(probes)) {
        let out;
        try { out = f() } catch (e) { out = e.name }
        console.log(name, out);
      }
    `);
    expect(r.printed).not.toContain(SENTINEL);
    expect(r.printed).toBe(
      [
        'process undefinedundefined',
        'global EvalError',
        'api EvalError',
        'result EvalError',
        'buffer EvalError',
        'nested EvalError',
        'error EvalError',
        'eval EvalError',
        'Function EvalError',
        'caller null',
        '',
      ].join('\n'),
    );
  });

  test('in-thread (no import hook), an ImportCall is refused; programs that do not compile too', () => {
    expect(run(`import('node:fs')`).outcome).toBe('GUEST_PROGRAM_REFUSED');
    expect(run(`import /* x */ // y\n ('node:fs')`).outcome).toBe('GUEST_PROGRAM_REFUSED');
    expect(run(`import.meta`).outcome).toBe('GUEST_PROGRAM_REFUSED');
    expect(run(`// import nothing\n1`).outcome).toEqual({ kind: 'returned' });
    expect(run(`const x = ;`).outcome).toBe('GUEST_PROGRAM_INVALID');
    expect(run(`console.log('important', 'imports')`).printed).toBe('important imports\n');
  });

  test('outcomes: returned, thrown, rejected, never settling; microtasks run within the run', () => {
    expect(run(`1`).outcome).toEqual({ kind: 'returned' });
    expect(run(`throw 'plain string'`).outcome).toEqual({
      kind: 'threw',
      description: 'plain string',
    });
    const rejected = run(
      `(async () => { await 0; console.log('after await'); throw new RangeError('r') })()`,
    );
    expect(rejected.printed).toBe('after await\n');
    expect(rejected.outcome).toMatchObject({ kind: 'threw' });
    expect((rejected.outcome as { description: string }).description).toMatch(/^RangeError: r\n/);
    expect(run(`new Promise(() => {})`).outcome).toEqual({ kind: 'returned' });
    const unprintable = run(`throw { get stack() { throw 1 }, toString() { throw 2 } }`);
    expect(unprintable.outcome).toEqual({ kind: 'threw', description: '[unprintable]' });
    const code = run(`throw Object.assign(new Error('e'), { code: 'X' })`).outcome;
    expect((code as { description: string }).description).toMatch(
      /^Error: e\n[\s\S]* \{ code: 'X' \}$/,
    );
  });
});
