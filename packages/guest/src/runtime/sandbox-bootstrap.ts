/**
 * The script that builds the guest API inside a realm program's context. It runs in the context
 * before the program, so every object and function the program can reach is made by the
 * context's own intrinsics; the host's functions stay in its closure. Why that is safe is in
 * `sandbox.ts`.
 *
 * It evaluates to `install(api, print, describeHostError)`, which defines the API's top-level
 * names and `console` on the context's global object and returns the host's tools:
 * `{ describe(value): string, track(promise), settled(): [state, description] }`.
 *
 * Rules the source keeps, each against a way a program could turn the API on itself or reach
 * the host:
 * - intrinsics are captured before the program runs (`Reflect.apply`, getters of
 *   %TypedArray%.prototype, `Object.defineProperty`…): a program that replaces `Array.prototype`
 *   methods or `Uint8Array.prototype.set` changes nothing here;
 * - no iteration protocol (`for…of`, spread), no `[[Set]]` on fresh objects (`defineProperty`
 *   instead), so no program getter or setter runs with API state half-built;
 * - arguments reach the host as primitives, fresh Uint8Array copies or fresh arrays of
 *   primitives; results come back as fresh context copies; a host error comes back as a fresh
 *   context `Error` with only `message` and `code`;
 * - strict mode throughout: `arguments.callee` and `caller` are poisoned, and V8 hides a strict
 *   function from `Function.prototype.caller` and from CallSite `getFunction`/`getThis`.
 * @module
 */

/**
 * The bootstrap source (strict JavaScript, evaluated in the program's context).
 * @since 0.1.0
 */
export const SANDBOX_BOOTSTRAP = `'use strict';
(function install(api, print, describeHostError) {
  const apply = Reflect.apply;
  const defineProperty = Reflect.defineProperty;
  const keys = Object.keys;
  const freeze = Object.freeze;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const isArray = Array.isArray;
  const U8 = Uint8Array;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const StringCtor = String;
  const stringify = JSON.stringify;
  const promiseThen = Promise.prototype.then;
  const typedArray = Object.getPrototypeOf(U8.prototype);
  const tagOf = getOwnPropertyDescriptor(typedArray, Symbol.toStringTag).get;
  const lengthOf = getOwnPropertyDescriptor(typedArray, 'length').get;
  const setBytes = U8.prototype.set;
  const global = globalThis;
  const MAX_ARRAY = 4096;
  const HEX = '0123456789abcdef';

  const define = (o, k, value) =>
    defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
  const isBytes = (v) => apply(tagOf, v, []) === 'Uint8Array';
  const copyBytes = (v) => {
    const out = new U8(apply(lengthOf, v, []));
    apply(setBytes, out, [v]);
    return out;
  };
  const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

  function toHost(v) {
    if (!isObject(v)) return v;
    if (isBytes(v)) return copyBytes(v);
    if (isArray(v)) {
      const n = v.length;
      if (!(n <= MAX_ARRAY)) throw new TypeErrorCtor('an array argument holds at most ' + MAX_ARRAY + ' values');
      const out = [];
      for (let i = 0; i < n; i++) {
        const e = v[i];
        if (isObject(e)) throw new TypeErrorCtor('an array argument holds primitives only');
        define(out, i, e);
      }
      return out;
    }
    throw new TypeErrorCtor('an argument is a primitive, a Uint8Array or an array of primitives');
  }

  function fromHost(v) {
    if (typeof v === 'function') return undefined;
    if (typeof v !== 'object' || v === null) return v;
    if (isBytes(v)) return copyBytes(v);
    if (isArray(v)) {
      const out = [];
      for (let i = 0; i < v.length; i++) define(out, i, fromHost(v[i]));
      return out;
    }
    const out = {};
    const ks = keys(v);
    for (let i = 0; i < ks.length; i++) define(out, ks[i], fromHost(v[ks[i]]));
    return out;
  }

  function failure(e) {
    let code = 'GUEST_INTERNAL';
    let message = 'the call failed';
    try {
      const d = describeHostError(e);
      if (typeof d[0] === 'string') code = d[0];
      if (typeof d[1] === 'string') message = d[1];
    } catch (_) {
      // Whatever describing threw (a stack overflow) is dropped: it may be a host object.
    }
    const err = new ErrorCtor(message);
    define(err, 'code', code);
    return err;
  }

  function wrap(fn) {
    return (...args) => {
      const hostArgs = [];
      for (let i = 0; i < args.length; i++) define(hostArgs, i, toHost(args[i]));
      let result;
      try {
        result = apply(fn, undefined, hostArgs);
      } catch (e) {
        throw failure(e);
      }
      return fromHost(result);
    };
  }

  function build(tree) {
    const out = {};
    const ks = keys(tree);
    for (let i = 0; i < ks.length; i++) {
      const v = tree[ks[i]];
      const value = typeof v === 'function' ? wrap(v) : isObject(v) ? build(v) : v;
      defineProperty(out, ks[i], { value, enumerable: true });
    }
    return freeze(out);
  }

  function hexOf(b) {
    let s = '';
    const n = apply(lengthOf, b, []);
    for (let i = 0; i < n; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
    return s;
  }

  function replacer(_key, x) {
    if (typeof x === 'bigint') return StringCtor(x) + 'n';
    return isObject(x) && isBytes(x) ? hexOf(x) : x;
  }

  function show(v) {
    try {
      if (typeof v === 'string') return v;
      if (typeof v === 'bigint') return StringCtor(v) + 'n';
      if (!isObject(v) || typeof v === 'function') return StringCtor(v);
      if (isBytes(v)) return 'Uint8Array(' + apply(lengthOf, v, []) + ') ' + hexOf(v);
      if (v instanceof ErrorCtor) {
        const stack = v.stack;
        const text = typeof stack === 'string' ? stack : StringCtor(v);
        return typeof v.code === 'string' ? text + " { code: '" + v.code + "' }" : text;
      }
      const json = stringify(v, replacer);
      return typeof json === 'string' ? json : StringCtor(v);
    } catch (_) {
      return '[unprintable]';
    }
  }

  function line(args) {
    let s = '';
    for (let i = 0; i < args.length; i++) s += (i === 0 ? '' : ' ') + show(args[i]);
    return s + '\\n';
  }

  const write = wrap(print);
  const log = (...args) => {
    write(line(args));
  };
  const consoleApi = freeze({ log, info: log, debug: log, warn: log, error: log });

  const surface = build(api);
  const names = keys(surface);
  for (let i = 0; i < names.length; i++) {
    defineProperty(global, names[i], { value: surface[names[i]], writable: true, configurable: true });
  }
  defineProperty(global, 'console', { value: consoleApi, writable: true, configurable: true });

  let settled = freeze(['pending', '']);
  return freeze({
    describe: show,
    track(promise) {
      settled = freeze(['pending', '']);
      apply(promiseThen, promise, [
        () => {
          settled = freeze(['fulfilled', '']);
        },
        (e) => {
          settled = freeze(['rejected', show(e)]);
        },
      ]);
    },
    settled: () => settled,
  });
})`;
