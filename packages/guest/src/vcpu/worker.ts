/**
 * The entry of a vCPU worker thread: the realm runtime over the rendezvous buffer. Loaded (from
 * `dist/`) by the bootstrap {@link WorkerVcpus} evaluates in each new worker.
 * @module
 */
import { runRealmVcpu } from '../runtime/run-realm-vcpu.ts';
import { SharedCpu } from './shared-cpu.ts';

/**
 * What the executor passes a vCPU worker.
 * @since 0.1.0
 */
export interface VcpuWorkerData {
  /** The rendezvous buffer (`protocol.ts`). */
  readonly buffer: SharedArrayBuffer;
  /** The REC index. */
  readonly index: number;
}

/**
 * Runs the vCPU: never returns (it halts, or sleeps in an SMC the RMM never completes, until the
 * executor terminates the thread).
 * @since 0.1.0
 */
export function runVcpu(data: VcpuWorkerData): never {
  return runRealmVcpu(new SharedCpu(data.buffer, data.index));
}
