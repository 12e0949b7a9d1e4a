/**
 * The platform's read-only `inspect` view for tests, tools and (later) a visual explorer: what the
 * GPT says of a granule, what the RMM tracks for it, and the RMM's realms and RECs. RMM-specific
 * views come from an RMM that offers them (the Islet RMM does); another RMM behind the port is
 * inspected through the GPT alone.
 * @module
 */
import { type Gpi, type GranuleState, World } from '@islet/abi';
import { type GranuleIdx, physAddr } from '@islet/arch';
import type { Gpt } from '@islet/gpt';
import type { RealmInfo, RecInfo, RmmInspector, RttEntryInfo } from '@islet/rmm';

/** One granule as the hardware and the RMM see it. */
export interface GranuleInfo {
  /** The GPI in the GPT (from the descriptors in memory). */
  readonly gpi: Gpi;
  /** Whether the Normal world may access it. */
  readonly hostAccessible: boolean;
  /** The RMM's state for it, if the RMM tracks it and offers inspection. */
  readonly rmmState: GranuleState | undefined;
  /** The RMM's reference count, likewise. */
  readonly refcount: number | undefined;
}

/** The read-only view of a booted platform. */
export interface PlatformInspect {
  /** The granule at `pa` (any address inside it). */
  granule(pa: bigint): GranuleInfo;
  /** The realm whose RD is at `rd`, or `undefined`. */
  realm(rd: bigint): RealmInfo | undefined;
  /** The REC at `rec`, or `undefined`. */
  rec(rec: bigint): RecInfo | undefined;
  /**
   * The RTT entry of realm `rd` for `ipa`, walking towards `level` (default 3) as
   * RMI_RTT_READ_ENTRY does, or `undefined` (no such realm, IPA or level outside its stage 2).
   */
  rttEntry(rd: bigint, ipa: bigint, level?: number): RttEntryInfo | undefined;
  /** How many realms and RECs the RMM holds (when it offers inspection). */
  counts(): { readonly realms: number; readonly recs: number } | undefined;
}

const toNumber = (pa: bigint): number => (pa >= 0n && pa < 2n ** 52n ? Number(pa) : -1);

/** Builds the view over the GPT and, if given, the RMM's inspector. */
export function platformInspect(gpt: Gpt, rmm: RmmInspector | undefined): PlatformInspect {
  return {
    granule(pa) {
      const n = toNumber(pa);
      const base = n - (n % 4096);
      const gpi = n < 0 ? (0 as Gpi) : gpt.walk(physAddr(base)).gpi;
      return {
        gpi,
        hostAccessible: n >= 0 && gpt.permits(World.Normal, (base / 4096) as GranuleIdx),
        rmmState: n < 0 ? undefined : rmm?.granuleState(base),
        refcount: n < 0 ? undefined : rmm?.refcount(base),
      };
    },
    realm: (rd) => (toNumber(rd) < 0 ? undefined : rmm?.realm(toNumber(rd))),
    rec: (rec) => (toNumber(rec) < 0 ? undefined : rmm?.rec(toNumber(rec))),
    rttEntry: (rd, ipa, level) =>
      toNumber(rd) < 0 || toNumber(ipa) < 0
        ? undefined
        : rmm?.rttEntry(toNumber(rd), toNumber(ipa), level),
    counts: () => rmm?.counts(),
  };
}
