/** Builds an {@link IsletRmm} (or a bare RMI context) on the {@link FakePlatform} doubles. @module */
import { decodeFeatureRegister0, type RmiArgs, type RmiResult } from '@islet/abi';
import { nodeCrypto } from '@islet/arch';
import { DEFAULT_PLATFORM_FEATURES, featureRegister0 } from '../../src/features.ts';
import { GranuleTable } from '../../src/granule/granule-table.ts';
import { RimQueue } from '../../src/measurement/rim-queue.ts';
import { RealmTable } from '../../src/realm/realm.ts';
import { RecTable } from '../../src/rec/rec.ts';
import type { RmiContext } from '../../src/rmi/context.ts';
import { createRmiDispatcher } from '../../src/rmi/dispatch.ts';
import { RMI_HANDLERS } from '../../src/rmi/handlers.ts';
import { IsletRmm, type IsletRmmOptions } from '../../src/rmm.ts';
import { DRAM, FakePlatform } from './platform.ts';

/** An RMM on `platform` (a fresh one by default). */
export function setup(
  options: Partial<IsletRmmOptions> = {},
  platform: FakePlatform = new FakePlatform(),
): {
  platform: FakePlatform;
  rmm: IsletRmm;
} {
  const rmm = new IsletRmm({
    el3: platform.el3,
    memory: platform.memory,
    dram: DRAM,
    crypto: nodeCrypto(),
    ...options,
  });
  return { platform, rmm };
}

/** An RMI context on a fresh platform (default features), for tests that reach RMM state. */
export function context(platform: FakePlatform = new FakePlatform()): RmiContext {
  const reg0 = featureRegister0(DEFAULT_PLATFORM_FEATURES);
  return {
    granules: new GranuleTable(DRAM),
    el3: platform.el3,
    memory: platform.memory,
    featureRegister0: reg0,
    features: decodeFeatureRegister0(reg0),
    vmidBits: 16,
    hpmn0: false,
    crypto: nodeCrypto(),
    realms: new RealmTable(),
    recs: new RecTable(),
    rimQueue: new RimQueue(),
  };
}

/** A dispatcher over {@link RMI_HANDLERS} bound to `ctx` (what `IsletRmm.handleRmi` does). */
export function bind(ctx: RmiContext): (fid: number, args: RmiArgs) => RmiResult {
  const d = createRmiDispatcher(RMI_HANDLERS);
  return (fid, args) => d(ctx, fid, args);
}
