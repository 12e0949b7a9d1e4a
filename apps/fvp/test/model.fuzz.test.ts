/**
 * The model-checking properties of `model.test.ts` with long runs; only under FUZZ=1
 * (`FUZZ=1 pnpm vitest run --project fvp test/model.fuzz`). `FUZZ_RUNS` scales the run counts.
 * @module
 */
import { describe, vi } from 'vitest';
import { describeRandomCalls, describeSequences } from './support/model-properties.ts';
import { KIND_NAMES } from './support/sequences.ts';

const scale = Number(process.env.FUZZ_RUNS ?? 1);
// A full-scale property takes about a minute on a quiet 2-core machine: the 60 s default of
// vitest.shared.ts would turn a busy machine into a failure. Scale the limit with the runs.
vi.setConfig({ testTimeout: Math.max(60_000, 600_000 * scale) });

describe('model checking (fuzz)', () => {
  describeRandomCalls({ numRuns: Math.round(3000 * scale), maxCalls: 100 });
  describeSequences({ numRuns: Math.round(400 * scale), maxOps: 400, mustSucceed: KIND_NAMES });
});
