/**
 * The model-checking properties, registered with run counts chosen by the caller: the short
 * versions in `model.test.ts`, the long ones in `model.fuzz.test.ts` (FUZZ=1).
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, expect } from 'vitest';
import type { RealmTracker } from './invariants.ts';
import { buildFixture, type Call, call, checkedCall, POOL_A } from './random-calls.ts';
import { Model, type Op, type OpKind, op, POOL_B, step } from './sequences.ts';
import { PlatformLease } from './teardown.ts';

/** Run counts of a property. */
export interface RunOptions {
  readonly numRuns: number;
  readonly seed?: number;
}

const show = (v: unknown): string =>
  JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));

/** The random-call arbitrary: whether the fixture realm is activated, then the calls. */
export const randomCalls = (
  maxCalls: number,
): readonly [fc.Arbitrary<boolean>, fc.Arbitrary<Call[]>] =>
  [fc.boolean(), fc.array(call, { minLength: 1, maxLength: maxCalls })] as const;

/**
 * Property (a) as a predicate over a lease: builds the fixture, makes the calls, checks
 * everything after each; the lease tears down and checks the platform came back.
 */
export function randomCallsPredicate(
  lease: PlatformLease,
): (activate: boolean, calls: readonly Call[]) => void {
  return (activate: boolean, calls: readonly Call[]): void => {
    lease.run((p) => {
      buildFixture(p, activate);
      const tracker: RealmTracker = new Map();
      for (const [i, c] of calls.entries()) {
        const bad = checkedCall(p, c, tracker);
        if (bad.length > 0) throw new Error(`call ${i}: ${show(c)}\n${bad.join('\n')}`);
      }
    });
  };
}

/** Registers property (a): random RMI calls never break the ABI or an invariant. */
export function describeRandomCalls(o: RunOptions & { readonly maxCalls: number }): void {
  const lease = new PlatformLease(POOL_A);
  afterAll(() => {
    // Teardown brought the platform back after every run, so one boot served them all.
    expect(lease.boots).toBe(1);
  });
  test.prop([...randomCalls(o.maxCalls)], {
    numRuns: o.numRuns,
    ...(o.seed === undefined ? {} : { seed: o.seed }),
  })(
    '(a) random RMI calls: X0 in the spec, registers exact, invariants hold, failures change nothing',
    randomCallsPredicate(lease),
  );
}

/**
 * The sequence arbitrary: a burst of 0..40 delegations (a host sets up its pool first; this is
 * what lets REC_CREATE, which needs 17 DELEGATED granules, happen at all), then 50 to `maxOps`
 * plausible commands.
 */
export const sequences = (maxOps: number): readonly [fc.Arbitrary<Op[]>] =>
  [
    fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.array(op, { minLength: 50, maxLength: maxOps }))
      .map(([n, ops]): Op[] => [
        ...Array.from(
          { length: n },
          (_, i): Op => ({ kind: 'delegate', a: 0, b: i, c: 0, wild: false }),
        ),
        ...ops,
      ]),
  ] as const;

/** Property (b) as a predicate over a lease. */
export function sequencesPredicate(
  lease: PlatformLease,
  stats?: Map<string, number>,
): (ops: readonly Op[]) => void {
  return (ops: readonly Op[]): void => {
    lease.run((p) => {
      const m = new Model();
      const tracker: RealmTracker = new Map();
      for (const [i, o] of ops.entries()) {
        const bad = step(p, m, o, tracker, stats);
        if (bad.length > 0) throw new Error(`op ${i}: ${show(o)}\n${bad.join('\n')}`);
      }
    });
  };
}

/** Registers property (b): plausible command sequences follow the model and keep the invariants. */
export function describeSequences(
  o: RunOptions & {
    readonly maxOps: number;
    /** The kinds of command that must have succeeded at least once over all runs. */
    readonly mustSucceed: readonly OpKind[];
  },
): void {
  const lease = new PlatformLease(POOL_B);
  const stats = new Map<string, number>();
  afterAll(() => {
    expect(lease.boots).toBe(1);
    // The sequences must go deep: these kinds of command succeeded at least once over the runs.
    const missing = o.mustSucceed.filter((k) => (stats.get(`${k} ok`) ?? 0) === 0);
    expect(missing).toEqual([]);
  });
  test.prop([...sequences(o.maxOps)], {
    numRuns: o.numRuns,
    ...(o.seed === undefined ? {} : { seed: o.seed }),
  })(
    '(b) plausible command sequences: statuses, states and RIMs follow the model; invariants hold',
    sequencesPredicate(lease, stats),
  );
}
