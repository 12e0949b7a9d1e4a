/**
 * Reclaiming everything a test built, through RMI alone, and reusing the platform.
 *
 * Booting costs ~90 ms (almost all of it building the GPT for 64 GB of PAS), far more than a
 * property run, so the properties share one platform: after each run {@link teardown} destroys
 * every REC, DATA granule, unprotected mapping, RTT and realm found in the pool (walking the RTT
 * trees through the Realm port), undelegates every granule and checks the pool is back to what
 * boot left: Non-secure, UNDELEGATED, zero and no realms or RECs. That teardown is itself a
 * property (from any reachable state the host can take all its memory back). A run that throws
 * leaves its platform dirty and the next run boots a fresh one, so shrinking always starts clean.
 * @module
 */
import {
  GranuleState,
  S2tteType,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REALM_DESTROY,
  SMC_RMI_REC_DESTROY,
  SMC_RMI_RTT_DESTROY,
  SMC_RMI_RTT_UNMAP_UNPROTECTED,
} from '@islet/abi';
import { bootPlatform, type Platform } from '../../src/platform.ts';
import { entryIpa, isZero, type RttNode, rmiOk } from './host.ts';
import type { Pool } from './invariants.ts';
import { rttTree } from './invariants.ts';

const hex = (pa: bigint): string => `0x${pa.toString(16)}`;

/**
 * Destroys everything in the pool and undelegates every granule, checking each step.
 * @throws an `Error` naming the step that failed or the granule that did not come back.
 */
export function teardown(p: Platform, pool: Pool): void {
  const state = (pa: bigint) => p.inspect.granule(pa).rmmState;
  const held = pool.granules.filter((pa) => state(pa) !== GranuleState.Undelegated);
  for (const pa of pool.granules)
    if (state(pa) === GranuleState.Rec) rmiOk(p, SMC_RMI_REC_DESTROY, pa);
  for (const rd of pool.granules) {
    if (state(rd) !== GranuleState.Rd) continue;
    const nodes = rttTree(p, rd);
    const byPa = new Map(nodes.map((n) => [n.pa, n]));
    const empty = (node: RttNode): void => {
      node.entries.forEach((e, i) => {
        const ipa = entryIpa(node, i);
        switch (e?.type) {
          case S2tteType.Table: {
            const child = byPa.get(BigInt(e.oa));
            if (child === undefined) throw new Error(`RTT ${hex(BigInt(e.oa))} not in the tree`);
            empty(child);
            const out = rmiOk(p, SMC_RMI_RTT_DESTROY, rd, ipa, node.level + 1);
            if (out[1] !== child.pa) throw new Error(`RTT_DESTROY X1 ${out[1]} ≠ ${hex(child.pa)}`);
            break;
          }
          case S2tteType.AssignedRam:
          case S2tteType.AssignedEmpty:
          case S2tteType.AssignedDestroyed: {
            if (node.level !== 3) throw new Error(`assigned block at L${node.level} ${hex(ipa)}`);
            const out = rmiOk(p, SMC_RMI_DATA_DESTROY, rd, ipa);
            if (out[1] !== BigInt(e.oa)) throw new Error(`DATA_DESTROY X1 ${out[1]} ≠ ${e.oa}`);
            break;
          }
          case S2tteType.AssignedNs:
            rmiOk(p, SMC_RMI_RTT_UNMAP_UNPROTECTED, rd, ipa, node.level);
            break;
          default:
            break;
        }
      });
    };
    for (const root of nodes.filter((n) => n.level === p.inspect.realm(rd)!.rttLevelStart)) {
      empty(root);
    }
    rmiOk(p, SMC_RMI_REALM_DESTROY, rd);
  }
  for (const pa of pool.granules) {
    if (state(pa) === GranuleState.Delegated) rmiOk(p, SMC_RMI_GRANULE_UNDELEGATE, pa);
  }
  for (const pa of pool.granules) {
    const g = p.inspect.granule(pa);
    if (g.rmmState !== GranuleState.Undelegated || !g.hostAccessible) {
      throw new Error(
        `after teardown ${hex(pa)} is in state ${g.rmmState}, host access ${g.hostAccessible}`,
      );
    }
  }
  for (const pa of held) {
    if (!isZero(p.host.memory.read(pa, 4096)))
      throw new Error(`after teardown ${hex(pa)} is not zero`);
  }
  const counts = p.inspect.counts();
  if (counts?.realms !== 0 || counts.recs !== 0) {
    throw new Error(`after teardown counts are ${JSON.stringify(counts)}`);
  }
}

/** Hands out a booted platform per property run, reused when the previous run cleaned up. */
export class PlatformLease {
  readonly #pool: Pool;
  readonly #boot: () => Platform;
  #platform: Platform | undefined;
  /** Platforms booted and runs served, for the report. */
  boots = 0;
  runs = 0;

  /**
   * @param boot - the platform to lease; by default one without an executor of realm code: the
   *   model checks the RMI state machine, in which REC_ENTER answers SMC_UNKNOWN once its checks
   *   pass (running realms are checked by the realm tests).
   */
  constructor(pool: Pool, boot: () => Platform = () => bootPlatform({ executor: false })) {
    this.#pool = pool;
    this.#boot = boot;
  }

  /**
   * Runs `body` on a clean platform, then tears it down. Host NS pages outside the pool are the
   * body's to (re)write. When `body` or the teardown throws, the platform is dropped.
   */
  run<T>(body: (p: Platform) => T): T {
    let p = this.#platform;
    this.#platform = undefined;
    if (p === undefined) {
      p = this.#boot();
      this.boots++;
    }
    this.runs++;
    const out = body(p);
    teardown(p, this.#pool);
    this.#platform = p;
    return out;
  }
}
