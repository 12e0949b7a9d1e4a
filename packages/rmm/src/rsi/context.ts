/**
 * What an RSI (or PSCI) handler sees and returns: the RMM state, the calling REC and its realm,
 * the REC's X1..X10, the result registers, and the three kinds of outcome of TF-RMM's
 * `handle_realm_rsi` (`runtime/core/exit.c`).
 *
 * ```text
 * Result registers X0..X4 are written back when the action updates the REC: outputs a command
 * does not set read as 0 in X1..X3, X4 is preserved unless an output (handle_realm_rsi
 * initialises the result to zero and copies X4); X5..X30 untouched except MEASUREMENT_READ, which
 * also writes X5..X8. PC is advanced past the SMC except for emulated stage-2 faults. Actions:
 * return to Realm; exit to Host (with REC regs updated or not); exit to Host with emulated S2
 * fault.
 * ```
 *
 * TF-RMM's four actions map onto `RsiOutcome` as: UPDATE_REC_RETURN_TO_REALM →
 * {@link returnToRealm}; UPDATE_REC_EXIT_TO_HOST → {@link exitToHost} with `res`; EXIT_TO_HOST →
 * {@link exitToHost} without registers; STAGE_2_TRANSLATION_FAULT → {@link emulatedDataAbort}.
 * @module
 */
import {
  dfscTranslation,
  ESR_EC_SHIFT,
  EsrEc,
  REC_RUN_NR_GPRS,
  RmiRecExitReason,
  RsiAction,
  type RsiExit,
  type RsiOutcome,
  type RsiStatus,
} from '@islet/abi';
import type { BootAttestation } from '../attest/boot.ts';
import type { RealmVhuks } from '../attest/vhuk.ts';
import type { Realm } from '../realm/realm.ts';
import type { Rec } from '../rec/rec.ts';
import type { RmiContext } from '../rmi/context.ts';

/**
 * The RMM state and ports an RSI handler works on: the RMI context plus the attestation material
 * and the VHUKs cold boot fetched (read when a realm asks, since cold boot runs after
 * construction).
 * @since 0.5.0
 */
export interface RsiContext extends RmiContext {
  /** The RAK and platform token from cold boot, or `undefined` (not booted, or EL3 failed). */
  readonly attestation: () => BootAttestation | undefined;
  /**
   * VHUK_A and VHUK_M from cold boot, for RSI_ISLET_REALM_SEALING_KEY, or `undefined` (not
   * booted, or EL3 has no VHUK service).
   * @since 0.7.0
   */
  readonly vhuks: () => RealmVhuks | undefined;
}

/**
 * X1..X10 of the calling REC, in order (`args[0]` is X1). Registers the caller did not pass read
 * as 0.
 * @since 0.5.0
 */
export type RsiArgs = readonly [
  x1: bigint,
  x2: bigint,
  x3: bigint,
  x4: bigint,
  x5: bigint,
  x6: bigint,
  x7: bigint,
  x8: bigint,
  x9: bigint,
  x10: bigint,
];

/**
 * One RSI call: the REC that made it, its realm (ACTIVE), the FID (SVE hint cleared) and X1..X10.
 * @since 0.5.0
 */
export interface RsiCall {
  /** The calling REC. */
  readonly rec: Rec;
  /** Its realm, in state ACTIVE. */
  readonly realm: Realm;
  /** The FID, SVE hint cleared. */
  readonly fid: number;
  /** X1..X10. */
  readonly args: RsiArgs;
}

/**
 * The result registers while a handler runs: X0..X4 (X0..X8 for RSI_MEASUREMENT_READ). The
 * dispatcher sets X0..X3 = 0 and X4 = the caller's X4; a handler writes X0 and its outputs
 * X1..X`retc` only.
 * @since 0.5.0
 */
export type RsiResultRegs = bigint[];

/**
 * An RSI or PSCI handler. Never throws on register values or realm memory contents (STYLE.md §5
 * tier 1); throws only {@link IsletInvariantError} on a broken invariant.
 * @see rmm-abi.md §5
 * @since 0.5.0
 */
export type RsiHandler = (ctx: RsiContext, call: RsiCall, res: RsiResultRegs) => RsiOutcome;

/**
 * UPDATE_REC_RETURN_TO_REALM: `res` goes to the REC, PC advances, the realm continues.
 * @since 0.5.0
 */
export function returnToRealm(res: RsiResultRegs): RsiOutcome {
  return { action: RsiAction.ReturnToRealm, regs: res };
}

/**
 * Sets X0 = `status` and returns to the realm (the common tail of an RSI command).
 * @since 0.5.0
 */
export function rsiReturn(res: RsiResultRegs, status: RsiStatus): RsiOutcome {
  res[0] = BigInt(status);
  return returnToRealm(res);
}

/**
 * The RmiRecExit fields of `fields` with every other field 0 and 31 `gprs` (TF-RMM zeroes the
 * exit before filling it).
 * @since 0.5.0
 */
export function rsiExit(fields: Partial<RsiExit> & Pick<RsiExit, 'exitReason'>): RsiExit {
  const gprs = new Array<bigint>(REC_RUN_NR_GPRS).fill(0n);
  if (fields.gprs !== undefined) {
    for (let i = 0; i < REC_RUN_NR_GPRS; i++) gprs[i] = fields.gprs[i] ?? 0n;
  }
  return {
    esr: 0n,
    far: 0n,
    hpfar: 0n,
    ripasBase: 0n,
    ripasTop: 0n,
    ripasValue: 0,
    imm: 0,
    ...fields,
    gprs,
  };
}

/**
 * UPDATE_REC_EXIT_TO_HOST (with `res`) or EXIT_TO_HOST (without: the REC's registers stay as
 * they were until the host completes the request): PC advances, the REC exits with `exit`.
 * @since 0.5.0
 */
export function exitToHost(exit: RsiExit, res?: RsiResultRegs): RsiOutcome {
  return { action: RsiAction.ExitToHost, regs: res, exit };
}

/** ESR_EL2.EC of a data abort from a lower EL (`ESR_EL2_EC_DATA_ABORT`), in place. */
const ESR_EC_DATA_ABORT = BigInt(EsrEc.DataAbortLower) << ESR_EC_SHIFT;
/** `HPFAR_EL2_FIPA_OFFSET`: TF-RMM reports `ipa >> 8`. */
const HPFAR_FIPA_SHIFT = 8n;

/**
 * The ESR_EL2 of the stage-2 data abort the RMM emulates for an RSI buffer whose walk stopped at
 * `level` (TF-RMM `emulate_stage2_data_abort`): `(0x24 << 26) | (0x04 + level)`. Level −1 (LPA2)
 * has its own fault code, 0x2B, where TF-RMM's sum would give 0x03 (an address size fault).
 * @see rmm-abi.md §3.3
 * @since 0.5.0
 */
export function emulatedAbortEsr(level: number): bigint {
  return ESR_EC_DATA_ABORT | BigInt(dfscTranslation(level));
}

/**
 * STAGE_2_TRANSLATION_FAULT: the REC exits with an emulated stage-2 data abort at `ipa` (the
 * caller's X1), its registers untouched and its PC not advanced, so the realm re-executes the SMC
 * once the host has mapped the buffer.
 *
 * ```text
 * exit_reason SYNC, esr = (0x24<<26) | (0x04 + walk_level), far = 0, hpfar = X1_ipa >> 8
 * ```
 * @see rmm-abi.md §3.3, §4.5
 * @since 0.5.0
 */
export function emulatedDataAbort(ipa: bigint, level: number): RsiOutcome {
  return {
    action: RsiAction.ExitToHostS2Fault,
    regs: undefined,
    exit: rsiExit({
      exitReason: RmiRecExitReason.Sync,
      esr: emulatedAbortEsr(level),
      hpfar: ipa >> HPFAR_FIPA_SHIFT,
    }),
  };
}
