/**
 * A scripted realm executor for the REC_ENTER tests: each REC runs a generator (a fake realm) that
 * sets its registers and yields the trap it takes (`SMC #0`, WFI, WFE, a data abort). Like a CPU,
 * the executor delivers a pending SEA when it resumes a REC (it records the PC and clears the
 * flag) and forgets a REC it is told to release. The realm is the one of `support/rsi.ts`, built
 * through RMI on an {@link IsletRmm} that has the executor.
 * @module
 */
import {
  decodeRecExit,
  encodeRecEnter,
  REC_EXIT_OFFSET,
  REC_RUN_HALF_SIZE,
  type RecExit,
  RmiRecEnterFlag,
  SMC_RMI_REC_ENTER,
  World,
} from '@islet/abi';
import type { PhysAddr } from '@islet/arch';
import { expect } from 'vitest';
import type { RecInfo } from '../../src/inspect.ts';
import type { RealmExecutor, RealmTrap, RecView } from '../../src/rec/executor.ts';
import { REC, RealmEnv } from './realm.ts';
import { populate } from './rsi.ts';

/** The run page of REC; RUN2 for REC2. */
export const RUN = 0x8020_3000;
export const RUN2 = 0x8020_4000;

/** A fake realm's code on one REC: runs until it yields a trap. */
export type Program = (rec: RecView) => Generator<RealmTrap, void, void>;

/** An executor that runs one generator per REC index, started at the REC's first resume. */
export class ScriptedExecutor implements RealmExecutor {
  readonly #programs: ReadonlyMap<number, Program>;
  readonly #running = new Map<number, Generator<RealmTrap, void, void>>();
  resumes = 0;
  /** The PC of every SEA delivered, in order. */
  readonly seas: bigint[] = [];
  /** The index of every REC released, in order. */
  readonly released: number[] = [];
  /** For every `park`, how many resumes had been made. */
  readonly parks: number[] = [];

  constructor(programs: Record<number, Program>) {
    this.#programs = new Map(Object.entries(programs).map(([k, v]) => [Number(k), v]));
  }

  resume(rec: RecView): RealmTrap {
    this.resumes++;
    if (rec.injectSea) {
      this.seas.push(rec.pc);
      rec.injectSea = false;
    }
    let g = this.#running.get(rec.index);
    if (g === undefined) {
      const p = this.#programs.get(rec.index);
      if (p === undefined) throw new Error(`no program for REC ${rec.index}`);
      g = p(rec);
      this.#running.set(rec.index, g);
    }
    const r = g.next();
    if (r.done === true) throw new Error(`the program of REC ${rec.index} ended`);
    return r.value;
  }

  park(): void {
    this.parks.push(this.resumes);
  }

  release(rec: RecView): void {
    this.released.push(rec.index);
    this.#running.delete(rec.index);
  }
}

/** `SMC #0` with W0 = `fid` and X1.. = `xs` (other X1..X10 zero); returns X0..X8 after it. */
export function* smc(
  rec: RecView,
  fid: number,
  ...xs: bigint[]
): Generator<RealmTrap, bigint[], void> {
  for (let i = 0; i < 10; i++) rec.gprs[1 + i] = xs[i] ?? 0n;
  yield { kind: 'smc', fid };
  return Array.from(rec.gprs.subarray(0, 9));
}

/** A trapped WFI: how a program hands control back to the test. */
export const WFI: RealmTrap = { kind: 'wfi' };
export const TRAP_WFI: bigint = RmiRecEnterFlag.TrapWfi;
/** ESR of a trapped WFI (EC 0x01). */
export const ESR_WFI: bigint = 0x01n << 26n;

export const zeros31 = (): bigint[] => new Array(31).fill(0n);

/** What {@link runEnv} returns. */
export interface RunEnv {
  readonly e: RealmEnv;
  /** An RMI call. */
  readonly call: (fid: number, ...xs: (number | bigint)[]) => readonly bigint[];
  readonly executor: ScriptedExecutor;
  /** REC_ENTER of `rec` through run page `run` with the given entry flags and gprs. */
  readonly enter: (
    flags?: bigint,
    gprs?: readonly bigint[],
    rec?: number,
    run?: number,
  ) => readonly bigint[];
  /** The RmiRecExit in run page `run`. */
  readonly exitOf: (run?: number) => RecExit;
  readonly recOf: (pa: number) => RecInfo;
  readonly refcount: (pa: number) => number | undefined;
}

/** An RMM with `programs` as its realms' code and the realm of support/rsi.ts. */
export function runEnv(programs: Record<number, Program>): RunEnv {
  const executor = new ScriptedExecutor(programs);
  const e = new RealmEnv({ executor });
  e.withRecGranules();
  populate(
    (fid, ...xs) => e.call(fid, ...xs),
    (pa, b) => e.writeNs(pa, b),
  );
  const enter = (
    flags: bigint = TRAP_WFI,
    gprs: readonly bigint[] = zeros31(),
    rec: number = REC,
    run: number = RUN,
  ) => {
    e.writeNs(run, encodeRecEnter({ flags, gprs, gicv3Hcr: 0n, gicv3Lrs: new Array(16).fill(0n) }));
    return e.call(SMC_RMI_REC_ENTER, rec, run);
  };
  const exitOf = (run: number = RUN): RecExit => {
    const half = new Uint8Array(REC_RUN_HALF_SIZE);
    expect(e.platform.memory.read(World.Normal, (run + REC_EXIT_OFFSET) as PhysAddr, half)).toBe(0);
    return decodeRecExit(half);
  };
  const recOf = (pa: number) => e.rmm.inspect.rec(pa)!;
  const refcount = (pa: number) => e.rmm.inspect.refcount(pa);
  const call = (fid: number, ...xs: (number | bigint)[]) => e.call(fid, ...xs);
  return { e, call, executor, enter, exitOf, recOf, refcount };
}
