/**
 * The FVP as a target of `@islet/conformance`: what the suite needs to know about this platform
 * (its Secure and Realm carve-outs, an MMIO address, the end of the PA space) and how to boot it
 * with a chosen RMM, plus loading an RMM from a module path for `--rmm`.
 * @module
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IsletError } from '@islet/arch';
import type { ConformanceTarget, PlatformDescription } from '@islet/conformance';
import { RMM_BASE, SECURE_BASE } from './memory-map.ts';
import { bootPlatform, ISLET_RMM, type RmmFactory } from './platform.ts';

/** FVP UART0 (PL011): device memory, no DRAM behind it. */
export const FVP_UART0_BASE = 0x1c09_0000n;

/**
 * The FVP's addresses for the failure conditions. The RMM reports a 48-bit PA size (feature
 * register 0 S2SZ), so 2^48 is beyond the permitted PA range; addresses between the end of DRAM
 * (64 GiB) and 2^48 have no granule either, but are inside the PA size.
 */
export const FVP_PLATFORM_DESCRIPTION: PlatformDescription = {
  secureGranule: BigInt(SECURE_BASE),
  realmGranule: BigInt(RMM_BASE),
  mmioAddress: FVP_UART0_BASE,
  outsidePa: 1n << 48n,
  vmidBits: 16,
};

/** An RMM choice: a name for reports and a factory. */
export interface RmmChoice {
  readonly name: string;
  readonly create: RmmFactory;
}

/** The FVP booted with `rmm` (the Islet RMM by default), as a conformance target. */
export function fvpConformanceTarget(rmm: RmmChoice = ISLET_RMM): ConformanceTarget {
  return { ...FVP_PLATFORM_DESCRIPTION, boot: () => bootPlatform({ rmm }) };
}

/**
 * The RMM named by `--rmm`: `islet` (the default) or the path of an ES module that exports
 * `createRmm`, an {@link RmmFactory}.
 * @throws {@link IsletError} `FVP_RMM_NOT_FOUND` when the module does not load or has no
 * `createRmm` function.
 */
export async function loadRmm(spec: string): Promise<RmmChoice> {
  if (spec === 'islet') return ISLET_RMM;
  const url = pathToFileURL(isAbsolute(spec) ? spec : resolve(process.cwd(), spec)).href;
  let mod: { createRmm?: unknown };
  try {
    mod = (await import(url)) as { createRmm?: unknown };
  } catch (err) {
    throw new IsletError('FVP_RMM_NOT_FOUND', `cannot load RMM module ${spec}`, {
      details: err instanceof Error ? err.message : String(err),
      cause: err,
    });
  }
  if (typeof mod.createRmm !== 'function') {
    throw new IsletError('FVP_RMM_NOT_FOUND', `${spec} does not export createRmm`);
  }
  return { name: spec, create: mod.createRmm as RmmFactory };
}
