/**
 * `@islet/fvp`: the composition root. `bootPlatform()` builds an FVP-like platform from the layers
 * and boots it; the Normal world drives it through SMCs and GPT-checked memory.
 * @module
 */
export { defaultFirmwareImages } from './firmware.ts';
export {
  FVP_REALM_DATA_MAX,
  FvpRealmSdk,
  type FvpRealmSdkOptions,
  sdkRealmProgram,
  sdkRealmRuntime,
} from './fvp-realm-sdk.ts';
export { type GranuleInfo, type PlatformInspect, platformInspect } from './inspect.ts';
export {
  EL3_BASE,
  GPT_TABLES,
  type MemoryRange,
  NS_DRAM,
  PAS_REGIONS,
  RMM_BASE,
  SECURE_BASE,
  SHARED_BUFFER,
} from './memory-map.ts';
export {
  bootPlatform,
  ISLET_RMM,
  type Platform,
  type PlatformOptions,
  type RmmEnvironment,
  type RmmFactory,
} from './platform.ts';
export {
  type RealmAppOptions,
  type RealmAppResult,
  type RealmEvidence,
  runRealmApp,
  verifyRealmEvidence,
} from './realm-app.ts';
export { realmMemory } from './realm-memory.ts';
export { computeRim, foldPlan, type RimResult } from './rim.ts';
export { SdkRealmOp } from './sdk-realm-runtime.ts';
export {
  SERVICE_LOOP,
  SERVICE_MESSAGE_MAX,
  SERVICE_WINDOW_PAGES,
  ServiceRealm,
  type ServiceRealmOptions,
  serviceImage,
} from './service-realm.ts';
export { SHARED_WINDOW_MAX_PAGES, SharedWindow } from './shared-window.ts';
export { SERVICE_PROGRAM, SimulatedRealm, type SimulatedRealmOptions } from './simulated-realm.ts';
export {
  createSmallRealm,
  SMALL_REALM_IMAGE_IPA,
  type SmallRealm,
  type SmallRealmOptions,
  smallRealmParams,
} from './small-realm.ts';
