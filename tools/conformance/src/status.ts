/**
 * RMI status names and the `NAME(index)` rendering of an expected or returned X0.
 * Includes the RMM 1.1 statuses because the ACS table names one (`RMI_ERROR_RTT_AUX`).
 * @module
 */
import { SMC_UNKNOWN } from '@islet/abi';

/** Status values by ACS/spec name (1.0 plus the 1.1 additions, rmm-abi.md §1.2). */
export const RMI_STATUS_BY_NAME: Readonly<Record<string, number>> = {
  RMI_SUCCESS: 0,
  RMI_ERROR_INPUT: 1,
  RMI_ERROR_REALM: 2,
  RMI_ERROR_REC: 3,
  RMI_ERROR_RTT: 4,
  RMI_ERROR_DEVICE: 5,
  RMI_ERROR_NOT_SUPPORTED: 6,
  RMI_ERROR_RTT_AUX: 7,
};

/** The name of an RMI status value, or its number. */
export function rmiStatusName(status: number): string {
  for (const [name, value] of Object.entries(RMI_STATUS_BY_NAME)) {
    if (value === status) return name;
  }
  return `status ${status}`;
}

/** An expected or returned (status, index) pair. */
export interface StatusCode {
  readonly status: number;
  readonly index: number;
}

/** Renders a status code like `RMI_ERROR_RTT(2)`. */
export function formatStatus(code: StatusCode): string {
  return `${rmiStatusName(code.status)}(${code.index})`;
}

/**
 * Splits X0 into (status, index) as `status.h` packs it, or `undefined` when X0 is not a return
 * code at all (bits above 15 set, e.g. SMC_UNKNOWN).
 */
export function decodeX0(x0: bigint): StatusCode | undefined {
  if (x0 < 0n || x0 > 0xffffn) return undefined;
  const v = Number(x0);
  return { status: v & 0xff, index: v >>> 8 };
}

/** Renders X0 as `NAME(index)`, `SMC_UNKNOWN`, or hex when it is neither. */
export function formatX0(x0: bigint): string {
  const code = decodeX0(x0);
  if (code) return formatStatus(code);
  if (x0 === SMC_UNKNOWN) return 'SMC_UNKNOWN';
  return `0x${x0.toString(16)}`;
}
