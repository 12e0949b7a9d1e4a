/**
 * Granule states: the RMM's view of every 4 KiB granule of physical memory.
 *
 * The digest's table (`lib/granule/include/granule_types.h`):
 *
 * ```text
 * | TF-RMM value | TF-RMM name | Spec name | Enter via | Leave via |
 * |---|---|---|---|---|
 * | 0 | NS | UNDELEGATED | boot / GRANULE_UNDELEGATE | GRANULE_DELEGATE |
 * | 1 | DELEGATED | DELEGATED | GRANULE_DELEGATE, any *_DESTROY, RTT_FOLD (folded child) | UNDELEGATE, REALM_CREATE, REC_CREATE, RTT_CREATE, DATA_CREATE(_UNKNOWN) |
 * | 2 | RD | RD | REALM_CREATE | REALM_DESTROY |
 * | 3 | REC | REC | REC_CREATE | REC_DESTROY |
 * | 4 | REC_AUX | REC_AUX | REC_CREATE | REC_DESTROY |
 * | 5 | DATA | DATA | DATA_CREATE, DATA_CREATE_UNKNOWN | DATA_DESTROY |
 * | 6 | RTT | RTT | REALM_CREATE (roots), RTT_CREATE | REALM_DESTROY (roots), RTT_DESTROY, RTT_FOLD |
 * Invariant: every DELEGATED granule is all-zero (zeroed on DELEGATE and on every return to DELEGATED).
 * ```
 *
 * **Invariants** (TF-RMM, for whoever implements the table): every DELEGATED granule is all-zero;
 * RD refcount = number of RECs (at most {@link GRANULE_REFCOUNT_MAX}); a REC's refcount is 1 while
 * it runs in REC_ENTER; an RTT's refcount counts TABLE and protected ASSIGNED entries (not
 * ASSIGNED_NS). DELEGATE moves the GPI NS → Realm (through EL3); UNDELEGATE moves it back.
 * @module
 */

/**
 * Granule states, valued as TF-RMM's `GRANULE_STATE_*` (so a `Uint8Array` state table matches
 * TF-RMM's encoding).
 * @see rmm-abi.md §4.1
 * @since 0.1.0
 */
export const GranuleState = {
  /** UNDELEGATED (TF-RMM `GRANULE_STATE_NS`): owned by the Normal world. */
  Undelegated: 0,
  /** DELEGATED: in the Realm PAS, owned by the RMM, all zero. */
  Delegated: 1,
  /** RD: a Realm Descriptor. */
  Rd: 2,
  /** REC: a Realm Execution Context. */
  Rec: 3,
  /** REC_AUX: an auxiliary granule of a REC. */
  RecAux: 4,
  /** DATA: realm data mapped at a protected IPA. */
  Data: 5,
  /** RTT: a Realm Translation Table. */
  Rtt: 6,
} as const;
/** A granule state. @see rmm-abi.md §4.1 @since 0.1.0 */
export type GranuleState = (typeof GranuleState)[keyof typeof GranuleState];

/**
 * The largest granule refcount (`REFCOUNT_MAX`, 10 bits): REC_CREATE on a realm with this many
 * RECs returns RMI_ERROR_REALM. Equals 2^MAX_RECS_ORDER − 1 of feature register 0.
 * @see rmm-abi.md §2.9 step 5, §3.6, §4.1
 * @since 0.1.0
 */
export const GRANULE_REFCOUNT_MAX = 1023;
