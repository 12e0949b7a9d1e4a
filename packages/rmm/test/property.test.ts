/**
 * Property tests: `handleRmi` never throws on any FID and register values and always answers
 * `SMC_UNKNOWN` or a packed RMM 1.0 status; delegate/undelegate sequences keep the granule table
 * consistent with the EL3 double's GPI map and with a reference model.
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import {
  GranuleState,
  RMI_COMMANDS,
  RmiStatus,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_GRANULE_UNDELEGATE,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
  unpackReturnCode,
  World,
} from '@islet/abi';
import { describe, expect } from 'vitest';
import { DRAM, REALM_PA, ROOT_PA, regs, SECURE_PA } from './support/platform.ts';
import { setup } from './support/rmm.ts';

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
/** FIDs: anything 32-bit, the RMI range with and without the SVE hint, and RMI commands. */
const fid = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.integer({ min: 0xc400_0140, max: 0xc400_01cf }),
  fc.integer({ min: 0xc400_0150, max: 0xc400_0169 }).map((f) => (f | SMC_SVE_HINT) >>> 0),
  fc.constantFrom(...RMI_COMMANDS.map((c) => c.fid)),
);
/** Register values biased towards addresses the RMM tracks. */
const reg = fc.oneof(
  u64,
  fc
    .constantFrom(...DRAM)
    .chain((b) =>
      fc.integer({ min: 0, max: b.size / 4096 - 1 }).map((i) => BigInt(b.base + i * 4096)),
    ),
  fc.integer({ min: 0, max: 0x2_0000 }).map(BigInt),
);
const args = fc.tuple(reg, reg, reg, reg, reg, reg);

describe('handleRmi on arbitrary registers', () => {
  const { rmm } = setup();

  test.prop([fid, args], { numRuns: 2000 })(
    'never throws; X0 is SMC_UNKNOWN or a packed status; X4 is the caller’s',
    (f, a) => {
      const r = rmm.handleRmi(f, a);
      expect(r).toHaveLength(5);
      if (r[0] === SMC_UNKNOWN) {
        expect(r.slice(1)).toEqual(a.slice(0, 4));
      } else {
        expect(unpackReturnCode(r[0])).toBeDefined();
      }
      // No implemented command writes X4 (only RTT_READ_ENTRY will).
      expect(r[4]).toBe(a[3]);
    },
  );
});

type Op = { readonly kind: 'delegate' | 'undelegate'; readonly addr: bigint };
const G = 4096;
/** A small pool of granules (so that sequences revisit them) plus hostile addresses. */
const pool = [
  DRAM[0]!.base,
  DRAM[0]!.base + G,
  DRAM[0]!.base + 2 * G,
  DRAM[1]!.base,
  DRAM[1]!.base + DRAM[1]!.size - G,
  SECURE_PA,
  REALM_PA,
  ROOT_PA,
];
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('delegate' as const, 'undelegate' as const),
  addr: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...pool).map(BigInt) },
    { weight: 1, arbitrary: fc.constantFrom(...pool).map((a) => BigInt(a + 8)) },
    { weight: 1, arbitrary: u64 },
  ),
});

describe('delegate/undelegate sequences (model-based)', () => {
  test.prop([fc.array(op, { maxLength: 60 })], { numRuns: 200 })(
    'RMM state and the GPI map stay consistent with a reference model',
    (ops) => {
      const { rmm, platform } = setup();
      // Reference model: the RMM state of each pool granule (undefined = not tracked).
      const model = new Map<number, 'ns' | 'delegated'>(pool.map((a) => [a, 'ns']));
      for (const { kind, addr } of ops) {
        const fid = kind === 'delegate' ? SMC_RMI_GRANULE_DELEGATE : SMC_RMI_GRANULE_UNDELEGATE;
        const a = Number(addr);
        const m = addr < 2n ** 52n ? model.get(a) : undefined;
        const gpiNs = platform.gpiOf(a) === World.Normal;
        const r = rmm.handleRmi(fid, regs(addr));
        let expected: RmiStatus = RmiStatus.ErrorInput;
        if (kind === 'delegate' && m === 'ns' && gpiNs) {
          expected = RmiStatus.Success;
          model.set(a, 'delegated');
        } else if (kind === 'undelegate' && m === 'delegated') {
          expected = RmiStatus.Success;
          model.set(a, 'ns');
        }
        expect(r).toEqual([BigInt(expected), 0n, 0n, 0n, 0n]);
      }
      // Table ↔ model ↔ GPI map, for every granule the RMM tracks (plain checks: one expect).
      const bad: string[] = [];
      const presetGpi = new Map<number, World>([
        [SECURE_PA, World.Secure],
        [REALM_PA, World.Realm],
        [ROOT_PA, World.Root],
      ]);
      for (let idx = 0; idx < rmm.granules.count; idx++) {
        const pa = rmm.granules.address(idx);
        const s = rmm.granules.states[idx];
        const gpi = platform.gpiOf(pa);
        const m = model.get(pa);
        const ok =
          rmm.granules.refcounts[idx] === 0 &&
          (m === undefined || s === (m === 'ns' ? 0 : 1)) &&
          (s === GranuleState.Delegated
            ? gpi === World.Realm && (platform.bytes.get(pa / G)?.every((b) => b === 0) ?? true)
            : s === GranuleState.Undelegated && gpi === (presetGpi.get(pa) ?? World.Normal));
        if (!ok) bad.push(`0x${pa.toString(16)}: state ${s}, gpi ${gpi}, model ${m}`);
      }
      expect(bad).toEqual([]);
    },
  );
});
