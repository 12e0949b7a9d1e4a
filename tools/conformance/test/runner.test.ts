import { SMC_RMI_GRANULE_DELEGATE, SMC_RMI_VERSION, SMC_UNKNOWN } from '@islet/abi';
import { describe, expect, it } from 'vitest';
import {
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  psciCode,
  rsiCode,
  rtt,
  success,
} from '../src/case.ts';
import { formatReport } from '../src/report.ts';
import { runConformance } from '../src/runner.ts';
import { formatResult, formatX0 } from '../src/status.ts';
import type { ConformanceTarget, Target } from '../src/target.ts';

/** A fake platform whose SMCs answer from `answer`; counts boots and closes. */
function fakeTarget(answer: (fid: bigint | number, args: bigint[]) => bigint[]) {
  const boots = { count: 0, closed: 0 };
  const target: ConformanceTarget = {
    secureGranule: 0xfd00_0000n,
    realmGranule: 0xfe00_0000n,
    mmioAddress: 0x1c09_0000n,
    outsidePa: 1n << 48n,
    boot(): Target {
      boots.count++;
      return {
        host: {
          smc: (fid, ...args) => answer(fid, args),
          memory: {
            read: () => new Uint8Array(8),
            write: () => undefined,
          },
          dram: [{ base: 0x8000_0000n, size: 0x1000_0000n }],
        },
        close: () => {
          boots.closed++;
        },
      };
    },
  };
  return { target, boots };
}

const VERSION = BigInt(SMC_RMI_VERSION);
const DELEGATE = BigInt(SMC_RMI_GRANULE_DELEGATE);

const CASES: ConformanceCase[] = [
  ...commandCases('RMI_VERSION', [
    cond('v', 'INPUT_WANTED', INPUT, () => ({ fid: SMC_RMI_VERSION, args: [0n] })),
    cond('v', 'RTT2_WANTED', rtt(2), () => ({ fid: SMC_RMI_VERSION, args: [2n] })),
    cond('v', 'UNKNOWN', INPUT, () => ({ fid: SMC_RMI_VERSION, args: [3n] })),
    cond('v', 'SKIPPED', INPUT, 'not modelled'),
    cond('v', 'SKIPPED_AT_RUN', INPUT, () => ({ skip: 'feature absent' })),
    success('check_fails', () => ({
      fid: SMC_RMI_VERSION,
      args: [4n],
      check: () => 'X1 is wrong',
    })),
  ]),
  ...commandCases('RMI_GRANULE_DELEGATE', [
    cond('g', 'SETUP_FAILS', INPUT, (fx) => {
      fx.delegated();
      return { fid: SMC_RMI_GRANULE_DELEGATE, args: [0n] };
    }),
    cond('g', 'HOST_THROWS', INPUT, () => ({ fid: SMC_RMI_GRANULE_DELEGATE, args: [1n] })),
    cond('g', 'AFTER_THROW', INPUT, () => ({ fid: SMC_RMI_GRANULE_DELEGATE, args: [2n] })),
  ]),
  // Calls a realm made: the setup reports what the realm read back.
  ...commandCases('RSI_HOST_CALL', [
    cond('r', 'RSI_SEEN', rsiCode('RSI_ERROR_INPUT'), () => ({ observed: [1n, 0n] })),
    cond('r', 'RSI_WRONG', rsiCode('RSI_ERROR_INPUT'), () => ({ observed: [0n] })),
  ]),
  ...commandCases('PSCI_CPU_ON', [
    cond('p', 'PSCI_SEEN', psciCode('PSCI_E_INVALID_PARAMS'), () => ({
      observed: [(1n << 64n) - 2n],
      check: (out) => (out.length === 1 ? undefined : 'more registers'),
    })),
  ]),
];

function answer(w0: bigint | number, args: bigint[]): bigint[] {
  const fid = BigInt(w0);
  const x = args[0] ?? 0n;
  if (fid === VERSION) {
    const x0 = [1n, 0n, 0x404n, SMC_UNKNOWN, 0n][Number(x)] ?? 0n;
    return [x0, 0n, 0n, 0n, 0n];
  }
  if (fid === DELEGATE) {
    if (x === 1n) throw new Error('invariant broken');
    if (x === 2n) return [1n, 0n, 0n, 0n, 0n];
    return [0x1n, 0n, 0n, 0n, 0n]; // every real delegation fails
  }
  return [SMC_UNKNOWN, 0n, 0n, 0n, 0n];
}

describe('runConformance', () => {
  const { target, boots } = fakeTarget(answer);
  const seen: string[] = [];
  const report = runConformance(target, { cases: CASES, onCase: (r) => seen.push(r.id) });
  const byId = new Map(report.cases.map((r) => [r.id.split('/')[2], r]));

  it('compares status and index of X0', () => {
    expect(byId.get('INPUT_WANTED')).toMatchObject({ verdict: 'pass', got: 'RMI_ERROR_INPUT(0)' });
    expect(byId.get('RTT2_WANTED')).toMatchObject({
      verdict: 'fail',
      expected: 'RMI_ERROR_RTT(2)',
      got: 'RMI_ERROR_RTT(4)',
      reason: 'expected RMI_ERROR_RTT(2), got RMI_ERROR_RTT(4)',
    });
    expect(byId.get('UNKNOWN')).toMatchObject({ verdict: 'fail', got: 'SMC_UNKNOWN' });
  });

  it('reports static and run-time skips with their reasons', () => {
    expect(byId.get('SKIPPED')).toMatchObject({ verdict: 'skip', reason: 'not modelled' });
    expect(byId.get('SKIPPED_AT_RUN')).toMatchObject({ verdict: 'skip', reason: 'feature absent' });
  });

  it('fails a success case whose output check fails', () => {
    expect(byId.get('check_fails')).toMatchObject({ verdict: 'fail', reason: 'X1 is wrong' });
  });

  it('reads X0 of a call a realm made as an RSI status or a PSCI return code', () => {
    expect(byId.get('RSI_SEEN')).toMatchObject({
      verdict: 'pass',
      expected: 'RSI_ERROR_INPUT',
      got: 'RSI_ERROR_INPUT',
    });
    expect(byId.get('RSI_WRONG')).toMatchObject({ verdict: 'fail', got: 'RSI_SUCCESS' });
    expect(byId.get('PSCI_SEEN')).toMatchObject({ verdict: 'pass', got: 'PSCI_E_INVALID_PARAMS' });
  });

  it('turns a failed setup SMC and a host throw into failed cases, and reboots after a throw', () => {
    expect(byId.get('SETUP_FAILS')).toMatchObject({
      verdict: 'fail',
      reason: 'setup RMI_GRANULE_DELEGATE returned RMI_ERROR_INPUT(0)',
    });
    expect(byId.get('HOST_THROWS')?.verdict).toBe('fail');
    expect(byId.get('HOST_THROWS')?.reason).toMatch(/host threw during call: .*invariant broken/);
    expect(byId.get('AFTER_THROW')?.verdict).toBe('pass');
    // One boot per run, plus one after the throw; each platform is closed when done with.
    expect(boots.count).toBe(2);
    expect(boots.closed).toBe(2);
  });

  it('counts verdicts and calls onCase for every case', () => {
    expect(report).toMatchObject({ passed: 4, failed: 6, skipped: 2 });
    expect(seen).toEqual(CASES.map((c) => c.id));
  });

  it('filters by id substring', () => {
    const only = runConformance(target, { cases: CASES, filter: 'RTT2' });
    expect(only.cases.map((r) => r.id)).toEqual(['RMI_VERSION/v/RTT2_WANTED']);
  });

  it('reports a boot failure as a failed case', () => {
    const broken: ConformanceTarget = {
      ...target,
      boot: () => {
        throw new Error('no firmware');
      },
    };
    const r = runConformance(broken, { cases: CASES.slice(0, 1) });
    expect(r.cases[0]).toMatchObject({
      verdict: 'fail',
      reason: 'boot failed: Error: no firmware',
    });
  });
});

describe('formatReport', () => {
  it('renders a table per command, the skips with reasons, and the count line last', () => {
    const text = formatReport({
      cases: [
        {
          id: 'RMI_X/a/B',
          command: 'RMI_X',
          condition: 'a[B]',
          expected: 'RMI_ERROR_RTT(2)',
          got: 'RMI_ERROR_RTT(2)',
          verdict: 'pass',
          note: 'only so',
        },
        {
          id: 'RMI_X/c/D',
          command: 'RMI_X',
          condition: 'c[D]',
          expected: 'RMI_ERROR_INPUT(0)',
          got: 'SMC_UNKNOWN',
          verdict: 'fail',
          reason: 'expected RMI_ERROR_INPUT(0), got SMC_UNKNOWN',
        },
        {
          id: 'RMI_X/e/F',
          command: 'RMI_X',
          condition: 'e[F]',
          expected: 'RMI_ERROR_INPUT(0)',
          got: '',
          verdict: 'skip',
          reason: 'needs hardware',
        },
      ],
      passed: 1,
      failed: 1,
      skipped: 1,
    });
    expect(text).toMatchInlineSnapshot(`
      "RMI_X
        condition  expected            got                 verdict
        a[B]       RMI_ERROR_RTT(2)    RMI_ERROR_RTT(2)    pass
        c[D]       RMI_ERROR_INPUT(0)  SMC_UNKNOWN         FAIL
            expected RMI_ERROR_INPUT(0), got SMC_UNKNOWN
        e[F]       RMI_ERROR_INPUT(0)  -                   skip

      Skipped (1):
        RMI_X/e/F: needs hardware

      Passed under the given setup only:
        only so:
          RMI_X/a/B

      1/2 passed, 1 failed, 1 skipped (3 cases)"
    `);
  });
});

describe('formatX0', () => {
  it('names statuses, SMC_UNKNOWN and anything else in hex', () => {
    expect(formatX0(0x204n)).toBe('RMI_ERROR_RTT(2)');
    expect(formatX0(0x7n)).toBe('RMI_ERROR_RTT_AUX(0)');
    expect(formatX0(SMC_UNKNOWN)).toBe('SMC_UNKNOWN');
    expect(formatX0(0x1_0000n)).toBe('0x10000');
  });

  it('reads RSI statuses and signed PSCI return codes', () => {
    expect(formatResult('RSI', 1n)).toBe('RSI_ERROR_INPUT');
    expect(formatResult('RSI', 0x100n)).toBe('0x100');
    expect(formatResult('PSCI', (1n << 64n) - 9n)).toBe('PSCI_E_INVALID_ADDRESS');
    expect(formatResult('PSCI', 1n)).toBe('status 1');
    expect(formatResult('PSCI', 1n << 40n)).toBe('0x10000000000');
  });
});
