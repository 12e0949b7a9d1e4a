/** Tests of the error model: codes, messages, cause walking, invariants. @module */
import { describe, expect, test } from 'vitest';
import { assert, IsletError, IsletInvariantError, isIsletError } from './errors.ts';

describe('IsletError', () => {
  test('carries a stable code and builds its message from the parts', () => {
    const err = new IsletError('TOKEN_CBOR_TRAILING', 'trailing bytes after the token', {
      details: '3 bytes follow the top-level item',
      metaMessages: ['expected: 0 bytes', 'actual: 3 bytes'],
      docsPath: '/errors#token',
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('IsletError');
    expect(err.code).toBe('TOKEN_CBOR_TRAILING');
    expect(err.shortMessage).toBe('trailing bytes after the token');
    expect(err.message).toBe(
      'trailing bytes after the token\n\nexpected: 0 bytes\nactual: 3 bytes\n\n' +
        'Details: 3 bytes follow the top-level item\nDocs: /errors#token',
    );
    expect(err.cause).toBeUndefined();
    expect(new IsletError('X', 'short').message).toBe('short');
  });

  test('walk() returns the root cause, or the first match, or null', () => {
    const root = new TypeError('root');
    const mid = new IsletError('MID', 'mid', { cause: root });
    const top = new IsletError('TOP', 'top', { cause: mid });
    expect(top.cause).toBe(mid);
    expect(top.walk()).toBe(root);
    expect(top.walk((e) => isIsletError(e, 'MID'))).toBe(mid);
    expect(top.walk((e) => isIsletError(e, 'TOP'))).toBe(top);
    expect(top.walk((e) => e instanceof RangeError)).toBeNull();
    expect(new IsletError('ALONE', 'alone').walk()).toBeInstanceOf(IsletError);
    const nonError = new IsletError('WRAP', 'wrap', { cause: 'a string' });
    expect(nonError.walk()).toBe('a string');
  });

  test('isIsletError narrows by code', () => {
    const err: unknown = new IsletError('A', 'a');
    expect(isIsletError(err)).toBe(true);
    expect(isIsletError(err, 'A')).toBe(true);
    expect(isIsletError(err, 'B')).toBe(false);
    expect(isIsletError(new Error('x'))).toBe(false);
    expect(isIsletError('A')).toBe(false);
  });

  test('assert throws IsletInvariantError with code INVARIANT', () => {
    expect(() => assert(true, 'fine')).not.toThrow();
    let caught: unknown;
    try {
      assert(0, 'granule not zeroed');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IsletInvariantError);
    expect(isIsletError(caught, 'INVARIANT')).toBe(true);
    expect((caught as IsletInvariantError).name).toBe('IsletInvariantError');
    expect((caught as IsletInvariantError).message).toBe('granule not zeroed');
  });
});
