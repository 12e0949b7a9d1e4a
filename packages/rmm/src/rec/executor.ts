/**
 * The "execute this REC" port of REC_ENTER's run loop (docs/design/realms.md): whatever runs a
 * realm's code (a worker, a scripted fake in a test, an interpreter) plugs in here, and the RMM
 * stays free of threads and isolates.
 *
 * The loop calls {@link RealmExecutor.resume} with the REC's registers; the executor runs the
 * REC's code from `pc` until it traps to R-EL2 and says why ({@link RealmStep}). The RMM then
 * handles the trap (TF-RMM `handle_realm_exit`) and either resumes the REC again or exits to the
 * host.
 *
 * ```text
 * SMC #0: the REC's X0..X10 are in `gprs` (W0 = step.fid); the RMM dispatches it as RSI/PSCI,
 *   writes the result registers into `gprs` and advances `pc` by 4 (not for an emulated stage-2
 *   abort, where the SMC is re-executed).
 * WFI/WFE: reported every time the REC executes one; the RMM exits to the host (SYNC, esr = EC |
 *   TI) only when the entry flags trap it (TRAP_WFI/TRAP_WFE), else resumes. PC advances by 4
 *   either way (a trapped WFx is completed by the exit, as TF-RMM's advance_pc).
 * ```
 *
 * Data aborts, system register traps and interrupts are not part of the port yet.
 * @module
 */

/**
 * What an executor sees of a REC: its registers, which it reads and writes as the REC runs.
 * A {@link Rec} is one.
 * @since 0.6.0
 */
export interface RecView {
  /** The REC index within its realm (from its MPIDR). */
  readonly index: number;
  /** The RmiRecMpidr the REC was created with. */
  readonly mpidr: bigint;
  /** X0..X30, live: what the executor writes here is the REC's register file. */
  readonly gprs: BigUint64Array<ArrayBuffer>;
  /** The PC the REC resumes at; the executor moves it as the REC runs. */
  pc: bigint;
}

/**
 * Why the REC stopped running: the instruction that trapped to R-EL2.
 * @since 0.6.0
 */
export type RealmStep =
  /** `SMC #0` with W0 = `fid` and X1..X10 in the REC's `gprs`. */
  | { readonly kind: 'smc'; readonly fid: number }
  /** `WFI`. */
  | { readonly kind: 'wfi' }
  /** `WFE`. */
  | { readonly kind: 'wfe' };

/**
 * Runs a REC's code until it traps. Synchronous, as a REC runs inside the REC_ENTER call.
 * @since 0.6.0
 */
export interface RealmExecutor {
  /**
   * Runs the REC from `rec.pc` with `rec.gprs` until it traps, and reports the trap. May throw
   * only on a bug of its own; the RMM does not catch it (REC_ENTER still clears "running").
   */
  resume(rec: RecView): RealmStep;
}
