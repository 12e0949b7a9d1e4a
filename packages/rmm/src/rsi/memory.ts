/**
 * RSI_IPA_STATE_SET and RSI_IPA_STATE_GET (TF-RMM `runtime/rsi/memory.c`): a realm asking the host
 * to change the RIPAS of a range, and reading the RIPAS of a range.
 *
 * ```text
 * IPA_STATE_SET: ripas (X3) > 1 (RAM), base/top not 4K aligned, top ≤ base, [base,top) ⊄ PAR
 * → INPUT (returned to Realm). Else record {base, top, addr=base, ripas, change_destroyed =
 * (X4 == 1)} and exit to Host: exit_reason RIPAS_CHANGE, ripas_base/top/value. Host then calls
 * RMI_RTT_SET_RIPAS repeatedly and re-enters with flags.RIPAS_RESPONSE.
 * IPA_STATE_GET (rel0 range form): base/end not 4K aligned, base ∉ PAR, end-1 ∉ PAR, base ≥ end
 * → INPUT. Walk at base; iterate entries of that RTT (from the aligned-down entry containing
 * base) while entries carry RIPAS and equal the first; stop at end or RTT end.
 * X1 = min(top, end), X2 = ripas (assigned_ram reports RAM). If the first entry has no RIPAS
 * → INPUT.
 * ```
 *
 * RSI_IPA_STATE_SET leaves the REC's registers as they are: the REC_ENTER that completes the
 * change writes X0 = SUCCESS, X1 = the address reached and X2 = the response.
 * @module
 */
import {
  decodeS2tte,
  RmiRecExitReason,
  type RsiOutcome,
  RsiRipas,
  RsiRipasChangeDestroyed,
  RsiStatus,
  RTT_PAGE_LEVEL,
  rttLevelBlockSize,
  type S2tte,
  S2tteType,
} from '@islet/abi';
import { assert, GRANULE_SIZE } from '@islet/arch';
import type { Realm } from '../realm/realm.ts';
import { entryHi, entryLo } from '../rtt/rtt-table.ts';
import { rttEntriesPerTable, rttWalk } from '../rtt/rtt-walk.ts';
import {
  exitToHost,
  type RsiCall,
  type RsiContext,
  type RsiResultRegs,
  rsiExit,
  rsiReturn,
} from './context.ts';

const G = BigInt(GRANULE_SIZE);

/** Whether [base, top) lies in the realm's PAR (TF-RMM `region_in_rec_par`); top > base. */
function regionInPar(base: bigint, top: bigint, realm: Realm): boolean {
  return top <= BigInt(2 ** (realm.s2sz - 1)) && base < top;
}

/**
 * RSI_IPA_STATE_SET(X1 base, X2 top, X3 ripas, X4 flags).
 * @see rmm-abi.md §5.8, §2.22
 * @since 0.5.0
 */
export function rsiIpaStateSet(_ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  const [base, top, ripas, flags] = call.args;
  if (ripas > BigInt(RsiRipas.Ram) || base % G !== 0n || top % G !== 0n || top <= base) {
    return rsiReturn(res, RsiStatus.ErrorInput);
  }
  if (!regionInPar(base, top, call.realm)) return rsiReturn(res, RsiStatus.ErrorInput);
  const value = ripas === 0n ? RsiRipas.Empty : RsiRipas.Ram;
  call.rec.setRipas = {
    base: Number(base),
    top: Number(top),
    addr: Number(base),
    ripas: value,
    changeDestroyed: flags === BigInt(RsiRipasChangeDestroyed.ChangeDestroyed),
  };
  return exitToHost(
    rsiExit({
      exitReason: RmiRecExitReason.RipasChange,
      ripasBase: base,
      ripasTop: top,
      ripasValue: value,
    }),
  );
}

/** The RIPAS an entry carries, or `undefined` for one without (TABLE, NS). */
function ripasOf(e: S2tte): RsiRipas | undefined {
  switch (e.type) {
    case S2tteType.UnassignedEmpty:
    case S2tteType.AssignedEmpty:
      return RsiRipas.Empty;
    case S2tteType.UnassignedRam:
    case S2tteType.AssignedRam:
      return RsiRipas.Ram;
    case S2tteType.UnassignedDestroyed:
    case S2tteType.AssignedDestroyed:
      return RsiRipas.Destroyed;
    default:
      return undefined;
  }
}

/**
 * RSI_IPA_STATE_GET(X1 base, X2 end) → X1 top, X2 ripas.
 * @see rmm-abi.md §5.9
 * @since 0.5.0
 */
export function rsiIpaStateGet(ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  const { realm } = call;
  const [baseX, endX] = call.args;
  if (baseX % G !== 0n || endX % G !== 0n || baseX >= endX) {
    return rsiReturn(res, RsiStatus.ErrorInput);
  }
  // base ∈ PAR and end − 1 ∈ PAR.
  if (!regionInPar(baseX, endX, realm)) return rsiReturn(res, RsiStatus.ErrorInput);
  const base = Number(baseX);
  const end = Number(endX);
  const w = rttWalk(ctx.granules, ctx.memory, realm, base, RTT_PAGE_LEVEL);
  const decode = (i: number): S2tte => {
    const e = decodeS2tte(entryHi(w.table, i), entryLo(w.table, i), w.level, realm.lpa2);
    assert(
      e !== undefined,
      () => `RTT 0x${w.tablePa.toString(16)}[${i}] holds an unknown descriptor`,
    );
    return e;
  };
  const first = ripasOf(decode(w.index));
  if (first === undefined) return rsiReturn(res, RsiStatus.ErrorInput);
  const size = rttLevelBlockSize(w.level);
  const per = rttEntriesPerTable(w.level);
  let top = base - (base % size) + size;
  for (let i = w.index + 1; i < per && top < end; i++, top += size) {
    if (ripasOf(decode(i)) !== first) break;
  }
  res[1] = BigInt(Math.min(top, end));
  res[2] = BigInt(first);
  return rsiReturn(res, RsiStatus.Success);
}
