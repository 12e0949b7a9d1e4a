/**
 * The input checks of RMI_REC_ENTER (TF-RMM `runtime/rmi/run.c smc_rec_enter`), steps 1–5 of the
 * digest. **Not registered**: when every check passes the realm must run, which the next issue
 * implements; until then the dispatcher keeps answering `SMC_UNKNOWN` for REC_ENTER.
 *
 * ```text
 * 1. run_ptr: find_granule NULL or state≠NS → INPUT.
 * 2. rec: align/bound/state≠REC → INPUT; REC refcount≠0 (running elsewhere) → RMI_ERROR_REC.
 * 3. NS read of `enter` (0x800 bytes) faults (Secure PAS) → INPUT.
 * 4. realm state NEW → (RMI_ERROR_REALM, index 0); SYSTEM_OFF → (RMI_ERROR_REALM, index 1).
 * 5. rec not runnable → RMI_ERROR_REC.
 * ```
 * Still to come with the run loop: 6. PSCI request pending, 7. GIC state, 8./9. INJECT_SEA /
 * EMUL_MMIO against the last exit (all RMI_ERROR_REC).
 * @module
 */
import {
  GranuleState,
  MemoryAccess,
  REC_RUN_HALF_SIZE,
  RealmState,
  type RmiArgs,
  type RmiReturnCode,
  RmiStatus,
  World,
} from '@islet/abi';
import { assert } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import type { Rec } from '../rec/rec.ts';
import { RMI_ERROR_INPUT, RMI_ERROR_REALM, RMI_ERROR_REC, type RmiContext } from './context.ts';
import { realmAt } from './realm.ts';

/**
 * What REC_ENTER runs when its input checks pass.
 * @since 0.4.0
 */
export interface RecEnterTarget {
  readonly rec: Rec;
  readonly realm: Realm;
  /** The RmiRecEnter half of the run page (0x800 bytes), read from the host once. */
  readonly enter: Uint8Array<ArrayBuffer>;
}

/** `(RMI_ERROR_REALM, 1)`: REC_ENTER on a SYSTEM_OFF realm. */
const RMI_ERROR_REALM_SYSTEM_OFF: RmiReturnCode = Object.freeze({
  status: RmiStatus.ErrorRealm,
  index: 1,
});

/**
 * RMI_REC_ENTER(X1 rec, X2 run_ptr) steps 1–5: the target, or the status to return. Changes
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
  const enter = new Uint8Array(REC_RUN_HALF_SIZE);
  if (ctx.memory.read(World.Normal, granules.address(runIdx), enter) !== MemoryAccess.Ok) {
    return RMI_ERROR_INPUT;
  }
  const rec = ctx.recs.get(recIdx);
  assert(rec !== undefined, `REC granule ${recIdx} has no REC`);
  const realm = realmAt(ctx, rec.rdIdx);
  if (realm.state === RealmState.New) return RMI_ERROR_REALM;
  if (realm.state === RealmState.SystemOff) return RMI_ERROR_REALM_SYSTEM_OFF;
  if (!rec.runnable) return RMI_ERROR_REC;
  return { rec, realm, enter };
}
