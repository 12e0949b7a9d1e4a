/**
 * Stage-2 translation: a walk of a realm's RTTs, which live in memory as VMSAv8-64 stage-2
 * descriptors (4 KiB granule), from the root described by VTTBR/VTCR (here a
 * {@link Stage2Geometry}) to the output address of an IPA, or to a fault with its level.
 *
 * The geometry (rmm-abi.md §4.6, TF-RMM `runtime/rmi/realm.c`):
 *
 * ```text
 * levels = 3 - sl; stride 9 (4 at level -1).
 * - sl_min = levels*9 + 13; sl_max = sl_min + 8 (sl=-1 with LPA2: sl_min+3); +4 if sl>0 or (sl==0 && LPA2) (concatenation up to 16 tables).
 * - rtt_num_start = 1 if (levels*9+21) ≥ s2sz else 2^(s2sz − (levels*9+21)).
 * ```
 *
 * Concatenated root tables are contiguous granules from `rootPa`: the start-level index runs
 * over all of them (`rootPa + 8 × ⌊ipa / blockSize(sl)⌋`).
 *
 * Faults follow the Arm pseudocode (`AArch64.S2Translate`, `AArch64.S2Walk`): an IPA at or above
 * 2^ipaWidth is a translation fault at level 0; an invalid descriptor, a block where none is
 * allowed (level 3 `0b01`, level 0 without LPA2, level −1) is a translation fault at its level; a
 * table or output address at or above 2^paWidth is an address size fault; reading a descriptor
 * that the reader refuses is a granule protection fault or a synchronous external abort on the
 * walk. Access flag and permissions are reported, not checked: they belong to the access.
 *
 * **Hot path**: descriptors are read as two u32 words into a scratch `Uint32Array`; addresses
 * are numbers built with arithmetic; nothing allocates but the result.
 * @see rmm-abi.md §4.4, §4.6, §1.5
 * @module
 */
import {
  MemoryAccess,
  RTT_PAGE_LEVEL,
  rttLevelShift,
  S2TTE_BLOCK,
  S2TTE_PAGE_OR_TABLE,
  s2tteAf,
  s2tteIsNs,
  s2tteMemAttr,
  s2tteOutputAddress,
  s2tteS2ap,
  s2tteSh,
  s2tteXn,
} from '@islet/abi';
import { GRANULE_SIZE, type Ipa, type PhysAddr } from '@islet/arch';
import { MemoryArgumentError } from './errors.ts';

// Module-local aliases for the walk loop: under vitest's module runner every imported binding is
// a getter on a namespace object.
const OK: MemoryAccess = MemoryAccess.Ok;
const GPF: MemoryAccess = MemoryAccess.GranuleProtectionFault;
const PAGE_LEVEL = RTT_PAGE_LEVEL;
const BLOCK = S2TTE_BLOCK;
const PAGE_OR_TABLE = S2TTE_PAGE_OR_TABLE;
const outputAddress = s2tteOutputAddress;
const af = s2tteAf;
const isNs = s2tteIsNs;
const memAttr = s2tteMemAttr;
const s2ap = s2tteS2ap;
const sh = s2tteSh;
const xn = s2tteXn;

/**
 * Reads a 64-bit descriptor at an 8-byte aligned PA as `out[0]` = bits [31:0], `out[1]` = bits
 * [63:32]. A {@link Dram} reads below the GPC; a {@link MemoryPort} (e.g. `mem.realm`) reads
 * through it, so an RTT outside the Realm PAS faults the walk.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export interface DescriptorReader {
  /** Reads the descriptor at `pa`; `out` is unchanged unless the result is `MemoryAccess.Ok`. */
  readDescriptor(pa: PhysAddr, out: Uint32Array): MemoryAccess;
}

/**
 * The root of a stage-2 translation: what VTTBR_EL2 and VTCR_EL2 say (RMI_REALM_CREATE's
 * `rtt_base`, `rtt_level_start`, `s2sz`, LPA2).
 * @see rmm-abi.md §3.1, §4.6
 * @since 0.1.0
 */
export interface Stage2Root {
  /** The PA of the first (of possibly concatenated) start-level tables; 4 KiB aligned. */
  readonly rootPa: PhysAddr;
  /** The start level, −1 (LPA2 only) to 3. */
  readonly startLevel: number;
  /** The IPA width (s2sz, `64 − T0SZ`) in bits. */
  readonly ipaWidth: number;
  /** FEAT_LPA2 descriptors (52-bit OA, level −1); default false. */
  readonly lpa2?: boolean;
  /** The output address width (VTCR_EL2.PS); default 48, or 52 with LPA2. */
  readonly paWidth?: number;
}

/**
 * The number of concatenated start-level tables for `ipaWidth` bits from `startLevel`
 * (TF-RMM's `rtt_num_start`): 1, or 2^(s2sz − (levels × 9 + 21)).
 *
 * @example
 * ```ts
 * rttRootTableCount(1, 40); // 2
 * rttRootTableCount(1, 43); // 16
 * rttRootTableCount(0, 48); // 1
 * ```
 * @see rmm-abi.md §4.6
 * @since 0.1.0
 */
export function rttRootTableCount(startLevel: number, ipaWidth: number): number {
  const covered = (3 - startLevel) * 9 + 21;
  return covered >= ipaWidth ? 1 : 2 ** (ipaWidth - covered);
}

function geometryError(details: string): MemoryArgumentError {
  return new MemoryArgumentError('S2_GEOMETRY_INVALID', 'invalid stage-2 geometry', { details });
}

/**
 * A checked stage-2 root: start level, IPA width and root tables consistent per the digest's
 * §4.6 rules (widened to every start level the architecture allows). Build one per realm and
 * walk with it.
 *
 * Accepted IPA widths for start level `sl`: from `shift(sl) + 1` to `shift(sl) + 9` (+4 with
 * concatenation at levels ≥ 0; level −1 resolves 4 bits), capped at 48 (52 with LPA2), where
 * `shift(sl) = 12 + 9 × (3 − sl)`. RMI_REALM_CREATE is narrower (s2sz ≥ 32); that check is the
 * RMM's.
 *
 * @example
 * ```ts
 * const g = new Stage2Geometry({ rootPa: physAddr(0x8800_0000), startLevel: 1, ipaWidth: 40 });
 * g.rootTables; // 2 (concatenated level-1 tables)
 * ```
 * @see rmm-abi.md §4.6
 * @since 0.1.0
 */
export class Stage2Geometry implements Stage2Root {
  readonly rootPa: PhysAddr;
  readonly startLevel: number;
  readonly ipaWidth: number;
  readonly lpa2: boolean;
  readonly paWidth: number;
  /** Concatenated start-level tables (1..16), contiguous from `rootPa`. */
  readonly rootTables: number;
  /** Entries indexed at the start level, over all root tables: 2^(ipaWidth − shift(sl)). */
  readonly rootEntries: number;
  /** 2^ipaWidth: the first IPA out of range. */
  readonly ipaLimit: number;
  /** 2^paWidth: the first output address out of range. */
  readonly paLimit: number;
  readonly #checked = true;

  /**
   * @param root - the root description.
   * @throws {@link MemoryArgumentError} `S2_GEOMETRY_INVALID` when the start level, IPA width,
   * PA width or root address is out of range or inconsistent.
   */
  constructor(root: Stage2Root) {
    const lpa2 = root.lpa2 ?? false;
    const sl = root.startLevel;
    const minLevel = lpa2 ? -1 : 0;
    if (!Number.isInteger(sl) || sl < minLevel || sl > RTT_PAGE_LEVEL) {
      throw geometryError(`start level ${String(sl)} is not in ${minLevel}..3`);
    }
    const shift = rttLevelShift(sl);
    const bits = sl === -1 ? 4 : 9;
    const limit = lpa2 ? 52 : 48;
    const max = Math.min(shift + bits + (sl === -1 ? 0 : 4), limit);
    const w = root.ipaWidth;
    if (!Number.isInteger(w) || w < shift + 1 || w > max) {
      throw geometryError(
        `an IPA width of ${String(w)} bits cannot start at level ${sl} (${shift + 1}..${max})`,
      );
    }
    const paWidth = root.paWidth ?? limit;
    if (!Number.isInteger(paWidth) || paWidth < 32 || paWidth > limit) {
      throw geometryError(`PA width ${String(paWidth)} is not in 32..${limit}`);
    }
    const pa = root.rootPa;
    if (!Number.isSafeInteger(pa) || pa < 0 || pa % GRANULE_SIZE !== 0) {
      throw geometryError(`root ${String(pa)} is not a 4 KiB aligned address`);
    }
    this.rootTables = 2 ** Math.max(0, w - (shift + bits));
    if (pa + this.rootTables * GRANULE_SIZE > 2 ** paWidth) {
      throw geometryError(`root tables at 0x${pa.toString(16)} exceed ${paWidth}-bit PAs`);
    }
    this.rootPa = pa;
    this.startLevel = sl;
    this.ipaWidth = w;
    this.lpa2 = lpa2;
    this.paWidth = paWidth;
    this.rootEntries = 2 ** (w - shift);
    this.ipaLimit = 2 ** w;
    this.paLimit = 2 ** paWidth;
  }

  /** Whether `geometry` was built by this class's constructor (so it is checked). */
  static isChecked(geometry: unknown): geometry is Stage2Geometry {
    return typeof geometry === 'object' && geometry !== null && #checked in geometry;
  }
}

/**
 * The kinds of stage-2 fault (the DFSC groups of ESR_EL2).
 * @see rmm-abi.md §4.5
 * @since 0.1.0
 */
export const Stage2FaultKind = {
  /** Translation fault: an invalid descriptor, a reserved encoding, or an IPA out of range. */
  Translation: 'translation',
  /** Address size fault: a table or output address at or above 2^paWidth. */
  AddressSize: 'address-size',
  /** Granule protection fault on the walk: the reader's PAS may not read the RTT. */
  GranuleProtection: 'granule-protection',
  /** Synchronous external abort on the walk: no memory backs the RTT. */
  ExternalAbort: 'external-abort',
} as const;
/** A stage-2 fault kind. @see rmm-abi.md §4.5 @since 0.1.0 */
export type Stage2FaultKind = (typeof Stage2FaultKind)[keyof typeof Stage2FaultKind];

/**
 * A successful walk: the output address and the leaf descriptor's attributes.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export interface Stage2Translation {
  /** Discriminant. */
  readonly ok: true;
  /** The IPA walked. */
  readonly ipa: Ipa;
  /** The output address of `ipa`. */
  readonly pa: PhysAddr;
  /** The level of the leaf: 3 for a page, 0..2 for a block. */
  readonly level: number;
  /** The size the leaf maps (4 KiB, 2 MiB, 1 GiB, 512 GiB). */
  readonly blockSize: number;
  /** The PA of the leaf descriptor. */
  readonly entryPa: PhysAddr;
  /** Descriptor bits [63:32]. */
  readonly hi: number;
  /** Descriptor bits [31:0]. */
  readonly lo: number;
  /** MemAttr [4:2] (FWB encoding; 0b110 Normal write-back). */
  readonly memAttr: number;
  /** S2AP [7:6] (0b11 read-write). */
  readonly s2ap: number;
  /** SH [9:8]; `undefined` with LPA2, where those bits are OA[51:50]. */
  readonly sh: number | undefined;
  /** The access flag, bit 10. */
  readonly af: boolean;
  /** XN [54:53]. */
  readonly xn: number;
  /** TF-RMM's NS bit 55: an unprotected (host-shared) mapping. */
  readonly ns: boolean;
}

/**
 * A failed walk.
 * @see rmm-abi.md §4.5
 * @since 0.1.0
 */
export interface Stage2Fault {
  /** Discriminant. */
  readonly ok: false;
  /** What went wrong. */
  readonly kind: Stage2FaultKind;
  /** The level of the fault (0 for an IPA out of range, as the Arm pseudocode reports it). */
  readonly level: number;
  /** Whether the IPA is at or above 2^ipaWidth. */
  readonly outOfRange: boolean;
  /** The IPA walked. */
  readonly ipa: Ipa;
  /** The PA of the descriptor that faulted (or could not be read); `undefined` when out of range. */
  readonly entryPa: PhysAddr | undefined;
  /** Descriptor bits [63:32] (0 when no descriptor was read). */
  readonly hi: number;
  /** Descriptor bits [31:0] (0 when no descriptor was read). */
  readonly lo: number;
}

/** The result of {@link stage2Walk}. @see rmm-abi.md §4.4 @since 0.1.0 */
export type Stage2WalkResult = Stage2Translation | Stage2Fault;

/** 2^shift(level), indexed by level + 1. */
const BLOCK_SIZE = [2 ** 48, 2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12] as const;
const ENTRIES = 512;
const scratch = new Uint32Array(2);

function fault(
  kind: Stage2FaultKind,
  level: number,
  ipa: number,
  entryPa: number | undefined,
  hi: number,
  lo: number,
): Stage2Fault {
  return {
    ok: false,
    kind,
    level,
    outOfRange: false,
    ipa: ipa as Ipa,
    entryPa: entryPa as PhysAddr | undefined,
    hi,
    lo,
  };
}

function statusFault(status: MemoryAccess, level: number, ipa: number, entryPa: number) {
  const kind = status === GPF ? Stage2FaultKind.GranuleProtection : Stage2FaultKind.ExternalAbort;
  return fault(kind, level, ipa, entryPa, 0, 0);
}

/**
 * Translates `ipa` through the RTTs of `geometry`, reading descriptors through `mem`.
 *
 * @example
 * ```ts
 * const r = stage2Walk(mem.realm, geometry, 0x4000_1234);
 * if (r.ok) r.pa; // the output address
 * else r.kind;    // 'translation' at r.level
 * ```
 * @param mem - where the RTTs are read: a {@link Dram} (raw) or a {@link MemoryPort} (checked).
 * @param geometry - the checked root.
 * @param ipa - the IPA, an integer ≥ 0.
 * @returns the translation, or the fault and its level.
 * @throws {@link MemoryArgumentError} `MMU_ADDRESS_INVALID` when `ipa` is not a non-negative
 * safe integer; `S2_GEOMETRY_INVALID` when `geometry` was not built by {@link Stage2Geometry}.
 * @see rmm-abi.md §4.4, §4.6
 * @since 0.1.0
 */
export function stage2Walk(
  mem: DescriptorReader,
  geometry: Stage2Geometry,
  ipa: number,
): Stage2WalkResult {
  if (!Number.isSafeInteger(ipa) || ipa < 0) {
    throw new MemoryArgumentError('MMU_ADDRESS_INVALID', 'IPA out of range', {
      details: `${String(ipa)} is not a non-negative integer`,
    });
  }
  if (!Stage2Geometry.isChecked(geometry)) {
    throw geometryError('the geometry was not built by new Stage2Geometry()');
  }
  if (ipa >= geometry.ipaLimit) {
    return {
      ok: false,
      kind: Stage2FaultKind.Translation,
      level: 0,
      outOfRange: true,
      ipa: ipa as Ipa,
      entryPa: undefined,
      hi: 0,
      lo: 0,
    };
  }
  const lpa2 = geometry.lpa2;
  const paLimit = geometry.paLimit;
  let level = geometry.startLevel;
  let entryPa = geometry.rootPa + 8 * Math.floor(ipa / BLOCK_SIZE[level + 1]!);
  for (;;) {
    const status = mem.readDescriptor(entryPa as PhysAddr, scratch);
    if (status !== OK) return statusFault(status, level, ipa, entryPa);
    const lo = scratch[0]!;
    const hi = scratch[1]!;
    const type = lo & 3;
    if ((type & 1) === 0) return fault(Stage2FaultKind.Translation, level, ipa, entryPa, hi, lo);
    if (type === PAGE_OR_TABLE && level < PAGE_LEVEL) {
      const table = outputAddress(hi, lo, PAGE_LEVEL, lpa2);
      if (table >= paLimit) return fault(Stage2FaultKind.AddressSize, level, ipa, entryPa, hi, lo);
      level++;
      entryPa = table + 8 * (Math.floor(ipa / BLOCK_SIZE[level + 1]!) % ENTRIES);
      continue;
    }
    if (type === BLOCK && (level === PAGE_LEVEL || level < (lpa2 ? 0 : 1))) {
      return fault(Stage2FaultKind.Translation, level, ipa, entryPa, hi, lo);
    }
    const oa = outputAddress(hi, lo, level, lpa2);
    if (oa >= paLimit) return fault(Stage2FaultKind.AddressSize, level, ipa, entryPa, hi, lo);
    const blockSize = BLOCK_SIZE[level + 1]!;
    return {
      ok: true,
      ipa: ipa as Ipa,
      pa: (oa + (ipa % blockSize)) as PhysAddr,
      level,
      blockSize,
      entryPa: entryPa as PhysAddr,
      hi,
      lo,
      memAttr: memAttr(lo),
      s2ap: s2ap(lo),
      sh: lpa2 ? undefined : sh(lo),
      af: af(lo),
      xn: xn(hi),
      ns: isNs(hi),
    };
  }
}
