/**
 * RMI_VERSION and RMI_FEATURES: no failure conditions in ACS; success paths only.
 * @see rmm-abi.md §2.1, §2.2, §3.6
 * @module
 */
import {
  decodeFeatureRegister0,
  RMI_ABI_VERSION,
  SMC_RMI_FEATURES,
  SMC_RMI_VERSION,
} from '@islet/abi';
import { type ConformanceCase, commandCases, success } from '../case.ts';

const VERSION = BigInt(RMI_ABI_VERSION);
const PA_WIDTHS = [32, 36, 40, 42, 44, 48, 52];

/** RMI_VERSION: X0 SUCCESS for 1.0, X1 = X2 = 0x10000. */
export const RMI_VERSION_CASES: ConformanceCase[] = commandCases('RMI_VERSION', [
  success('X1_X2_1.0', () => ({
    fid: SMC_RMI_VERSION,
    args: [VERSION],
    check: (out) =>
      out[1] === VERSION && out[2] === VERSION
        ? undefined
        : `X1/X2 = 0x${out[1]?.toString(16)}/0x${out[2]?.toString(16)}, expected 0x10000/0x10000`,
  })),
]);

/** RMI_FEATURES: index 0 is feature register 0 (a PA width, SHA-256 or SHA-512), index 1 is 0. */
export const RMI_FEATURES_CASES: ConformanceCase[] = commandCases('RMI_FEATURES', [
  success('register_0', () => ({
    fid: SMC_RMI_FEATURES,
    args: [0n],
    check: (out) => {
      const f = decodeFeatureRegister0(out[1] ?? 0n);
      if (!PA_WIDTHS.includes(f.s2sz)) return `S2SZ ${f.s2sz} is not a PA width`;
      if (!f.hashSha256 && !f.hashSha512) return 'neither SHA-256 nor SHA-512 is supported';
      return undefined;
    },
  })),
  success('register_1_zero', () => ({
    fid: SMC_RMI_FEATURES,
    args: [1n],
    check: (out) => (out[1] === 0n ? undefined : `X1 = 0x${out[1]?.toString(16)}, expected 0`),
  })),
]);
