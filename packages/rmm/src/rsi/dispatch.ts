/**
 * The RSI dispatcher: the register-exact path of TF-RMM's `handle_realm_rsi`
 * (`runtime/core/exit.c`) for an SMC a REC makes while it runs.
 *
 * ```text
 * SVE hint bit: FID bit 16 (SMC_SVE_HINT) is stripped before dispatch (RSI: ignored in
 * handle_realm_rsi). Unknown SMC from a Realm: X0 = -1 returned to the Realm (no exit).
 * Result registers X0..X4 are written back when the action updates the REC: outputs a command
 * does not set read as 0 in X1..X3, X4 is preserved unless an output; X5..X30 untouched except
 * MEASUREMENT_READ, which also writes X5..X8.
 * ```
 *
 * **The calling REC** must be a live REC of an ACTIVE realm: REC_ENTER refuses any other, so a
 * call from one is a broken composition, not realm input, and throws {@link IsletInvariantError}.
 * (Inside REC_ENTER's run loop the REC is also "running", refcount 1; `handleRsi` is also called
 * outside it, by tests and tools, so this is not checked.)
 *
 * **The REC's registers**: `Rec.gprs` is the REC's register file as TF-RMM's `rec->regs` is at an
 * exit to R-EL2. The dispatcher records the call there first (X0 = the FID as passed, X1..X10 =
 * `args`), then writes the result registers when the outcome updates the REC. So a pending PSCI
 * request keeps its arguments in X1..X3 for RMI_PSCI_COMPLETE, and a REC that exits to the host
 * holds exactly what the realm will see when it resumes.
 * @module
 */
import {
  GranuleState,
  isPsciFid,
  RealmState,
  type Regs,
  RsiAction,
  type RsiOutcome,
  SMC_UNKNOWN,
  stripSveHint,
} from '@islet/abi';
import { assert, type PhysAddr } from '@islet/arch';
import { NO_GRANULE } from '../granule/granule-table.ts';
import type { Realm } from '../realm/realm.ts';
import type { Rec } from '../rec/rec.ts';
import type { RsiArgs, RsiContext, RsiResultRegs } from './context.ts';
import { PSCI_NOT_SUPPORTED, type RsiHandlerEntry } from './handlers.ts';

/**
 * An RSI entry point: the REC's granule address, `fid` as the realm passed it (SVE hint
 * included) and the REC's X1..X10.
 * @since 0.5.0
 */
export type RsiDispatcher = (ctx: RsiContext, rec: PhysAddr, fid: number, args: Regs) => RsiOutcome;

/** Input registers an RSI call can have: X1..X10. */
const MAX_ARGS = 10;
/** Output registers an RSI call can have: X1..X8 (RSI_MEASUREMENT_READ). */
const MAX_RETS = 8;

/**
 * The REC at `pa` and its realm, checked to be a live REC of an ACTIVE realm.
 * @throws {@link IsletInvariantError} otherwise.
 * @since 0.5.0
 */
export function callingRec(ctx: RsiContext, pa: PhysAddr): { rec: Rec; realm: Realm } {
  const idx = Number.isSafeInteger(pa) ? ctx.granules.find(pa) : NO_GRANULE;
  assert(
    idx !== NO_GRANULE && ctx.granules.states[idx] === GranuleState.Rec,
    () => `an RSI call from 0x${Number(pa).toString(16)}, which is not a REC granule`,
  );
  const rec = ctx.recs.get(idx);
  assert(rec !== undefined, () => `REC granule ${idx} has no REC`);
  const realm = ctx.realms.get(rec.rdIdx);
  assert(
    realm !== undefined && realm.state === RealmState.Active,
    () => `an RSI call from a REC of a realm that is not ACTIVE (RD granule ${rec.rdIdx})`,
  );
  return { rec, realm };
}

/** X1..X10 from `args`: missing or non-bigint registers read 0, values wrap to 64 bits. */
function readArgs(args: Regs): RsiArgs {
  const x = (i: number): bigint => {
    const v = i < args.length ? args[i] : undefined;
    return typeof v === 'bigint' ? BigInt.asUintN(64, v) : 0n;
  };
  return [x(0), x(1), x(2), x(3), x(4), x(5), x(6), x(7), x(8), x(9)];
}

/**
 * Builds the dispatcher of a handler table.
 * @param table - FIDs distinct 32-bit values without the SVE hint, `argc` ≤ 10, `retc` ≤ 8.
 * @throws {@link IsletInvariantError} when the table breaks these rules.
 * @see rmm-abi.md §1.1, §5
 * @since 0.5.0
 */
export function createRsiDispatcher(table: readonly RsiHandlerEntry[]): RsiDispatcher {
  const byFid = new Map<number, RsiHandlerEntry>();
  for (const e of table) {
    assert(
      Number.isInteger(e.fid) &&
        e.fid >= 0 &&
        e.fid <= 0xffff_ffff &&
        stripSveHint(e.fid) === e.fid,
      () => `${e.name}: FID 0x${e.fid.toString(16)} is not a FID without the SVE hint`,
    );
    assert(!byFid.has(e.fid), () => `${e.name}: FID registered twice`);
    assert(
      e.argc >= 0 && e.argc <= MAX_ARGS && e.retc >= 0 && e.retc <= MAX_RETS,
      () => `${e.name}: bad arity`,
    );
    byFid.set(e.fid, e);
  }

  return (ctx, recPa, fid, args) => {
    const { rec, realm } = callingRec(ctx, recPa);
    const x = readArgs(args);
    const validFid = Number.isInteger(fid) && fid >= 0 && fid <= 0xffff_ffff;
    const gprs = rec.gprs;
    gprs[0] = validFid ? BigInt(fid) : 0n;
    for (let i = 0; i < MAX_ARGS; i++) gprs[1 + i] = x[i]!;
    const f = validFid ? stripSveHint(fid) : -1;
    const entry = byFid.get(f) ?? (validFid && isPsciFid(f) ? PSCI_NOT_SUPPORTED : undefined);
    if (entry === undefined) {
      gprs[0] = SMC_UNKNOWN;
      return { action: RsiAction.ReturnToRealm, regs: [SMC_UNKNOWN] };
    }
    const x4 = x[3];
    const res: RsiResultRegs = [0n, 0n, 0n, 0n, x4];
    for (let i = 5; i <= entry.retc; i++) res.push(0n);
    const outcome = entry.handler(ctx, { rec, realm, fid: f, args: x }, res);
    const regs = outcome.regs;
    if (regs !== undefined) {
      // A handler writes only X0 and X1..X(retc) (TF-RMM's handlers write smc_res.x[0..retc]).
      assert(
        regs === res && res.every((v, i) => i <= entry.retc || (i === 4 ? v === x4 : v === 0n)),
        () => `${entry.name} wrote beyond its ${entry.retc} output registers`,
      );
      for (let i = 0; i < res.length; i++) gprs[i] = res[i]!;
    }
    assert(
      (outcome.action === RsiAction.ReturnToRealm) === (outcome.exit === undefined),
      () => `${entry.name}: an exit record goes with, and only with, an exit to the host`,
    );
    return outcome;
  };
}
