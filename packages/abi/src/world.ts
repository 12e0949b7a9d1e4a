/**
 * The four security states of an RME system and their physical address spaces (PAS).
 *
 * ```text
 * PAS identifiers (NS bit63, NSE bit62 in PA-operand form, e.g. DC CIPAPA; TF-A `GPT_NSE_*` shifted by 62):
 * Secure (NSE=0,NS=0), Non-secure (0,1), Root (1,0), Realm (1,1).
 * ```
 *
 * A {@link World} value is the `(NSE << 1) | NS` encoding of its PAS, so a memory access can name
 * the PAS it targets with the same type: the Normal world targets only Non-secure; the Realm world
 * targets Realm or (for host buffers) Non-secure; Root targets any.
 * @module
 */

/**
 * A security state and its PAS, valued `(NSE << 1) | NS`.
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export const World = {
  /** Secure state / Secure PAS (NSE 0, NS 0). */
  Secure: 0,
  /** Normal (Non-secure) state / Non-secure PAS (NSE 0, NS 1): the host. */
  Normal: 1,
  /** Root state / Root PAS (NSE 1, NS 0): EL3. */
  Root: 2,
  /** Realm state / Realm PAS (NSE 1, NS 1): the RMM and realms. */
  Realm: 3,
} as const;
/** A security state / PAS. @see rmm-abi.md §8.1 @since 0.1.0 */
export type World = (typeof World)[keyof typeof World];
