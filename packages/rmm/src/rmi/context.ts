/**
 * What an RMI handler sees: the RMM state it may change, the ports it may call, and the shape of
 * a handler (the TF-RMM `smc_handlers[]` function types, as one signature).
 * @module
 */
import type {
  El3Services,
  FeatureRegister0,
  PhysMemory,
  Regs,
  RmiArgs,
  RmiReturnCode,
  RsiOutcome,
} from '@islet/abi';
import { RmiStatus } from '@islet/abi';
import type { CryptoProvider, PhysAddr } from '@islet/arch';
import type { GranuleTable } from '../granule/granule-table.ts';
import type { RimQueue } from '../measurement/rim-queue.ts';
import type { RealmTable } from '../realm/realm.ts';
import type { RealmExecutor } from '../rec/executor.ts';
import type { RecTable } from '../rec/rec.ts';

/**
 * What REC_ENTER needs to run a realm: the executor of REC code, and the RSI entry point for
 * the SMCs a REC makes (the path of `IsletRmm.handleRsi`; never through the EL3 monitor).
 * @since 0.6.0
 */
export interface RealmRunner {
  /** Runs REC code until it traps. */
  readonly executor: RealmExecutor;
  /** An SMC from the REC whose granule is at `rec`: `fid` (W0) and X1..X10. */
  readonly rsi: (rec: PhysAddr, fid: number, args: Regs) => RsiOutcome;
}

/**
 * The RMM state and ports an RMI handler works on.
 * @since 0.1.0
 */
export interface RmiContext {
  /** The granule state table. */
  readonly granules: GranuleTable;
  /** The EL3 services (GTSI delegate/undelegate, attestation). */
  readonly el3: El3Services;
  /** World-checked physical memory. */
  readonly memory: PhysMemory;
  /** RMI feature register 0 of this RMM (RMI_FEATURES index 0). */
  readonly featureRegister0: bigint;
  /** {@link featureRegister0}, decoded (what REALM_CREATE checks params against). */
  readonly features: FeatureRegister0;
  /** VMID width of the platform: 16 with FEAT_VMID16, else 8. */
  readonly vmidBits: 8 | 16;
  /** FEAT_HPMN0: a realm with PMU may ask for 0 counters. */
  readonly hpmn0: boolean;
  /** The crypto provider for measurements. */
  readonly crypto: CryptoProvider;
  /** The live realms. */
  readonly realms: RealmTable;
  /** The live RECs. */
  readonly recs: RecTable;
  /** DATA_CREATE's RIM extensions, in call order (completed before any other call runs). */
  readonly rimQueue: RimQueue;
  /**
   * How REC_ENTER runs a realm once its checks pass; without one, REC_ENTER answers
   * `SMC_UNKNOWN` there (realms cannot run).
   * @since 0.6.0
   */
  readonly run?: RealmRunner;
}

/**
 * The result registers X0..X4 while a handler runs. The dispatcher sets X0..X3 = 0 and X4 = the
 * caller's X4 before the call (rmm-abi.md §1.1); a handler writes only its outputs, X1..X(retc),
 * and returns its status; the dispatcher packs X0.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export type RmiResultRegs = [x0: bigint, x1: bigint, x2: bigint, x3: bigint, x4: bigint];

/**
 * An RMI command handler: decodes its input registers (X1.. = `args[0]..`) once, into numbers,
 * and returns `{ status, index }`. Never throws on register values (STYLE.md §5 tier 1); throws
 * only {@link IsletInvariantError} on a broken invariant (a bug).
 * @see rmm-abi.md §1.1, §2
 * @since 0.1.0
 */
export type RmiHandler = (ctx: RmiContext, args: RmiArgs, res: RmiResultRegs) => RmiReturnCode;

/** `RMI_SUCCESS`, index 0. @see rmm-abi.md §1.2 @since 0.1.0 */
export const RMI_SUCCESS: RmiReturnCode = Object.freeze({ status: RmiStatus.Success, index: 0 });
/** `RMI_ERROR_INPUT`, index 0. @see rmm-abi.md §1.2 @since 0.1.0 */
export const RMI_ERROR_INPUT: RmiReturnCode = Object.freeze({
  status: RmiStatus.ErrorInput,
  index: 0,
});
/** `RMI_ERROR_REALM`, index 0. @see rmm-abi.md §1.2 @since 0.2.0 */
export const RMI_ERROR_REALM: RmiReturnCode = Object.freeze({
  status: RmiStatus.ErrorRealm,
  index: 0,
});
/** `RMI_ERROR_REC`, index 0. @see rmm-abi.md §1.2 @since 0.2.0 */
export const RMI_ERROR_REC: RmiReturnCode = Object.freeze({
  status: RmiStatus.ErrorRec,
  index: 0,
});

/**
 * Not an RMI status: a handler returns this object when the call reaches a part of the command
 * this RMM does not implement yet, and the dispatcher answers `SMC_UNKNOWN` as for an unknown FID
 * (X0 = −1, X1..X4 as the caller passed them). Compared by identity.
 * @since 0.4.0
 */
export const RMI_NOT_IMPLEMENTED: RmiReturnCode = Object.freeze({
  status: RmiStatus.ErrorInput,
  index: 0xff,
});
