/**
 * A hostile realm on the whole platform: a realm program issues random RSI, PSCI and unknown SMCs
 * with biased arguments (addresses inside and outside its RAM, unprotected, unaligned, huge). Each
 * call gets a status the spec defines, the host's vCPU loop services whatever exits follow, another
 * realm's memory and RIM stay as they were, and destroying the realm returns every granule zeroed.
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import {
  Gpi,
  GranuleState,
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_FEATURES,
  SMC_RSI_HOST_CALL,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_REALM_CONFIG,
  SMC_RSI_VERSION,
  SMC32_PSCI_AFFINITY_INFO,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_VERSION,
} from '@islet/abi';
import { physAddr, toHex } from '@islet/arch';
import { GranuleAllocator } from '@islet/host';
import { afterAll, describe, expect } from 'vitest';
import { bootPlatform } from '../src/platform.ts';
import { runRealmApp } from '../src/realm-app.ts';

const FIDS = [
  SMC_RSI_VERSION,
  SMC_RSI_FEATURES,
  SMC_RSI_MEASUREMENT_READ,
  SMC_RSI_MEASUREMENT_EXTEND,
  SMC_RSI_ATTESTATION_TOKEN_INIT,
  SMC_RSI_ATTESTATION_TOKEN_CONTINUE,
  SMC_RSI_REALM_CONFIG,
  SMC_RSI_IPA_STATE_SET,
  SMC_RSI_IPA_STATE_GET,
  SMC_RSI_HOST_CALL,
  SMC_RSI_ISLET_REALM_SEALING_KEY,
  SMC32_PSCI_VERSION,
  SMC32_PSCI_FEATURES,
  SMC32_PSCI_AFFINITY_INFO,
];
const MEMORY = 0x20_0000;
const UNPROTECTED = 2 ** 39;

/** Register values a hostile realm would try: IPAs in and out of its RAM, unaligned, huge. */
const arg = fc.oneof(
  fc.constantFrom(0n, 1n, 4n, 0xfffn, 0x1000n, 0x2000n, BigInt(MEMORY), 2n ** 64n - 1n),
  fc.integer({ min: 0, max: MEMORY / 0x1000 - 1 }).map((p) => BigInt(p * 0x1000)),
  fc.integer({ min: 0, max: 0xfff }).map((p) => BigInt(UNPROTECTED + p * 0x1000)),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);
const call = fc.record({
  fid: fc.oneof(fc.constantFrom(...FIDS), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
  args: fc.array(arg, { minLength: 0, maxLength: 10 }),
});

/** X0 values a call may answer: RSI statuses, PSCI results and versions, SMC_UNKNOWN. */
function isSpecStatus(x0: bigint): boolean {
  const signed = BigInt.asIntN(64, x0);
  return (x0 >= 0n && x0 <= 4n) || (signed >= -9n && signed < 0n) || x0 === 0x1_0001n;
}

describe('a hostile realm', () => {
  const platform = bootPlatform();
  const allocator = new GranuleAllocator(platform.host.dram);
  const secret = 'the other realm: 31f0c2';
  const other = runRealmApp(
    platform,
    { image: new TextEncoder().encode(`memory.write(0x100000, text.encode('${secret}'));`) },
    { keep: true, allocator, vmid: 1 },
  );
  const otherPages = other.realm.data.map((d) =>
    toHex(platform.parts.memory.realm.read(physAddr(d), 4096)),
  );
  const otherRim = toHex(platform.inspect.realm(other.realm.rd)!.rim);
  afterAll(() => {
    other.realm.destroy();
    platform.close();
  });

  test.prop([fc.array(call, { minLength: 1, maxLength: 40 })], { numRuns: 6 })(
    'gets spec statuses, never harms the platform or another realm',
    (calls) => {
      const program = `
        const calls = ${JSON.stringify(calls, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))};
        const x0 = [];
        for (const c of calls) {
          const args = c.args.map((a) => BigInt(a.slice(0, -1)));
          x0.push(String(smc(c.fid, ...args)[0]));
        }
        host.send(text.encode(x0.join(',')));
      `;
      const app = runRealmApp(
        platform,
        { image: new TextEncoder().encode(program) },
        { allocator, vmid: 2 },
      );
      expect(['system-off', 'system-reset', 'cpus-off', 'stage2-fault']).toContain(app.run.reason);
      const answered = new TextDecoder().decode(app.sent);
      if (answered !== '') {
        // The realm may have taken its own RAM away (IPA_STATE_SET EMPTY); what it reported holds.
        for (const x of answered.split(',')) expect(isSpecStatus(BigInt(x)), x).toBe(true);
      }
      // The other realm: its pages and RIM as they were.
      other.realm.data.forEach((d, i) => {
        expect(toHex(platform.parts.memory.realm.read(physAddr(d), 4096))).toBe(otherPages[i]);
      });
      expect(toHex(platform.inspect.realm(other.realm.rd)!.rim)).toBe(otherRim);
      // Destroyed: every granule the hostile realm had is Non-secure, undelegated and zero.
      for (const g of app.realm.granules) {
        expect(platform.inspect.granule(g)).toMatchObject({
          gpi: Gpi.NonSecure,
          rmmState: GranuleState.Undelegated,
        });
        expect(platform.host.memory.read(g, 0x1000).every((b) => b === 0)).toBe(true);
      }
      expect(platform.inspect.counts()).toEqual({ realms: 1, recs: 1 });
    },
  );
});
