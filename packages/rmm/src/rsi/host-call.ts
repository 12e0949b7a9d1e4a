/**
 * RSI_HOST_CALL (TF-RMM `runtime/rsi/host_call.c`): a realm passing an immediate and 31 registers
 * to the host through an RsiHostCall structure in its memory.
 *
 * ```text
 * X1 not 256-byte aligned (sizeof RsiHostCall) or crossing 4K or ∉ PAR → INPUT; buffer RIPAS
 * EMPTY → INPUT; unmapped → S2 fault exit. Else exit HOST_CALL with imm + gprs[0..30]; PC already
 * advanced; on next REC_ENTER the host's enter.gprs[0..30] are copied into the structure and
 * X0 = SUCCESS.
 * ```
 *
 * The exit leaves the REC's registers as they are (TF-RMM EXIT_TO_HOST) and records the pending
 * call in `Rec.hostCall` for the REC_ENTER that completes it. The structure is read from realm
 * memory once, through the Realm-PAS view of the data granule.
 * @module
 */
import {
  decodeHostCall,
  HOST_CALL_SIZE,
  MemoryAccess,
  RmiRecExitReason,
  type RsiOutcome,
  RsiStatus,
  World,
} from '@islet/abi';
import { assert, GRANULE_SIZE } from '@islet/arch';
import { addrInPar } from '../rtt/rtt-args.ts';
import {
  emulatedDataAbort,
  exitToHost,
  type RsiCall,
  type RsiContext,
  type RsiResultRegs,
  rsiExit,
  rsiReturn,
} from './context.ts';
import { RealmIpaStatus, realmIpaToPa } from './realm-ipa.ts';

const SIZE = BigInt(HOST_CALL_SIZE);
const G = BigInt(GRANULE_SIZE);

/**
 * RSI_HOST_CALL(X1 addr).
 * @see rmm-abi.md §3.5, §5.10
 * @since 0.5.0
 */
export function rsiHostCall(ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  const { realm, rec } = call;
  const addr = call.args[0];
  if (addr % SIZE !== 0n || addr / G !== (addr + SIZE - 1n) / G) {
    return rsiReturn(res, RsiStatus.ErrorInput);
  }
  if (!addrInPar(Number(addr), realm)) return rsiReturn(res, RsiStatus.ErrorInput);
  const ipa = Number(addr);
  const t = realmIpaToPa(ctx.granules, ctx.memory, realm, ipa);
  if (t.status === RealmIpaStatus.Empty) return rsiReturn(res, RsiStatus.ErrorInput);
  if (t.status === RealmIpaStatus.Unmapped) return emulatedDataAbort(addr, t.level);
  const bytes = new Uint8Array(HOST_CALL_SIZE);
  assert(
    ctx.memory.read(World.Realm, t.pa, bytes) === MemoryAccess.Ok,
    () => `DATA granule at 0x${t.pa.toString(16)} is not readable in the Realm PAS`,
  );
  const { imm, gprs } = decodeHostCall(bytes);
  rec.hostCall = ipa;
  return exitToHost(rsiExit({ exitReason: RmiRecExitReason.HostCall, imm, gprs }));
}
