/**
 * Property tests of the RSI side: random FIDs (RSI, PSCI, SMCCC and anything else, with and
 * without the SVE hint) and random registers from a REC of an ACTIVE realm never throw out of
 * the RSI path and always answer a status of the spec's set, with an exit record exactly when
 * the REC exits; sequences keep the granule table untouched (RSI never changes granule states).
 * @module
 */
import { fc, test } from '@fast-check/vitest';
import {
  ISLET_RSI_COMMANDS,
  isPsciFid,
  PSCI_REALM_FIDS,
  RealmState,
  RSI_COMMANDS,
  RsiAction,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
  SMCCC_VERSION,
  stripSveHint,
} from '@islet/abi';
import { nodeCrypto, type PhysAddr } from '@islet/arch';
import { rakBinding } from '@islet/token';
import { describe, expect } from 'vitest';
import type { BootAttestation } from '../src/attest/boot.ts';
import { REC, RealmEnv } from './support/realm.ts';
import { IPA, PAR_END, populate, rsiEnv } from './support/rsi.ts';

const crypto = nodeCrypto();
const rak = crypto.ecFromPrivate(
  'P-384',
  Uint8Array.from({ length: 48 }, (_, i) => i + 7),
);
const b = rakBinding(rak.publicKey, 'sha-256', crypto);
const attestation: BootAttestation = {
  rak,
  rakCoseKey: b.publicKey,
  rakHash: b.challenge,
  platformToken: new Uint8Array(200).fill(0x5a),
};

const vhuks = { a: new Uint8Array(32).fill(0xaa), m: new Uint8Array(32).fill(0x33) };

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const fid = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        ...RSI_COMMANDS.map((c) => c.fid),
        ...ISLET_RSI_COMMANDS.map((c) => c.fid),
        ...PSCI_REALM_FIDS,
        SMCCC_VERSION,
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 0xc400_0188, max: 0xc400_01b0 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0x8400_0000, max: 0x8400_0016 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xc400_0000, max: 0xc400_0016 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
  )
  .chain((f) => fc.constantFrom(f, (f | SMC_SVE_HINT) >>> 0));
const hot = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...Object.values(IPA).map(BigInt),
      0n,
      1n,
      2n,
      4n,
      5n,
      64n,
      65n,
      0x10000n,
      4096n,
      BigInt(PAR_END),
    ),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x80_0000 }).map((x) => BigInt(x & ~0xff)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1_0000 }).map(BigInt) },
  { weight: 1, arbitrary: u64 },
);
const args = fc.array(hot, { minLength: 0, maxLength: 11 });

const RSI_STATUSES = new Set([0n, 1n, 2n, 3n, 4n]);
const ps = (v: number) => BigInt.asUintN(64, BigInt(v));
const PSCI_RETURNS = new Set([0n, 1n, ps(-1), ps(-2), ps(-4), ps(-9), 0x10001n]);
const RSI_FIDS = new Set([...RSI_COMMANDS, ...ISLET_RSI_COMMANDS].map((c) => c.fid));

function checkOutcome(
  f: number,
  out: { action: number; regs: ArrayLike<bigint> | undefined; exit?: unknown },
) {
  const g = stripSveHint(f);
  expect(out.exit === undefined).toBe(out.action === RsiAction.ReturnToRealm);
  if (out.regs === undefined) {
    expect(out.action).not.toBe(RsiAction.ReturnToRealm);
    return;
  }
  const x0 = out.regs[0]!;
  if (RSI_FIDS.has(g)) expect(RSI_STATUSES.has(x0), `0x${g.toString(16)} → ${x0}`).toBe(true);
  else if (g === SMCCC_VERSION) expect(x0).toBe(0x10002n);
  else if (isPsciFid(g)) expect(PSCI_RETURNS.has(x0), `0x${g.toString(16)} → ${x0}`).toBe(true);
  else expect(x0).toBe(SMC_UNKNOWN);
}

describe('the RSI dispatcher on arbitrary FIDs and registers', () => {
  test.prop([fc.array(fc.tuple(fid, args), { minLength: 1, maxLength: 25 })], { numRuns: 150 })(
    'never throws, answers spec statuses, never changes a granule state',
    (calls) => {
      const e = rsiEnv(attestation, vhuks);
      const states = e.ctx.granules.states.slice();
      const refcounts = e.ctx.granules.refcounts.slice();
      for (const [f, a] of calls) {
        const out = e.rsi(f, ...a);
        checkOutcome(f, out);
        // SYSTEM_OFF ends the realm; put it back so that the sequence can go on.
        if (e.realm.state !== RealmState.Active) e.realm.state = RealmState.Active;
      }
      expect(e.ctx.granules.states).toEqual(states);
      expect(e.ctx.granules.refcounts).toEqual(refcounts);
    },
  );
});

describe('IsletRmm.handleRsi on arbitrary FIDs and registers', () => {
  const env = new RealmEnv();
  env.platform.attest = {
    key: Uint8Array.from({ length: 48 }, (_, i) => i + 7),
    token: new Uint8Array(100),
  };
  env.platform.vhuks = { 1: vhuks.a, 2: vhuks.m };
  env.rmm.coldBoot({ cpuId: 0, ifcVersion: 4, numCpus: 1, sharedBuffer: 0xff00_0000 });
  env.withRecGranules();
  populate(env.call.bind(env), env.writeNs.bind(env));
  const noSystemOff = fid.filter(
    (f) => stripSveHint(f) !== 0x8400_0008 && stripSveHint(f) !== 0x8400_0009,
  );
  test.prop([noSystemOff, args], { numRuns: 1000 })(
    'never throws and answers spec statuses',
    (f, a) => {
      checkOutcome(f, env.rmm.handleRsi(REC as PhysAddr, f, a));
    },
  );
});
