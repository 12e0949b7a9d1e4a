/**
 * RSI_REALM_CONFIG (TF-RMM `runtime/rsi/config.c`): the realm's configuration, written into a
 * granule of realm memory.
 *
 * ```text
 * X1 not 4K aligned or ∉ PAR → INPUT; buffer RIPAS EMPTY → INPUT; unmapped → S2 fault exit.
 * Writes RsiRealmConfig fields (§3.4). X0 = SUCCESS.
 * ```
 *
 * Only `ipa_width` (= s2sz), `hash_algo` and `rpv` are written; every other byte of the granule
 * stays as the realm left it (`writeRealmConfig`).
 * @module
 */
import { type RsiOutcome, RsiStatus, World, writeRealmConfig } from '@islet/abi';
import { assert, GRANULE_SIZE } from '@islet/arch';
import { addrInPar } from '../rtt/rtt-args.ts';
import {
  emulatedDataAbort,
  type RsiCall,
  type RsiContext,
  type RsiResultRegs,
  rsiReturn,
} from './context.ts';
import { RealmIpaStatus, realmIpaToPa } from './realm-ipa.ts';

/**
 * RSI_REALM_CONFIG(X1 addr).
 * @see rmm-abi.md §3.4, §5.7
 * @since 0.5.0
 */
export function rsiRealmConfig(ctx: RsiContext, call: RsiCall, res: RsiResultRegs): RsiOutcome {
  const { realm } = call;
  const addr = call.args[0];
  if (addr % BigInt(GRANULE_SIZE) !== 0n || !addrInPar(Number(addr), realm)) {
    return rsiReturn(res, RsiStatus.ErrorInput);
  }
  const t = realmIpaToPa(ctx.granules, ctx.memory, realm, Number(addr));
  if (t.status === RealmIpaStatus.Empty) return rsiReturn(res, RsiStatus.ErrorInput);
  if (t.status === RealmIpaStatus.Unmapped) return emulatedDataAbort(addr, t.level);
  const page = ctx.memory.granule(World.Realm, t.pa);
  assert(page !== undefined, () => `DATA granule 0x${t.pa.toString(16)} is not in the Realm PAS`);
  writeRealmConfig(page, { ipaWidth: realm.s2sz, hashAlgo: realm.hash.algo, rpv: realm.rpv });
  return rsiReturn(res, RsiStatus.Success);
}
