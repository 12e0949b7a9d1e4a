/** Hostile bytes end in a coded TokenError, never a crash (a short run; FUZZ=1 runs the long one). @module */
import { test } from '@fast-check/vitest';
import { defaultCrypto } from '@islet/arch';
import { describe, expect } from 'vitest';
import { hostileCases } from './hostile.ts';

describe('hostile input', () => {
  for (const [name, arb, run] of hostileCases(defaultCrypto())) {
    test.prop([arb], { numRuns: 150 })(`${name} give a coded error, never a crash`, (input) => {
      expect(run(input)).toMatch(/^TOKEN_\w+$/);
    });
  }
});
