/**
 * Realm states: the lifecycle of a Realm Descriptor.
 *
 * ```text
 * NEW --REALM_ACTIVATE--> ACTIVE --PSCI SYSTEM_OFF / SYSTEM_RESET from any REC--> SYSTEM_OFF.
 * - NEW only: DATA_CREATE, RTT_INIT_RIPAS, REC_CREATE, REALM_ACTIVATE.
 * - REC_ENTER: NEW → (REALM,0); SYSTEM_OFF → (REALM,1).
 * - REALM_DESTROY allowed in any state if not live (no RECs, no non-root RTTs/assigned at root).
 * - RIM is frozen once ACTIVE (no more RIM-extending commands succeed).
 * ```
 * @module
 */

/**
 * Realm states (`runtime/include/realm.h`).
 * @see rmm-abi.md §3.7, §4.2
 * @since 0.1.0
 */
export const RealmState = {
  /** `REALM_NEW`: being built and measured. */
  New: 0,
  /** `REALM_ACTIVE`: RECs may run; the RIM is frozen. */
  Active: 1,
  /** `REALM_SYSTEM_OFF`: a REC called PSCI SYSTEM_OFF or SYSTEM_RESET. */
  SystemOff: 2,
} as const;
/** A realm state. @see rmm-abi.md §4.2 @since 0.1.0 */
export type RealmState = (typeof RealmState)[keyof typeof RealmState];
