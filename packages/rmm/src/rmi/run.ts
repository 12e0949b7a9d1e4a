/**
 * RMI_REC_ENTER's input checks (TF-RMM `runtime/rmi/run.c smc_rec_enter`), steps 1–9 of the
 * digest. The handler answers every input error with its spec status. When every check passes
 * the realm would run, which the next stage of this RMM implements; until then the handler
 * answers `SMC_UNKNOWN` with nothing changed, as for a command this RMM does not have.
 *
 * ```text
 * 1. run_ptr: find_granule NULL or state≠NS → INPUT.
 * 2. rec: align/bound/state≠REC → INPUT; REC refcount≠0 (running elsewhere) → RMI_ERROR_REC.
 * 3. NS read of `enter` (0x800 bytes) faults (Secure PAS) → INPUT.
 * 4. realm state NEW → (RMI_ERROR_REALM, index 0); SYSTEM_OFF → (RMI_ERROR_REALM, index 1).
 * 5. rec not runnable → RMI_ERROR_REC.
 * 6. PSCI request pending on this REC → RMI_ERROR_REC.
 * 7. GIC state invalid → RMI_ERROR_REC.
 * 8. flags.INJECT_SEA(bit1) set but last exit was not a Data Abort at an unprotected IPA →
 *    RMI_ERROR_REC.
 * 9. flags.EMUL_MMIO(bit0) set (and INJECT_SEA clear) but last exit was not an emulatable data
 *    abort (EC=0x24 with ISV) → RMI_ERROR_REC.
 * ```
 * @module
 */
import {
  decodeRecEnter,
  decodeRecEnterFlags,
  GranuleState,
  MemoryAccess,
  REC_RUN_HALF_SIZE,
  RealmState,
  type RecEnter,
  type RmiArgs,
  type RmiReturnCode,
  RmiStatus,
  World,
} from '@islet/abi';
import { assert } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import { isValidGicState } from '../rec/gic.ts';
import type { LastExit, Rec } from '../rec/rec.ts';
import {
  RMI_ERROR_INPUT,
  RMI_ERROR_REALM,
  RMI_ERROR_REC,
  RMI_NOT_IMPLEMENTED,
  type RmiContext,
  type RmiResultRegs,
} from './context.ts';
import { realmAt } from './realm.ts';

/**
 * What REC_ENTER runs when its input checks pass.
 * @since 0.4.0
 */
export interface RecEnterTarget {
  readonly rec: Rec;
  readonly realm: Realm;
  /** The RmiRecEnter half of the run page, read from the host once. */
  readonly enter: RecEnter;
}

/** `(RMI_ERROR_REALM, 1)`: REC_ENTER on a SYSTEM_OFF realm. */
const RMI_ERROR_REALM_SYSTEM_OFF: RmiReturnCode = Object.freeze({
  status: RmiStatus.ErrorRealm,
  index: 1,
});

/** ESR_EL2.EC of a data abort from a lower EL, and ESR_EL2.ISV. */
const ESR_EC_DATA_ABORT_LOWER = 0x24n;
const ESR_ISV = 1n << 24n;

/** Whether the host may answer `last` with an emulated MMIO access (step 9). */
function isEmulatableAbort(last: LastExit): boolean {
  return (
    last.unprotectedDataAbort &&
    ((last.esr >> 26n) & 0x3fn) === ESR_EC_DATA_ABORT_LOWER &&
    (last.esr & ESR_ISV) !== 0n
  );
}

/**
 * RMI_REC_ENTER(X1 rec, X2 run_ptr) steps 1–9: the target, or the status to return. Changes
 * nothing; reads host memory once.
 * @see rmm-abi.md §2.11
 * @since 0.4.0
 */
export function recEnterChecks(ctx: RmiContext, args: RmiArgs): RecEnterTarget | RmiReturnCode {
  const { granules } = ctx;
  const runIdx = granules.findFromRegister(args[1]);
  if (runIdx === NO_GRANULE || granules.states[runIdx] !== GranuleState.Undelegated) {
    return RMI_ERROR_INPUT;
  }
  const recIdx = granules.findFromRegister(args[0]);
  if (recIdx === NO_GRANULE || granules.states[recIdx] !== GranuleState.Rec) {
    return RMI_ERROR_INPUT;
  }
  if (granules.refcount(recIdx) !== 0) return RMI_ERROR_REC;
  const page = new Uint8Array(REC_RUN_HALF_SIZE);
  if (ctx.memory.read(World.Normal, granules.address(runIdx), page) !== MemoryAccess.Ok) {
    return RMI_ERROR_INPUT;
  }
  const enter = decodeRecEnter(page);
  const rec = ctx.recs.get(recIdx);
  assert(rec !== undefined, () => `REC granule ${recIdx} has no REC`);
  const realm = realmAt(ctx, rec.rdIdx);
  if (realm.state === RealmState.New) return RMI_ERROR_REALM;
  if (realm.state === RealmState.SystemOff) return RMI_ERROR_REALM_SYSTEM_OFF;
  if (!rec.runnable) return RMI_ERROR_REC;
  if (rec.psciPending !== undefined) return RMI_ERROR_REC;
  if (!isValidGicState(enter)) return RMI_ERROR_REC;
  const flags = decodeRecEnterFlags(enter.flags);
  if (flags.injectSea) {
    if (!rec.lastExit.unprotectedDataAbort) return RMI_ERROR_REC;
  } else if (flags.emulMmio && !isEmulatableAbort(rec.lastExit)) {
    return RMI_ERROR_REC;
  }
  return { rec, realm, enter };
}

/**
 * RMI_REC_ENTER(X1 rec, X2 run_ptr): every input error with its status; a REC that passes them
 * all cannot run yet, and the call answers `SMC_UNKNOWN` with nothing changed.
 * @see rmm-abi.md §2.11
 * @since 0.4.0
 */
export function rmiRecEnter(ctx: RmiContext, args: RmiArgs, _res: RmiResultRegs): RmiReturnCode {
  const target = recEnterChecks(ctx, args);
  return 'rec' in target ? RMI_NOT_IMPLEMENTED : target;
}
