/**
 * The virtual hardware unique keys (VHUK_A, VHUK_M) the RMM fetches from EL3 at cold boot and
 * keeps, to derive realm sealing keys from on request (Islet `rmm/src/rmm_el3/iface.rs get_vhuks`,
 * `doc/components/sealing.md`: "During the RMM initialization, VHUK_A and VHUK_M are fetched from
 * the HES via the TF-A's RMMD service. RMM caches both VHUKs for further derivations").
 *
 * ```text
 * RMM_ISLET_GET_VHUK(x1 = 1 VHUK_A | 2 VHUK_M) → x0 status, x1..x4 = the 32-byte key
 * ```
 *
 * **Deviation from Islet, on purpose**: when EL3 does not provide both keys (no such service,
 * TF-A upstream; or an error), Islet goes on with the fixed defaults 0xAA×32 and 0x33×32, which
 * anyone can compute sealing keys from. Here there are then no VHUKs, and a realm that asks for
 * a sealing key gets RSI_ERROR_UNKNOWN, as for a realm token without a RAK.
 * @see islet-reference.md §2.9, §2.10
 * @module
 */
import {
  type El3Services,
  type El3VhukService,
  RMM_ISLET_VHUK_SIZE,
  RmmEl3Status,
  RmmIsletVhukId,
} from '@islet/abi';

/**
 * VHUK_A and VHUK_M, as EL3 handed them over.
 * @since 0.7.0
 */
export interface RealmVhuks {
  /** VHUK_A: bound to the firmware's signing authorities. */
  readonly a: Uint8Array;
  /** VHUK_M: bound to the firmware's measurements. */
  readonly m: Uint8Array;
}

/**
 * An EL3 as the RMM sees it: the RMM-EL3 interface, with Islet's vendor VHUK service when EL3 has
 * it.
 * @since 0.7.0
 */
export type IsletEl3Services = El3Services & Partial<El3VhukService>;

/**
 * Asks EL3 for VHUK_A, then VHUK_M.
 * @returns both keys, or `undefined` when EL3 has no VHUK service or does not return both
 * (never throws on what EL3 returns).
 * @since 0.7.0
 */
export function fetchVhuks(el3: IsletEl3Services): RealmVhuks | undefined {
  if (el3.getVhuk === undefined) return undefined;
  const service: El3VhukService = { getVhuk: el3.getVhuk.bind(el3) };
  const key = (id: RmmIsletVhukId): Uint8Array | undefined => {
    const r = service.getVhuk(id);
    if (r.status !== RmmEl3Status.Ok || !('key' in r)) return undefined;
    const k = r.key;
    return k instanceof Uint8Array && k.length === RMM_ISLET_VHUK_SIZE ? k.slice() : undefined;
  };
  const a = key(RmmIsletVhukId.A);
  const m = key(RmmIsletVhukId.M);
  return a === undefined || m === undefined ? undefined : { a, m };
}
