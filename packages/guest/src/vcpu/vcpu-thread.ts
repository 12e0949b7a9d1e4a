/**
 * The executor's side of one vCPU worker: starts the worker, runs it until it traps, and
 * completes the trap on the next resume. See `worker-vcpus.ts` for the PC rules and
 * `protocol.ts` for the rendezvous.
 * @module
 */
import { Worker } from 'node:worker_threads';
import {
  type DataAbortSyndrome,
  DFSC_ADDRESS_SIZE_L0,
  DFSC_SEA,
  dfscTranslation,
  encodeDataAbortEsr,
  fidFromRegister,
  type RealmTrap,
  type RecView,
} from '@islet/abi';
import { GRANULE_SIZE, IsletError, isAddress, MAX_ADDRESS } from '@islet/arch';
import {
  ACCESS_FLAGS,
  ACCESS_LENGTH,
  AccessFlag,
  PARKED,
  PC,
  REPLY,
  REQUEST,
  Reply,
  Request,
  SMC_REGS,
  Turn,
  VcpuShared,
  WINDOW_SIZE,
} from './protocol.ts';
import type { RealmMemory, RealmMemoryFault } from './realm-memory.ts';

/**
 * The register a single load or store transfers (ESR SRT): X0. A store's value is put there
 * for the host; an emulated load's value is taken from there.
 * @since 0.1.0
 */
export const ACCESS_REGISTER = 0;

/** The size of an A64 instruction. */
const INSN = 4n;

/** A load or store that has not finished: `done` bytes of it have. */
interface PendingAccess {
  readonly kind: 'access';
  readonly ipa: number;
  readonly length: number;
  readonly flags: number;
  done: number;
}

/** What the vCPU is stopped at. */
type Pending =
  | { readonly kind: 'smc' | 'wfi' | 'wfe' }
  | PendingAccess
  /** Halted for good: it answers WFI to every resume. */
  | { readonly kind: 'halted' };

/**
 * The bootstrap each worker evaluates: it imports the vCPU module (its URL is in `workerData`)
 * and runs it; if that throws (a bug, or a missing build), it reports the crash through the
 * rendezvous buffer, since the executor thread sleeps and sees no worker events.
 */
const BOOTSTRAP = `'use strict';
const { workerData } = require('node:worker_threads');
const report = ${VcpuShared.crashReporter()};
const crash = (e) => report(workerData.buffer, String((e && e.stack) || e));
import(workerData.url).then((m) => m.runVcpu(workerData)).catch(crash);
`;

function dfscOf(fault: RealmMemoryFault): number {
  if (fault.fault === 'translation') return dfscTranslation(fault.level);
  if (fault.fault === 'addressSize')
    return DFSC_ADDRESS_SIZE_L0 + Math.min(3, Math.max(0, fault.level));
  return DFSC_SEA;
}

/**
 * One REC's worker thread.
 * @since 0.1.0
 */
export class VcpuThread {
  readonly #worker: Worker;
  readonly #shared = new VcpuShared();
  readonly #memory: RealmMemory;
  #pending: Pending | undefined;
  /** The PC of the last trap `resume` returned. */
  #trapPc = 0n;
  #crash: string | undefined;

  /** Starts a worker that boots from `rec`'s registers, running the module at `url`. */
  constructor(rec: RecView, memory: RealmMemory, url: string) {
    this.#memory = memory;
    const regs = this.#shared.regs;
    for (let i = 0; i < PC; i++) regs[i] = rec.gprs[i] ?? 0n;
    regs[PC] = rec.pc;
    this.#worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { buffer: this.#shared.buffer, index: rec.index, url },
      // Built JavaScript with default resolution: not the parent's flags (a test runner's
      // `--conditions @islet/source` would send its imports to TypeScript sources). The vm
      // modules flag makes Node honour the sandbox's dynamic-import hook (runtime/sandbox.ts).
      execArgv: ['--experimental-vm-modules', '--no-warnings'],
    });
    // A vCPU that sleeps must not keep the process alive; errors reach resume as crashes.
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
  }

  /** Whether `pc` continues the last trap: the same instruction or the next one. */
  continues(pc: bigint): boolean {
    return (
      this.#pending === undefined ||
      pc === this.#trapPc ||
      pc === BigInt.asUintN(64, this.#trapPc + INSN)
    );
  }

  /** The REC left the PE: the worker, waiting for the answer to its trap, sleeps. */
  park(): void {
    Atomics.store(this.#shared.control, PARKED, 1);
  }

  /** Stops the worker thread (asynchronously; it is never resumed again). */
  terminate(): void {
    void this.#worker.terminate();
  }

  /**
   * Completes the last trap as the RMM left `rec` (PC unchanged: retry; PC + 4: done), then runs
   * the vCPU until its next trap.
   * @throws {@link IsletError} `GUEST_VCPU_CRASHED` when the worker crashed (a bug, or no build).
   */
  resume(rec: RecView): RealmTrap {
    if (this.#crash !== undefined) throw this.#crashed();
    Atomics.store(this.#shared.control, PARKED, 0);
    const resumedAt = rec.pc;
    const pending = this.#pending;
    if (pending === undefined) {
      // A fresh worker: it boots and runs until its first request.
      this.#shared.wait(Turn.Worker);
    } else {
      const trap =
        rec.pc === this.#trapPc ? this.#retry(rec, pending) : this.#complete(rec, pending);
      if (trap !== undefined) return trap;
    }
    for (;;) {
      const trap = this.#request(rec);
      if (trap !== undefined) {
        // The vCPU ran past the instruction it resumed at: it traps on a later one.
        rec.pc = BigInt.asUintN(64, resumedAt + INSN);
        this.#trapPc = rec.pc;
        return trap;
      }
      this.#reply(Reply.Done);
    }
  }

  /** The vCPU re-executes the instruction it trapped on. */
  #retry(rec: RecView, pending: Pending): RealmTrap | undefined {
    switch (pending.kind) {
      case 'smc':
        return { kind: 'smc', fid: fidFromRegister(rec.gprs[0] ?? 0n) };
      case 'wfi':
      case 'wfe':
        return { kind: pending.kind };
      case 'halted':
        return { kind: 'wfi' };
      case 'access': {
        if (rec.injectSea) {
          rec.injectSea = false;
          this.#shared.ipa[0] = pending.ipa + pending.done;
          this.#reply(Reply.Sea);
          return undefined;
        }
        const trap = this.#serve(rec, pending);
        if (trap === undefined) this.#reply(Reply.Done);
        return trap;
      }
    }
  }

  /** The RMM or the host completed the instruction the vCPU trapped on. */
  #complete(rec: RecView, pending: Pending): RealmTrap | undefined {
    const s = this.#shared;
    switch (pending.kind) {
      case 'smc':
        for (let i = 0; i < SMC_REGS; i++) s.regs[i] = rec.gprs[i] ?? 0n;
        break;
      case 'halted':
        this.#trapPc = rec.pc;
        return { kind: 'wfi' };
      case 'access':
        if ((pending.flags & AccessFlag.Write) === 0) {
          if ((pending.flags & AccessFlag.Single) !== 0) {
            // An emulated load: its value is the low SAS bytes of X[SRT].
            const value = new Uint8Array(8);
            new DataView(value.buffer).setBigUint64(0, rec.gprs[ACCESS_REGISTER] ?? 0n, true);
            s.window.set(value.subarray(0, pending.length));
          } else {
            // A bulk load the host skipped reads as zeros from where it stopped.
            s.window.fill(0, pending.done, pending.length);
          }
        }
        break;
      case 'wfi':
      case 'wfe':
        break;
    }
    this.#reply(Reply.Done);
    return undefined;
  }

  /** Answers the worker's request and sleeps until it makes the next one. */
  #reply(reply: number): void {
    this.#pending = undefined;
    Atomics.store(this.#shared.control, REPLY, reply);
    this.#shared.pass(Turn.Worker);
  }

  /** The trap of the worker's current request, or `undefined` for an access that is done. */
  #request(rec: RecView): RealmTrap | undefined {
    const s = this.#shared;
    const request = Atomics.load(s.control, REQUEST);
    switch (request) {
      case Request.Smc:
        for (let i = 0; i < SMC_REGS; i++) rec.gprs[i] = s.regs[i]!;
        this.#pending = { kind: 'smc' };
        return { kind: 'smc', fid: fidFromRegister(s.regs[0]!) };
      case Request.Wfi:
      case Request.Wfe: {
        const kind = request === Request.Wfi ? 'wfi' : 'wfe';
        this.#pending = { kind };
        return { kind };
      }
      case Request.Halt:
        this.#pending = { kind: 'halted' };
        return { kind: 'wfi' };
      case Request.Access: {
        const ipa = s.ipa[0]!;
        const length = Atomics.load(s.control, ACCESS_LENGTH);
        if (
          !(length >= 1 && length <= WINDOW_SIZE && isAddress(ipa) && ipa + length <= MAX_ADDRESS)
        ) {
          this.#crash = `an access of ${length} bytes at ${ipa}`;
          throw this.#crashed();
        }
        const flags = Atomics.load(s.control, ACCESS_FLAGS);
        return this.#serve(rec, { kind: 'access', ipa, length, flags, done: 0 });
      }
      case Request.Crash: {
        const n = Math.min(WINDOW_SIZE, Math.max(0, Atomics.load(s.control, ACCESS_LENGTH)));
        this.#crash = new TextDecoder().decode(s.window.slice(0, n));
        throw this.#crashed();
      }
      default:
        this.#crash = `request ${request}`;
        throw this.#crashed();
    }
  }

  /**
   * Carries `access` on page by page from where it stopped; on a fault, remembers it and returns
   * the data abort (FAR and HPFAR name the page that faulted).
   */
  #serve(rec: RecView, access: PendingAccess): RealmTrap | undefined {
    const write = (access.flags & AccessFlag.Write) !== 0;
    const window = this.#shared.window;
    while (access.done < access.length) {
      const at = access.ipa + access.done;
      const end = Math.min(access.length, access.done + GRANULE_SIZE - (at % GRANULE_SIZE));
      const fault = this.#memory.access(rec.realm, at, window.subarray(access.done, end), write);
      if (fault !== undefined) {
        this.#pending = access;
        return this.#abort(rec, access, at, fault);
      }
      access.done = end;
    }
    return undefined;
  }

  #abort(rec: RecView, access: PendingAccess, at: number, fault: RealmMemoryFault): RealmTrap {
    const write = (access.flags & AccessFlag.Write) !== 0;
    let syndrome: DataAbortSyndrome = { dfsc: dfscOf(fault), write };
    if ((access.flags & AccessFlag.Single) !== 0) {
      const size = access.length as 1 | 2 | 4 | 8;
      syndrome = {
        ...syndrome,
        access: {
          size,
          register: ACCESS_REGISTER,
          signExtend: (access.flags & AccessFlag.SignExtend) !== 0,
          sixtyFour: true,
        },
      };
      if (write) {
        // A store's value is in X[SRT] for the host to emulate.
        const value = new Uint8Array(8);
        value.set(this.#shared.window.subarray(0, size));
        rec.gprs[ACCESS_REGISTER] = new DataView(value.buffer).getBigUint64(0, true);
      }
    }
    const ipa = BigInt(at);
    return {
      kind: 'dataAbort',
      esr: encodeDataAbortEsr(syndrome),
      far: ipa,
      hpfar: (ipa >> 12n) << 4n,
    };
  }

  #crashed(): IsletError<'GUEST_VCPU_CRASHED'> {
    return new IsletError('GUEST_VCPU_CRASHED', 'the vCPU worker crashed', {
      details: this.#crash ?? '',
    });
  }
}
