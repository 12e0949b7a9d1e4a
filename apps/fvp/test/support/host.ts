/**
 * Test helpers for driving a booted platform from the Normal world: RMI calls with a readable
 * failure, return-code decoding, realm/REC parameter pages and reading RTT granules through the
 * Realm port. Shared by the end-to-end test and the model-checking properties.
 * @module
 */
import {
  decodeS2tte,
  encodeRealmParams,
  encodeRecParams,
  RMI_COMMANDS,
  type RmiHashAlgorithm,
  RmiStatus,
  rttLevelBlockSize,
  S2TTES_PER_S2TT,
  type S2tte,
  SMC_UNKNOWN,
  unpackReturnCode,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import type { Platform } from '../../src/platform.ts';

/** One granule, as a bigint. */
export const G = 0x1000n;
/** 2 MiB and 1 GiB, the level-2 and level-1 block sizes. */
export const MB2 = 0x20_0000n;
export const GB1 = 0x4000_0000n;
/** 2^64 − 1: also level −1 as a register. */
export const U64_MAX: bigint = 2n ** 64n - 1n;

/** The name of an RMI FID (hint stripped), for messages. */
export function rmiName(fid: number | bigint): string {
  const f = Number(BigInt(fid) & 0xfffe_ffffn);
  return RMI_COMMANDS.find((c) => c.fid === f)?.name ?? `0x${BigInt(fid).toString(16)}`;
}

/** X0 as text: `SMC_UNKNOWN`, or the status name and index. */
export function describeX0(x0: bigint | undefined): string {
  if (x0 === undefined) return 'no X0';
  if (x0 === SMC_UNKNOWN) return 'SMC_UNKNOWN';
  const rc = unpackReturnCode(x0);
  if (rc === undefined) return `invalid X0 0x${x0.toString(16)}`;
  const name = Object.entries(RmiStatus).find(([, v]) => v === rc.status)?.[0];
  return rc.index === 0 ? `${name}` : `${name}(${rc.index})`;
}

/** A register value as a bigint: levels may be negative (−1 is 2^64 − 1). */
export function reg(v: bigint | number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

/**
 * An SMC that must succeed.
 * @throws an `Error` naming the command and the status when X0 is not RMI_SUCCESS.
 */
export function rmiOk(p: Platform, fid: number, ...args: (bigint | number)[]): bigint[] {
  const out = p.host.smc(BigInt(fid), ...args.map(reg));
  if (out[0] !== 0n) {
    throw new Error(
      `${rmiName(fid)}(${args.map((a) => `0x${reg(a).toString(16)}`).join(', ')}) → ${describeX0(out[0])}`,
    );
  }
  return out;
}

/** Options of {@link realmParamsPage}. */
export interface RealmShape {
  readonly hashAlgo: RmiHashAlgorithm;
  readonly rttBase: bigint;
  readonly vmid: number;
  /** IPA width: 40 (two concatenated level-1 roots) by default, 39 (one root). */
  readonly s2sz?: 39 | 40;
}

/** An RmiRealmParams page: level-1 start, two roots for s2sz 40, one for 39. */
export function realmParamsPage(shape: RealmShape): Uint8Array {
  const s2sz = shape.s2sz ?? 40;
  return encodeRealmParams({
    flags: 0n,
    s2sz,
    sveVl: 0,
    numBps: 1,
    numWps: 1,
    pmuNumCtrs: 0,
    hashAlgo: shape.hashAlgo,
    rpv: new Uint8Array(64).fill(0x5a),
    vmid: shape.vmid,
    rttBase: shape.rttBase,
    rttLevelStart: 1,
    rttNumStart: s2sz === 40 ? 2 : 1,
  });
}

/** An RmiRecParams page for REC `index` (MPIDR Aff0 = index % 16, Aff1 = index / 16). */
export function recParamsPage(
  index: number,
  aux: readonly bigint[],
  runnable: boolean,
  pc = 0x8000_0000n,
): Uint8Array {
  return encodeRecParams({
    flags: runnable ? 1n : 0n,
    mpidr: BigInt((index & 0xf) | ((index >> 4) << 8)),
    pc,
    gprs: Array.from({ length: 8 }, (_, i) => BigInt(i) * 0x1111n),
    numAux: aux.length,
    aux: Array.from({ length: 16 }, (_, i) => aux[i] ?? 0n),
  });
}

/** A host page with a recognisable pattern derived from `tag`. */
export function pattern(tag: number): Uint8Array {
  return Uint8Array.from({ length: 4096 }, (_, i) => (tag * 37 + i * 13 + (i >> 8)) & 0xff);
}

/** One RTT granule of a realm's tree, with its decoded entries. */
export interface RttNode {
  readonly pa: bigint;
  readonly level: number;
  /** The IPA the first entry maps. */
  readonly base: bigint;
  /** Entry `i` decoded, `undefined` for an encoding TF-RMM never writes. */
  readonly entries: readonly (S2tte | undefined)[];
  /** The raw granule bytes (a copy). */
  readonly bytes: Uint8Array;
}

/** The 4 KiB granule at `pa` through the Realm port (a copy). */
export function realmRead(p: Platform, pa: bigint): Uint8Array {
  return p.parts.memory.realm.read(Number(pa) as PhysAddr, 4096);
}

/** Reads and decodes the RTT granule at `pa` of level `level` mapping from `base`. */
export function readRtt(p: Platform, pa: bigint, level: number, base: bigint): RttNode {
  const bytes = realmRead(p, pa);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: (S2tte | undefined)[] = [];
  for (let i = 0; i < S2TTES_PER_S2TT; i++) {
    entries.push(
      decodeS2tte(view.getUint32(i * 8 + 4, true), view.getUint32(i * 8, true), level, false),
    );
  }
  return { pa, level, base, entries, bytes };
}

/** The IPA of entry `i` of `node`. */
export function entryIpa(node: RttNode, i: number): bigint {
  return node.base + BigInt(i) * BigInt(rttLevelBlockSize(node.level));
}

/** Whether every byte is zero. */
export function isZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Whether two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
