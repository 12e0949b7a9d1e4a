/**
 * Data aborts a REC takes to R-EL2 (TF-RMM `runtime/core/exit.c handle_data_abort`) and the
 * completion of an emulated access on the next REC_ENTER (`runtime/rmi/run.c
 * complete_mmio_emulation`, `complete_sea_insertion`).
 *
 * The digest (rmm-abi.md §3.3 exit contents, §2.11 step 10):
 *
 * ```text
 * - SYNC, emulatable data abort (unprotected IPA, AArch64, ISV=1): esr masked with
 *   EC|SET|FnV|EA|FSC|ISV|SAS|SF|WnR; far = FAR_EL2 & 0xFFF; hpfar = HPFAR_EL2; gprs[0] = value
 *   written (for writes).
 * - SYNC, non-emulatable abort (protected IPA with RIPAS RAM-but-unassigned or DESTROYED, or
 *   AArch32): esr masked EC|SET|FnV|EA|FSC; far = 0; hpfar.
 * - Data abort to EMPTY RIPAS or IPA ≥ 2^s2sz: SEA injected into the Realm, no exit.
 * 10. MMIO read value `enter.gprs[0] & access_mask` (sign-extended per SSE/SF) → Xt, PC+=4
 * ```
 *
 * **Classification**, in TF-RMM's order, of the faulting page IPA = HPFAR_EL2.FIPA << 8
 * (a page-crossing access faults once per page, each with its own HPFAR):
 * 1. an external abort (DFSC SEA, or SEA on a table walk 0x13..0x17) is reported to the host:
 *    SYNC, the non-emulatable mask, FAR and HPFAR 0 (HPFAR is UNKNOWN for it); a recoverable one
 *    (SET = UER) also injects the SEA into the realm; an uncontainable one (SET = UC) is fatal to
 *    the system (TF-RMM `system_abort`);
 * 2. IPA ≥ 2^s2sz, or a protected IPA with RIPAS EMPTY (assigned or not): the SEA is injected and
 *    the REC resumes without an exit;
 * 3. any other protected IPA (RIPAS RAM or DESTROYED): SYNC with the non-emulatable mask, FAR 0,
 *    HPFAR; the host cannot emulate protected memory but can DATA_CREATE(_UNKNOWN) the page and
 *    enter again, and the REC retries the access (PC unchanged);
 * 4. an unprotected IPA: SYNC with the emulatable mask, FAR[11:0], HPFAR; a write with ISV puts
 *    the value written (`gprs[SRT]` masked to the access size, 0 for XZR) in gprs[0].
 *
 * **What the host does not see**: IL, SSE, SRT, AR, S1PTW and the FAR page bits are masked off,
 * so the host learns neither which register the realm used nor the realm's virtual address; the
 * RMM moves the value between `gprs[0]` and Xt itself.
 *
 * **LastExit** keeps the ESR as the REC took it (the access fields complete an EMUL_MMIO), with ISV
 * cleared when the host's copy has none (the TF-RMM fix 303ee028 of rmm-abi.md §11.1: EMUL_MMIO
 * after a non-emulatable abort is refused), and whether the IPA was unprotected (INJECT_SEA).
 *
 * **Not modelled**: AArch32 RECs (TF-RMM's `fixup_aarch32_data_abort`); every REC is AArch64.
 * **Deviation**: a write without ISV reports gprs[0] = 0; TF-RMM reads `regs[SRT]` from an ESR
 * whose SRT is then RES0, i.e. X0 of the realm.
 * @module
 */
import {
  decodeDataAbortEsr,
  ESR_DFSC_MASK,
  ESR_EA,
  ESR_EC_SHIFT,
  ESR_ISV,
  ESR_SAS_SHIFT,
  ESR_SF,
  ESR_WNR,
  EsrEc,
  hpfarToIpa,
  isExternalAbortDfsc,
  RmiRecExitReason,
  type RsiExit,
} from '@islet/abi';
import { assert } from '@islet/arch';
import type { Realm } from '../realm/realm.ts';
import type { RmiContext } from '../rmi/context.ts';
import { rsiExit } from '../rsi/context.ts';
import { RealmIpaStatus, realmIpaToPa } from '../rsi/realm-ipa.ts';
import { addrInPar } from '../rtt/rtt-args.ts';
import type { LastExit, Rec } from './rec.ts';

/** ESR_EL2.EC in place. */
const ESR_EC_MASK = 0x3fn << ESR_EC_SHIFT;
/** ESR_EL2.ISS.SET [12:11]: the error state of an external abort. */
const ESR_SET_SHIFT = 11n;
const ESR_SET_MASK = 0x3n << ESR_SET_SHIFT;
/** SET = UER (recoverable), UC (uncontainable), UEO (restartable). */
const SET_UER = 0n;
const SET_UC = 0x2n << ESR_SET_SHIFT;
/** ESR_EL2.ISS.FnV [10]: FAR not valid. */
const ESR_FNV = 1n << 10n;
/** ESR_EL2.ISS.SAS [23:22]. */
const ESR_SAS_MASK = 0x3n << ESR_SAS_SHIFT;

/**
 * `ESR_NONEMULATED_ABORT_MASK` = EC | SET | FnV | EA | DFSC = 0xFC001E3F: what the host sees of a
 * data abort it must not emulate.
 * @see rmm-abi.md §3.3
 * @since 0.7.0
 */
export const ESR_NONEMULATED_ABORT_MASK: bigint =
  ESR_EC_MASK | ESR_SET_MASK | ESR_FNV | ESR_EA | ESR_DFSC_MASK;

/**
 * `ESR_EMULATED_ABORT_MASK` = the non-emulated mask | ISV | SAS | SF | WnR = 0xFDC09E7F: what
 * the host sees of a data abort at an unprotected IPA.
 * @see rmm-abi.md §3.3
 * @since 0.7.0
 */
export const ESR_EMULATED_ABORT_MASK: bigint =
  ESR_NONEMULATED_ABORT_MASK | ESR_ISV | ESR_SAS_MASK | ESR_SF | ESR_WNR;

/** FAR bits the host may see: the offset in the page (TF-RMM `~GRANULE_MASK`). */
const FAR_PAGE_OFFSET = 0xfffn;
/** Xt = 31 in SRT: the zero register. */
const XZR = 31;
const INSN_SIZE = 4n;

/**
 * A data-abort trap of the realm executor (ESR_EL2, FAR_EL2, HPFAR_EL2).
 * @since 0.7.0
 */
export interface DataAbortTrap {
  readonly esr: bigint;
  readonly far: bigint;
  readonly hpfar: bigint;
}

/**
 * A data abort the host must see: the exit record and what the next REC_ENTER checks.
 * @since 0.7.0
 */
export interface DataAbortExit {
  readonly exit: RsiExit;
  readonly last: LastExit;
}

/** The bytes of an access of `size` bytes, as a mask (TF-RMM `access_mask`). */
function accessMask(size: number): bigint {
  return (1n << BigInt(size * 8)) - 1n;
}

/**
 * Handles a data abort of `rec` (TF-RMM `handle_data_abort`): either the SEA is injected and the
 * REC resumes (`undefined`), or the REC exits with the returned record. Changes only
 * `rec.injectSea`. PC stays at the faulting instruction in every case.
 * @throws {@link IsletInvariantError} when the trap is not a data abort (a broken executor) or
 * the external abort is uncontainable (fatal to the system).
 * @see rmm-abi.md §3.3, §4.5
 * @since 0.7.0
 */
export function handleDataAbort(
  ctx: RmiContext,
  realm: Realm,
  rec: Rec,
  trap: DataAbortTrap,
): DataAbortExit | undefined {
  const { esr, far, hpfar } = trap;
  const d = decodeDataAbortEsr(esr);
  assert(
    d.ec === EsrEc.DataAbortLower,
    () => `a data-abort trap with ESR 0x${esr.toString(16)}, which is not a data abort`,
  );
  const ipa = Number(hpfarToIpa(hpfar));
  const unprotected = !addrInPar(ipa, realm);

  // 1. External aborts go to the host at once.
  if (isExternalAbortDfsc(d.dfsc)) {
    const set = esr & ESR_SET_MASK;
    assert(set !== SET_UC, () => 'an uncontainable external abort is fatal to the system');
    if (set === SET_UER) rec.injectSea = true;
    const hostEsr = esr & ESR_NONEMULATED_ABORT_MASK;
    return {
      exit: rsiExit({ exitReason: RmiRecExitReason.Sync, esr: hostEsr }),
      last: { esr: esr & ~ESR_ISV, unprotectedDataAbort: unprotected },
    };
  }
  // 2. Outside the IPA space, or RIPAS EMPTY: the realm takes an SEA.
  if (ipa >= 2 ** realm.s2sz) {
    rec.injectSea = true;
    return undefined;
  }
  if (!unprotected) {
    const t = realmIpaToPa(ctx.granules, ctx.memory, realm, ipa);
    if (t.status === RealmIpaStatus.Empty) {
      rec.injectSea = true;
      return undefined;
    }
    // 3. Protected RAM or DESTROYED: the host may map it, never emulate it.
    return {
      exit: rsiExit({
        exitReason: RmiRecExitReason.Sync,
        esr: esr & ESR_NONEMULATED_ABORT_MASK,
        hpfar,
      }),
      last: { esr: esr & ~ESR_ISV, unprotectedDataAbort: false },
    };
  }
  // 4. Unprotected: the host emulates it when it can (ISV).
  const value =
    d.isv && d.write && d.register !== XZR ? (rec.gprs[d.register] ?? 0n) & accessMask(d.size) : 0n;
  return {
    exit: rsiExit({
      exitReason: RmiRecExitReason.Sync,
      esr: esr & ESR_EMULATED_ABORT_MASK,
      far: far & FAR_PAGE_OFFSET,
      hpfar,
      gprs: [value],
    }),
    last: { esr, unprotectedDataAbort: true },
  };
}

/**
 * EMUL_MMIO on re-entry (TF-RMM `complete_mmio_emulation`), after step 9 accepted it: a read
 * puts `value` (`enter.gprs[0]`) into Xt, masked to the access size, sign-extended with SSE and
 * zero-extended from 32 bits without SF (XZR discards it); a write is done. Either way PC steps
 * past the access.
 * @see rmm-abi.md §2.11 steps 9–10
 * @since 0.7.0
 */
export function completeMmioEmulation(rec: Rec, value: bigint): void {
  const d = decodeDataAbortEsr(rec.lastExit.esr);
  if (!d.write && d.register !== XZR) {
    let v = value & accessMask(d.size);
    if (d.signExtend) {
      const sign = 1n << BigInt(d.size * 8 - 1);
      v = BigInt.asUintN(64, (v ^ sign) - sign);
    }
    if (!d.sixtyFour) v &= 0xffff_ffffn;
    rec.gprs[d.register] = v;
  }
  rec.pc += INSN_SIZE;
}

/**
 * Whether the host may answer `last` with EMUL_MMIO (step 9): a data abort at an unprotected IPA
 * whose syndrome is valid (ISV).
 * @see rmm-abi.md §2.11
 * @since 0.7.0
 */
export function isEmulatableAbort(last: LastExit): boolean {
  return (
    last.unprotectedDataAbort &&
    (last.esr & ESR_EC_MASK) === BigInt(EsrEc.DataAbortLower) << ESR_EC_SHIFT &&
    (last.esr & ESR_ISV) !== 0n
  );
}
