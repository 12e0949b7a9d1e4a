/**
 * The model-checking properties of `model.test.ts` with long runs; only under FUZZ=1
 * (`FUZZ=1 pnpm vitest run --project fvp test/model.fuzz`). `FUZZ_RUNS` scales the run counts.
 * @module
 */
import { describe } from 'vitest';
import { describeRandomCalls, describeSequences } from './support/model-properties.ts';
import { KIND_NAMES } from './support/sequences.ts';

const scale = Number(process.env.FUZZ_RUNS ?? 1);

describe('model checking (fuzz)', () => {
  describeRandomCalls({ numRuns: Math.round(3000 * scale), maxCalls: 100 });
  describeSequences({ numRuns: Math.round(400 * scale), maxOps: 400, mustSucceed: KIND_NAMES });
});
