/**
 * RMI_RTT_INIT_RIPAS and RMI_RTT_SET_RIPAS. INIT_RIPAS works on a NEW realm at protected IPA
 * 2 GiB. SET_RIPAS carries out a RIPAS change a REC asked for with RSI_IPA_STATE_SET, so its cases
 * need a REC stopped at such a request: {@link ripasRequest} runs a realm whose program asks two
 * changes, each to RAM, of ranges under its level-2 RTT where no level-3 RTT exists:
 *
 * ```text
 * request 1  [4 MiB + 4 KiB, 4 MiB + 16 KiB)   its base is not 2 MiB aligned: base_align and its
 *                                              compare; then the host creates the level-3 RTT and
 *                                              applies it, and the realm asks
 * request 2  [8 MiB, 12 MiB)                   two level-2 entries: everything else, and the
 *                                              success case, which applies it (X1 = 12 MiB)
 * ```
 * A failing call changes nothing, so the cases of one request share it; they are ordered by the
 * request they need. The rd/rec/size cases give request 2 one wrong argument: with it right, the
 * call is the success case's.
 * @see rmm-abi.md §2.21, §2.22, §5.8
 * @module
 */
import {
  type RecExit,
  RmiRecExitReason,
  RmiRipas,
  RmiRttEntryState,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_SET_RIPAS,
  SMC_RSI_IPA_STATE_SET,
  SMC32_PSCI_SYSTEM_OFF,
} from '@islet/abi';
import {
  type CaseCall,
  type ConformanceCase,
  commandCases,
  cond,
  INPUT,
  REALM,
  REC,
  rmiCode,
  rtt,
  success,
} from '../case.ts';
import { type Fixture, IPA_PROTECTED, PAR_SIZE, SetupError } from '../fixture.ts';
import { psciFidOf, RunningRealm } from '../running-realm.ts';
import { SkipReason } from '../skips.ts';
import { addressCases, RD_STATES, rdRows, readEntryIs } from './common.ts';
import { SYSTEM_OFF_FREE_IPA, systemOffRealm } from './realm-calls.ts';

interface InitArgs extends Record<string, bigint> {
  rd: bigint;
  base: bigint;
  top: bigint;
}

const init = (a: InitArgs): CaseCall => ({
  fid: SMC_RMI_RTT_INIT_RIPAS,
  args: [a.rd, a.base, a.top],
});

/** A NEW realm with the level-3 RTT at the protected IPA; one granule to initialise. */
function validInit(fx: Fixture, level = 3): InitArgs {
  const realm = fx.realm();
  fx.rtt(realm, IPA_PROTECTED, level);
  return { rd: realm.rd, base: IPA_PROTECTED, top: IPA_PROTECTED + 0x1000n };
}

/** RMI_RTT_INIT_RIPAS. */
export const RMI_RTT_INIT_RIPAS_CASES: ConformanceCase[] = commandCases('RMI_RTT_INIT_RIPAS', [
  ...addressCases('rd', rdRows({ devMem: 'RD_DEV_MEM', states: RD_STATES }), validInit, init),
  cond('size_valid', 'SIZE_INVALID', INPUT, (fx) => {
    const a = validInit(fx);
    return init({ ...a, top: a.base });
  }),
  cond('top_bound', 'TOP_UNPROTECTED', INPUT, (fx) =>
    init({ ...validInit(fx), top: PAR_SIZE + 0x1000n }),
  ),
  cond('realm_state', 'REALM_SYSTEM_OFF', REALM, (fx) =>
    // One unassigned RAM page under the SYSTEM_OFF realm's level-3 RTT: valid were it NEW.
    init({
      rd: systemOffRealm(fx).view.rd,
      base: SYSTEM_OFF_FREE_IPA,
      top: SYSTEM_OFF_FREE_IPA + 0x1000n,
    }),
  ),
  cond('realm_state', 'REALM_ACTIVE', REALM, (fx) => {
    const realm = fx.realm();
    fx.rtt(realm, IPA_PROTECTED, 3);
    fx.activate(realm);
    return init({ rd: realm.rd, base: IPA_PROTECTED, top: IPA_PROTECTED + 0x1000n });
  }),
  cond('realm_state_null', 'REALM_NULL', INPUT, (fx) =>
    init({ ...validInit(fx), rd: fx.destroyedRd() }),
  ),
  cond('base_align', 'BASE_LEVEL_UNALIGNED', rtt(2), (fx) =>
    // The walk stops at level 2 (no level-3 RTT) and base is not 2 MiB aligned.
    init({ ...validInit(fx, 2), base: IPA_PROTECTED + 0x1000n, top: IPA_PROTECTED + 0x2000n }),
  ),
  cond('rtte_state', 'RTTE_STATE_ASSIGNED', rtt(3), (fx) => {
    const realm = fx.realm();
    fx.data(realm, IPA_PROTECTED);
    return init({ rd: realm.rd, base: IPA_PROTECTED, top: IPA_PROTECTED + 0x1000n });
  }),
  cond('top_gran_align', 'TOP_GRAN_UNALIGNED', INPUT, (fx) =>
    init({ ...validInit(fx), top: IPA_PROTECTED + 0x1800n }),
  ),
  cond('no_progress', 'TOP_LEVEL_UNALIGNED', rtt(2), (fx) =>
    // The walk stops at level 2 and top ends inside the first 2 MiB entry: nothing to do.
    init(validInit(fx, 2)),
  ),
  cond(
    'top_gran_align_compare_no_progress',
    'TOP_GRAN_UNALIGNED_TOP_LEVEL_UNALIGNED',
    INPUT,
    (fx) => init({ ...validInit(fx, 2), top: IPA_PROTECTED + 0x800n }),
  ),
  success('X1_top_ram', (fx) => {
    const a = { ...validInit(fx), top: IPA_PROTECTED + 0x2000n };
    return {
      ...init(a),
      check: (out) =>
        out[1] !== a.top
          ? `X1 = 0x${out[1]?.toString(16)}, expected 0x${a.top.toString(16)}`
          : readEntryIs(fx, a.rd, IPA_PROTECTED + 0x1000n, 3, {
              state: RmiRttEntryState.Unassigned,
              ripas: RmiRipas.Ram,
            }),
    };
  }),
]);

interface SetArgs extends Record<string, bigint> {
  rd: bigint;
  rec: bigint;
  base: bigint;
  top: bigint;
}

const setRipas = (a: SetArgs): CaseCall => ({
  fid: SMC_RMI_RTT_SET_RIPAS,
  args: [a.rd, a.rec, a.base, a.top],
});

const MB = 0x10_0000n;
const MB2 = 2n * MB;
/** Request 1: its base is 4 KiB into a level-2 entry that has no level-3 RTT. */
const BASE1 = 4n * MB + 0x1000n;
const TOP1 = 4n * MB + 0x4000n;
/** Request 2: two whole level-2 entries. */
const BASE2 = 8n * MB;
const TOP2 = 12n * MB;
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Asks both changes with raw RSI_IPA_STATE_SET calls, prints the answers and returns. */
const RIPAS_PROGRAM = `// @islet/conformance: two pending RIPAS changes.
const a = smc(${hex(BigInt(SMC_RSI_IPA_STATE_SET))}, ${hex(BASE1)}, ${hex(TOP1)}, 1, 0);
const b = smc(${hex(BigInt(SMC_RSI_IPA_STATE_SET))}, ${hex(BASE2)}, ${hex(TOP2)}, 1, 0);
console.log('ripas', [...a.slice(0, 3), ...b.slice(0, 3)].map((v) => v.toString(16)).join(' '));
`;

/** A REC stopped at an RSI_IPA_STATE_SET, and which of the two requests is pending. */
export interface RipasRequest {
  readonly realm: RunningRealm;
  readonly rd: bigint;
  readonly rec: bigint;
  /** 0: launched, never entered; 1, 2: that request is pending. */
  phase: 0 | 1 | 2;
}

const KEY = 'ripas-request';

/** Whether `exit` is the RIPAS_CHANGE exit of a request to RAM of `[base, top)`. */
export function isRipasRequest(exit: RecExit, base: bigint, top: bigint): boolean {
  return (
    exit.exitReason === RmiRecExitReason.RipasChange &&
    exit.ripasBase === base &&
    exit.ripasTop === top &&
    exit.ripasValue === RmiRipas.Ram
  );
}

/** Request 1's exit: the first REC_ENTER of the realm ends with it. */
export const RIPAS_REQUEST_1: { readonly base: bigint; readonly top: bigint } = {
  base: BASE1,
  top: TOP1,
};

/**
 * The platform's RIPAS realm with request `phase` pending (or, for 0, not yet entered): made once
 * and advanced as cases need, or made afresh when it is past `phase`. The caller that changes it
 * otherwise (a success case) takes it ({@link dropRipasRequest}).
 * @throws {@link SetupError} when the realm cannot be launched or advanced (kept for the next
 *   cases, as `Fixture.memo` keeps it).
 */
export function ripasRequest(fx: Fixture, phase: 0 | 1 | 2): RipasRequest {
  let r = fx.memo(KEY, (): RipasRequest => launchRipas(fx));
  if (r.phase > phase) {
    fx.forget(KEY);
    r = fx.memo(KEY, (): RipasRequest => launchRipas(fx));
  }
  try {
    if (r.phase === 0 && phase > 0) {
      r.realm.runUntil(0, (e) => isRipasRequest(e, BASE1, TOP1), 'RIPAS change request 1');
      r.phase = 1;
    }
    if (r.phase === 1 && phase > 1) {
      // The host backs request 1 with a level-3 RTT and applies it; the realm asks request 2.
      fx.rtt(r.realm.view, BASE1, 3);
      const reached = fx.must(SMC_RMI_RTT_SET_RIPAS, r.rd, r.rec, BASE1, TOP1)[1];
      if (reached !== TOP1) {
        throw new SetupError(`setup RMI_RTT_SET_RIPAS of request 1 reached ${reached}`);
      }
      r.realm.runUntil(0, (e) => isRipasRequest(e, BASE2, TOP2), 'RIPAS change request 2');
      r.phase = 2;
    }
  } catch (err) {
    // Its state is unknown now; a setup failure is kept, so the next cases report it too.
    fx.forget(KEY);
    if (err instanceof SetupError) {
      fx.memo(KEY, (): RipasRequest => {
        throw err;
      });
    }
    throw err;
  }
  return r;
}

/**
 * Takes the platform's RIPAS realm away from the other cases, for a call that may change it in a
 * way its phase does not say; the next {@link ripasRequest} makes a new one unless the caller
 * hands it back ({@link keepRipasRequest}).
 */
export function dropRipasRequest(fx: Fixture): void {
  fx.forget(KEY);
}

/** Hands `r` back (its `phase` brought up to date) for the next cases to share. */
export function keepRipasRequest(fx: Fixture, r: RipasRequest): void {
  fx.forget(KEY);
  fx.memo(KEY, () => r);
}

function launchRipas(fx: Fixture): RipasRequest {
  const realm = RunningRealm.launch(fx, { program: RIPAS_PROGRAM });
  return { realm, rd: realm.realm.rd, rec: realm.rec(0).rec, phase: 0 };
}

/** Request 2 applied whole: the success case's call. */
function validSet(fx: Fixture): SetArgs {
  const r = ripasRequest(fx, 2);
  return { rd: r.rd, rec: r.rec, base: BASE2, top: TOP2 };
}

/** Request 1 applied whole (RMI_ERROR_RTT(2): its base is not aligned to the walk's level). */
function request1(fx: Fixture): SetArgs {
  const r = ripasRequest(fx, 1);
  return { rd: r.rd, rec: r.rec, base: BASE1, top: TOP1 };
}

/** RMI_RTT_SET_RIPAS, ordered by the request a case needs (1, then 2). */
export const RMI_RTT_SET_RIPAS_CASES: ConformanceCase[] = commandCases('RMI_RTT_SET_RIPAS', [
  cond('base_align', 'BASE_UNALIGNED', rtt(2), (fx) => setRipas(request1(fx))),
  cond('base_bound_compare_base_align', 'BASE_MISMATCH_BASE_UNALIGNED', INPUT, (fx) =>
    // The next page: not the request's base, and not 2 MiB aligned either.
    setRipas({ ...request1(fx), base: BASE1 + 0x1000n }),
  ),
  ...addressCases(
    'rd',
    rdRows({ devMem: 'RD_DEV_MEM', order: 'outside-first', states: RD_STATES }),
    validSet,
    setRipas,
  ),
  ...addressCases(
    'rec',
    [
      ['rec_align', 'REC_UNALIGNED', 'UNALIGNED'],
      ['rec_bound', 'REC_OUTSIDE_OF_PERMITTED_PA', 'OUTSIDE_PA'],
      ['rec_bound', 'REC_DEV_MEM', 'MMIO'],
      ['rec_gran_state', 'REC_GRAN_STATE_UNDELEGATED', 'UNDELEGATED'],
      ['rec_gran_state', 'REC_GRAN_STATE_DELEGATED', 'DELEGATED'],
      ['rec_gran_state', 'REC_GRAN_STATE_RD', 'RD'],
      ['rec_gran_state', 'REC_GRAN_STATE_RTT', 'RTT'],
      ['rec_gran_state', 'REc_GRAN_STATE_DATA', 'DATA'],
    ],
    validSet,
    setRipas,
  ),
  cond('rec_owner', 'REC_OTHER_OWNER', REC, (fx) =>
    // The REC with the request, and the RD of another realm.
    setRipas({ ...validSet(fx), rd: fx.realm().rd }),
  ),
  cond('size_valid', 'INVALID_SIZE', INPUT, (fx) => setRipas({ ...validSet(fx), top: BASE2 })),
  cond('base_bound', 'BASE_MISMATCH', INPUT, (fx) =>
    // The second entry of the request: aligned, inside it, but not where it continues.
    setRipas({ ...validSet(fx), base: BASE2 + MB2 }),
  ),
  cond('top_bound', 'TOP_OUT_OF_BOUND', INPUT, (fx) =>
    setRipas({ ...validSet(fx), top: TOP2 + MB2 }),
  ),
  cond('top_gran_align', 'TOP_GRAN_UNALIGNED', INPUT, (fx) =>
    // With top at BASE2 + 2 MiB the call would apply one entry.
    setRipas({ ...validSet(fx), top: BASE2 + MB2 + 0x800n }),
  ),
  cond('no_progress', 'TOP_LEVEL_UNALIGNED', rtt(2), (fx) =>
    // The walk stops at level 2 and top ends inside the first 2 MiB entry: nothing to do.
    setRipas({ ...validSet(fx), top: BASE2 + 0x1000n }),
  ),
  cond(
    'top_gran_align_compare_no_progress',
    'TOP_GRAN_UNALIGNED_TOP_LEVEL_UNALIGNED',
    INPUT,
    (fx) => setRipas({ ...validSet(fx), top: BASE2 + 0x800n }),
  ),
  cond('aux_live', 'IPA_AUX_LIVE', rmiCode('RMI_ERROR_RTT_AUX', 3), SkipReason.Planes),
  success('applies_request', (fx) => {
    const a = validSet(fx);
    const r = ripasRequest(fx, 2);
    dropRipasRequest(fx); // applied by this call, whatever it returns
    return {
      ...setRipas(a),
      check: (out) => {
        if (out[1] !== TOP2) return `X1 = ${hex(out[1] ?? 0n)}, expected ${hex(TOP2)}`;
        const entry = readEntryIs(fx, a.rd, BASE2 + MB2, 2, {
          state: RmiRttEntryState.Unassigned,
          ripas: RmiRipas.Ram,
        });
        if (entry !== undefined) return entry;
        // The realm reads X0 = RSI_SUCCESS, X1 = the top reached, X2 = RSI_ACCEPT for both.
        r.realm.runUntil(
          0,
          (e) => psciFidOf(e) === SMC32_PSCI_SYSTEM_OFF,
          'the program to end (SYSTEM_OFF)',
        );
        const want = `ripas 0 ${TOP1.toString(16)} 0 0 ${TOP2.toString(16)} 0\n`;
        return r.realm.console.includes(want)
          ? undefined
          : `the realm printed ${JSON.stringify(r.realm.console)}, expected ${JSON.stringify(want)}`;
      },
    };
  }),
]);
