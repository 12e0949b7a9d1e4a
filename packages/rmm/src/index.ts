/**
 * `@islet/rmm`: the Islet RMM: the granule table, RIM/REM measurement, realms and RECs, the
 * declarative RMI dispatcher with VERSION, FEATURES, GRANULE_DELEGATE/UNDELEGATE,
 * REALM_CREATE/ACTIVATE/DESTROY, REC_AUX_COUNT, REC_CREATE/DESTROY, RTT_CREATE/DESTROY,
 * RTT_READ_ENTRY, RTT_INIT_RIPAS, RTT_MAP/UNMAP_UNPROTECTED and DATA_CREATE/CREATE_UNKNOWN/DESTROY,
 * the stage-2 RTT walk, REC_ENTER's run loop (RSI, WFx and data aborts) behind the realm-executor
 * port, the RSI dispatcher with every RSI command of RMM 1.0, Islet's realm sealing key and PSCI
 * from realms, the realm token, and the {@link IsletRmm} class implementing the `Rmm` port of
 * `@islet/abi`.
 * @module
 */

export {
  type BootAttestation,
  fetchBootAttestation,
  MAX_PLAT_TOKEN_CALLS,
} from './attest/boot.ts';
export {
  buildRealmCcaToken,
  RAK_HASH_ALGORITHM,
  REC_ATTEST_TOKEN_BUF_SIZE,
  type RealmTokenClaims,
  realmClaimsMap,
} from './attest/realm-token.ts';
export { realmSealingKey } from './attest/sealing-key.ts';
export { fetchVhuks, type IsletEl3Services, type RealmVhuks } from './attest/vhuk.ts';
export {
  DEFAULT_PLATFORM_FEATURES,
  featureRegister0,
  MAX_RECS_ORDER,
  type RmmPlatformFeatures,
} from './features.ts';
export {
  type DramBank,
  GranuleTable,
  isZeroGranule,
  NO_GRANULE,
} from './granule/granule-table.ts';
export {
  type AttestationInfo,
  type RealmInfo,
  type RecInfo,
  RmmInspector,
  type RttEntryInfo,
} from './inspect.ts';
export {
  extendRem,
  MEASUREMENT_DESCRIPTOR_SIZE,
  MEASUREMENT_EXTEND_MAX_SIZE,
  MEASUREMENT_SLOT_COUNT,
  MEASUREMENT_SLOT_SIZE,
  MeasurementDescriptorType,
  type MeasurementHash,
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
  RIM_MEASUREMENT_SLOT,
} from './measurement/measurement.ts';
export { type MeasurementOffload, RimQueue } from './measurement/rim-queue.ts';
export {
  isValidS2Geometry,
  type Realm,
  RealmTable,
  rootRttCount,
} from './realm/realm.ts';
export {
  completeMmioEmulation,
  type DataAbortExit,
  type DataAbortTrap,
  ESR_EMULATED_ABORT_MASK,
  ESR_NONEMULATED_ABORT_MASK,
  handleDataAbort,
  isEmulatableAbort,
} from './rec/data-abort.ts';
export type { RealmExecutor, RealmTranslation, RealmTrap, RecView } from './rec/executor.ts';
export { GIC_NUM_LRS, isValidGicState } from './rec/gic.ts';
export {
  type AttestTokenContext,
  type LastExit,
  NO_EXIT,
  REC_RESET_PSTATE,
  type Rec,
  RecTable,
  type SetRipasRequest,
} from './rec/rec.ts';
export {
  type RealmRunner,
  RMI_ERROR_INPUT,
  RMI_ERROR_REALM,
  RMI_ERROR_REC,
  RMI_NOT_IMPLEMENTED,
  RMI_SUCCESS,
  type RmiContext,
  type RmiHandler,
  type RmiResultRegs,
} from './rmi/context.ts';
export { rmiDataCreate, rmiDataCreateUnknown, rmiDataDestroy } from './rmi/data.ts';
export { createRmiDispatcher, type RmiDispatcher } from './rmi/dispatch.ts';
export { rmiGranuleDelegate, rmiGranuleUndelegate } from './rmi/granule.ts';
export { RMI_HANDLERS, type RmiHandlerEntry } from './rmi/handlers.ts';
export { rmiPsciComplete } from './rmi/psci-complete.ts';
export { rmiRealmActivate, rmiRealmCreate, rmiRealmDestroy } from './rmi/realm.ts';
export { rmiRecAuxCount, rmiRecCreate, rmiRecDestroy } from './rmi/rec.ts';
export {
  readEntry,
  rmiErrorRtt,
  rmiRttCreate,
  rmiRttDestroy,
  rmiRttFold,
  rmiRttInitRipas,
  rmiRttMapUnprotected,
  rmiRttReadEntry,
  rmiRttUnmapUnprotected,
} from './rmi/rtt.ts';
export { ripasTransition, rmiRttSetRipas } from './rmi/rtt-set-ripas.ts';
export {
  REC_ENTER_MAX_RESUMES,
  type RecEnterTarget,
  recEnterChecks,
  rmiRecEnter,
} from './rmi/run.ts';
export { rmiFeatures, rmiVersion } from './rmi/system.ts';
export { IsletRmm, type IsletRmmOptions, RMM_MAX_CPUS } from './rmm.ts';
export { rsiAttestationTokenContinue, rsiAttestationTokenInit } from './rsi/attestation.ts';
export { rsiRealmConfig } from './rsi/config.ts';
export {
  emulatedAbortEsr,
  emulatedDataAbort,
  exitToHost,
  type RsiArgs,
  type RsiCall,
  type RsiContext,
  type RsiHandler,
  type RsiResultRegs,
  returnToRealm,
  rsiExit,
  rsiReturn,
} from './rsi/context.ts';
export { callingRec, createRsiDispatcher, type RsiDispatcher } from './rsi/dispatch.ts';
export {
  PSCI_NOT_SUPPORTED,
  RSI_HANDLERS,
  type RsiHandlerEntry,
  type RsiHandlerName,
} from './rsi/handlers.ts';
export { rsiHostCall } from './rsi/host-call.ts';
export { rsiMeasurementExtend, rsiMeasurementRead } from './rsi/measurement.ts';
export { rsiIpaStateGet, rsiIpaStateSet } from './rsi/memory.ts';
export {
  psciAffinityInfo,
  psciCpuOff,
  psciCpuOn,
  psciCpuSuspend,
  psciFeatures,
  psciNotSupported,
  psciSystemOff,
  psciVersion,
} from './rsi/psci.ts';
export { type RealmIpa, RealmIpaStatus, realmIpaToPa } from './rsi/realm-ipa.ts';
export { rsiIsletRealmSealingKey } from './rsi/sealing-key.ts';
export { rsiFeatures, rsiVersion, smcccVersion } from './rsi/system.ts';
export {
  addrInPar,
  levelFromRegister,
  NO_IPA,
  RTT_LEVEL_NONE,
  validateMapAddr,
} from './rtt/rtt-args.ts';
export { isLiveEntry, skipNonLiveEntries } from './rtt/rtt-live.ts';
export { entryHi, entryLo, type RttTable, rttTableAt, writeEntry } from './rtt/rtt-table.ts';
export { type RttWalk, rttEntriesPerTable, rttWalk } from './rtt/rtt-walk.ts';
