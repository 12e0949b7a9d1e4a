/**
 * The granule protection check as the MMU consumes it: for every physical access, after any
 * stage-2 translation, the GPI of the target granule decides whether the accessing world may
 * touch it. The GPT answers from a cached view that always agrees with its descriptors in Root
 * memory.
 * @see rmm-abi.md §8.1
 * @module
 */

import type { Gpi, World } from '@islet/abi';
import type { GranuleIdx } from '@islet/arch';

/** What the MMU asks the GPT on every access. */
export interface GranuleProtectionCheck {
  /** The GPI of granule `idx`; `Gpi.NoAccess` for granules outside the protected range. */
  gpiOfGranule(idx: GranuleIdx): Gpi;
  /** Whether an access from `world` to granule `idx` passes the check (`gpiPermits`). */
  permits(world: World, idx: GranuleIdx): boolean;
}
