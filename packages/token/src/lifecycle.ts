/**
 * The platform security lifecycle claim (2395): `major[15:8]` names the state, `minor[7:0]` is
 * implementation defined.
 * @see cca-token.md §1.4
 * @module
 */

/** Lifecycle states by their major value, with Veraison's names. */
export const LIFECYCLE_STATES: ReadonlyMap<number, string> = new Map([
  [0x00, 'unknown'],
  [0x10, 'assembly-and-test'],
  [0x20, 'cca-platform-rot-provisioning'],
  [0x30, 'secured'],
  [0x40, 'non-cca-platform-rot-debug'],
  [0x50, 'recoverable-cca-platform-rot-debug'],
  [0x60, 'decommissioned'],
]);

/** The state name of a lifecycle value, or `undefined` when it is outside every valid range. */
export function lifecycleState(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) return undefined;
  return LIFECYCLE_STATES.get(value >> 8);
}

/** Whether Veraison treats the lifecycle as a trustworthy instance (secured or RoT debug). */
export function isTrustworthyLifecycle(value: number): boolean {
  const state = lifecycleState(value);
  return state === 'secured' || state === 'non-cca-platform-rot-debug';
}
