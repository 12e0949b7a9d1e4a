/**
 * RMI_VERSION round trips Normal world → EL3 monitor → Islet RMM → back, on the booted platform:
 * through the monitor's SMC conduit with a reused register file (the path a driver takes), and
 * through the host's convenience `host.smc` (rest arguments in, a fresh 5-element array out).
 *
 * **The raw primitive**: a 64-byte `Uint8Array` copy, `dst.set(src)`. An SMC round trip moves a
 * register file, X0..X7 = 64 bytes, in and out, so "copy one register file" is the smallest honest
 * unit of the same kind of work, a memory primitive rather than a code path of ours; an empty
 * function through as many indirections as the monitor has would measure only call overhead and
 * say nothing about the machine. The copy alternates between two sources, so it cannot be hoisted.
 * @module
 */
import { SMC_RMI_VERSION, World } from '@islet/abi';
import type { Platform } from '../platform.ts';
import type { BenchCase } from './harness.ts';

/** The RMI ABI version the host asks for (1.0). */
const RMI_ABI_1_0 = 0x1_0000n;

/**
 * The RMI_VERSION group: `raw:` 64-byte copy, `monitor.smc` with a reused register file,
 * `host.smc`. Every call's X0 is checked, as a driver would.
 */
export function rmiVersionCases(p: Platform): BenchCase[] {
  const monitor = p.parts.monitor;
  const regs: bigint[] = [RMI_ABI_1_0, 0n, 0n, 0n, 0n, 0n, 0n];
  const fid = BigInt(SMC_RMI_VERSION);
  const srcA = new Uint8Array(64).fill(1);
  const srcB = new Uint8Array(64).fill(2);
  const dst = new Uint8Array(64);
  const fail = (): never => {
    throw new Error('RMI_VERSION failed');
  };
  return [
    {
      name: 'raw: 64-byte Uint8Array copy (one X0..X7 register file)',
      run(n) {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          dst.set((i & 1) === 0 ? srcA : srcB);
          acc += dst[63]!;
        }
        return acc;
      },
    },
    {
      name: 'monitor.smc(Normal, RMI_VERSION, reused regs) → IsletRmm',
      run(n) {
        for (let i = 0; i < n; i++) {
          if (monitor.smc(World.Normal, SMC_RMI_VERSION, regs)[0] !== 0n) fail();
        }
        return n;
      },
    },
    {
      name: 'host.smc(RMI_VERSION) → IsletRmm',
      run(n) {
        for (let i = 0; i < n; i++) {
          if (p.host.smc(fid, RMI_ABI_1_0)[0] !== 0n) fail();
        }
        return n;
      },
    },
  ];
}
