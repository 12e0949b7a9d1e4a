/**
 * Helpers that build RTTs in memory: find the entry that maps an IPA at a level, write a
 * descriptor there, and create the tables on the way. They write the architected descriptors of
 * `@islet/abi` (`encodeS2tte`), so {@link stage2Walk} and the RMM read what they write. For
 * tests, tools and the RMM's own table code; they do no RMM state checks.
 * @see rmm-abi.md §4.4, §4.6
 * @module
 */
import {
  encodeS2tte,
  MemoryAccess,
  RTT_PAGE_LEVEL,
  rttLevelShift,
  S2TTE_PAGE_OR_TABLE,
  type S2tte,
  S2tteType,
  s2tteOutputAddress,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { MemoryArgumentError } from './errors.ts';
import type { DescriptorReader, Stage2Geometry } from './stage2-walk.ts';

/**
 * A {@link DescriptorReader} that can also write descriptors ({@link Dram}, {@link MemoryPort}).
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export interface DescriptorWriter extends DescriptorReader {
  /** Writes the descriptor `hi:lo` at the 8-byte aligned `pa`; throws on a fault. */
  writeDescriptor(pa: PhysAddr, hi: number, lo: number): void;
}

const scratch = new Uint32Array(2);

function checkTarget(geometry: Stage2Geometry, ipa: number, level: number): void {
  if (!Number.isSafeInteger(ipa) || ipa < 0 || ipa >= geometry.ipaLimit) {
    throw new MemoryArgumentError('MMU_ADDRESS_INVALID', 'IPA out of range', {
      details: `${String(ipa)} is not in [0, 2^${geometry.ipaWidth})`,
    });
  }
  if (!Number.isInteger(level) || level < geometry.startLevel || level > RTT_PAGE_LEVEL) {
    throw new MemoryArgumentError('RTT_LEVEL_INVALID', 'RTT level out of range', {
      details: `level ${String(level)} is not in ${geometry.startLevel}..3`,
    });
  }
}

function entryIn(table: number, ipa: number, level: number, root: boolean): number {
  const index = Math.floor(ipa / 2 ** rttLevelShift(level));
  return table + 8 * (root ? index : index % 512);
}

/**
 * Walks the tables from the root down to `level`; at a level above it whose entry is not a
 * table, calls `missing` (which may return a new table's PA) or stops.
 */
function descend(
  mem: DescriptorReader,
  geometry: Stage2Geometry,
  ipa: number,
  level: number,
  missing: ((entryPa: number, lvl: number, hi: number, lo: number) => number | undefined) | null,
): number | undefined {
  checkTarget(geometry, ipa, level);
  let lvl = geometry.startLevel;
  let entryPa = entryIn(geometry.rootPa, ipa, lvl, true);
  while (lvl < level) {
    const status = mem.readDescriptor(entryPa as PhysAddr, scratch);
    if (status !== MemoryAccess.Ok) {
      throw new MemoryArgumentError('RTT_TABLE_MISSING', 'cannot read an RTT entry', {
        details: `the level-${lvl} entry at 0x${entryPa.toString(16)} reads as MemoryAccess ${status}`,
      });
    }
    const lo = scratch[0]!;
    const hi = scratch[1]!;
    let table: number | undefined;
    if ((lo & 3) === S2TTE_PAGE_OR_TABLE) {
      table = s2tteOutputAddress(hi, lo, RTT_PAGE_LEVEL, geometry.lpa2);
    } else if (missing !== null) {
      table = missing(entryPa, lvl, hi, lo);
    }
    if (table === undefined) return undefined;
    lvl++;
    entryPa = entryIn(table, ipa, lvl, false);
  }
  return entryPa;
}

/**
 * The PA of the RTT entry at `level` that maps `ipa`, following table descriptors from the root;
 * `undefined` when an entry above `level` is not a table.
 *
 * @example
 * ```ts
 * rttEntryAddress(dram, geometry, 0x4000_0000, geometry.startLevel); // in the root table
 * ```
 * @throws {@link MemoryArgumentError} `MMU_ADDRESS_INVALID` (IPA not below 2^ipaWidth),
 * `RTT_LEVEL_INVALID`, or `RTT_TABLE_MISSING` when an entry on the way cannot be read.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function rttEntryAddress(
  mem: DescriptorReader,
  geometry: Stage2Geometry,
  ipa: number,
  level: number,
): PhysAddr | undefined {
  return descend(mem, geometry, ipa, level, null) as PhysAddr | undefined;
}

/**
 * Writes the raw descriptor `hi:lo` into the entry at `level` that maps `ipa`.
 * @returns the PA of the entry.
 * @throws {@link MemoryArgumentError} `RTT_TABLE_MISSING` when the tables down to `level` do not
 * exist, and as {@link rttEntryAddress}; the writer's faults.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function rttWriteDescriptor(
  mem: DescriptorWriter,
  geometry: Stage2Geometry,
  ipa: number,
  level: number,
  hi: number,
  lo: number,
): PhysAddr {
  const entryPa = rttEntryAddress(mem, geometry, ipa, level);
  if (entryPa === undefined) {
    throw new MemoryArgumentError('RTT_TABLE_MISSING', 'no RTT at this level', {
      details: `no level-${level} table maps IPA 0x${ipa.toString(16)}`,
    });
  }
  mem.writeDescriptor(entryPa, hi >>> 0, lo >>> 0);
  return entryPa;
}

/**
 * Writes `entry` (encoded by `@islet/abi`'s `encodeS2tte`, as TF-RMM writes it) into the entry
 * at `level` that maps `ipa`.
 *
 * @example
 * ```ts
 * rttWriteEntry(dram, geometry, ipa, 3, { type: S2tteType.AssignedRam, oa: pa, nsAttrs: 0 });
 * ```
 * @returns the PA of the entry.
 * @throws {RangeError} when `entry` does not exist at `level` or its address is misaligned
 * (`encodeS2tte`); as {@link rttWriteDescriptor}.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function rttWriteEntry(
  mem: DescriptorWriter,
  geometry: Stage2Geometry,
  ipa: number,
  level: number,
  entry: S2tte,
): PhysAddr {
  const { hi, lo } = encodeS2tte(entry, level, geometry.lpa2);
  return rttWriteDescriptor(mem, geometry, ipa, level, hi, lo);
}

/**
 * Makes sure tables exist from the root down to `level` for `ipa`: at every level above it
 * whose entry is invalid, takes a zeroed granule from `allocTable` and links it with a table
 * descriptor.
 *
 * @example
 * ```ts
 * let next = 0x8810_0000;
 * const alloc = () => { const pa = next; next += 4096; return physAddr(pa); };
 * rttCreateTables(dram, geometry, ipa, 3, alloc); // the level-3 entry's PA
 * ```
 * @param allocTable - returns the PA of a granule of zeroes for a new table.
 * @returns the PA of the entry at `level`.
 * @throws {@link MemoryArgumentError} `RTT_TABLE_MISSING` when a valid block or page mapping
 * covers `ipa` above `level`; as {@link rttEntryAddress}; the writer's faults.
 * @see rmm-abi.md §4.4
 * @since 0.1.0
 */
export function rttCreateTables(
  mem: DescriptorWriter,
  geometry: Stage2Geometry,
  ipa: number,
  level: number,
  allocTable: () => PhysAddr,
): PhysAddr {
  const entryPa = descend(mem, geometry, ipa, level, (at, lvl, _hi, lo) => {
    if ((lo & 1) !== 0) {
      throw new MemoryArgumentError('RTT_TABLE_MISSING', 'a block maps this IPA', {
        details: `the level-${lvl} entry at 0x${at.toString(16)} is a valid leaf, not a table`,
      });
    }
    const table = allocTable();
    const d = encodeS2tte({ type: S2tteType.Table, oa: table, nsAttrs: 0 }, lvl, geometry.lpa2);
    mem.writeDescriptor(at as PhysAddr, d.hi, d.lo);
    return table;
  });
  return entryPa as PhysAddr;
}
