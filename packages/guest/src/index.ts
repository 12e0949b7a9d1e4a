/**
 * `@islet/guest`: the realm world. The RSI shim (what Islet's `rsi.ko` and the kernel's RSI
 * helpers do for a realm), configfs-tsm with the `arm_cca_guest` provider, the runtime that runs
 * a realm program (an image of JavaScript) in an isolated context with the guest API, and the
 * worker-thread vCPUs that execute RECs for an RMM through the `RealmExecutor` port of
 * `@islet/abi`.
 *
 * It speaks the ABI only through ports: an SMC conduit and realm memory for the realm side
 * ({@link RealmCpu}), stage-2 memory for the vCPUs ({@link RealmMemory}). It never imports an
 * RMM, a host or the MMU.
 * @module
 */
export type { AccessSize, BootRegisters, GuestMemory, RealmCpu, RealmSmc } from './ports.ts';
export { RsiError, type RsiErrorCode, type RsiShimCommand } from './rsi/rsi-error.ts';
export {
  ATTESTATION_CHALLENGE_SIZE,
  ATTESTATION_TOKEN_LIMIT,
  type IpaStateGetResult,
  type IpaStateSetResult,
  RsiShim,
  type RsiShimPorts,
  type RsiVersion,
} from './rsi/shim.ts';
export {
  decodeBoot,
  MAX_IMAGE_LENGTH,
  type RealmBoot,
  scratchPage,
  secondaryContextId,
} from './runtime/boot.ts';
export { type GuestApiParts, guestApi } from './runtime/guest-api.ts';
export {
  challengeHostCall,
  consoleWrite,
  exitHostCall,
  receiveHostCall,
  sendHostCall,
} from './runtime/host-services.ts';
export { mpidrOfRecIndex, PsciClient } from './runtime/psci.ts';
export { runRealmVcpu } from './runtime/run-realm-vcpu.ts';
export {
  type HostApi,
  type HostFunction,
  type ProgramOutcome,
  runProgram,
} from './runtime/sandbox.ts';
export { SeaError } from './sea-error.ts';
export { ARM_CCA_INBLOB_MIN, armCcaGuest } from './tsm/arm-cca-guest.ts';
export {
  ConfigfsTsm,
  TSM_INBLOB_MAX,
  type TsmAttribute,
  type TsmOutblob,
  type TsmProvider,
  TsmReport,
} from './tsm/configfs-tsm.ts';
export { type TsmErrno, TsmError } from './tsm/tsm-error.ts';
export type { RealmMemory, RealmMemoryFault } from './vcpu/realm-memory.ts';
export { ACCESS_REGISTER } from './vcpu/vcpu-thread.ts';
export { WorkerVcpus, type WorkerVcpusOptions } from './vcpu/worker-vcpus.ts';
