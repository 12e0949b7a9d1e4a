/**
 * A conformance case: one ACS failure condition (or one success path) of one RMI, RSI or PSCI
 * command, its expected status, and a setup that builds exactly the state the condition needs
 * through the host interface, then names the call to make (an RMI call the runner makes from the
 * host), or reports the call a realm made (RSI and PSCI: the realm's program makes it and prints
 * the result registers). Cases are data: the runner decides how to run them, the report how to
 * show them.
 * @module
 */
import { conditionId } from './acs-conditions.ts';
import type { Fixture } from './fixture.ts';
import {
  PSCI_STATUS_BY_NAME,
  RMI_STATUS_BY_NAME,
  RSI_STATUS_BY_NAME,
  type StatusCode,
} from './status.ts';

/** The call a setup asks the runner to make, and how to check its outputs beyond X0. */
export interface CaseCall {
  /** The RMI FID. */
  readonly fid: number;
  /** X1.. */
  readonly args: readonly bigint[];
  /**
   * Checks the outputs (X0..X4) and any effect the digest specifies, after X0 matched; returns
   * what is wrong, or `undefined`.
   */
  readonly check?: (out: readonly bigint[], fx: Fixture) => string | undefined;
}

/**
 * A call a realm made (RSI, PSCI): the registers its program read back after the SMC, X0 first.
 * The runner compares X0 with the expected status, then runs `check`.
 */
export interface CaseObservation {
  /** X0.. as the realm saw them. */
  readonly observed: readonly bigint[];
  /** Checks the other outputs after X0 matched; returns what is wrong, or `undefined`. */
  readonly check?: (out: readonly bigint[], fx: Fixture) => string | undefined;
}

/** A setup's answer when the platform cannot make the condition hold (e.g. a feature it has). */
export interface CaseSkip {
  readonly skip: string;
}

/**
 * Builds the state and names the call (or reports the realm's). A setup SMC that fails throws a
 * `SetupError`.
 */
export type CaseSetup = (fx: Fixture) => CaseCall | CaseObservation | CaseSkip;

/** One case of the suite. */
export interface ConformanceCase {
  /** Stable id: `RMI_DATA_CREATE/rtt_walk/IPA_NOT_MAPPED`, or `RMI_VERSION/success/...`. */
  readonly id: string;
  /** The command, e.g. `RMI_DATA_CREATE`, `RSI_HOST_CALL`, `PSCI_CPU_ON`. */
  readonly command: string;
  /** `label[INTENT]` as ACS names it, or `success[...]`. */
  readonly condition: string;
  /** The spec label (`rtt_walk`), or `success`. */
  readonly label: string;
  /** The ACS intent (`IPA_NOT_MAPPED`), or what the success case checks. */
  readonly intent: string;
  /** The expected X0 (its `abi` says how to read X0: RMI when absent). */
  readonly expected: StatusCode;
  /** Set up and call; absent for a statically skipped case. */
  readonly setup?: CaseSetup;
  /** Why the case is skipped on every platform (see `SKIPS`). */
  readonly skip?: string;
  /** When the verdict shows the condition only under this setup, what else holds. */
  readonly note?: string;
}

/** `(status name, index)` → a status code. */
export function rmiCode(statusName: string, index = 0): StatusCode {
  const status = RMI_STATUS_BY_NAME[statusName];
  if (status === undefined) throw new RangeError(`unknown RMI status ${statusName}`);
  return { status, index };
}

/** The expected status of most conditions. */
export const INPUT: StatusCode = rmiCode('RMI_ERROR_INPUT');
/** `RMI_ERROR_REALM(0)`. */
export const REALM: StatusCode = rmiCode('RMI_ERROR_REALM');
/** `RMI_ERROR_REC(0)`. */
export const REC: StatusCode = rmiCode('RMI_ERROR_REC');
/** `RMI_SUCCESS(0)`. */
export const SUCCESS: StatusCode = rmiCode('RMI_SUCCESS');
/** `RMI_ERROR_RTT(level)`. */
export function rtt(level: number): StatusCode {
  return rmiCode('RMI_ERROR_RTT', level);
}

/** An RSI status by name. */
export function rsiCode(statusName: string): StatusCode {
  const status = RSI_STATUS_BY_NAME[statusName];
  if (status === undefined) throw new RangeError(`unknown RSI status ${statusName}`);
  return { status, index: 0, abi: 'RSI' };
}

/** A PSCI return code by name. */
export function psciCode(statusName: string): StatusCode {
  const status = PSCI_STATUS_BY_NAME[statusName];
  if (status === undefined) throw new RangeError(`unknown PSCI return code ${statusName}`);
  return { status, index: 0, abi: 'PSCI' };
}

/** What a command file declares for one case, before the command is filled in. */
export interface CaseSpec {
  readonly label: string;
  readonly intent: string;
  readonly expected: StatusCode;
  readonly setup?: CaseSetup;
  readonly skip?: string;
  readonly note?: string;
}

/** A failure-condition case. `run` is a setup, or a skip reason string. */
export function cond(
  label: string,
  intent: string,
  expected: StatusCode,
  run: CaseSetup | string,
  note?: string,
): CaseSpec {
  return {
    label,
    intent,
    expected,
    ...(typeof run === 'string' ? { skip: run } : { setup: run }),
    ...(note === undefined ? {} : { note }),
  };
}

/** A success-path case named `success/<what>` (RMI_SUCCESS unless `expected` says otherwise). */
export function success(
  what: string,
  run: CaseSetup | string,
  expected: StatusCode = SUCCESS,
): CaseSpec {
  return cond('success', what, expected, run);
}

/** Binds a command's specs to the command and gives each its id. */
export function commandCases(command: string, specs: readonly CaseSpec[]): ConformanceCase[] {
  return specs.map((s) => ({
    ...s,
    id: conditionId(command, s.label, s.intent),
    command,
    condition: `${s.label}[${s.intent}]`,
  }));
}
