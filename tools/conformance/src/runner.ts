/**
 * Runs the suite against a target: one booted platform for the whole run (cases never share
 * granules, so they can share a platform; what they may share on purpose is a running realm that
 * is expensive to make, see `Fixture.memo`), and a fresh one after any case in which the host
 * threw, since the platform may then be inconsistent. Nothing a case does escapes the runner: a
 * failing setup SMC or a host exception is that case's failure, with the message. A platform the
 * runner is done with is closed (`Target.close`), which stops the threads of its realms.
 * @module
 */
import { isIsletError } from '@islet/arch';
import type { ConformanceCase } from './case.ts';
import { Fixture, SetupError } from './fixture.ts';
import { decodeStatus, formatResult, formatStatus } from './status.ts';
import { CONFORMANCE_CASES } from './suite.ts';
import type { ConformanceTarget } from './target.ts';

/** A case's outcome. */
export type Verdict = 'pass' | 'fail' | 'skip';

/** One row of the report. */
export interface CaseResult {
  readonly id: string;
  readonly command: string;
  /** `label[INTENT]`. */
  readonly condition: string;
  /** Expected X0, like `RMI_ERROR_RTT(2)` or `RSI_ERROR_INPUT`. */
  readonly expected: string;
  /**
   * Returned X0, like `RMI_ERROR_INPUT(0)` or `SMC_UNKNOWN` (for RSI and PSCI: what the realm
   * read); empty when the call was not made.
   */
  readonly got: string;
  readonly verdict: Verdict;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** What else holds under this case's setup (see the case). */
  readonly note?: string;
}

/** The suite's outcome. */
export interface ConformanceReport {
  readonly cases: readonly CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** Options of {@link runConformance}. */
export interface RunOptions {
  /** Run only cases whose id contains this substring, or that this predicate accepts. */
  readonly filter?: string | ((c: ConformanceCase) => boolean);
  /** Called after each case. */
  readonly onCase?: (result: CaseResult) => void;
  /** The cases to run; the whole suite by default. */
  readonly cases?: readonly ConformanceCase[];
}

function errorText(err: unknown): string {
  if (isIsletError(err)) {
    return `${err.code}: ${err.shortMessage}${err.details ? ` (${err.details})` : ''}`;
  }
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Runs the cases against `target` and reports each. Never throws because of the RMM.
 * @throws only if `options.onCase` throws.
 */
export function runConformance(
  target: ConformanceTarget,
  options: RunOptions = {},
): ConformanceReport {
  const { filter } = options;
  const selected = (options.cases ?? CONFORMANCE_CASES).filter((c) =>
    filter === undefined ? true : typeof filter === 'string' ? c.id.includes(filter) : filter(c),
  );
  const results: CaseResult[] = [];
  let fixture: Fixture | undefined;
  const drop = (): void => {
    try {
      fixture?.target.close?.();
    } catch {
      // A platform that fails to close is not a case's failure; it is dropped either way.
    }
    fixture = undefined;
  };
  const report = (
    c: ConformanceCase,
    r: Omit<CaseResult, 'id' | 'command' | 'condition' | 'expected'>,
  ) => {
    const result: CaseResult = {
      id: c.id,
      command: c.command,
      condition: c.condition,
      expected: formatStatus(c.expected),
      ...r,
      ...(c.note === undefined || r.verdict === 'skip' ? {} : { note: c.note }),
    };
    results.push(result);
    options.onCase?.(result);
  };
  try {
    for (const c of selected) {
      if (c.setup === undefined) {
        report(c, { got: '', verdict: 'skip', reason: c.skip ?? 'no setup' });
        continue;
      }
      try {
        fixture ??= new Fixture(target.boot(), target);
      } catch (err) {
        report(c, { got: '', verdict: 'fail', reason: `boot failed: ${errorText(err)}` });
        continue;
      }
      const fx = fixture;
      const abi = c.expected.abi ?? 'RMI';
      let stage = 'setup';
      try {
        const call = c.setup(fx);
        if ('skip' in call) {
          report(c, { got: '', verdict: 'skip', reason: call.skip });
          continue;
        }
        stage = 'call';
        const out =
          'observed' in call ? call.observed : fx.target.host.smc(BigInt(call.fid), ...call.args);
        const x0 = out[0] ?? 0n;
        const got = formatResult(abi, x0);
        const code = decodeStatus(abi, x0);
        if (
          code === undefined ||
          code.status !== c.expected.status ||
          code.index !== c.expected.index
        ) {
          report(c, {
            got,
            verdict: 'fail',
            reason: `expected ${formatStatus(c.expected)}, got ${got}`,
          });
          continue;
        }
        stage = 'check';
        const wrong = call.check?.(out, fx);
        report(
          c,
          wrong === undefined ? { got, verdict: 'pass' } : { got, verdict: 'fail', reason: wrong },
        );
      } catch (err) {
        if (err instanceof SetupError) {
          report(c, { got: '', verdict: 'fail', reason: err.shortMessage });
        } else {
          report(c, {
            got: '',
            verdict: 'fail',
            reason: `the host threw during ${stage}: ${errorText(err)}`,
          });
          drop();
        }
      }
    }
  } finally {
    drop();
  }
  const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  return { cases: results, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}
