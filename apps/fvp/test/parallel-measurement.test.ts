/**
 * `bootPlatform({ parallelMeasurement: true })`: DATA_CREATE's RIM chain hashed on a worker thread
 * over shared DRAM gives, at every point the RIM can be observed, exactly the RIM of the serial
 * platform: across more links than the worker's ring holds, unmeasured pages, other commands and
 * `inspect` in the middle, DATA_DESTROY, and two realms (SHA-256 and SHA-512) taking turns.
 * @module
 */
import {
  encodeRealmParams,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_READ_ENTRY,
} from '@islet/abi';
import { afterAll, describe, expect, it } from 'vitest';
import { bootPlatform, type Platform, smallRealmParams } from '../src/index.ts';

const G = 0x1000n;
const PAGES = 150;

/** One realm's granules, from `base`. */
function layout(base: bigint) {
  return {
    rd: base,
    roots: base + G,
    params: base + 3n * G,
    l2: base + 4n * G,
    l3: [base + 5n * G],
    src: base + 8n * G,
    spare: base + 9n * G,
    data: Array.from({ length: PAGES }, (_, i) => base + 0x10_0000n + BigInt(i) * G),
  };
}

/** Drives one platform through the scenario; returns the RIMs seen along the way. */
function scenario(p: Platform): string[] {
  const seen: string[] = [];
  const smc = (fid: number, ...args: bigint[]) => {
    const x0 = p.host.smc(BigInt(fid), ...args)[0];
    expect(x0, `FID 0x${fid.toString(16)}`).toBe(0n);
  };
  const realms = [layout(0x8100_0000n), layout(0x8200_0000n)];
  realms.forEach((r, k) => {
    for (const g of [r.rd, r.roots, r.roots + G, r.l2, ...r.l3, ...r.data]) {
      smc(SMC_RMI_GRANULE_DELEGATE, g);
    }
    p.host.memory.write(
      r.params,
      encodeRealmParams(smallRealmParams(r.roots, { hashAlgo: k === 0 ? 0 : 1, vmid: k + 1 })),
    );
    smc(SMC_RMI_REALM_CREATE, r.rd, r.params);
    smc(SMC_RMI_RTT_CREATE, r.rd, r.l2, 0n, 2n);
    smc(SMC_RMI_RTT_CREATE, r.rd, r.l3[0]!, 0n, 3n);
  });
  const rim = (r: { rd: bigint }) => Buffer.from(p.inspect.realm(r.rd)!.rim).toString('hex');
  for (let i = 0; i < PAGES; i++) {
    for (const [k, r] of realms.entries()) {
      // Realm 1 only every tenth page, so realm 0's chain runs long between switches.
      if (k === 1 && i % 10 !== 0) continue;
      p.host.memory.write(
        r.src,
        Uint8Array.from({ length: 4096 }, (_, j) => (i * 7 + j + k) & 0xff),
      );
      smc(SMC_RMI_DATA_CREATE, r.rd, r.data[i]!, BigInt(i) * G, r.src, i % 7 === 3 ? 0n : 1n);
    }
    if (i === 100) seen.push(rim(realms[0]!), rim(realms[1]!));
    if (i === 110) {
      // Commands that keep the queue pending (they neither read a RIM nor touch DATA granules).
      smc(SMC_RMI_GRANULE_DELEGATE, realms[0]!.spare);
      smc(SMC_RMI_GRANULE_UNDELEGATE, realms[0]!.spare);
      smc(SMC_RMI_REC_AUX_COUNT, realms[0]!.rd);
    }
    if (i === 120) smc(SMC_RMI_RTT_READ_ENTRY, realms[0]!.rd, 0n, 3n);
    if (i === 130) smc(SMC_RMI_DATA_DESTROY, realms[0]!.rd, 0n);
  }
  for (const r of realms) smc(SMC_RMI_REALM_ACTIVATE, r.rd);
  seen.push(rim(realms[0]!), rim(realms[1]!));
  return seen;
}

describe('parallel measurement', () => {
  const parallel = bootPlatform({ parallelMeasurement: true });
  afterAll(() => parallel.close());

  it('gives the serial RIM wherever it is observed', () => {
    const want = scenario(bootPlatform());
    const got = scenario(parallel);
    expect(got).toEqual(want);
    expect(new Set(got).size).toBe(4);
  });

  it('is backed by shared DRAM (the worker reads data granules in place)', () => {
    const rd = 0x8100_0000;
    const view = parallel.parts.memory.dram.granule(rd as never);
    expect(view?.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});
