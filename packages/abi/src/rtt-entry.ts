/**
 * RTT entries: the RMI-visible entry states and RIPAS values, the RTT level geometry, and the
 * VMSAv8-64 stage-2 descriptor encoding TF-RMM stores in RTT granules, including its software
 * HIPAS/RIPAS bits in invalid descriptors.
 *
 * The digest's encoding table (`lib/s2tt/src/s2tt_pvt_defs.h`; internal to TF-RMM, not ABI):
 *
 * ```text
 * | type | levels | desc[1:0] | HIPAS[4:2] | RIPAS[6:5] | NS[55] | OA |
 * |---|---|---|---|---|---|---|
 * | unassigned_empty | any | 0 invalid | 0 | 0 | 0 | – |
 * | unassigned_ram | any | 0 | 0 | 1 | 0 | – |
 * | unassigned_destroyed | any | 0 | 0 | 2 | 0 | – |
 * | assigned_empty | 1..3 | 0 | 1 | 0 | 0 | yes |
 * | assigned_ram | 3 page(0b11) / 1,2 block(0b01) | valid | – | – | 0 | yes |
 * | assigned_destroyed | 1..3 | 0 | 1 | 2 | 0 | yes |
 * | unassigned_ns | any | 0 | 0 | – | 1 | – |
 * | assigned_ns | 3 page / 1,2 block | valid | – | – | 1 | yes |
 * | table | ≤2 | 0b11 | – | – | – | next RTT |
 * Valid protected mapping attrs: MemAttr (FWB) Normal WB = 0b110 ((1<<4)|(2<<2)), S2AP RW (3<<6), AF (bit10), SH=IS (3<<8, non-LPA2). NS: host MemAttr/S2AP + AF + NS(bit55) + XN(2<<53) + SH IS.
 * ```
 *
 * And the host-controlled bits of an unprotected descriptor (RMI_RTT_MAP_UNPROTECTED X4, §2.15):
 *
 * ```text
 * any bit outside {OA[47:lsb] (lsb=12/21/30 for L3/L2/L1), MemAttr[4:2], S2AP[7:6]} (LPA2: also
 * OA[51:50] at bits [9:8] and OA[49:48] at bits [49:48]) is set, or MemAttr == 0b100 (FWB reserved).
 * ```
 *
 * **Hot paths**: descriptors are u32 pairs (`hi` = bits [63:32], `lo` = bits [31:0]) read with two
 * `getUint32` calls; nothing here allocates a bigint. {@link decodeS2tteBig} and
 * {@link encodeS2tteBig} are the bigint view for the RMI boundary and for printing.
 *
 * **Gotchas**: output addresses go above bit 31; they are built with arithmetic, not `|`.
 * @module
 */
import { U64 } from '@islet/arch';

/**
 * RmiRttEntryState: X2 of RMI_RTT_READ_ENTRY.
 * @see rmm-abi.md §2.17, §3.7
 * @since 0.1.0
 */
export const RmiRttEntryState = {
  /** `RMI_UNASSIGNED` (also unassigned_ns) */
  Unassigned: 0,
  /** `RMI_ASSIGNED` (also assigned_ns) */
  Assigned: 1,
  /** `RMI_TABLE` */
  Table: 2,
} as const;
/** An RmiRttEntryState. @see rmm-abi.md §3.7 @since 0.1.0 */
export type RmiRttEntryState = (typeof RmiRttEntryState)[keyof typeof RmiRttEntryState];

/**
 * RmiRipas: X4 of RMI_RTT_READ_ENTRY and the RIPAS of a protected RTT entry.
 * @see rmm-abi.md §3.7, §4.4
 * @since 0.1.0
 */
export const RmiRipas = {
  /** `RMI_EMPTY` */
  Empty: 0,
  /** `RMI_RAM` */
  Ram: 1,
  /** `RMI_DESTROYED` */
  Destroyed: 2,
} as const;
/** An RmiRipas. @see rmm-abi.md §3.7 @since 0.1.0 */
export type RmiRipas = (typeof RmiRipas)[keyof typeof RmiRipas];

/**
 * The kinds of stage-2 entry TF-RMM distinguishes (`s2tte_is_*`). Values are this package's
 * own, not an ABI.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export const S2tteType = {
  /** unassigned_empty */
  UnassignedEmpty: 0,
  /** unassigned_ram */
  UnassignedRam: 1,
  /** unassigned_destroyed */
  UnassignedDestroyed: 2,
  /** assigned_empty */
  AssignedEmpty: 3,
  /** assigned_ram: the only valid protected mapping. */
  AssignedRam: 4,
  /** assigned_destroyed */
  AssignedDestroyed: 5,
  /** unassigned_ns */
  UnassignedNs: 6,
  /** assigned_ns: a valid unprotected mapping with host attributes. */
  AssignedNs: 7,
  /** table: points at the next-level RTT. */
  Table: 8,
} as const;
/** A stage-2 entry kind. @see rmm-abi.md §4.4 @since 0.1.0 */
export type S2tteType = (typeof S2tteType)[keyof typeof S2tteType];

/** The level of page (4 KiB) entries. @see rmm-abi.md §4.4 @since 0.1.0 */
export const RTT_PAGE_LEVEL = 3;
/** The lowest level at which assigned entries may be blocks (`S2TT_MIN_BLOCK_LEVEL`). @see rmm-abi.md §4.4 @since 0.1.0 */
export const RTT_MIN_BLOCK_LEVEL = 1;
/** The lowest starting level without LPA2. @see rmm-abi.md §4.6 @since 0.1.0 */
export const RTT_MIN_LEVEL = 0;
/** The lowest starting level with LPA2. @see rmm-abi.md §4.6 @since 0.1.0 */
export const RTT_MIN_LEVEL_LPA2 = -1;
/** Entries in one RTT granule at levels 0..3 (`S2TTES_PER_S2TT`). @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTES_PER_S2TT = 512;
/** Entries in an RTT at level -1 (LPA2: IPA bits [51:48]). @see rmm-abi.md §4.6 @since 0.1.0 */
export const S2TTES_PER_S2TT_LM1 = 16;

/**
 * log2 of the size an entry at `level` maps: 12 + 9 × (3 − level); L3 12, L2 21, L1 30, L0 39,
 * L−1 48.
 * @see rmm-abi.md §1.5, §4.4
 * @since 0.1.0
 */
export function rttLevelShift(level: number): number {
  return 12 + 9 * (3 - level);
}

/**
 * The size an entry at `level` maps: L3 4K, L2 2M, L1 1G, L0 512G, L−1 256T.
 * @see rmm-abi.md §1.5, §4.4
 * @since 0.1.0
 */
export function rttLevelBlockSize(level: number): number {
  // A table for levels −1..3: `2 ** n` with a variable `n` is a slow call in V8, and every RTT
  // walk and address check asks for this.
  return BLOCK_SIZES[level + 1] ?? 2 ** rttLevelShift(level);
}

/** {@link rttLevelBlockSize} of levels −1..3. */
const BLOCK_SIZES: readonly number[] = [2 ** 48, 2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];

/**
 * The index of the entry that maps `addr` in an RTT at `level`.
 * @see rmm-abi.md §4.4, §4.6
 * @since 0.1.0
 */
export function rttEntryIndex(addr: number, level: number): number {
  const entries = level === -1 ? S2TTES_PER_S2TT_LM1 : S2TTES_PER_S2TT;
  return Math.floor(addr / rttLevelBlockSize(level)) % entries;
}

/** desc[1:0] of a block descriptor. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_BLOCK = 0b01;
/** desc[1:0] of a page (level 3) or table (levels −1..2) descriptor. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_PAGE_OR_TABLE = 0b11;
/** Shift of the HIPAS software field, bits [4:2] of an invalid descriptor. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_HIPAS_SHIFT = 2;
/** Shift of the RIPAS software field, bits [6:5] of an invalid descriptor. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_RIPAS_SHIFT = 5;
/** HIPAS field value of unassigned entries. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_HIPAS_UNASSIGNED = 0;
/** HIPAS field value of assigned (invalid) entries. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_HIPAS_ASSIGNED = 1;
/** Shift of MemAttr, bits [4:2] of a valid descriptor (FWB encoding). @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_MEMATTR_SHIFT = 2;
/** MemAttr of Normal write-back memory with FEAT_S2FWB: 0b110. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_MEMATTR_FWB_NORMAL_WB = 0b110;
/** The reserved FWB MemAttr value 0b100, rejected by RMI_RTT_MAP_UNPROTECTED. @see rmm-abi.md §2.15 @since 0.1.0 */
export const S2TTE_MEMATTR_FWB_RESERVED = 0b100;
/** Shift of S2AP, bits [7:6]. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_S2AP_SHIFT = 6;
/** S2AP read-write. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_S2AP_RW = 0b11;
/** Shift of SH, bits [9:8] (without LPA2; with LPA2 they are OA[51:50]). @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_SH_SHIFT = 8;
/** SH inner shareable. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_SH_IS = 0b11;
/** The access flag, bit 10. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_AF_BIT = 10;
/** Shift of XN, bits [54:53]. @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_XN_SHIFT = 53;
/** XN value of unprotected mappings: 2 (execute-never at EL1 and EL0). @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_XN_VALUE = 2;
/** TF-RMM's NS bit, bit 55 (a software bit of the architecture). @see rmm-abi.md §4.4 @since 0.1.0 */
export const S2TTE_NS_BIT = 55;

// Bit masks on the u32 halves.
const NS_HI = 1 << (S2TTE_NS_BIT - 32); // bit 55 → hi bit 23
const XN_HI = S2TTE_XN_VALUE << (S2TTE_XN_SHIFT - 32); // bits 54:53 → hi bits 22:21
const AF_LO = 1 << S2TTE_AF_BIT;
const SH_IS_LO = S2TTE_SH_IS << S2TTE_SH_SHIFT;
const NS_ATTRS_LO = 0xfc; // MemAttr[4:2] | S2AP[7:6]
const RAM_ATTRS_LO =
  (S2TTE_MEMATTR_FWB_NORMAL_WB << S2TTE_MEMATTR_SHIFT) |
  (S2TTE_S2AP_RW << S2TTE_S2AP_SHIFT) |
  AF_LO;
const U32 = 0x1_0000_0000;

/** Whether the descriptor is valid (bit 0). @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteIsValid(lo: number): boolean {
  return (lo & 1) === 1;
}

/** Whether the descriptor is a table descriptor at `level` (0b11 at levels −1..2). @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteIsTable(lo: number, level: number): boolean {
  return (lo & 3) === S2TTE_PAGE_OR_TABLE && level < RTT_PAGE_LEVEL;
}

/** Whether the descriptor is a page descriptor (0b11 at level 3). @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteIsPage(lo: number, level: number): boolean {
  return (lo & 3) === S2TTE_PAGE_OR_TABLE && level === RTT_PAGE_LEVEL;
}

/** Whether the descriptor is a block descriptor at `level` (0b01 at levels 1..2). @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteIsBlock(lo: number, level: number): boolean {
  return (lo & 3) === S2TTE_BLOCK && level >= RTT_MIN_BLOCK_LEVEL && level < RTT_PAGE_LEVEL;
}

/** TF-RMM's NS bit (55). @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteIsNs(hi: number): boolean {
  return (hi & NS_HI) !== 0;
}

/** The HIPAS software field [4:2] of an invalid descriptor. @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteHipas(lo: number): number {
  return (lo >>> S2TTE_HIPAS_SHIFT) & 0b111;
}

/** The RIPAS software field [6:5] of an invalid descriptor. @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteRipas(lo: number): number {
  return (lo >>> S2TTE_RIPAS_SHIFT) & 0b11;
}

/** MemAttr [4:2] of a valid descriptor. @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteMemAttr(lo: number): number {
  return (lo >>> S2TTE_MEMATTR_SHIFT) & 0b111;
}

/** S2AP [7:6]. @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteS2ap(lo: number): number {
  return (lo >>> S2TTE_S2AP_SHIFT) & 0b11;
}

/** SH [9:8] (without LPA2). @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteSh(lo: number): number {
  return (lo >>> S2TTE_SH_SHIFT) & 0b11;
}

/** The access flag, bit 10. @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteAf(lo: number): boolean {
  return (lo & AF_LO) !== 0;
}

/** XN [54:53]. @see rmm-abi.md §4.4 @since 0.1.0 */
export function s2tteXn(hi: number): number {
  return (hi >>> (S2TTE_XN_SHIFT - 32)) & 0b11;
}

/**
 * The output-address field of a descriptor at `level` as a number: bits [47:shift], plus with
 * LPA2 OA[49:48] from bits [49:48] and OA[51:50] from bits [9:8]. For a table descriptor pass
 * level 3 (the next-level table address has 4 KiB granularity).
 * @see rmm-abi.md §2.15, §4.4
 * @since 0.1.0
 */
export function s2tteOutputAddress(hi: number, lo: number, level: number, lpa2: boolean): number {
  const shift = rttLevelShift(level);
  let h = hi & (lpa2 ? 0x3_ffff : 0xffff);
  let l = 0;
  if (shift < 32) l = (lo & ~((1 << shift) - 1)) >>> 0;
  else h &= ~((1 << (shift - 32)) - 1);
  if (lpa2) h |= ((lo >>> 8) & 0b11) << 18;
  return (h >>> 0) * U32 + l;
}

/**
 * The output-address bits of `pa` in descriptor form (see {@link s2tteOutputAddress}).
 * @throws {RangeError} when `pa` is not aligned to `level`'s block size, or ≥ 2^48 (2^52 LPA2).
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function s2tteFromOutputAddress(pa: number, level: number, lpa2: boolean): U64.U64 {
  const limit = lpa2 ? 2 ** 52 : 2 ** 48;
  if (!Number.isSafeInteger(pa) || pa < 0 || pa >= limit || pa % rttLevelBlockSize(level) !== 0) {
    throw new RangeError(
      `output address ${pa} is not a level-${level} aligned address below ${limit}`,
    );
  }
  const hi = Math.floor(pa / U32);
  const lo = pa >>> 0;
  if (!lpa2) return { hi, lo };
  return { hi: hi & 0x3_ffff, lo: (lo | (((hi >>> 18) & 0b11) << 8)) >>> 0 };
}

/**
 * The host-controlled bits of an unprotected descriptor at `level` (1..3): OA[47:lsb],
 * MemAttr[4:2], S2AP[7:6]; with LPA2 also bits [9:8] (OA[51:50]) and [49:48] (OA[49:48]).
 * @see rmm-abi.md §2.15
 * @since 0.1.0
 */
export function s2tteNsHostMask(level: number, lpa2: boolean): U64.U64 {
  const shift = rttLevelShift(level);
  const loOa = shift < 32 ? ~((1 << shift) - 1) >>> 0 : 0;
  return {
    hi: lpa2 ? 0x3_ffff : 0xffff,
    lo: (loOa | NS_ATTRS_LO | (lpa2 ? 0x300 : 0)) >>> 0,
  };
}

/**
 * Whether a host descriptor (X4 of RMI_RTT_MAP_UNPROTECTED) is acceptable at `level`: no bit
 * outside {@link s2tteNsHostMask} and MemAttr is not the reserved 0b100.
 * @see rmm-abi.md §2.15 step 3
 * @since 0.1.0
 */
export function isValidNsHostDesc(hi: number, lo: number, level: number, lpa2: boolean): boolean {
  const m = s2tteNsHostMask(level, lpa2);
  if ((hi & ~m.hi) !== 0 || (lo & ~m.lo) !== 0) return false;
  return s2tteMemAttr(lo) !== S2TTE_MEMATTR_FWB_RESERVED;
}

/**
 * A stage-2 entry, decoded.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export interface S2tte {
  /** The kind of entry. */
  readonly type: S2tteType;
  /** The output address (assigned kinds) or next-level RTT (Table); 0 for the others. */
  readonly oa: number;
  /** For AssignedNs, the host's MemAttr[4:2] | S2AP[7:6] bits as they sit in bits [7:2]; else 0. */
  readonly nsAttrs: number;
}

/**
 * The type of a descriptor at `level` as TF-RMM classifies it, without decoding the rest (RMI
 * handlers check the type of an entry on every call). `undefined` where {@link decodeS2tte} gives
 * `undefined`.
 * @see rmm-abi.md §4.4
 * @since 0.9.0
 */
export function s2tteType(hi: number, lo: number, level: number): S2tteType | undefined {
  const t = lo & 3;
  if (t === S2TTE_PAGE_OR_TABLE && level < RTT_PAGE_LEVEL) return S2tteType.Table;
  if (t === S2TTE_PAGE_OR_TABLE || t === S2TTE_BLOCK) {
    if (t === S2TTE_BLOCK && (level < RTT_MIN_BLOCK_LEVEL || level >= RTT_PAGE_LEVEL))
      return undefined;
    return s2tteIsNs(hi) ? S2tteType.AssignedNs : S2tteType.AssignedRam;
  }
  if (t !== 0) return undefined;
  const hipas = s2tteHipas(lo);
  if (s2tteIsNs(hi)) {
    return hipas === S2TTE_HIPAS_UNASSIGNED ? S2tteType.UnassignedNs : undefined;
  }
  const ripas = s2tteRipas(lo);
  if (hipas === S2TTE_HIPAS_UNASSIGNED) {
    if (ripas === RmiRipas.Empty) return S2tteType.UnassignedEmpty;
    if (ripas === RmiRipas.Ram) return S2tteType.UnassignedRam;
    if (ripas === RmiRipas.Destroyed) return S2tteType.UnassignedDestroyed;
    return undefined;
  }
  if (hipas === S2TTE_HIPAS_ASSIGNED && level >= RTT_MIN_BLOCK_LEVEL) {
    if (ripas === RmiRipas.Empty) return S2tteType.AssignedEmpty;
    if (ripas === RmiRipas.Destroyed) return S2tteType.AssignedDestroyed;
  }
  return undefined;
}

/**
 * Classifies a descriptor at `level` as TF-RMM does. Returns `undefined` for an encoding TF-RMM
 * never writes (a reserved HIPAS/RIPAS value, desc[1:0] = 0b10, a block outside levels 1..2, an
 * assigned entry at level 0 or −1).
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function decodeS2tte(
  hi: number,
  lo: number,
  level: number,
  lpa2: boolean,
): S2tte | undefined {
  const type = s2tteType(hi, lo, level);
  switch (type) {
    case undefined:
      return undefined;
    case S2tteType.Table:
      return { type, oa: s2tteOutputAddress(hi, lo, RTT_PAGE_LEVEL, lpa2), nsAttrs: 0 };
    case S2tteType.AssignedNs:
      return { type, oa: s2tteOutputAddress(hi, lo, level, lpa2), nsAttrs: lo & NS_ATTRS_LO };
    case S2tteType.AssignedRam:
    case S2tteType.AssignedEmpty:
    case S2tteType.AssignedDestroyed:
      return { type, oa: s2tteOutputAddress(hi, lo, level, lpa2), nsAttrs: 0 };
    default:
      return { type, oa: 0, nsAttrs: 0 };
  }
}

function checkLevel(level: number, min: number, max: number, type: string): void {
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new RangeError(`${type} entries exist at levels ${min}..${max}, not ${level}`);
  }
}

/**
 * Encodes a stage-2 entry at `level` as TF-RMM writes it: assigned_ram gets Normal WB, RW, AF
 * and (without LPA2) inner-shareable; assigned_ns gets the host's `nsAttrs` plus AF, NS, XN = 2
 * and (without LPA2) inner-shareable.
 * @throws {RangeError} when the kind does not exist at `level`, `oa` is misaligned or too large,
 * or `nsAttrs` has bits outside [7:2] or the reserved MemAttr.
 * @see rmm-abi.md §2.15, §4.4
 * @since 0.1.0
 */
export function encodeS2tte(entry: S2tte, level: number, lpa2: boolean): U64.U64 {
  checkLevel(level, lpa2 ? RTT_MIN_LEVEL_LPA2 : RTT_MIN_LEVEL, RTT_PAGE_LEVEL, 'RTT');
  const sh = lpa2 ? 0 : SH_IS_LO;
  const leaf = level === RTT_PAGE_LEVEL ? S2TTE_PAGE_OR_TABLE : S2TTE_BLOCK;
  switch (entry.type) {
    case S2tteType.UnassignedEmpty:
      return { hi: 0, lo: RmiRipas.Empty << S2TTE_RIPAS_SHIFT };
    case S2tteType.UnassignedRam:
      return { hi: 0, lo: RmiRipas.Ram << S2TTE_RIPAS_SHIFT };
    case S2tteType.UnassignedDestroyed:
      return { hi: 0, lo: RmiRipas.Destroyed << S2TTE_RIPAS_SHIFT };
    case S2tteType.UnassignedNs:
      return { hi: NS_HI, lo: 0 };
    case S2tteType.AssignedEmpty:
    case S2tteType.AssignedDestroyed: {
      checkLevel(level, RTT_MIN_BLOCK_LEVEL, RTT_PAGE_LEVEL, 'assigned');
      const oa = s2tteFromOutputAddress(entry.oa, level, lpa2);
      const ripas = entry.type === S2tteType.AssignedEmpty ? RmiRipas.Empty : RmiRipas.Destroyed;
      const sw = (S2TTE_HIPAS_ASSIGNED << S2TTE_HIPAS_SHIFT) | (ripas << S2TTE_RIPAS_SHIFT);
      return { hi: oa.hi, lo: (oa.lo | sw) >>> 0 };
    }
    case S2tteType.AssignedRam: {
      checkLevel(level, RTT_MIN_BLOCK_LEVEL, RTT_PAGE_LEVEL, 'assigned_ram');
      const oa = s2tteFromOutputAddress(entry.oa, level, lpa2);
      return { hi: oa.hi, lo: (oa.lo | RAM_ATTRS_LO | sh | leaf) >>> 0 };
    }
    case S2tteType.AssignedNs: {
      checkLevel(level, RTT_MIN_BLOCK_LEVEL, RTT_PAGE_LEVEL, 'assigned_ns');
      const attrs = entry.nsAttrs;
      if ((attrs & ~NS_ATTRS_LO) !== 0 || s2tteMemAttr(attrs) === S2TTE_MEMATTR_FWB_RESERVED) {
        throw new RangeError(`assigned_ns attributes 0x${attrs.toString(16)} are not MemAttr|S2AP`);
      }
      const oa = s2tteFromOutputAddress(entry.oa, level, lpa2);
      return {
        hi: (oa.hi | NS_HI | XN_HI) >>> 0,
        lo: (oa.lo | attrs | AF_LO | sh | leaf) >>> 0,
      };
    }
    case S2tteType.Table: {
      checkLevel(level, RTT_MIN_LEVEL_LPA2, RTT_PAGE_LEVEL - 1, 'table');
      const oa = s2tteFromOutputAddress(entry.oa, RTT_PAGE_LEVEL, lpa2);
      return { hi: oa.hi, lo: (oa.lo | S2TTE_PAGE_OR_TABLE) >>> 0 };
    }
  }
}

/**
 * {@link decodeS2tte} on a 64-bit descriptor, for the RMI boundary and printing.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function decodeS2tteBig(desc: bigint, level: number, lpa2: boolean): S2tte | undefined {
  const { hi, lo } = U64.fromBig(desc);
  return decodeS2tte(hi, lo, level, lpa2);
}

/**
 * {@link encodeS2tte} as a 64-bit descriptor.
 * @throws {RangeError} as {@link encodeS2tte}.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function encodeS2tteBig(entry: S2tte, level: number, lpa2: boolean): bigint {
  const { hi, lo } = encodeS2tte(entry, level, lpa2);
  return U64.toBig(hi, lo);
}

/**
 * What RMI_RTT_READ_ENTRY reports for an entry: X2 state and X4 ripas. Unprotected entries
 * read as UNASSIGNED/ASSIGNED with RIPAS EMPTY; tables as TABLE with RIPAS EMPTY.
 * @see rmm-abi.md §2.17
 * @since 0.1.0
 */
export function rttReadEntryState(type: S2tteType): {
  readonly state: RmiRttEntryState;
  readonly ripas: RmiRipas;
} {
  switch (type) {
    case S2tteType.UnassignedEmpty:
    case S2tteType.UnassignedNs:
      return { state: RmiRttEntryState.Unassigned, ripas: RmiRipas.Empty };
    case S2tteType.UnassignedRam:
      return { state: RmiRttEntryState.Unassigned, ripas: RmiRipas.Ram };
    case S2tteType.UnassignedDestroyed:
      return { state: RmiRttEntryState.Unassigned, ripas: RmiRipas.Destroyed };
    case S2tteType.AssignedEmpty:
    case S2tteType.AssignedNs:
      return { state: RmiRttEntryState.Assigned, ripas: RmiRipas.Empty };
    case S2tteType.AssignedRam:
      return { state: RmiRttEntryState.Assigned, ripas: RmiRipas.Ram };
    case S2tteType.AssignedDestroyed:
      return { state: RmiRttEntryState.Assigned, ripas: RmiRipas.Destroyed };
    case S2tteType.Table:
      return { state: RmiRttEntryState.Table, ripas: RmiRipas.Empty };
  }
}
