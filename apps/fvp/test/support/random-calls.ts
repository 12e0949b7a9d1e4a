/**
 * Property (a) of the model checking, in the manner of Islet's Kani harnesses (`rmi_*` proofs
 * with `kani::any()` registers): random RMI calls with random, biased arguments on a platform
 * with a realm, RECs, RTTs and DATA around. Per call: `host.smc` never throws; X0 is
 * `SMC_UNKNOWN` or a packed RMM 1.0 status whose index is 0, an RTT level (RMI_ERROR_RTT) or
 * 0/1 (RMI_ERROR_REALM, 1 only for REC_ENTER); unknown FIDs change no register; outputs beyond a
 * command's arity read 0 (X1..X3) or the caller's X4; every invariant of `invariants.ts` holds;
 * and a call that did not succeed, or a read-only one, changed nothing.
 * @module
 */
import { fc } from '@fast-check/vitest';
import {
  Gpi,
  RMI_COMMANDS,
  RmiStatus,
  rmiCommandByFid,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_FEATURES,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REALM_CREATE,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_REC_CREATE,
  SMC_RMI_REC_ENTER,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_INIT_RIPAS,
  SMC_RMI_RTT_MAP_UNPROTECTED,
  SMC_RMI_RTT_READ_ENTRY,
  SMC_RMI_VERSION,
  SMC_SVE_HINT,
  SMC_UNKNOWN,
  unpackReturnCode,
} from '@islet/abi';
import { EL3_BASE, GPT_TABLES, RMM_BASE, SECURE_BASE } from '../../src/memory-map.ts';
import type { Platform } from '../../src/platform.ts';
import {
  describeX0,
  G,
  GB1,
  MB2,
  pattern,
  realmParamsPage,
  recParamsPage,
  rmiName,
  rmiOk,
  U64_MAX,
} from './host.ts';
import {
  checkInvariants,
  diffSnapshots,
  type Pool,
  type RealmTracker,
  snapshot,
} from './invariants.ts';

/** The fixture of property (a): consecutive host granules from a fixed base in bank 0. */
const BASE = 0x8800_0000n;
const at = (i: number): bigint => BASE + BigInt(i) * G;
const range = (from: number, n: number): bigint[] =>
  Array.from({ length: n }, (_, i) => at(from + i));
/** Where the fixture of property (a) lives. */
export interface Fixture {
  readonly rd: bigint;
  readonly roots: readonly bigint[];
  readonly l2p: bigint;
  readonly l3p: bigint;
  readonly l2u: bigint;
  readonly l3u: bigint;
  readonly rec: bigint;
  readonly aux: readonly bigint[];
  readonly data: readonly bigint[];
  readonly spare: readonly bigint[];
  readonly rd2: bigint;
  readonly roots2: readonly bigint[];
  readonly rec2: bigint;
  readonly aux2: readonly bigint[];
  readonly undelegated: readonly bigint[];
  readonly realmParams2: bigint;
  readonly realmParamsDup: bigint;
  readonly recParams: bigint;
  readonly recParams2: bigint;
  readonly src: bigint;
  readonly nsPage: bigint;
  readonly run: bigint;
}
export const FIXTURE: Fixture = {
  rd: at(0),
  roots: [at(1), at(2)],
  l2p: at(3),
  l3p: at(4),
  l2u: at(5),
  l3u: at(6),
  rec: at(7),
  aux: range(8, 16),
  data: [at(24), at(25)],
  spare: range(26, 4),
  rd2: at(30),
  roots2: [at(31), at(32)],
  rec2: at(33),
  aux2: range(34, 16),
  undelegated: range(50, 4),
  realmParams2: at(54),
  realmParamsDup: at(55),
  recParams: at(56),
  recParams2: at(57),
  src: at(58),
  nsPage: at(59),
  run: at(60),
};
const UNPROT = 2n ** 39n;
/** Host attributes of an unprotected mapping: MemAttr Normal WB, S2AP RW. */
const NS_ATTRS = 0xd8n;

/** The pool of property (a): every fixture granule, and the PAS carve-outs around host DRAM. */
export const POOL_A: Pool = {
  granules: range(0, 61),
  fixed: [
    { pa: BigInt(SECURE_BASE), gpi: Gpi.Secure },
    { pa: BigInt(RMM_BASE), gpi: Gpi.Realm },
    { pa: BigInt(EL3_BASE), gpi: Gpi.Root },
    { pa: BigInt(GPT_TABLES.base), gpi: Gpi.Root },
  ],
};

/**
 * Builds the fixture by RMI: realm 1 (RD, two roots, L2+L3 RTTs in both halves, RIPAS RAM over
 * four pages, a measured DATA page and an unknown one, a runnable REC, an unprotected mapping),
 * optionally activated; DELEGATED granules for realm 2, its REC and spares; valid and invalid
 * parameter pages, a DATA source page and a run page in host memory.
 */
export function buildFixture(p: Platform, activate: boolean): void {
  const F = FIXTURE;
  const w = (pa: bigint, bytes: Uint8Array) => p.host.memory.write(pa, bytes);
  w(F.realmParams2, realmParamsPage({ hashAlgo: 1, rttBase: F.roots2[0]!, vmid: 2 }));
  w(F.realmParamsDup, realmParamsPage({ hashAlgo: 0, rttBase: F.spare[0]!, vmid: 1, s2sz: 39 }));
  w(F.recParams, recParamsPage(1, F.aux2, true));
  w(F.recParams2, recParamsPage(0, F.aux2, false));
  w(F.src, pattern(7));
  w(F.run, new Uint8Array(4096));
  const realmParams = F.undelegated[0]!; // written, used, then zeroed again
  w(realmParams, realmParamsPage({ hashAlgo: 0, rttBase: F.roots[0]!, vmid: 1 }));
  for (const pa of POOL_A.granules.slice(0, 50)) rmiOk(p, SMC_RMI_GRANULE_DELEGATE, pa);
  rmiOk(p, SMC_RMI_REALM_CREATE, F.rd, realmParams);
  w(realmParams, new Uint8Array(4096));
  rmiOk(p, SMC_RMI_RTT_CREATE, F.rd, F.l2p, 0, 2);
  rmiOk(p, SMC_RMI_RTT_CREATE, F.rd, F.l3p, 0, 3);
  rmiOk(p, SMC_RMI_RTT_CREATE, F.rd, F.l2u, UNPROT, 2);
  rmiOk(p, SMC_RMI_RTT_CREATE, F.rd, F.l3u, UNPROT, 3);
  rmiOk(p, SMC_RMI_RTT_INIT_RIPAS, F.rd, 0, 4n * G);
  rmiOk(p, SMC_RMI_DATA_CREATE, F.rd, F.data[0]!, 0, F.src, 1);
  rmiOk(p, SMC_RMI_DATA_CREATE_UNKNOWN, F.rd, F.data[1]!, 5n * G);
  const recParams = F.undelegated[1]!;
  w(recParams, recParamsPage(0, F.aux, true));
  rmiOk(p, SMC_RMI_REC_CREATE, F.rd, F.rec, recParams);
  w(recParams, new Uint8Array(4096));
  rmiOk(p, SMC_RMI_RTT_MAP_UNPROTECTED, F.rd, UNPROT + G, 3, F.nsPage | NS_ATTRS);
  if (activate) rmiOk(p, SMC_RMI_REALM_ACTIVATE, F.rd);
}

const u64 = fc.bigInt({ min: 0n, max: U64_MAX });
const addresses = POOL_A.granules;
const outside = [
  ...POOL_A.fixed.map((f) => f.pa),
  BigInt(SECURE_BASE) - G, // the last host granule of bank 0
  0x1_0000_0000n, // the hole between the DRAM banks
  0x8_8000_0000n, // bank 1
  0x10_0000_0000n, // beyond DRAM
];
const ipas = [
  0n,
  G,
  2n * G,
  4n * G,
  5n * G,
  MB2,
  MB2 + G,
  GB1,
  2n ** 38n,
  UNPROT - G,
  UNPROT,
  UNPROT + G,
  UNPROT + 2n * G,
  UNPROT + MB2,
  UNPROT + GB1,
  2n ** 40n - G,
  2n ** 40n,
  2n ** 48n,
];
const levels = [-1n, 0n, 1n, 2n, 3n, 4n].map((l) => BigInt.asUintN(64, l));
const descs = [
  FIXTURE.nsPage | NS_ATTRS,
  FIXTURE.src | NS_ATTRS,
  FIXTURE.nsPage | 0xd0n, // MemAttr 0b100: reserved
  FIXTURE.nsPage | NS_ATTRS | 1n, // a bit outside the host's
  (MB2 * 0x500n) | NS_ATTRS,
];
/** A register: biased to the pool, the carve-outs, IPAs, levels, descriptors and edge values. */
const register = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...addresses) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...addresses), fc.constantFrom(1n, 8n, 0x800n, 0xfffn))
      .map(([a, d]) => a + d),
  },
  { weight: 1, arbitrary: fc.constantFrom(...outside) },
  { weight: 4, arbitrary: fc.constantFrom(...ipas) },
  { weight: 3, arbitrary: fc.constantFrom(...levels) },
  { weight: 1, arbitrary: fc.constantFrom(...descs) },
  { weight: 2, arbitrary: fc.constantFrom(0n, 1n, 2n, U64_MAX, 2n ** 63n, 2n ** 52n, 0x10000n) },
  { weight: 1, arbitrary: u64 },
);
/** A FID: the RMI commands (most often), the whole RMI range, the SVE hint, and non-RMI FIDs. */
const fid = fc
  .oneof(
    { weight: 10, arbitrary: fc.integer({ min: 0xc400_0150, max: 0xc400_0169 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0xc400_0150, max: 0xc400_018f }) },
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: 0xc400_0150, max: 0xc400_018f })
        .map((f) => (f | SMC_SVE_HINT) >>> 0),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.integer({ min: 0xc400_0190, max: 0xc400_01cf }), // RSI and RMM-EL3: not for the host
        fc.integer({ min: 0xc400_0000, max: 0xc400_0020 }), // PSCI (SMC64)
        fc.constantFrom(0x8400_0000, 0x8000_0000, 0, 0xffff_ffff),
        fc.integer({ min: 0, max: 0xffff_ffff }),
      ),
    },
  )
  .map(BigInt);
const bigFid = fc.oneof({ weight: 30, arbitrary: fid }, { weight: 1, arbitrary: u64 });

/** One random SMC. */
export interface Call {
  readonly fid: bigint;
  readonly args: readonly bigint[];
}

const F = FIXTURE;
/** Biased values by the spec's name of an input register; anything else sometimes. */
const likely = (...values: bigint[]) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: register },
  );
const BY_INPUT: Record<string, fc.Arbitrary<bigint>> = {
  rd: likely(F.rd, F.rd2),
  rec: likely(F.rec, F.rec2),
  calling_rec: likely(F.rec, F.rec2),
  target_rec: likely(F.rec, F.rec2),
  data: likely(...F.spare, ...F.data, F.rec2, F.undelegated[2]!),
  rtt: likely(...F.spare, F.l3p, F.undelegated[2]!),
  addr: likely(...addresses),
  params_ptr: likely(F.realmParams2, F.realmParamsDup, F.recParams, F.recParams2),
  src: likely(F.src, F.data[0]!),
  run_ptr: likely(F.run),
  ipa: fc.constantFrom(...ipas),
  base: fc.constantFrom(...ipas),
  top: fc.constantFrom(...ipas, 3n * G, 6n * G, 2n * MB2),
  level: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(2n, 3n) }, fc.constantFrom(...levels)),
  flags: fc.constantFrom(0n, 1n, 2n),
  desc: fc.constantFrom(...descs),
  status: fc.constantFrom(0n, BigInt.asUintN(64, -3n), 1n),
  index: fc.constantFrom(0n, 1n, U64_MAX),
  req_version: fc.constantFrom(0x10000n, 0x10001n, 0x20000n, 0n),
};
/** A call to an RMI command with its inputs drawn by name (and the SVE hint sometimes). */
const typedCall: fc.Arbitrary<Call> = fc
  .tuple(
    fc.constantFrom(...RMI_COMMANDS),
    fc.boolean(),
    fc.array(register, { minLength: 6, maxLength: 6 }),
  )
  .chain(([cmd, hint, filler]) =>
    fc.tuple(...cmd.inputs.map((name) => BY_INPUT[name] ?? register)).map((inputs) => ({
      fid: BigInt(hint && filler[5]! % 4n === 0n ? (cmd.fid | SMC_SVE_HINT) >>> 0 : cmd.fid),
      args: [...inputs, ...filler.slice(inputs.length)],
    })),
  );
export const call: fc.Arbitrary<Call> = fc.oneof(
  { weight: 4, arbitrary: typedCall },
  {
    weight: 1,
    arbitrary: fc.record({ fid: bigFid, args: fc.array(register, { minLength: 6, maxLength: 6 }) }),
  },
);

const READ_ONLY = new Set([
  SMC_RMI_VERSION,
  SMC_RMI_FEATURES,
  SMC_RMI_REC_AUX_COUNT,
  SMC_RMI_RTT_READ_ENTRY,
]);

/** The register checks of one call; returns the violations. */
export function checkRegisters(c: Call, out: readonly bigint[]): string[] {
  const bad: string[] = [];
  const x = (i: number): bigint => out[i] ?? -1n;
  if (out.length !== 5) bad.push(`${out.length} result registers`);
  const f = c.fid <= 0xffff_ffffn ? Number(c.fid) : -1;
  const stripped = f < 0 ? -1 : (f & ~SMC_SVE_HINT) >>> 0;
  const cmd = stripped < 0 ? undefined : rmiCommandByFid(stripped);
  const x0 = x(0);
  if (x0 === SMC_UNKNOWN) {
    for (let i = 1; i <= 4; i++) {
      if (x(i) !== c.args[i - 1]) bad.push(`SMC_UNKNOWN changed X${i}`);
    }
    return bad;
  }
  if (cmd === undefined) {
    // The RMI, RSI and RMM-EL3 ranges hold no other command the host may call.
    if (stripped >= 0xc400_0150 && stripped <= 0xc400_01cf)
      bad.push(`X0 ${describeX0(x0)}, not SMC_UNKNOWN`);
    return bad;
  }
  const rc = unpackReturnCode(x0);
  if (rc === undefined) {
    bad.push(`X0 0x${x0.toString(16)} is not an RMM 1.0 status`);
    return bad;
  }
  const okIndex =
    rc.status === RmiStatus.ErrorRtt
      ? [0, 1, 2, 3, 0xff].includes(rc.index)
      : rc.status === RmiStatus.ErrorRealm
        ? rc.index === 0 || (rc.index === 1 && stripped === SMC_RMI_REC_ENTER)
        : rc.index === 0;
  if (!okIndex) bad.push(`${describeX0(x0)}: index not allowed`);
  const n = cmd.outputs.length;
  for (let i = n + 1; i <= 3; i++) if (x(i) !== 0n) bad.push(`X${i} = ${x(i)} beyond the outputs`);
  if (n < 4 && x(4) !== c.args[3]) bad.push(`X4 changed: ${x(4)}`);
  return bad;
}

/** Whether a call may have changed state (so the no-half-change check does not apply). */
export function mayChange(c: Call, out: readonly bigint[]): boolean {
  if (out[0] !== 0n) return false;
  const f = Number(c.fid & 0xfffe_ffffn);
  return !READ_ONLY.has(f);
}

/** Runs one call with every check; returns the violations. */
export function checkedCall(
  p: Platform,
  c: Call,
  tracker: RealmTracker,
  pool: Pool = POOL_A,
): string[] {
  const before = snapshot(p, pool);
  let out: bigint[];
  try {
    out = p.host.smc(c.fid, ...c.args);
  } catch (e) {
    return [`host.smc threw: ${String(e)}`];
  }
  const bad = checkRegisters(c, out).concat(checkInvariants(p, pool, tracker));
  if (!mayChange(c, out)) bad.push(...diffSnapshots(before, snapshot(p, pool)));
  return bad.map((b) => `${rmiName(c.fid)} → ${describeX0(out[0])}: ${b}`);
}
