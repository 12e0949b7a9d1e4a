/**
 * The RMI dispatcher: the register-exact path of TF-RMM's `handle_ns_smc` and `rmm_handler`
 * (`runtime/core/handler.c`, `runtime/core/aarch64/entry.S`; TF-A `rmmd_smc_forward`).
 *
 * ```text
 * SVE hint bit: FID bit 16 (SMC_SVE_HINT) is stripped before dispatch.
 * Unknown FID in the RMI range, or an unimplemented slot (0x156, 0x160, 0x163 in 1.0):
 *   X0 = SMC_UNKNOWN = 0xFFFFFFFF_FFFFFFFF (-1), nothing else changes.
 * RMM zero-initialises result X0..X3 and pre-loads result X4 with the caller's X4, runs the
 * handler, then issues SMC 0xC400018F with x1..x5 = result X0..X4; EL3 returns X0..X4 to the NS
 * caller (SMC_RET5) and leaves X5..X7 untouched.
 * ```
 *
 * So outputs a command does not write read back as 0 in X1..X3 and as the caller's X4.
 * @module
 */

import {
  packReturnCode,
  type RmiArgs,
  type RmiResult,
  SMC_UNKNOWN,
  SMC64_RMI_FNUM_MAX,
  SMC64_RMI_FNUM_MIN,
  stripSveHint,
} from '@islet/abi';
import { assert } from '@islet/arch';
import { RMI_NOT_IMPLEMENTED, type RmiContext, type RmiResultRegs } from './context.ts';
import type { RmiHandlerEntry } from './handlers.ts';

/**
 * An RMI entry point: `fid` as the host passed it (SVE hint included) and the caller's X1..X6;
 * returns X0..X4.
 * @since 0.1.0
 */
export type RmiDispatcher = (ctx: RmiContext, fid: number, args: RmiArgs) => RmiResult;

const SLOTS = SMC64_RMI_FNUM_MAX - SMC64_RMI_FNUM_MIN + 1;

/**
 * Builds the dispatcher of a handler table: a lookup array indexed by function number.
 * @param table - the handler table; FIDs must be distinct RMI FIDs with arities within X1..X5 in
 * and X1..X4 out.
 * @throws {@link IsletInvariantError} when the table breaks these rules.
 * @see rmm-abi.md §1.1
 * @since 0.1.0
 */
export function createRmiDispatcher(table: readonly RmiHandlerEntry[]): RmiDispatcher {
  const slots: (RmiHandlerEntry | undefined)[] = new Array(SLOTS).fill(undefined);
  for (const e of table) {
    const slot = (e.fid & 0xffff) - SMC64_RMI_FNUM_MIN;
    assert(
      e.fid >>> 16 === 0xc400 && slot >= 0 && slot < SLOTS,
      () => `${e.name}: FID 0x${e.fid.toString(16)} is not an RMI FID`,
    );
    assert(slots[slot] === undefined, () => `${e.name}: FID registered twice`);
    assert(e.argc >= 0 && e.argc <= 5 && e.retc >= 0 && e.retc <= 4, () => `${e.name}: bad arity`);
    slots[slot] = e;
  }

  return (ctx, fid, args) => {
    const entry = lookup(slots, fid);
    if (entry === undefined) return [SMC_UNKNOWN, args[0], args[1], args[2], args[3]];
    const x4 = args[3];
    const res: RmiResultRegs = [0n, 0n, 0n, 0n, x4];
    const rc = entry.handler(ctx, args, res);
    if (rc === RMI_NOT_IMPLEMENTED) return [SMC_UNKNOWN, args[0], args[1], args[2], args[3]];
    // A handler writes only X1..X(retc) (TF-RMM's handler types make this structural).
    assert(
      (entry.retc >= 1 || res[1] === 0n) &&
        (entry.retc >= 2 || res[2] === 0n) &&
        (entry.retc >= 3 || res[3] === 0n) &&
        (entry.retc >= 4 || res[4] === x4),
      () => `${entry.name} wrote beyond its ${entry.retc} output registers`,
    );
    res[0] = packReturnCode(rc.status, rc.index);
    return res;
  };
}

function lookup(
  slots: readonly (RmiHandlerEntry | undefined)[],
  fid: number,
): RmiHandlerEntry | undefined {
  if (!Number.isInteger(fid) || fid < 0 || fid > 0xffff_ffff) return undefined;
  const f = stripSveHint(fid);
  if (f >>> 16 !== 0xc400) return undefined;
  return slots[(f & 0xffff) - SMC64_RMI_FNUM_MIN];
}
