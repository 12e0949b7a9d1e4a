import {
  type RmiArgs,
  type RmiResult,
  type Rmm,
  type RsiOutcome,
  RsiStatus,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REC_ENTER,
  SMC_RMI_RTT_CREATE,
  SMC_RSI_MEASUREMENT_EXTEND,
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

/** The cases skipped on the FVP, each with why; everything else, RSI and PSCI included, runs. */
const FVP_SKIPS = [
  // A delegable granule at PA >= 2^48: the FVP's DRAM ends at 64 GiB.
  'RMI_DATA_CREATE/data_bound2/DATA_LPA2_PA',
  'RMI_DATA_CREATE_UNKNOWN/data_bound2/DATA_LPA2_PA',
  'RMI_RTT_CREATE/rtt_bound2/RTT_LPA2_PA',
  // RMI_ERROR_RTT_AUX: an RMM 1.1 (planes) condition.
  'RMI_RTT_SET_RIPAS/aux_live/IPA_AUX_LIVE',
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

/** The Islet RMM with `handleRsi` (RSI and PSCI from its realms) bent by `bend`. */
function wrongRsi(bend: (fid: number, out: RsiOutcome) => RsiOutcome): RmmChoice {
  return {
    name: 'wrong-rsi',
    create: (env) => {
      const rmm = ISLET_RMM.create(env);
      const handleRsi = rmm.handleRsi.bind(rmm);
      // REC_ENTER's run loop calls the instance's own handleRsi, so the bend goes on the instance.
      Object.defineProperty(rmm, 'handleRsi', {
        value: (...args: Parameters<Rmm['handleRsi']>) => bend(args[1], handleRsi(...args)),
      });
      return rmm;
    },
  };
}

/** The failing cases of a run. */
function failedIds(report: ConformanceReport): string[] {
  return report.cases
    .filter((r) => r.verdict === 'fail')
    .map((r) => r.id)
    .sort();
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
    for (const id of SKIPPED_CASES.keys()) expect(FVP_SKIPS).toContain(id);
  });

  it('runs the RSI and PSCI conditions of the ACS table inside a realm', () => {
    const realmCalls = report.cases.filter((r) => !r.command.startsWith('RMI_'));
    expect(realmCalls).toHaveLength(36);
    expect(realmCalls.every((r) => r.verdict === 'pass')).toBe(true);
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

  it('fails exactly the INPUT cases of a PSCI_COMPLETE that answers SUCCESS instead', () => {
    // Includes those that need a pending request (owner, target, status): the realm ran.
    const bent = wrongRmm((fid, out) =>
      fid === SMC_RMI_PSCI_COMPLETE && out[0] === 1n ? [0n, out[1], out[2], out[3], out[4]] : out,
    );
    const report = runConformance(fvpConformanceTarget(bent), { filter: 'RMI_PSCI_COMPLETE/' });
    const expected = CONFORMANCE_CASES.filter(
      (c) => c.command === 'RMI_PSCI_COMPLETE' && c.label !== 'success',
    ).map((c) => c.id);
    expect(expected).toHaveLength(21);
    expect(failedIds(report)).toEqual(expected.sort());
  });

  it('fails exactly system_off of a REC_ENTER that reports SYSTEM_OFF as RMI_ERROR_REALM(0)', () => {
    const bent = wrongRmm((fid, out) =>
      fid === SMC_RMI_REC_ENTER && out[0] === 0x102n ? [2n, out[1], out[2], out[3], out[4]] : out,
    );
    const report = runConformance(fvpConformanceTarget(bent), { filter: 'RMI_REC_ENTER/' });
    expect(failedIds(report)).toEqual(['RMI_REC_ENTER/system_off/REALM_SYSTEM_OFF']);
  });

  it('fails exactly the input cases of an RSI_MEASUREMENT_EXTEND that answers ERROR_STATE', () => {
    const bent = wrongRsi((fid, out) => {
      if (fid !== SMC_RSI_MEASUREMENT_EXTEND || out.regs?.[0] !== BigInt(RsiStatus.ErrorInput)) {
        return out;
      }
      return { ...out, regs: [BigInt(RsiStatus.ErrorState), ...Array.from(out.regs).slice(1)] };
    });
    const report = runConformance(fvpConformanceTarget(bent), {
      filter: 'RSI_MEASUREMENT_EXTEND/',
    });
    expect(failedIds(report)).toEqual([
      'RSI_MEASUREMENT_EXTEND/index_bound/INDEX_LOWER_BOUND',
      'RSI_MEASUREMENT_EXTEND/index_bound/INDEX_UPPER_BOUND',
      'RSI_MEASUREMENT_EXTEND/size_bound/SIZE_BOUND',
    ]);
    expect(report.cases.find((r) => r.verdict === 'fail')?.got).toBe('RSI_ERROR_STATE');
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
