/**
 * The offline realm-measurement calculator (as Veraison's cca-realm-measurements is for kvmtool):
 * the RIM a launch gives, computed without a platform by folding `@islet/rmm`'s measurement
 * functions over `planRealm(launch)` of `@islet/host`, the very plan the launcher executes. It
 * lives in the composition root because it joins the host's plan to the RMM's measurement; the
 * `islet rim` command and the `--realm` scenario both use it.
 * @module
 */
import { hashDigestLength } from '@islet/abi';
import { type Bytes, type CryptoProvider, defaultCrypto } from '@islet/arch';
import { planRealm, type RealmLaunch, type RealmPlan, realmParamsOf } from '@islet/host';
import {
  measureDataCreate,
  measurementHash,
  measureRealmCreate,
  measureRecCreate,
  measureRipas,
} from '@islet/rmm';

/** What {@link computeRim} returns. */
/** @since 0.7.0 */
export interface RimResult {
  /** The RIM: `hash_len` bytes (32 for SHA-256, 64 for SHA-512). */
  readonly rim: Bytes;
  /** The 64-byte slot as the RMM holds it (the RIM, then zeros). */
  readonly slot: Bytes;
  readonly plan: RealmPlan;
}

/**
 * Folds the measurement of every step of a plan, in order (rmm-abi.md §6): the initial RIM of the
 * realm parameters, one RIPAS descriptor per RTT entry, one DATA descriptor per page, one REC
 * descriptor per runnable REC.
 * @returns the 64-byte RIM slot.
 */
export function foldPlan(plan: RealmPlan, crypto: CryptoProvider = defaultCrypto()): Bytes {
  const h = measurementHash(plan.hashAlgo, crypto);
  let rim: Bytes | undefined;
  for (const step of plan.steps) {
    if (step.kind === 'realm') {
      rim = measureRealmCreate(h, realmParamsOf(plan, 0n, 0));
      continue;
    }
    if (rim === undefined) throw new Error('a realm plan starts with REALM_CREATE');
    if (step.kind === 'ripas') rim = measureRipas(h, rim, step.base, step.top);
    else if (step.kind === 'data')
      rim = measureDataCreate(h, rim, step.ipa, step.flags, step.content);
    else if (step.runnable) rim = measureRecCreate(h, rim, { ...step.params, numAux: 0, aux: [] });
  }
  if (rim === undefined) throw new Error('a realm plan starts with REALM_CREATE');
  return rim;
}

/**
 * The RIM of a realm launched with `launch` by `launchRealm` of `@islet/host`.
 * @throws {@link IsletError} `HOST_LAUNCH_INVALID` when the launch is inconsistent.
 * @example
 * ```ts
 * computeRim({ image: new Uint8Array(4096), memorySize: 0x20_0000 }).rim; // 32 bytes
 * ```
 */
export function computeRim(
  launch: RealmLaunch,
  crypto: CryptoProvider = defaultCrypto(),
): RimResult {
  const plan = planRealm(launch);
  const slot = foldPlan(plan, crypto);
  return { rim: slot.slice(0, hashDigestLength(plan.hashAlgo)), slot, plan };
}
