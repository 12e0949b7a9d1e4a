/**
 * The worker-thread vCPUs: a {@link RealmExecutor} that runs each REC's code on its own worker
 * thread, in the realm runtime of this package, and blocks the RMM's thread while it runs, as
 * REC_ENTER blocks on hardware.
 *
 * **Threads.** One worker per REC, keyed by the realm's RD and the REC index, started at the
 * REC's first resume (synckit-style: the worker is created and the RMM's thread sleeps in
 * `Atomics.wait` until the worker's first request; the worker boots without the RMM's event
 * loop). `release` (REC_DESTROY) terminates the REC's worker; `close` terminates all of them.
 *
 * **Traps.** The worker runs until it issues an SMC, WFI or WFE (returned as that trap, with
 * X0..X10 copied into `rec.gprs`), halts (returned as WFI, then every resume answers WFI
 * without waking it) or crashes (`resume` throws `GUEST_VCPU_CRASHED`). Loads and stores go
 * through the {@link RealmMemory} port on the RMM's thread, page by page, within the same resume;
 * a fault returns a data abort (ESR with ISV, SAS, SSE and SRT = X0 for a single 1/2/4/8-byte
 * aligned access, with a store's value in X0; without ISV for a bulk copy; FAR = the IPA of the
 * page that faulted; HPFAR = `(ipa >> 12) << 4`).
 *
 * **Waiting.** Each side polls for the other's answer for a fraction of a millisecond before it sleeps
 * (see `protocol.ts`); once REC_ENTER returns to the host (`park`), the worker sleeps at once.
 *
 * **PC.** The executor reports each trap at the instruction after the one the REC resumed at
 * (the worker ran at least that far), and reads the RMM's PC on the next resume:
 * ```text
 * same PC      re-execute: an SMC or WFx traps again without waking the worker; an access is
 *              retried from where it stopped, or, with injectSea, fails in the program with an
 *              SEA error (injectSea is cleared)
 * PC + 4       completed: the SMC's results (X0..X10 of rec.gprs) go back to the worker; an
 *              emulated load's value is X0 (SAS bytes, sign-extended if SSE); a store is done
 * any other    the REC was restarted (PSCI CPU_ON of a REC that had called CPU_OFF): its worker
 *              is terminated and a new one boots from the registers
 * ```
 * Since traps come after the entry PC, a restart at the entry never looks like a retry.
 *
 * **Worker script.** A worker runs built JavaScript: `dist/vcpu/worker.js` of this package,
 * found next to this module in `dist/`, or, when this module runs from its TypeScript source
 * (`src/vcpu/worker-vcpus.ts` under vitest), at `../../dist/vcpu/worker.js`. So the package must
 * be built (`tsc -b`, which `pnpm test` does first) for the vCPUs to run; without a build the
 * first resume throws `GUEST_VCPU_CRASHED` naming the missing module.
 *
 * **Limits.** A realm program that never traps (an endless loop) holds `resume`, and so the
 * RMM's thread, forever: there is no timer interrupt to take it out (docs/design/realms.md, open
 * questions). So does a worker that dies without reporting (out of memory).
 * @module
 */
import type { RealmExecutor, RealmTrap, RecView } from '@islet/abi';
import type { RealmMemory } from './realm-memory.ts';
import { VcpuThread } from './vcpu-thread.ts';

/** The URL of the worker module (see the module documentation). */
function workerUrl(): string {
  const here = import.meta.url;
  const path = here.endsWith('.ts') ? '../../dist/vcpu/worker.js' : './worker.js';
  return new URL(path, here).href;
}

/**
 * What {@link WorkerVcpus} needs from the platform.
 * @since 0.1.0
 */
export interface WorkerVcpusOptions {
  /** Realm memory through stage 2: the platform's MMU. */
  readonly memory: RealmMemory;
}

/**
 * A {@link RealmExecutor} with one worker thread per REC.
 * @example
 * ```ts
 * const vcpus = new WorkerVcpus({ memory: realmMemory(platform.memory) });
 * // give `vcpus` to the RMM as its executor; REC_ENTER calls vcpus.resume(rec)
 * vcpus.close();
 * ```
 * @since 0.1.0
 */
export class WorkerVcpus implements RealmExecutor {
  readonly #memory: RealmMemory;
  readonly #url: string = workerUrl();
  readonly #threads = new Map<string, VcpuThread>();

  constructor(options: WorkerVcpusOptions) {
    this.#memory = options.memory;
  }

  /**
   * Runs `rec` until it traps (see the module documentation).
   * @throws {@link IsletError} `GUEST_VCPU_CRASHED` when the REC's worker crashed: a bug of this
   *   package, or it was not built.
   */
  resume(rec: RecView): RealmTrap {
    const key = keyOf(rec);
    let thread = this.#threads.get(key);
    if (thread !== undefined && !thread.continues(rec.pc)) {
      thread.terminate();
      thread = undefined;
    }
    if (thread === undefined) {
      thread = new VcpuThread(rec, this.#memory, this.#url);
      this.#threads.set(key, thread);
    }
    return thread.resume(rec);
  }

  /** `rec` left the PE (REC_ENTER returns to the host): its worker stops polling and sleeps. */
  park(rec: RecView): void {
    this.#threads.get(keyOf(rec))?.park();
  }

  /** Terminates `rec`'s worker (REC_DESTROY): a REC created later in its place starts afresh. */
  release(rec: RecView): void {
    const key = keyOf(rec);
    this.#threads.get(key)?.terminate();
    this.#threads.delete(key);
  }

  /** Terminates every worker. */
  close(): void {
    for (const thread of this.#threads.values()) thread.terminate();
    this.#threads.clear();
  }
}

function keyOf(rec: RecView): string {
  return `${rec.realm.rd}:${rec.index}`;
}
