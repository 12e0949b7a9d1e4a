/**
 * The rendezvous between an executor thread and one vCPU worker: one SharedArrayBuffer, and at
 * any time exactly one side runs. The worker runs the realm's code until it needs the platform
 * (an SMC, WFI/WFE, a load or store, a halt, or it crashed), writes its request and hands the
 * turn over; the executor serves it, or returns a trap from `resume` and serves the rest on the
 * next `resume`, and hands the turn back. Each side sleeps in `Atomics.wait` on the turn word and
 * wakes the other with `Atomics.notify`; the seq-cst store of the turn publishes everything the
 * side wrote before it. Each side polls before it sleeps ({@link VcpuShared.wait}).
 *
 * ```text
 * bytes 0..31     control words (Int32): TURN, REQUEST, REPLY, ACCESS_FLAGS, ACCESS_LENGTH,
 *                 PARKED
 * bytes 32..39    the access IPA (Float64: IPAs are below 2^52, exact); on an SEA reply, the IPA
 *                 that aborted
 * bytes 64..319   the register file (BigUint64): X0..X30, then PC
 * bytes 512..     the data window ({@link WINDOW_SIZE} bytes): a store's bytes, a load's bytes,
 *                 a crash message
 * request    what the worker writes                  what the executor answers
 * Smc        X0..X10                                 X0..X10 (the results)
 * Wfi, Wfe   -                                       -
 * Access     IPA, length ≤ window, flags, bytes      REPLY Done (bytes for a load) or Sea
 * Halt       - (the worker then sleeps for good)     never
 * Crash      the message, its length                 never
 * ```
 * Boot: before the worker starts, the executor writes the REC's X0..X30 and PC, and the turn is
 * the worker's.
 * @module
 */

/** Index of each control word. */
export const TURN = 0;
export const REQUEST = 1;
export const REPLY = 2;
export const ACCESS_FLAGS = 3;
export const ACCESS_LENGTH = 4;
/** 1 while the REC is off the PE (REC_ENTER returned to the host); written by the executor. */
export const PARKED = 5;
const CONTROL_WORDS = 8;

/** Whose turn it is. */
export const Turn = { Worker: 0, Executor: 1 } as const;

/** What the worker asks for. */
export const Request = { Smc: 1, Wfi: 2, Wfe: 3, Access: 4, Halt: 5, Crash: 6 } as const;

/** How an access ended. */
export const Reply = { Done: 0, Sea: 1 } as const;

/** ACCESS_FLAGS bits. */
export const AccessFlag = {
  /** A store (else a load). */
  Write: 1,
  /** One register-sized load or store, 1, 2, 4 or 8 bytes, aligned: ESR ISV is valid. */
  Single: 2,
  /** A single load that sign-extends (ESR SSE). */
  SignExtend: 4,
} as const;

const IPA_AT = 32;
const REGS_AT = 64;
/** X0..X30 and PC. */
const REGS = 32;
/** Index of PC in the register file. */
export const PC = 31;
/** Registers an SMC passes each way (X0..X10). */
export const SMC_REGS = 11;
const WINDOW_AT = 512;

/**
 * How long a side polls before it sleeps, in ms: long enough for an RSI call or a load (tens of
 * microseconds), short enough not to poll through a token's signature (about 1 ms), which a
 * poller on the sibling hyperthread slows by a third.
 */
const POLL_MS = 0.2;
/** Polls between two reads of the clock (each poll is a sequentially consistent load). */
const POLLS_PER_CLOCK = 128;

/** Bytes of the data window: the most one access request moves (a longer transfer is split). */
export const WINDOW_SIZE: number = 1 << 20;

/** The typed views both sides use over one rendezvous buffer. */
export class VcpuShared {
  readonly buffer: SharedArrayBuffer;
  readonly control: Int32Array<SharedArrayBuffer>;
  readonly ipa: Float64Array<SharedArrayBuffer>;
  readonly regs: BigUint64Array<SharedArrayBuffer>;
  readonly window: Uint8Array<SharedArrayBuffer>;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(WINDOW_AT + WINDOW_SIZE)) {
    this.buffer = buffer;
    this.control = new Int32Array(buffer, 0, CONTROL_WORDS);
    this.ipa = new Float64Array(buffer, IPA_AT, 1);
    this.regs = new BigUint64Array(buffer, REGS_AT, REGS);
    this.window = new Uint8Array(buffer, WINDOW_AT, WINDOW_SIZE);
  }

  /** Kinds of wait (see {@link wait}) whose last answer took longer than {@link POLL_MS}. */
  readonly #slow = new Set<number>();

  /** Hands the turn to `to` and waits until it is handed back (`kind`: see {@link wait}). */
  pass(to: number, kind = 0): void {
    Atomics.store(this.control, TURN, to);
    Atomics.notify(this.control, TURN);
    this.wait(to, kind);
  }

  /**
   * Waits while it is `whose` turn: polls the turn word for up to {@link POLL_MS}, then sleeps.
   * The other side's answer usually comes within microseconds (an RSI call, a load), while a
   * futex sleep and wake-up cost tens of microseconds on a loaded virtual machine. As KVM's halt
   * polling adapts, a `kind` of wait (e.g. an SMC's function ID) whose last answer came later
   * than that sleeps at once: polling through a token's signature only slows the signing core's
   * hyperthread sibling. A worker whose REC is {@link PARKED} sleeps at once.
   */
  wait(whose: number, kind = 0): void {
    const c = this.control;
    if (Atomics.load(c, TURN) !== whose) return;
    const worker = whose === Turn.Executor;
    const start = performance.now();
    if (!this.#slow.has(kind) && (!worker || Atomics.load(c, PARKED) === 0)) {
      const until = start + POLL_MS;
      do {
        for (let k = POLLS_PER_CLOCK; k > 0; k--) {
          if (Atomics.load(c, TURN) !== whose) return;
        }
      } while (performance.now() < until && !(worker && Atomics.load(c, PARKED) !== 0));
    }
    while (Atomics.load(c, TURN) === whose) Atomics.wait(c, TURN, whose);
    if (performance.now() - start > POLL_MS) this.#slow.add(kind);
    else this.#slow.delete(kind);
  }

  /** The crash-report source for the worker bootstrap: writes `text` and hands the turn over. */
  static crashReporter(): string {
    return `(sab, text) => {
      const control = new Int32Array(sab, 0, ${CONTROL_WORDS});
      const bytes = new TextEncoder().encode(text).subarray(0, ${WINDOW_SIZE});
      new Uint8Array(sab, ${WINDOW_AT}, bytes.length).set(bytes);
      Atomics.store(control, ${ACCESS_LENGTH}, bytes.length);
      Atomics.store(control, ${REQUEST}, ${Request.Crash});
      Atomics.store(control, ${TURN}, ${Turn.Executor});
      Atomics.notify(control, ${TURN});
    }`;
  }
}
