/** Builds an {@link IsletRmm} on the {@link FakePlatform} doubles. @module */
import { nodeCrypto } from '@islet/arch';
import { IsletRmm, type IsletRmmOptions } from '../../src/rmm.ts';
import { DRAM, FakePlatform } from './platform.ts';

/** A fresh platform and an RMM on it. */
export function setup(options: Partial<IsletRmmOptions> = {}): {
  platform: FakePlatform;
  rmm: IsletRmm;
} {
  const platform = new FakePlatform();
  const rmm = new IsletRmm({
    el3: platform.el3,
    memory: platform.memory,
    dram: DRAM,
    crypto: nodeCrypto(),
    ...options,
  });
  return { platform, rmm };
}
