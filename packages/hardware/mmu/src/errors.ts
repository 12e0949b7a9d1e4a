/**
 * The coded errors of physical memory: a granule protection fault, an external abort (no memory at
 * the address) and bad arguments. The status-returning {@link PhysMemory} port of `@islet/abi`
 * reports the first two as `MemoryAccess` values instead; argument errors are the caller's bug and
 * always throw.
 * @module
 */
import type { Gpi, World } from '@islet/abi';
import { worldOfGpi } from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { IsletError } from '@islet/arch';

const WORLD_NAMES = ['Secure', 'Normal', 'Root', 'Realm'] as const;

function worldName(world: number): string {
  return WORLD_NAMES[world] ?? `world ${world}`;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * A granule protection fault (GPF): `world` accessed a granule whose GPI does not grant its PAS.
 * Nothing was changed by the faulting access.
 *
 * ```text
 * Access rule: an access to PAS X is permitted iff GPI(granule) == X-only or All-access; otherwise
 * Granule Protection Fault (GPF).
 * ```
 *
 * @example
 * ```ts
 * try { mem.normal.read(realmPa, 8); } catch (e) {
 *   if (e instanceof GranuleProtectionFault) e.gpi; // Gpi.Realm
 * }
 * ```
 * @see rmm-abi.md §8.1
 * @since 0.1.0
 */
export class GranuleProtectionFault extends IsletError<'GRANULE_PROTECTION_FAULT'> {
  override name = 'Mmu.GranuleProtectionFault';
  /** The lowest address of the access inside the faulting granule. */
  readonly address: PhysAddr;
  /** The world (PAS) the access targeted. */
  readonly world: World;
  /** The GPI of the faulting granule. */
  readonly gpi: Gpi;
  /** The PAS that granule belongs to exclusively, or `undefined` (no access, any, reserved). */
  readonly pas: World | undefined;

  constructor(address: PhysAddr, world: World, gpi: Gpi) {
    const pas = worldOfGpi(gpi);
    super(
      'GRANULE_PROTECTION_FAULT',
      `granule protection fault: ${worldName(world)} access at ${hex(address)}`,
      {
        details: `the granule's GPI is ${hex(gpi)} (${pas === undefined ? 'no single PAS' : `${worldName(pas)} PAS`}), which does not grant the ${worldName(world)} PAS`,
        docsPath: 'rmm-abi.md §8.1',
      },
    );
    this.address = address;
    this.world = world;
    this.gpi = gpi;
    this.pas = pas;
  }
}

/**
 * A synchronous external abort: no DRAM backs `address` (a hole in the memory map, device memory,
 * or beyond the platform's physical address space). Nothing was changed by the access.
 * @see rmm-abi.md §1.5 (`*_bound`: not inside a DRAM bank)
 * @since 0.1.0
 */
export class ExternalAbortError extends IsletError<'EXTERNAL_ABORT'> {
  override name = 'Mmu.ExternalAbort';
  /** The first address of the access that no DRAM backs. */
  readonly address: PhysAddr;

  constructor(address: PhysAddr, length: number) {
    super('EXTERNAL_ABORT', `external abort: no DRAM at ${hex(address)}`, {
      details: `an access of ${length} bytes at ${hex(address)} leaves the DRAM banks (an access may not span two banks)`,
    });
    this.address = address;
  }
}

/**
 * The codes of {@link MemoryArgumentError}.
 * @since 0.1.0
 */
export type MemoryArgumentCode =
  | 'MMU_ADDRESS_INVALID'
  | 'MMU_LENGTH_INVALID'
  | 'MMU_UNALIGNED'
  | 'MMU_WORLD_INVALID'
  | 'DRAM_CONFIG_INVALID'
  | 'S2_GEOMETRY_INVALID'
  | 'RTT_LEVEL_INVALID'
  | 'RTT_TABLE_MISSING';

/**
 * A bad argument: an address that is not an integer in [0, 2^52), a bad length, an unaligned
 * granule address, an invalid DRAM layout or stage-2 geometry.
 * @see rmm-abi.md §1.5
 * @since 0.1.0
 */
export class MemoryArgumentError extends IsletError<MemoryArgumentCode> {
  override name = 'Mmu.ArgumentError';
}
