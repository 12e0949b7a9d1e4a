/**
 * A vCPU as the runtime in a worker thread sees it: {@link RealmCpu} over the rendezvous buffer
 * of `protocol.ts`. Every SMC, WFI/WFE and memory access hands the turn to the executor thread
 * and sleeps until it comes back.
 * @module
 */
import type { AccessSize, BootRegisters, GuestMemory, RealmCpu } from '../ports.ts';
import { SeaError } from '../sea-error.ts';
import {
  ACCESS_FLAGS,
  ACCESS_LENGTH,
  AccessFlag,
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

/** Whether an access of `length` bytes at `ipa` is one register's load or store (ISV). */
const isSingle = (ipa: number, length: number): boolean =>
  (length === 1 || length === 2 || length === 4 || length === 8) && ipa % length === 0;

/**
 * The worker's side of one vCPU.
 * @since 0.1.0
 */
export class SharedCpu implements RealmCpu {
  readonly index: number;
  readonly boot: BootRegisters;
  readonly memory: GuestMemory;
  readonly #shared: VcpuShared;

  constructor(buffer: SharedArrayBuffer, index: number) {
    const shared = new VcpuShared(buffer);
    this.#shared = shared;
    this.index = index;
    this.boot = { pc: shared.regs[PC]!, x0: shared.regs[0]!, x1: shared.regs[1]! };
    this.memory = {
      read: (ipa, length) => {
        const out = new Uint8Array(length);
        this.#access(ipa, out, isSingle(ipa, length) ? AccessFlag.Single : 0);
        return out;
      },
      write: (ipa, bytes) => {
        const flags = AccessFlag.Write | (isSingle(ipa, bytes.length) ? AccessFlag.Single : 0);
        this.#access(ipa, bytes, flags);
      },
      load: (ipa, size, signExtend) => this.#load(ipa, size, signExtend),
      store: (ipa, size, value) => {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
        this.#access(ipa, bytes.subarray(0, size), AccessFlag.Write | AccessFlag.Single);
      },
    };
  }

  /**
   * Hands `request` to the executor; returns its reply. `kind` tells waits apart for the polling
   * (see `VcpuShared.wait`): the SMC's function ID, or the request.
   */
  #trap(request: number, kind: number = -request): number {
    const s = this.#shared;
    Atomics.store(s.control, REQUEST, request);
    s.pass(Turn.Executor, kind);
    return Atomics.load(s.control, REPLY);
  }

  readonly smc = (x: readonly bigint[]): bigint[] => {
    const regs = this.#shared.regs;
    for (let i = 0; i < SMC_REGS; i++) regs[i] = BigInt.asUintN(64, x[i] ?? 0n);
    this.#trap(Request.Smc, Number(regs[0]! & 0xffff_ffffn));
    return Array.from(regs.subarray(0, SMC_REGS));
  };

  wfi(): void {
    this.#trap(Request.Wfi);
  }

  wfe(): void {
    this.#trap(Request.Wfe);
  }

  halt(): never {
    const s = this.#shared;
    Atomics.store(s.control, REQUEST, Request.Halt);
    // The executor never hands the turn back: it answers for a halted vCPU itself.
    for (;;) s.pass(Turn.Executor);
  }

  /** Moves `data` to (`Write`) or from realm memory, one window at a time. */
  #access(ipa: number, data: Uint8Array, flags: number): void {
    const s = this.#shared;
    const write = (flags & AccessFlag.Write) !== 0;
    for (let done = 0; done < data.length; done += WINDOW_SIZE) {
      const n = Math.min(WINDOW_SIZE, data.length - done);
      if (write) s.window.set(data.subarray(done, done + n));
      s.ipa[0] = ipa + done;
      Atomics.store(s.control, ACCESS_FLAGS, flags);
      Atomics.store(s.control, ACCESS_LENGTH, n);
      if (this.#trap(Request.Access) === Reply.Sea) throw new SeaError(s.ipa[0]!);
      if (!write) data.set(s.window.subarray(0, n), done);
    }
  }

  #load(ipa: number, size: AccessSize, signExtend: boolean): bigint {
    const bytes = new Uint8Array(8);
    const flags = AccessFlag.Single | (signExtend ? AccessFlag.SignExtend : 0);
    this.#access(ipa, bytes.subarray(0, size), flags);
    const value = new DataView(bytes.buffer).getBigUint64(0, true);
    return signExtend ? BigInt.asIntN(size * 8, value) : value;
  }
}
