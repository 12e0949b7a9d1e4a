/**
 * RSI_ATTESTATION_TOKEN_INIT and RSI_ATTESTATION_TOKEN_CONTINUE (TF-RMM
 * `runtime/rsi/realm_attest.c`): a realm obtaining a CCA token, in pieces, into its own memory.
 *
 * ```text
 * INIT: Re-initialises the per-REC token context (any ongoing operation is abandoned), creates
 * the unsigned realm-token payload from the current RIM/REMs, RPV, RAK public key and the 64-byte
 * challenge = LE bytes of X1..X8. X0 = SUCCESS, X1 = REC_ATTEST_TOKEN_BUF_SIZE = 4096.
 * Crypto/context failure → RSI_ERROR_UNKNOWN (e.g. RAK not loaded).
 * CONTINUE: (1) X1 not 4K aligned, X2 ≥ 4096, X2+X3 > 4096, or X2+X3 overflows → INPUT;
 * (2) X1 ∉ PAR → INPUT; (3) no prior INIT → RSI_ERROR_STATE; (signing; an IRQ pending →
 * RSI_INCOMPLETE, X1 = 0, exit IRQ); (4) translate X1: RIPAS EMPTY → INPUT; unmapped → emulated
 * S2 fault exit; (5) X3 == 0 → RSI_INCOMPLETE, X1 = 0; (6) on first copy build the CCA token;
 * copy n = min(size, remaining) bytes to [addr+offset]; remaining>0 → RSI_INCOMPLETE, X1 = n;
 * else SUCCESS, X1 = n (token finished; a new INIT is needed for another token).
 * ```
 *
 * **Modelling choices**:
 * - Signing is not interruptible here (no physical IRQs reach the model), so step 3 never exits
 *   with IRQ. The token is signed when the first CONTINUE copies bytes; when it is signed is not
 *   observable, its claims are those captured at INIT.
 * - A failing INIT still abandons the previous token, as in TF-RMM (the context is reset before
 *   the RAK is used).
 * - A CCA token larger than the REC's 4 KiB token buffer (a platform token near its 4 KiB limit)
 *   cannot be produced: CONTINUE answers RSI_ERROR_UNKNOWN and the context is reset.
 * @module
 */
import { MemoryAccess, type RsiOutcome, RsiStatus, World } from '@islet/abi';
import { assert, GRANULE_SIZE } from '@islet/arch';
import { buildRealmCcaToken, REC_ATTEST_TOKEN_BUF_SIZE } from '../attest/realm-token.ts';
import { addrInPar } from '../rtt/rtt-args.ts';
import {
  emulatedDataAbort,
  type RsiCall,
  type RsiContext,
  type RsiResultRegs,
  rsiReturn,
} from './context.ts';
import { RealmIpaStatus, realmIpaToPa } from './realm-ipa.ts';

const G = BigInt(GRANULE_SIZE);
const CHALLENGE_WORDS = 8;

/**
 * RSI_ATTESTATION_TOKEN_INIT(X1..X8 challenge) → X1 max_size.
 * @see rmm-abi.md §5.5, §7.2
 * @since 0.5.0
 */
export function rsiAttestationTokenInit(
  ctx: RsiContext,
  call: RsiCall,
  res: RsiResultRegs,
): RsiOutcome {
  const { rec, realm } = call;
  rec.attestToken = undefined;
  if (ctx.attestation() === undefined) return rsiReturn(res, RsiStatus.ErrorUnknown);
  const challenge = new Uint8Array(CHALLENGE_WORDS * 8);
  const v = new DataView(challenge.buffer);
  for (let i = 0; i < CHALLENGE_WORDS; i++) v.setBigUint64(i * 8, call.args[i] ?? 0n, true);
  rec.attestToken = {
    challenge,
    measurements: realm.measurements.slice(),
    token: undefined,
    copied: 0,
  };
  res[1] = BigInt(REC_ATTEST_TOKEN_BUF_SIZE);
  return rsiReturn(res, RsiStatus.Success);
}

/**
 * RSI_ATTESTATION_TOKEN_CONTINUE(X1 addr, X2 offset, X3 size) → X1 len.
 * @see rmm-abi.md §5.6, §7.3
 * @since 0.5.0
 */
export function rsiAttestationTokenContinue(
  ctx: RsiContext,
  call: RsiCall,
  res: RsiResultRegs,
): RsiOutcome {
  const { rec, realm } = call;
  const [addr, offsetX, sizeX] = call.args;
  // (1) Registers are u64, so offset + size cannot overflow here; > 4096 covers TF-RMM's wrap.
  if (addr % G !== 0n || offsetX >= G || offsetX + sizeX > G) {
    return rsiReturn(res, RsiStatus.ErrorInput);
  }
  // (2)
  if (!addrInPar(Number(addr), realm)) return rsiReturn(res, RsiStatus.ErrorInput);
  // (3)
  const state = rec.attestToken;
  if (state === undefined) return rsiReturn(res, RsiStatus.ErrorState);
  // (4)
  const t = realmIpaToPa(ctx.granules, ctx.memory, realm, Number(addr));
  if (t.status === RealmIpaStatus.Empty) return rsiReturn(res, RsiStatus.ErrorInput);
  if (t.status === RealmIpaStatus.Unmapped) return emulatedDataAbort(addr, t.level);
  // (5)
  if (sizeX === 0n) return rsiReturn(res, RsiStatus.Incomplete);
  // (6)
  let token = state.token;
  if (token === undefined) {
    const attestation = ctx.attestation();
    assert(attestation !== undefined, 'the RAK disappeared after RSI_ATTESTATION_TOKEN_INIT');
    token = buildRealmCcaToken(
      attestation,
      {
        challenge: state.challenge,
        rpv: realm.rpv,
        hashAlgo: realm.hash.algo,
        measurements: state.measurements,
      },
      ctx.crypto,
    );
    if (token.length > REC_ATTEST_TOKEN_BUF_SIZE) {
      rec.attestToken = undefined;
      return rsiReturn(res, RsiStatus.ErrorUnknown);
    }
    state.token = token;
  }
  const n = Math.min(Number(sizeX), token.length - state.copied);
  const chunk = token.subarray(state.copied, state.copied + n);
  assert(
    ctx.memory.write(World.Realm, (t.pa + Number(offsetX)) as typeof t.pa, chunk) ===
      MemoryAccess.Ok,
    () => `DATA granule at 0x${t.pa.toString(16)} is not writable in the Realm PAS`,
  );
  state.copied += n;
  res[1] = BigInt(n);
  if (state.copied < token.length) return rsiReturn(res, RsiStatus.Incomplete);
  rec.attestToken = undefined;
  return rsiReturn(res, RsiStatus.Success);
}
