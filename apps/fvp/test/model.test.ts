/**
 * Model checking of the booted platform with fast-check, in the manner of Islet's Kani harnesses:
 * (a) random RMI calls with random, biased registers; (b) random plausible command sequences
 * against a reference model. Every invariant of `support/invariants.ts` is checked after every
 * call. Short run counts here; `model.fuzz.test.ts` runs the same properties longer under FUZZ=1.
 * Each property is shown able to fail on an RMM that breaks the ABI.
 * @module
 */
import { fc } from '@fast-check/vitest';
import { SMC_RMI_RTT_READ_ENTRY } from '@islet/abi';
import { describe, expect, test } from 'vitest';
import { bootPlatform, type Platform } from '../src/platform.ts';
import {
  describeRandomCalls,
  describeSequences,
  randomCalls,
  randomCallsPredicate,
  sequences,
  sequencesPredicate,
} from './support/model-properties.ts';
import { POOL_A } from './support/random-calls.ts';
import { POOL_B } from './support/sequences.ts';
import { PlatformLease } from './support/teardown.ts';

describe('model checking (short runs)', () => {
  describeRandomCalls({ numRuns: 60, maxCalls: 40 });
  describeSequences({
    numRuns: 15,
    maxOps: 200,
    mustSucceed: ['delegate', 'realmCreate', 'rttCreate', 'dataCreate', 'recCreate', 'readEntry'],
  });
});

/** A platform whose RMM answers RTT_READ_ENTRY with status 99, which RMM 1.0 does not define. */
function bootWithBadStatus(): Platform {
  const p = bootPlatform({ executor: false });
  const rmm = p.parts.rmm;
  const handle = rmm.handleRmi.bind(rmm);
  rmm.handleRmi = (fid, args) => {
    const out = handle(fid, args);
    return (fid & 0xfffe_ffff) >>> 0 === SMC_RMI_RTT_READ_ENTRY
      ? [99n, out[1], out[2], out[3], out[4]]
      : out;
  };
  return p;
}

describe('the properties can fail', () => {
  test('(a) catches an RMM that returns a status outside the spec', () => {
    const lease = new PlatformLease(POOL_A, bootWithBadStatus);
    const r = fc.check(fc.property(...randomCalls(40), randomCallsPredicate(lease)), {
      numRuns: 200,
      seed: 42,
      endOnFailure: true,
    });
    expect(r.failed).toBe(true);
    expect(String(r.errorInstance)).toContain('X0 0x63 is not an RMM 1.0 status');
  });

  test('(b) catches the same RMM', () => {
    const lease = new PlatformLease(POOL_B, bootWithBadStatus);
    const r = fc.check(fc.property(...sequences(200), sequencesPredicate(lease)), {
      numRuns: 20,
      seed: 42,
      endOnFailure: true,
    });
    expect(r.failed).toBe(true);
    expect(String(r.errorInstance)).toContain('RMI_RTT_READ_ENTRY');
  });
});
