/**
 * RMI_VERSION round trips through the EL3 monitor to the Islet RMM and back, on the booted
 * platform: through the host's convenience `smc` (which copies its results into a fresh array), and
 * through the monitor's SMC conduit with a reused register file, the path a driver would use.
 *
 * **Read the ratios, not the rates**: tinybench times every call, and at ~0.1 µs per round trip its
 * own overhead is most of what it measures (~2.7 M/s here against ~8 M/s in a plain loop). The
 * `raw:` bench pays the same overhead, so the ratios stay meaningful; the absolute rates, and the
 * DATA_CREATE image-load benchmark, come from the plain-Node runner `src/bench/platform-bench.ts`
 * (`pnpm bench` runs both).
 * @module
 */
import { SMC_RMI_VERSION, World } from '@islet/abi';
import { bench, describe } from 'vitest';
import { bootPlatform } from './platform.ts';

const p = bootPlatform();
const fid = BigInt(SMC_RMI_VERSION);
const monitor = p.parts.monitor;
const regs: bigint[] = [0x10000n, 0n, 0n, 0n, 0n, 0n, 0n];
const registerFile = new Uint8Array(64).fill(1);
const copy = new Uint8Array(64);

/** One RMI_VERSION through the monitor's conduit with a reused register file. */
function conduit(): void {
  if (monitor.smc(World.Normal, SMC_RMI_VERSION, regs)[0] !== 0n)
    throw new Error('RMI_VERSION failed');
}

/** One RMI_VERSION through `host.smc`. */
function host(): void {
  if (p.host.smc(fid, 0x10000n)[0] !== 0n) throw new Error('RMI_VERSION failed');
}

/** The primitive: copy one X0..X7 register file (64 bytes), as the plain-Node runner does. */
function raw(): void {
  copy.set(registerFile);
  if (copy[63] !== 1) throw new Error('copy failed');
}

describe('RMI_VERSION round trips', () => {
  bench('raw: 64-byte Uint8Array copy (one X0..X7 register file)', raw, { time: 1000 });
  bench('monitor.smc(Normal, RMI_VERSION) → IsletRmm', conduit, { time: 1000 });
  bench('host.smc(RMI_VERSION) → IsletRmm', host, { time: 1000 });
});
