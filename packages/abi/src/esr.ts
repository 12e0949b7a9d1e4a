/**
 * ESR_EL2 of the exceptions a REC takes to R-EL2 that the RMM reports to the host or injects into
 * the realm (Arm ARM D24.2.40; rmm-abi.md §3.3 "exit record"): data aborts and trapped WFx. Both
 * sides of the executor port build or read them: the CPU model that ran the realm's code and the
 * RMM that classifies the trap.
 *
 * ```text
 * EC [31:26]  0x24 data abort from a lower EL, 0x01 WFx
 * IL [25]     32-bit instruction
 * ISV [24]    SAS [23:22] SSE [21] SRT [20:16] SF [15] AR [14] valid only with ISV
 * EA [9] S1PTW [7] WnR [6] DFSC [5:0]
 * DFSC        0b0001LL translation fault, level LL; 0b101011 level −1 (FEAT_LPA2);
 *             0b0000LL address size fault; 0b010000 synchronous external abort
 * ```
 * @module
 */

/** ESR_EL2.EC values (bits [31:26]) the RMM deals with. @since 0.7.0 */
export const EsrEc: { readonly Wfx: 0x01; readonly DataAbortLower: 0x24 } = Object.freeze({
  /** WFI or WFE trapped (TWI/TWE). */
  Wfx: 0x01,
  /** A data abort from a lower exception level. */
  DataAbortLower: 0x24,
} as const);
/** @since 0.7.0 */
export type EsrEc = (typeof EsrEc)[keyof typeof EsrEc];

/** ESR_EL2 single-bit fields and shifts. @since 0.7.0 */
export const ESR_EC_SHIFT: bigint = 26n;
/** @since 0.7.0 */
export const ESR_IL: bigint = 1n << 25n;
/** @since 0.7.0 */
export const ESR_ISV: bigint = 1n << 24n;
/** @since 0.7.0 */
export const ESR_SAS_SHIFT: bigint = 22n;
/** @since 0.7.0 */
export const ESR_SSE: bigint = 1n << 21n;
/** @since 0.7.0 */
export const ESR_SRT_SHIFT: bigint = 16n;
/** @since 0.7.0 */
export const ESR_SF: bigint = 1n << 15n;
/** @since 0.7.0 */
export const ESR_AR: bigint = 1n << 14n;
/** @since 0.7.0 */
export const ESR_EA: bigint = 1n << 9n;
/** @since 0.7.0 */
export const ESR_S1PTW: bigint = 1n << 7n;
/** @since 0.7.0 */
export const ESR_WNR: bigint = 1n << 6n;
/** @since 0.7.0 */
export const ESR_DFSC_MASK: bigint = 0x3fn;

/** DFSC of a synchronous external abort (not on a table walk). @since 0.7.0 */
export const DFSC_SEA: number = 0x10;
/** DFSC of a translation fault at level 0; level n (0..3) adds n. @since 0.7.0 */
export const DFSC_TRANSLATION_L0: number = 0x04;
/** DFSC of a translation fault at level −1 (FEAT_LPA2). @since 0.7.0 */
export const DFSC_TRANSLATION_LM1: number = 0x2b;
/** DFSC of an address size fault at level 0; level n (0..3) adds n. @since 0.7.0 */
export const DFSC_ADDRESS_SIZE_L0: number = 0x00;

/** DFSC of a synchronous external abort on a table walk, levels −1..3 (0x13..0x17). */
const DFSC_SEA_TTW_FIRST = 0x13;
const DFSC_SEA_TTW_LAST = 0x17;

/**
 * Whether `dfsc` is a synchronous external abort, on the access itself or on a table walk: an
 * abort nothing can map or emulate away (the RMM injects it; the host just enters again).
 * @since 0.7.0
 */
export function isExternalAbortDfsc(dfsc: number): boolean {
  return dfsc === DFSC_SEA || (dfsc >= DFSC_SEA_TTW_FIRST && dfsc <= DFSC_SEA_TTW_LAST);
}

/** HPFAR_EL2.FIPA [43:4] = IPA[51:12]. */
const HPFAR_FIPA_MASK = 0xfff_ffff_fff0n;

/**
 * The page IPA that HPFAR_EL2 (as in RmiRecExit.hpfar) names: FIPA [43:4] shifted to IPA[51:12];
 * other bits are ignored.
 * @example
 * ```ts
 * hpfarToIpa(0x10n); // 0x1000n: FIPA 1 is the page at IPA 0x1000
 * ```
 * @since 0.7.0
 */
export function hpfarToIpa(hpfar: bigint): bigint {
  return (hpfar & HPFAR_FIPA_MASK) << 8n;
}

/**
 * The DFSC of a stage-2 translation fault at `level` (−1..3).
 * @since 0.7.0
 */
export function dfscTranslation(level: number): number {
  return level < 0 ? DFSC_TRANSLATION_LM1 : DFSC_TRANSLATION_L0 + level;
}

/**
 * A data abort as the CPU reports it. `access` is present when the faulting instruction was a
 * single load or store of a general-purpose register (ISV = 1): the host can then emulate it.
 * @since 0.7.0
 */
export interface DataAbortSyndrome {
  /** DFSC, e.g. {@link dfscTranslation}(level) or {@link DFSC_SEA}. */
  readonly dfsc: number;
  /** Whether the access was a write (WnR). */
  readonly write: boolean;
  /** The single-register access, when there is one to emulate. */
  readonly access?: {
    /** Bytes accessed: 1, 2, 4 or 8 (SAS). */
    readonly size: 1 | 2 | 4 | 8;
    /** The register transferred, 0..30 (SRT; 31 is XZR). */
    readonly register: number;
    /** Whether a load sign-extends (SSE). */
    readonly signExtend?: boolean;
    /** Whether the register is 64-bit (SF). */
    readonly sixtyFour?: boolean;
  };
}

const SAS: Readonly<Record<1 | 2 | 4 | 8, bigint>> = { 1: 0n, 2: 1n, 4: 2n, 8: 3n };

/**
 * ESR_EL2 of a data abort from a lower EL.
 * @example
 * ```ts
 * encodeDataAbortEsr({ dfsc: dfscTranslation(3), write: true, access: { size: 4, register: 1 } });
 * // 0x93810047n: EC 0x24, IL, ISV, SAS word, SRT 1, WnR, translation fault level 3
 * ```
 * @since 0.7.0
 */
export function encodeDataAbortEsr(s: DataAbortSyndrome): bigint {
  let esr = (BigInt(EsrEc.DataAbortLower) << ESR_EC_SHIFT) | ESR_IL | BigInt(s.dfsc & 0x3f);
  if (s.write) esr |= ESR_WNR;
  const a = s.access;
  if (a !== undefined) {
    esr |= ESR_ISV | (SAS[a.size] << ESR_SAS_SHIFT) | (BigInt(a.register & 0x1f) << ESR_SRT_SHIFT);
    if (a.signExtend) esr |= ESR_SSE;
    if (a.sixtyFour) esr |= ESR_SF;
  }
  return esr;
}

/**
 * The fields of a data-abort ESR the RMM and the host read back.
 * @since 0.7.0
 */
export interface DecodedDataAbortEsr {
  readonly ec: number;
  readonly isv: boolean;
  /** Bytes accessed (meaningful with ISV). */
  readonly size: 1 | 2 | 4 | 8;
  /** SRT (meaningful with ISV). */
  readonly register: number;
  readonly signExtend: boolean;
  readonly sixtyFour: boolean;
  readonly write: boolean;
  readonly dfsc: number;
}

/**
 * Splits a data-abort ESR into its fields.
 * @since 0.7.0
 */
export function decodeDataAbortEsr(esr: bigint): DecodedDataAbortEsr {
  return {
    ec: Number((esr >> ESR_EC_SHIFT) & 0x3fn),
    isv: (esr & ESR_ISV) !== 0n,
    size: (1 << Number((esr >> ESR_SAS_SHIFT) & 3n)) as 1 | 2 | 4 | 8,
    register: Number((esr >> ESR_SRT_SHIFT) & 0x1fn),
    signExtend: (esr & ESR_SSE) !== 0n,
    sixtyFour: (esr & ESR_SF) !== 0n,
    write: (esr & ESR_WNR) !== 0n,
    dfsc: Number(esr & ESR_DFSC_MASK),
  };
}
