/**
 * The result type of the `validate*` functions of the structure codecs: a value, never an
 * exception, because what they check is host or realm input (STYLE.md §5, tier 1).
 * @module
 */

/**
 * The result of validating a decoded structure: the checked view, or the first field that breaks
 * a constraint the spec puts on its encoding. Every such failure of an RMI input structure is
 * RMI_ERROR_INPUT.
 * @see rmm-abi.md §3
 * @since 0.1.0
 */
export type Validation<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** The spec name of the offending field, e.g. `hash_algo` or `aux[3]`. */
      readonly field: string;
      /** What is wrong, in one line. */
      readonly reason: string;
    };
