/**
 * An ACTIVE realm for the RSI tests, built through RMI, and a dispatcher bound to it.
 *
 * The realm is the default one (s2sz 40, level-1 roots; PAR = [0, 2^39)) with an L2 RTT over
 * [0, 1G) and an L3 RTT over [0, 2M). The IPA map:
 *
 * | IPA | entry |
 * |---|---|
 * | 0x0000 | ASSIGNED RAM (DATA_CREATE, measured, content byte 0x11) |
 * | 0x1000, 0x2000 | ASSIGNED RAM (DATA_CREATE_UNKNOWN) |
 * | 0x3000 | UNASSIGNED RAM |
 * | 0x4000 | UNASSIGNED DESTROYED (DATA_DESTROY) |
 * | 0x5000 | ASSIGNED EMPTY (DATA_CREATE_UNKNOWN outside the RAM range) |
 * | 0x6000.. | UNASSIGNED EMPTY (level 3) |
 * | 0x40_0000 | UNASSIGNED RAM at level 2 (RTT_INIT_RIPAS of a 2 MiB block) |
 * | 0x4000_0000 | UNASSIGNED EMPTY at level 1 |
 *
 * RECs: REC (index 0, runnable) and REC2 (index 1, not runnable).
 * @module
 */
import {
  encodeRecParams,
  type Regs,
  type RsiOutcome,
  SMC_RMI_DATA_CREATE,
  SMC_RMI_DATA_CREATE_UNKNOWN,
  SMC_RMI_DATA_DESTROY,
  SMC_RMI_GRANULE_DELEGATE,
  SMC_RMI_REALM_ACTIVATE,
  SMC_RMI_REC_CREATE,
  SMC_RMI_RTT_CREATE,
  SMC_RMI_RTT_INIT_RIPAS,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { expect } from 'vitest';
import type { BootAttestation } from '../../src/attest/boot.ts';
import type { RealmVhuks } from '../../src/attest/vhuk.ts';
import type { Rec } from '../../src/rec/rec.ts';
import type { RsiContext } from '../../src/rsi/context.ts';
import { createRsiDispatcher } from '../../src/rsi/dispatch.ts';
import { RSI_HANDLERS } from '../../src/rsi/handlers.ts';
import {
  AUX2,
  type ContextWithRealm,
  contextWithRealm,
  RD,
  REC,
  REC_PARAMS,
  REC2,
  recParams,
} from './realm.ts';

export const G = 0x1000;
export const L2 = 0x8016_0000;
export const L3 = 0x8016_1000;
/** DATA granules: D[i] maps IPA i·4K for i < 6. */
export const D: readonly number[] = Array.from({ length: 6 }, (_, i) => 0x8017_0000 + i * G);
/** An NS page with the measured content. */
export const SRC = 0x8020_2000;

/** IPAs of the map above. */
export const IPA = {
  ram: 0x0000,
  ram2: 0x1000,
  ram3: 0x2000,
  unassignedRam: 0x3000,
  destroyed: 0x4000,
  assignedEmpty: 0x5000,
  empty: 0x6000,
  l2Ram: 0x40_0000,
  l1Empty: 0x4000_0000,
} as const;

/** 2^39: the first IPA outside the PAR. */
export const PAR_END: number = 2 ** 39;

/** Builds the realm contents through `call` (RD, roots, REC and AUX delegated; realm NEW). */
export function populate(
  call: (fid: number, ...xs: (number | bigint)[]) => readonly bigint[],
  writeNs: (pa: number, bytes: Uint8Array) => void,
): void {
  const ok = (fid: number, ...xs: (number | bigint)[]) =>
    expect(call(fid, ...xs)[0], `fid 0x${fid.toString(16)} ${xs.join(',')}`).toBe(0n);
  for (const pa of [L2, L3, ...D, REC2, ...AUX2]) ok(SMC_RMI_GRANULE_DELEGATE, pa);
  ok(SMC_RMI_RTT_CREATE, RD, L2, 0, 2);
  ok(SMC_RMI_RTT_CREATE, RD, L3, 0, 3);
  ok(SMC_RMI_RTT_INIT_RIPAS, RD, 0, 0x5000);
  ok(SMC_RMI_RTT_INIT_RIPAS, RD, 0x40_0000, 0x60_0000);
  writeNs(SRC, new Uint8Array(G).fill(0x11));
  ok(SMC_RMI_DATA_CREATE, RD, D[0]!, IPA.ram, SRC, 1);
  ok(SMC_RMI_DATA_CREATE_UNKNOWN, RD, D[1]!, IPA.ram2);
  ok(SMC_RMI_DATA_CREATE_UNKNOWN, RD, D[2]!, IPA.ram3);
  ok(SMC_RMI_DATA_CREATE_UNKNOWN, RD, D[4]!, IPA.destroyed);
  ok(SMC_RMI_DATA_DESTROY, RD, IPA.destroyed);
  ok(SMC_RMI_DATA_CREATE_UNKNOWN, RD, D[5]!, IPA.assignedEmpty);
  writeNs(REC_PARAMS, encodeRecParams(recParams()));
  ok(SMC_RMI_REC_CREATE, RD, REC, REC_PARAMS);
  writeNs(REC_PARAMS, encodeRecParams(recParams({ flags: 0n, mpidr: 1n, pc: 0x1000n }, AUX2)));
  ok(SMC_RMI_REC_CREATE, RD, REC2, REC_PARAMS);
  ok(SMC_RMI_REALM_ACTIVATE, RD);
}

/** What {@link rsiEnv} returns. */
export interface RsiEnv extends Omit<ContextWithRealm, 'ctx'> {
  readonly ctx: RsiContext;
  /** REC (index 0, runnable) and REC2 (index 1, not runnable). */
  readonly rec: Rec;
  readonly rec2: Rec;
  /** An RSI call from REC with X1.. = `xs`. */
  readonly rsi: (fid: number, ...xs: (number | bigint)[]) => RsiOutcome;
  /** An RSI call from the REC granule at `from`. */
  readonly rsiFrom: (from: number, fid: number, ...xs: (number | bigint)[]) => RsiOutcome;
  /** The bytes of DATA granule D[i]. */
  readonly dataOf: (i: number) => Uint8Array;
  /** Everything an RSI call may not change when it fails (the REC's registers excepted). */
  readonly snapshot: () => unknown;
}

/** The realm above on a bare context, with an RSI dispatcher for REC. */
export function rsiEnv(attestation?: BootAttestation, vhuks?: RealmVhuks): RsiEnv {
  const c = contextWithRealm();
  populate(c.call, (pa, b) => {
    c.platform.memory.write(World.Normal, pa as PhysAddr, b);
  });
  const ctx: RsiContext = { ...c.ctx, attestation: () => attestation, vhuks: () => vhuks };
  const dispatch = createRsiDispatcher(RSI_HANDLERS);
  const recAt = (pa: number): Rec => c.ctx.recs.get(c.ctx.granules.find(pa))!;
  const rec = recAt(REC);
  const rec2 = recAt(REC2);
  /** An RSI call from `from` (default REC) with X1.. = `xs`. */
  const rsiFrom = (from: number, fid: number, ...xs: (number | bigint)[]) =>
    dispatch(ctx, from as PhysAddr, fid, xs.map((x) => BigInt(x)) as Regs);
  const rsi = (fid: number, ...xs: (number | bigint)[]) => rsiFrom(REC, fid, ...xs);
  /** The realm-visible bytes at `ipa` (through the data granule). */
  const dataOf = (i: number) => c.platform.raw(D[i]!);
  /** Everything an RSI call may not change when it fails (the REC's X0.. excepted). */
  const snapshot = () => ({
    states: c.ctx.granules.states.slice(),
    refcounts: c.ctx.granules.refcounts.slice(),
    bytes: new Map([...c.platform.bytes].map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    gpi: new Map(c.platform.gpi),
    realm: { ...c.realm, measurements: c.realm.measurements.slice() },
    recs: [rec, rec2].map((r) => ({ ...r, gprs: undefined, setRipas: { ...r.setRipas } })),
  });
  return { ...c, ctx, rec, rec2, rsi, rsiFrom, dataOf, snapshot };
}
