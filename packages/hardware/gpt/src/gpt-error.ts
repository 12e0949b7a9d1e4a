/**
 * The error codes of `@islet/gpt`. Only set-up misuse throws (a bad configuration, a bad list of
 * PAS regions, tables that do not fit): the transitions EL3 performs for the RMM return
 * {@link RmmEl3Status} values and never throw (STYLE.md §5).
 * @module
 */
import { IsletError, type IsletErrorOptions } from '@islet/arch';

/**
 * Stable codes, one per reason a GPT cannot be built or attached.
 * @since 0.1.0
 */
export const GptErrorCode = {
  /** GPCCR_EL3 / GPTBR_EL3 values the model does not support: reserved PPS or L0GPTSZ, a PGS other than 4 KiB, GPC off. */
  ConfigInvalid: 'GPT_CONFIG_INVALID',
  /** A PAS region is malformed: not an integer range, empty, unaligned, beyond the PPS, a reserved GPI or map type. */
  PasInvalid: 'GPT_PAS_INVALID',
  /** Two PAS regions overlap. */
  PasOverlap: 'GPT_PAS_OVERLAP',
  /** The tables region is malformed: unaligned, empty or beyond the PPS. */
  TablesInvalid: 'GPT_TABLES_INVALID',
  /** The tables region is too small for the L0 table and the L1 tables the regions need (TF-A `-ENOMEM`). */
  TablesTooSmall: 'GPT_TABLES_TOO_SMALL',
  /** A granule of the tables is not backed by memory (`RawMemory.granule` returned `undefined`). */
  TablesUnbacked: 'GPT_TABLES_UNBACKED',
  /** A PAS region overlaps the tables region with a GPI other than Root. */
  TablesNotRoot: 'GPT_TABLES_NOT_ROOT',
} as const;
/** One of the {@link GptErrorCode} values. @since 0.1.0 */
export type GptErrorCode = (typeof GptErrorCode)[keyof typeof GptErrorCode];

/**
 * The error thrown when a GPT cannot be built or attached.
 *
 * @example
 * ```ts
 * try { createGpt(options); } catch (e) {
 *   if (e instanceof GptError && e.code === 'GPT_PAS_OVERLAP') { ... }
 * }
 * ```
 * @since 0.1.0
 */
export class GptError extends IsletError<GptErrorCode> {
  override name = 'Gpt.GptError';
  constructor(code: GptErrorCode, shortMessage: string, options?: IsletErrorOptions) {
    super(code, shortMessage, options);
  }
}
