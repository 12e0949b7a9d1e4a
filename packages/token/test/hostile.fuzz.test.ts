/**
 * Fuzzing the decoder with hostile bytes (run with `FUZZ=1`; `FUZZ_RUNS` sets the count): random
 * bytes, random CBOR-shaped structures and mutations of a real token never escape as anything
 * but a coded TokenError.
 * @module
 */
import { test } from '@fast-check/vitest';
import { defaultCrypto } from '@islet/arch';
import { describe, expect } from 'vitest';
import { hostileCases } from './hostile.ts';

const numRuns = Number(process.env.FUZZ_RUNS ?? 20_000);
const crypto = defaultCrypto();

describe('fuzz', () => {
  for (const [name, arb, run] of hostileCases(crypto)) {
    test.prop([arb], { numRuns })(
      name,
      (input) => {
        expect(run(input)).toMatch(/^(ok|TOKEN_\w+)$/);
      },
      600_000,
    );
  }
});
