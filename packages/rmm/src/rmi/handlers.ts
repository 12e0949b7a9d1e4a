/**
 * The declarative RMI command table (TF-RMM `runtime/core/handler.c smc_handlers[]`, STYLE.md §2):
 * for each implemented command its FID, spec name, arity (input registers X1..X`argc`, output
 * registers X1..X`retc`) and handler.
 *
 * Every RMM 1.0 command is listed: a FID in the RMI range that is not here (unused: 0x156, 0x160,
 * 0x163) is answered with `SMC_UNKNOWN` by the dispatcher. The
 * arities equal `@islet/abi`'s `RMI_COMMANDS` (a test checks it); a deviation would be a named,
 * documented option, never a silent extra register.
 * @module
 */
import {
  type RmiCommandName,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_FEATURES,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_PSCI_COMPLETE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_REC_ENTER,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_FOLD,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_RTT_SET_RIPAS,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
  SMC_RMI_VERSION,
} from '@islet/abi';
import type { RmiHandler } from './context.ts';
import { rmiDataCreate, rmiDataCreateUnknown, rmiDataDestroy } from './data.ts';
import { rmiGranuleDelegate, rmiGranuleUndelegate } from './granule.ts';
import { rmiPsciComplete } from './psci-complete.ts';
import { rmiRealmActivate, rmiRealmCreate, rmiRealmDestroy } from './realm.ts';
import { rmiRecAuxCount, rmiRecCreate, rmiRecDestroy } from './rec.ts';
import {
  rmiRttCreate,
  rmiRttDestroy,
  rmiRttFold,
  rmiRttInitRipas,
  rmiRttMapUnprotected,
  rmiRttReadEntry,
  rmiRttUnmapUnprotected,
} from './rtt.ts';
import { rmiRttSetRipas } from './rtt-set-ripas.ts';
import { rmiRecEnter } from './run.ts';
import { rmiFeatures, rmiVersion } from './system.ts';

/**
 * One row of the handler table.
 * @see rmm-abi.md §1.1, §2
 * @since 0.1.0
 */
export interface RmiHandlerEntry {
  /** The FID, without the SVE hint. */
  readonly fid: number;
  /** The spec name. */
  readonly name: RmiCommandName;
  /** Number of input registers, X1..X`argc`. */
  readonly argc: number;
  /** Number of output registers, X1..X`retc` (X0 is always the return code). */
  readonly retc: number;
  /** The handler. */
  readonly handler: RmiHandler;
}

/**
 * The RMI commands this RMM implements.
 * @see rmm-abi.md §2
 * @since 0.1.0
 */
export const RMI_HANDLERS: readonly RmiHandlerEntry[] = [
  { fid: SMC_RMI_VERSION, name: 'RMI_VERSION', argc: 1, retc: 2, handler: rmiVersion },
  {
    fid: SMC_RMI_GRANULE_DELEGATE,
    name: 'RMI_GRANULE_DELEGATE',
    argc: 1,
    retc: 0,
    handler: rmiGranuleDelegate,
  },
  {
    fid: SMC_RMI_GRANULE_UNDELEGATE,
    name: 'RMI_GRANULE_UNDELEGATE',
    argc: 1,
    retc: 0,
    handler: rmiGranuleUndelegate,
  },
  { fid: SMC_RMI_DATA_CREATE, name: 'RMI_DATA_CREATE', argc: 5, retc: 0, handler: rmiDataCreate },
  {
    fid: SMC_RMI_DATA_CREATE_UNKNOWN,
    name: 'RMI_DATA_CREATE_UNKNOWN',
    argc: 3,
    retc: 0,
    handler: rmiDataCreateUnknown,
  },
  {
    fid: SMC_RMI_DATA_DESTROY,
    name: 'RMI_DATA_DESTROY',
    argc: 2,
    retc: 2,
    handler: rmiDataDestroy,
  },
  {
    fid: SMC_RMI_REALM_ACTIVATE,
    name: 'RMI_REALM_ACTIVATE',
    argc: 1,
    retc: 0,
    handler: rmiRealmActivate,
  },
  {
    fid: SMC_RMI_REALM_CREATE,
    name: 'RMI_REALM_CREATE',
    argc: 2,
    retc: 0,
    handler: rmiRealmCreate,
  },
  {
    fid: SMC_RMI_REALM_DESTROY,
    name: 'RMI_REALM_DESTROY',
    argc: 1,
    retc: 0,
    handler: rmiRealmDestroy,
  },
  { fid: SMC_RMI_REC_CREATE, name: 'RMI_REC_CREATE', argc: 3, retc: 0, handler: rmiRecCreate },
  { fid: SMC_RMI_REC_DESTROY, name: 'RMI_REC_DESTROY', argc: 1, retc: 0, handler: rmiRecDestroy },
  { fid: SMC_RMI_REC_ENTER, name: 'RMI_REC_ENTER', argc: 2, retc: 0, handler: rmiRecEnter },
  { fid: SMC_RMI_RTT_CREATE, name: 'RMI_RTT_CREATE', argc: 4, retc: 0, handler: rmiRttCreate },
  { fid: SMC_RMI_RTT_DESTROY, name: 'RMI_RTT_DESTROY', argc: 3, retc: 2, handler: rmiRttDestroy },
  {
    fid: SMC_RMI_RTT_MAP_UNPROTECTED,
    name: 'RMI_RTT_MAP_UNPROTECTED',
    argc: 4,
    retc: 0,
    handler: rmiRttMapUnprotected,
  },
  {
    fid: SMC_RMI_RTT_READ_ENTRY,
    name: 'RMI_RTT_READ_ENTRY',
    argc: 3,
    retc: 4,
    handler: rmiRttReadEntry,
  },
  {
    fid: SMC_RMI_RTT_UNMAP_UNPROTECTED,
    name: 'RMI_RTT_UNMAP_UNPROTECTED',
    argc: 3,
    retc: 1,
    handler: rmiRttUnmapUnprotected,
  },
  { fid: SMC_RMI_FEATURES, name: 'RMI_FEATURES', argc: 1, retc: 1, handler: rmiFeatures },
  { fid: SMC_RMI_RTT_FOLD, name: 'RMI_RTT_FOLD', argc: 3, retc: 1, handler: rmiRttFold },
  {
    fid: SMC_RMI_REC_AUX_COUNT,
    name: 'RMI_REC_AUX_COUNT',
    argc: 1,
    retc: 1,
    handler: rmiRecAuxCount,
  },
  {
    fid: SMC_RMI_RTT_INIT_RIPAS,
    name: 'RMI_RTT_INIT_RIPAS',
    argc: 3,
    retc: 1,
    handler: rmiRttInitRipas,
  },
  {
    fid: SMC_RMI_RTT_SET_RIPAS,
    name: 'RMI_RTT_SET_RIPAS',
    argc: 4,
    retc: 1,
    handler: rmiRttSetRipas,
  },
  {
    fid: SMC_RMI_PSCI_COMPLETE,
    name: 'RMI_PSCI_COMPLETE',
    argc: 3,
    retc: 0,
    handler: rmiPsciComplete,
  },
];
