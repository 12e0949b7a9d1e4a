/**
 * RMI_VERSION round trips through the EL3 monitor to the Islet RMM and back, on the booted
 * platform: through the host's convenience `smc` (which copies its results into a fresh array), and
 * through the monitor's SMC conduit with a reused register file, the path a driver would use.
 * @module
 */
import { SMC_RMI_VERSION, World } from '@islet/abi';
import { bench, describe } from 'vitest';
import { bootPlatform } from './platform.ts';

const p = bootPlatform();
const fid = BigInt(SMC_RMI_VERSION);
const monitor = p.parts.monitor;
const regs: bigint[] = [0x10000n, 0n, 0n, 0n, 0n, 0n, 0n];

/** One RMI_VERSION through the monitor's conduit with a reused register file. */
function conduit(): void {
  if (monitor.smc(World.Normal, SMC_RMI_VERSION, regs)[0] !== 0n)
    throw new Error('RMI_VERSION failed');
}

/** One RMI_VERSION through `host.smc`. */
function host(): void {
  if (p.host.smc(fid, 0x10000n)[0] !== 0n) throw new Error('RMI_VERSION failed');
}

describe('RMI_VERSION round trips', () => {
  bench('monitor.smc(Normal, RMI_VERSION) → IsletRmm', conduit, { time: 2000 });
  bench('host.smc(RMI_VERSION) → IsletRmm', host, { time: 2000 });
});
