/**
 * RECs: the RMM's record of each Realm Execution Context (TF-RMM `runtime/include/rec.h
 * struct rec`).
 *
 * **State** (rmm-abi.md §4.3):
 *
 * ```text
 * - runnable (flags.RUNNABLE at create; cleared by PSCI_CPU_OFF; set by PSCI_COMPLETE for CPU_ON)
 * - running = granule refcount 1 during REC_ENTER (REC_DESTROY → RMI_ERROR_REC, …)
 * - rec_idx (from MPIDR), per-realm sequential.
 * - psci_info.pending (CPU_ON/AFFINITY_INFO awaiting PSCI_COMPLETE; REC_ENTER → RMI_ERROR_REC)
 * - host_call pending; set_ripas {base, top, addr(next), ripas_val, change_destroyed, response};
 *   last_run_info.esr (for EMUL_MMIO/INJECT_SEA validation)
 * ```
 *
 * A REC is also what the realm executor runs (the `RecView` of `@islet/abi`): its registers, the
 * realm's stage-2 translation (what VTTBR_EL2/VTCR_EL2 hold while it runs, fixed at REC_CREATE,
 * as a realm's RTT root and IPA width never change) and a pending synchronous external abort.
 *
 * The pending PSCI request, the RIPAS change in progress, the pending host call, the attestation
 * token in progress and the last exit's ESR are set when a realm runs (RSI and PSCI from the REC,
 * `src/rsi/`); the RMI side reads and completes them.
 *
 * "Running" is not a field: as in TF-RMM it is the REC granule's refcount (1 while inside
 * REC_ENTER), so there is one source of truth.
 *
 * **Storage**: a `Map<number, Rec>` keyed by the REC's granule index. TF-RMM keeps `struct rec`
 * in the REC granule and uses the aux granules for heap, PMU, SIMD and attestation state; here
 * the granules stay zero and the record lives in the Map (a structured record looked up once per
 * RMI call, never per memory access; see the realm module for the same choice).
 *
 * **Invariants** (kept by the RMI handlers):
 * - `recs.get(i)` exists ⇔ granule `i` is in state REC;
 * - every `auxIdx` of a live REC is in state REC_AUX and belongs to no other REC;
 * - `rdIdx` is a live realm's RD, whose refcount counts this REC;
 * - `gprs` is X0..X30 (a `BigUint64Array`, STYLE.md §6); REC_CREATE sets X0..X7 from the params.
 * @module
 */
import type { RealmTranslation, RecView, RsiRipas } from '@islet/abi';
import { assert } from '@islet/arch';

/** PSTATE of a new REC: EL1h with D, A, I, F masked (TF-RMM `REC_CREATE`). */
export const REC_RESET_PSTATE = 0x3c5n;

/**
 * One REC (TF-RMM `struct rec`). Mutable fields change only through RMI/RSI handling and, while
 * it runs inside REC_ENTER, through the realm executor ({@link RecView}).
 * @see rmm-abi.md §2.9, §4.3
 * @since 0.2.0
 */
export interface Rec extends RecView {
  /** Granule index of the REC. */
  readonly recIdx: number;
  /** Granule index of the owning realm's RD. */
  readonly rdIdx: number;
  /** The REC index within its realm (from the MPIDR). */
  readonly index: number;
  /** The RmiRecMpidr it was created with (VMPIDR affinity fields). */
  readonly mpidr: bigint;
  /** Whether the REC may be entered. */
  runnable: boolean;
  /** X0..X30. */
  readonly gprs: BigUint64Array<ArrayBuffer>;
  /** PC (ELR on entry). */
  pc: bigint;
  /**
   * The realm's stage-2 translation: RD PA, `rtt_base`, `rtt_level_start`, `s2sz`.
   * @since 0.7.0
   */
  readonly realm: RealmTranslation;
  /**
   * A synchronous external abort awaits delivery to the realm at the next resume (the host's
   * INJECT_SEA, a data abort at RIPAS EMPTY or beyond the IPA space, a recoverable external
   * abort); the executor clears it when it delivers it.
   * @since 0.7.0
   */
  injectSea: boolean;
  /** PSTATE (SPSR on entry). */
  pstate: bigint;
  /** Granule indices of the aux granules, in params order. */
  readonly auxIdx: readonly number[];
  /**
   * The PSCI function (CPU_ON or AFFINITY_INFO, SMC32 or SMC64) this REC called and the host has
   * not yet completed with PSCI_COMPLETE; its arguments are in {@link gprs} X1..X3.
   */
  psciPending: number | undefined;
  /** The RSI_IPA_STATE_SET in progress, which RTT_SET_RIPAS carries out; none when `undefined`. */
  setRipas: SetRipasRequest | undefined;
  /**
   * The IPA of the RsiHostCall structure of the RSI_HOST_CALL the host has not completed yet
   * (TF-RMM `rec->host_call`); the next REC_ENTER copies the host's `enter.gprs` into it and
   * returns X0 = RSI_SUCCESS. None when `undefined`.
   * @since 0.5.0
   */
  hostCall: number | undefined;
  /**
   * The realm token being produced for this REC (TF-RMM `rec->aux_data.attest_data`): set by
   * RSI_ATTESTATION_TOKEN_INIT, consumed by RSI_ATTESTATION_TOKEN_CONTINUE; none when `undefined`.
   * @since 0.5.0
   */
  attestToken: AttestTokenContext | undefined;
  /** The last REC exit, as far as the next REC_ENTER's EMUL_MMIO and INJECT_SEA depend on it. */
  lastExit: LastExit;
}

/**
 * What REC_ENTER remembers of a REC's last exit (TF-RMM `rec->last_run_info`).
 * @see rmm-abi.md §2.11 steps 8–10
 * @since 0.4.0
 */
export interface LastExit {
  /**
   * ESR_EL2 of the exit as the REC took it, not the host's masked copy: for a data abort the
   * access fields (SRT, SSE, SF, SAS, WnR) that complete an EMUL_MMIO, with ISV cleared when the
   * host's copy has none (TF-RMM). For other exits, what the host saw. 0 before the first exit.
   */
  readonly esr: bigint;
  /** Whether the exit was a data abort at an unprotected IPA (the host may inject an SEA). */
  readonly unprotectedDataAbort: boolean;
}

/**
 * A REC's {@link LastExit} before it has ever run.
 * @since 0.4.0
 */
export const NO_EXIT: LastExit = Object.freeze({ esr: 0n, unprotectedDataAbort: false });

/**
 * A RIPAS change a realm asked for (RSI_IPA_STATE_SET; TF-RMM `rec->set_ripas`): the host applies
 * it with RTT_SET_RIPAS from `addr` towards `top`, and `addr` advances as it does.
 * @see rmm-abi.md §2.22, §5.9
 * @since 0.4.0
 */
export interface SetRipasRequest {
  /** The first IPA of the requested region. */
  readonly base: number;
  /** The end (exclusive) of the requested region. */
  readonly top: number;
  /** The next IPA RTT_SET_RIPAS must start at. */
  addr: number;
  /** The RIPAS asked for: EMPTY or RAM. */
  readonly ripas: typeof RsiRipas.Empty | typeof RsiRipas.Ram;
  /** RSI_CHANGE_DESTROYED: DESTROYED entries may change too. */
  readonly changeDestroyed: boolean;
}

/**
 * A REC's attestation token in progress (TF-RMM `struct rec_attest_data`): what
 * RSI_ATTESTATION_TOKEN_INIT captured, and how much of the CCA token RSI_ATTESTATION_TOKEN_CONTINUE
 * has copied out.
 *
 * ```text
 * INIT: creates the unsigned realm-token payload from the current RIM/REMs, RPV, RAK public key
 * and the 64-byte challenge = LE bytes of X1..X8.
 * CONTINUE: on first copy build the CCA token; copy n = min(size, remaining) bytes; remaining > 0
 * → RSI_INCOMPLETE, X1 = n; else SUCCESS, X1 = n (a new INIT is needed for another token).
 * ```
 * @see rmm-abi.md §5.5, §5.6, §7.2
 * @since 0.5.0
 */
export interface AttestTokenContext {
  /** The 64-byte challenge (X1..X8 of INIT, little-endian). */
  readonly challenge: Uint8Array<ArrayBuffer>;
  /** The realm's five measurement slots (RIM, REM0..3) as INIT saw them. */
  readonly measurements: Uint8Array<ArrayBuffer>;
  /** The CCA token, built by the first CONTINUE that copies bytes. */
  token: Uint8Array | undefined;
  /** Bytes of {@link token} already copied to the realm. */
  copied: number;
}

/**
 * The live RECs, keyed by REC granule index.
 * @since 0.2.0
 */
export class RecTable {
  readonly #recs: Map<number, Rec> = new Map();

  /** Number of live RECs. */
  get size(): number {
    return this.#recs.size;
  }

  /** The REC in granule `recIdx`, if any. */
  get(recIdx: number): Rec | undefined {
    return this.#recs.get(recIdx);
  }

  /**
   * Records a new REC.
   * @throws {@link IsletInvariantError} when the granule already holds one.
   */
  add(rec: Rec): void {
    assert(!this.#recs.has(rec.recIdx), () => `granule ${rec.recIdx} already holds a REC`);
    this.#recs.set(rec.recIdx, rec);
  }

  /**
   * Forgets a REC.
   * @throws {@link IsletInvariantError} when there is none at `recIdx`.
   */
  remove(recIdx: number): void {
    assert(this.#recs.delete(recIdx), () => `granule ${recIdx} holds no REC`);
  }

  /** Every live REC (for invariant checks). */
  values(): IterableIterator<Rec> {
    return this.#recs.values();
  }
}
