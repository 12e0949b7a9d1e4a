/**
 * Status names and the `NAME(index)` rendering of an expected or returned X0, for the three
 * interfaces the ACS table names: RMI (`status | index << 8`, rmm-abi.md §1.2, including the RMM
 * 1.1 statuses because the table names one, `RMI_ERROR_RTT_AUX`), RSI (a status in X0, §1.3) and
 * PSCI from a realm (a signed return code in X0, §5.11).
 * @module
 */
import { SMC_UNKNOWN } from '@islet/abi';

/** The interface a status belongs to. */
export type Abi = 'RMI' | 'RSI' | 'PSCI';

/** RMI status values by ACS/spec name (1.0 plus the 1.1 additions, rmm-abi.md §1.2). */
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

/** RSI status values by name (rmm-abi.md §1.3; `RSI_ERROR_UNKNOWN` is rel0 only). */
export const RSI_STATUS_BY_NAME: Readonly<Record<string, number>> = {
  RSI_SUCCESS: 0,
  RSI_ERROR_INPUT: 1,
  RSI_ERROR_STATE: 2,
  RSI_INCOMPLETE: 3,
  RSI_ERROR_UNKNOWN: 4,
};

/** PSCI return codes by name, as ACS and TF-A spell them (`PSCI_E_*`), signed. */
export const PSCI_STATUS_BY_NAME: Readonly<Record<string, number>> = {
  PSCI_E_SUCCESS: 0,
  PSCI_E_NOT_SUPPORTED: -1,
  PSCI_E_INVALID_PARAMS: -2,
  PSCI_E_DENIED: -3,
  PSCI_E_ALREADY_ON: -4,
  PSCI_E_ON_PENDING: -5,
  PSCI_E_INTERN_FAIL: -6,
  PSCI_E_NOT_PRESENT: -7,
  PSCI_E_DISABLED: -8,
  PSCI_E_INVALID_ADDRESS: -9,
};

const TABLES: Readonly<Record<Abi, Readonly<Record<string, number>>>> = {
  RMI: RMI_STATUS_BY_NAME,
  RSI: RSI_STATUS_BY_NAME,
  PSCI: PSCI_STATUS_BY_NAME,
};

/** The interface of a status name (`RMI_…`, `RSI_…`, `PSCI_…`) and its value, if known. */
export function statusByName(name: string): { abi: Abi; status: number } | undefined {
  for (const abi of ['RMI', 'RSI', 'PSCI'] as const) {
    const status = TABLES[abi][name];
    if (status !== undefined) return { abi, status };
  }
  return undefined;
}

/** The name of an RMI status value, or its number. */
export function rmiStatusName(status: number): string {
  return statusName('RMI', status);
}

/** The name of a status value of `abi`, or `status <n>`. */
export function statusName(abi: Abi, status: number): string {
  for (const [name, value] of Object.entries(TABLES[abi])) {
    if (value === status) return name;
  }
  return `status ${status}`;
}

/**
 * An expected or returned status: RMI's (status, index) pair, or an RSI status or PSCI return
 * code (index 0) when `abi` says so.
 */
export interface StatusCode {
  readonly status: number;
  readonly index: number;
  /** Absent for RMI. */
  readonly abi?: 'RSI' | 'PSCI';
}

/** Renders a status code like `RMI_ERROR_RTT(2)`, `RSI_ERROR_INPUT` or `PSCI_E_INVALID_PARAMS`. */
export function formatStatus(code: StatusCode): string {
  const abi = code.abi ?? 'RMI';
  const name = statusName(abi, code.status);
  return abi === 'RMI' ? `${name}(${code.index})` : name;
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

/**
 * X0 as a status of `abi`: RMI's packed pair; an RSI status (X0 below 256); a PSCI return code
 * (X0 as a signed 32-bit value, sign-extended to 64 bits). `undefined` when X0 is none of these.
 */
export function decodeStatus(abi: Abi, x0: bigint): StatusCode | undefined {
  if (abi === 'RMI') return decodeX0(x0);
  if (abi === 'RSI')
    return x0 >= 0n && x0 <= 0xffn ? { status: Number(x0), index: 0, abi } : undefined;
  const signed = BigInt.asIntN(64, x0);
  return signed >= -(2n ** 31n) && signed < 2n ** 31n
    ? { status: Number(signed), index: 0, abi }
    : undefined;
}

/** Renders X0 as `NAME(index)`, `SMC_UNKNOWN`, or hex when it is neither. */
export function formatX0(x0: bigint): string {
  return formatResult('RMI', x0);
}

/** Renders X0 as a status of `abi`, `SMC_UNKNOWN`, or hex when it is neither. */
export function formatResult(abi: Abi, x0: bigint): string {
  const code = decodeStatus(abi, x0);
  if (code) return formatStatus(code);
  if (x0 === SMC_UNKNOWN) return 'SMC_UNKNOWN';
  return `0x${x0.toString(16)}`;
}
