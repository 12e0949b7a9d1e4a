/**
 * `@islet/host`: the Normal-world host of a CCA platform. A KVM-like driver over the RMI ABI
 * ({@link RmiDriver}), a granule allocator, and a kvmtool-like launcher ({@link launchRealm})
 * that executes a deterministic {@link RealmPlan}, the same plan an offline calculator folds into
 * the realm's RIM, and a KVM-like vCPU loop ({@link runRealm}) that runs it. It speaks the ABI through {@link HostPorts} only: it never imports an RMM.
 * @module
 */
export { GranuleAllocator, type GranuleAllocatorOptions } from './allocator.ts';
export { RmiDriver, type RttEntry } from './driver.ts';
export {
  type HashAlgorithmName,
  type RealmLaunch,
  type ResolvedLaunch,
  resolveLaunch,
} from './launch.ts';
export {
  type LaunchedRealm,
  type LaunchedRec,
  type LaunchRealmOptions,
  launchRealm,
} from './launcher.ts';
export type { MmioAccessSize, MmioDevice } from './mmio.ts';
export {
  type DataStep,
  hashAlgorithmName,
  type PlannedRealmParams,
  type PlannedRecParams,
  type PlannedRtt,
  type PlanStep,
  planRealm,
  type RealmPlan,
  type RealmStep,
  type RecStep,
  type RipasStep,
  type RttLayout,
  realmParamsOf,
  recMpidr,
  recParamsOf,
  rootGeometry,
  rttBlockSize,
} from './plan.ts';
export type { DramRange, HostMemory, HostPorts } from './ports.ts';
export { RmiCallError, rmiStatusName } from './rmi-error.ts';
export {
  type ExitInfo,
  type ExitKind,
  HOST_CALL_ERROR,
  type RipasPolicy,
  type RunEndReason,
  type RunRealmOptions,
  type RunResult,
  runRealm,
} from './vcpu-loop.ts';
