/**
 * `@islet/rmm`: the Islet RMM. This release is the foundation: the granule table, RIM/REM
 * measurement, the declarative RMI dispatcher with RMI_VERSION, RMI_FEATURES,
 * RMI_GRANULE_DELEGATE and RMI_GRANULE_UNDELEGATE, and the {@link IsletRmm} class implementing
 * the `Rmm` port of `@islet/abi`.
 * @module
 */
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
export {
  RMI_ERROR_INPUT,
  RMI_SUCCESS,
  type RmiContext,
  type RmiHandler,
  type RmiResultRegs,
} from './rmi/context.ts';
export { createRmiDispatcher, type RmiDispatcher } from './rmi/dispatch.ts';
export { rmiGranuleDelegate, rmiGranuleUndelegate } from './rmi/granule.ts';
export { RMI_HANDLERS, type RmiHandlerEntry } from './rmi/handlers.ts';
export { rmiFeatures, rmiVersion } from './rmi/system.ts';
export { IsletRmm, type IsletRmmOptions, RMM_MAX_CPUS } from './rmm.ts';
