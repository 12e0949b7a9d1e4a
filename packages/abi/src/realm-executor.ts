/**
 * The "execute this REC" port between an RMM's REC_ENTER and whatever runs a realm's code: a
 * CPU model (`@islet/guest`'s worker-thread vCPUs), a scripted fake in a test, an interpreter.
 * The RMM stays free of threads and isolates; the executor stays free of RMM state. It lives in
 * the ABI package because both sides implement it and neither may import the other.
 *
 * The RMM calls {@link RealmExecutor.resume} with the REC's registers; the executor runs the REC's
 * code from `pc` until it traps to R-EL2 and says why ({@link RealmTrap}). The RMM handles the
 * trap (TF-RMM `handle_realm_exit`) and either resumes the REC again or exits to the host.
 *
 * ```text
 * smc        SMC #0: X0..X10 are in gprs (W0 = fid). The RMM writes the results into gprs and
 *            advances pc by 4, except when it must re-execute the SMC (an emulated stage-2 abort
 *            on an RSI buffer: pc unchanged).
 * wfi/wfe    reported every time; the RMM advances pc by 4 and exits to the host only when the
 *            entry flags trap it.
 * dataAbort  a load or store faulted at stage 2 (or on an external abort). pc stays at the
 *            faulting instruction. On the next resume:
 *              pc unchanged   → the executor retries the access (the host mapped the page), or,
 *                               with injectSea set, takes a synchronous external abort instead
 *                               and clears injectSea;
 *              pc advanced 4  → the host emulated it (EMUL_MMIO): a load's value is in
 *                               gprs[SRT] (the RMM has already applied SAS, SSE and SF), a store is done.
 * ```
 * @see rmm-abi.md §2.11, §3.3, §4.5
 * @module
 */

/**
 * What VTTBR_EL2/VTCR_EL2 say for a REC's realm: where its stage-2 tables are. An executor
 * translates the REC's accesses through them (as the MMU does) and names the realm by `rd`.
 * @since 0.7.0
 */
export interface RealmTranslation {
  /** PA of the realm's RD: the realm's identity for the executor (never dereferenced by it). */
  readonly rd: bigint;
  /** PA of the first (of possibly concatenated) start-level RTTs. */
  readonly rttBase: bigint;
  /** The start level of the walk (`rtt_level_start`). */
  readonly rttLevelStart: number;
  /** The IPA width `s2sz`; the top IPA bit selects the unprotected half. */
  readonly ipaWidth: number;
}

/**
 * What an executor sees of a REC: its registers, which it reads and writes as the REC runs.
 * @since 0.7.0
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
  /** The realm's stage-2 translation. */
  readonly realm: RealmTranslation;
  /**
   * A synchronous external abort is pending for the faulting access at `pc` (the host's
   * INJECT_SEA, or an access to a protected IPA with RIPAS EMPTY). The executor delivers it to the
   * realm's code and clears the flag.
   */
  injectSea: boolean;
}

/**
 * Why the REC stopped running: the instruction that trapped to R-EL2.
 * @since 0.7.0
 */
export type RealmTrap =
  /** `SMC #0` with W0 = `fid` and X1..X10 in the REC's `gprs`. */
  | { readonly kind: 'smc'; readonly fid: number }
  /** `WFI`. */
  | { readonly kind: 'wfi' }
  /** `WFE`. */
  | { readonly kind: 'wfe' }
  /**
   * A data abort taken to R-EL2: ESR_EL2 (`encodeDataAbortEsr`), FAR_EL2 (the faulting address as
   * the realm saw it) and HPFAR_EL2 (IPA[51:12] in bits [43:4], i.e. `(ipa >> 12) << 4`). For a
   * store with ISV, the value is in `gprs[SRT]`.
   */
  | {
      readonly kind: 'dataAbort';
      readonly esr: bigint;
      readonly far: bigint;
      readonly hpfar: bigint;
    };

/**
 * Runs a REC's code until it traps. Synchronous, as a REC runs inside the REC_ENTER call.
 * @since 0.7.0
 */
export interface RealmExecutor {
  /**
   * Runs the REC from `rec.pc` with `rec.gprs` until it traps, and reports the trap. May throw
   * only on a bug of its own; the RMM does not catch it (REC_ENTER still clears "running").
   */
  resume(rec: RecView): RealmTrap;
  /**
   * The REC left the PE: REC_ENTER is returning to the host, and the REC runs again only at a
   * later REC_ENTER. Between two `resume`s of one REC_ENTER the RMM is serving the trap (an RSI
   * call, a fault) and the REC is about to run again; after `park` it may wait long, so whatever
   * runs it can stop polling and sleep.
   */
  park?(rec: RecView): void;
  /**
   * The REC was destroyed (REC_DESTROY): whatever ran it may be released. A REC created later in
   * the same granule is a new REC.
   */
  release?(rec: RecView): void;
}
