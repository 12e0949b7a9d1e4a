import {
  type RmiArgs,
  type RmiResult,
  type Rmm,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_RTT_CREATE,
} from '@islet/abi';
import {
  CONFORMANCE_CASES,
  type ConformanceReport,
  runConformance,
  SKIPPED_CASES,
} from '@islet/conformance';
import { beforeAll, describe, expect, it } from 'vitest';
import { fvpConformanceTarget, loadRmm, type RmmChoice } from '../src/conformance.ts';
import { ISLET_RMM } from '../src/platform.ts';

/** The cases skipped on the FVP: the static skip list plus what the FVP's features rule out. */
const FVP_SKIPS = [
  ...SKIPPED_CASES.keys(),
  // Feature register 0 advertises SHA-256 and SHA-512: no supported-but-valid hash is missing.
  'RMI_REALM_CREATE/params_supp/HASH_ALGO_UNSUPPORTED',
  // FEAT_VMID16: every u16 vmid is valid.
  'RMI_REALM_CREATE/vmid_valid/VMID_INVALID',
].sort();

function failures(report: ConformanceReport): string {
  return report.cases
    .filter((r) => r.verdict === 'fail')
    .map((r) => `${r.id}: expected ${r.expected}, got ${r.got || '-'}: ${r.reason ?? ''}`)
    .join('\n');
}

/** The Islet RMM with `handleRmi` bent by `bend`. */
function wrongRmm(bend: (fid: number, out: RmiResult) => RmiResult): RmmChoice {
  return {
    name: 'wrong',
    create: (env) => {
      const rmm = ISLET_RMM.create(env);
      const handleRmi = (fid: number, args: RmiArgs): RmiResult =>
        bend(fid, rmm.handleRmi(fid, args));
      return new Proxy(rmm, {
        get(target, key) {
          if (key === 'handleRmi') return handleRmi;
          const v: unknown = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }) as Rmm;
    },
  };
}

describe('the conformance suite on the FVP with the Islet RMM', () => {
  let report: ConformanceReport;
  beforeAll(() => {
    report = runConformance(fvpConformanceTarget());
  });

  it('covers every case', () => {
    expect(report.cases).toHaveLength(CONFORMANCE_CASES.length);
  });

  it('passes every case it does not skip', () => {
    expect(report.failed, `failing cases:\n${failures(report)}`).toBe(0);
    expect(report.passed).toBe(report.cases.length - report.skipped);
  });

  it('skips exactly the documented cases', () => {
    const skipped = report.cases.filter((r) => r.verdict === 'skip').map((r) => r.id);
    expect(skipped.sort()).toEqual(FVP_SKIPS);
  });
});

describe('the conformance suite can fail', () => {
  it('fails exactly the INPUT cases of a REALM_ACTIVATE that answers RMI_ERROR_REALM instead', () => {
    const bent = wrongRmm((fid, out) =>
      fid === SMC_RMI_REALM_ACTIVATE && out[0] === 1n ? [2n, out[1], out[2], out[3], out[4]] : out,
    );
    const report = runConformance(fvpConformanceTarget(bent));
    const failed = report.cases.filter((r) => r.verdict === 'fail').map((r) => r.id);
    const expected = CONFORMANCE_CASES.filter(
      (c) => c.command === 'RMI_REALM_ACTIVATE' && c.expected.status === 1 && c.setup,
    ).map((c) => c.id);
    expect(expected).toHaveLength(9);
    expect(failed.sort()).toEqual(expected.sort());
  });

  it('fails exactly the RMI_ERROR_RTT cases of an RTT_CREATE that reports the wrong level', () => {
    const bent = wrongRmm((fid, out) =>
      fid === SMC_RMI_RTT_CREATE && (out[0]! & 0xffn) === 4n
        ? [out[0]! + 0x100n, 0n, 0n, 0n, out[4]]
        : out,
    );
    const report = runConformance(fvpConformanceTarget(bent), { filter: 'RMI_RTT_CREATE/' });
    const failed = report.cases.filter((r) => r.verdict === 'fail').map((r) => r.id);
    expect(failed.sort()).toEqual([
      'RMI_RTT_CREATE/rtt_walk/LEVEL_NO_PARENT_RTTE',
      'RMI_RTT_CREATE/rtte_state/RTTE_STATE_TABLE',
    ]);
  });

  it('reports a host exception as a failed case, not a throw', () => {
    const bent = wrongRmm((fid, out) => {
      if (fid === SMC_RMI_REALM_ACTIVATE) throw new Error('RMM bug');
      return out;
    });
    const report = runConformance(fvpConformanceTarget(bent), {
      filter: 'RMI_REALM_ACTIVATE/success',
    });
    expect(report.cases[0]).toMatchObject({ verdict: 'fail' });
    expect(report.cases[0]?.reason).toMatch(/RMM bug/);
  });
});

describe('loadRmm', () => {
  it('names the Islet RMM islet, and refuses a module without createRmm', async () => {
    expect(await loadRmm('islet')).toBe(ISLET_RMM);
    await expect(loadRmm(new URL('../package.json', import.meta.url).pathname)).rejects.toThrow(
      /cannot load|createRmm/,
    );
  });
});
