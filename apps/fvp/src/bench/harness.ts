/**
 * A small plain-Node benchmark harness (no vitest): timed batches, interleaved across the benches
 * of a group, summarised in the shape `vitest bench --outputJson` writes, so
 * `tools/bench-report/report.mjs` merges it with the vitest results.
 *
 * **Why not vitest bench**: tinybench times every call with `performance.now()` and runs it
 * through a few closures; at ~100 ns per operation that overhead is most of what it measures
 * (RMI_VERSION reads 2.7 M/s under vitest, 8 M/s in a plain loop). Here a sample is a batch of
 * many calls timed once, so the timer costs nothing per call.
 *
 * **Method**: every bench of a group is warmed up (JIT tiers, inline caches, first-touch memory),
 * then the group runs `rounds` rounds; in each round every bench runs one timed batch, in the
 * group's order. Interleaving spreads a noisy neighbour on a shared 2-core machine over all the
 * benches of the group instead of charging it to whichever bench ran during it, which keeps the
 * ratios against the group's `raw:` bench honest. A batch's `reset` (e.g. undoing the DATA_CREATEs
 * of the previous batch) runs before it, untimed.
 * @module
 */

/** One benchmark of a group. */
export interface BenchCase {
  /** The name in the report; `raw: …` marks the group's primitive. */
  readonly name: string;
  /**
   * Runs `n` operations and returns a value derived from their results (consumed by the harness,
   * so the work cannot be optimised away).
   */
  readonly run?: (n: number) => number;
  /** Untimed preparation before every batch (warm-up batches included). */
  readonly reset?: () => void;
  /**
   * Instead of timing {@link run}: runs `n` operations and returns the milliseconds they took,
   * timed by the case itself, for work whose setup cannot leave the batch (a realm launched to
   * run `n` operations inside it is timed from its first operation to its last).
   */
  readonly measure?: (n: number) => number;
  /**
   * Operations per batch when fixed (e.g. one 64 MiB image = 16384 DATA_CREATEs); otherwise the
   * harness calibrates it to {@link GroupOptions.batchMs}.
   */
  readonly opsPerBatch?: number;
  /** Bytes processed per operation, for MB/s (optional). */
  readonly bytesPerOp?: number;
}

/** Options of {@link runGroup}. */
export interface GroupOptions {
  /** Timed batches per bench. */
  readonly rounds: number;
  /** Target duration of one calibrated batch, in ms. */
  readonly batchMs: number;
  /** Warm-up time per bench, in ms (at least one batch). */
  readonly warmupMs: number;
}

/** One bench's result, in the shape of vitest's `--outputJson` benchmark entries. */
export interface BenchResult {
  readonly id: string;
  readonly name: string;
  readonly rank: number;
  /** Operations per second from the mean time per operation. */
  readonly hz: number;
  /** Mean time per operation, ms. */
  readonly mean: number;
  readonly period: number;
  /** Median (over batches) of the time per operation, ms. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly sd: number;
  /** Relative margin of error of the mean at 95 %, in percent. */
  readonly rme: number;
  /** Timed batches. */
  readonly sampleCount: number;
  readonly totalTime: number;
  readonly samples: readonly number[];
  /** Operations per timed batch (not a vitest field). */
  readonly opsPerBatch: number;
  /** MB/s (10^6 bytes) from the mean, when the bench declares bytes per operation. */
  readonly mbps?: number;
  /** MB/s from the median. */
  readonly mbpsMedian?: number;
}

/** One group's results, in the shape of vitest's `--outputJson` groups. */
export interface GroupResult {
  readonly fullName: string;
  readonly benchmarks: readonly BenchResult[];
}

/** Two-sided 95 % Student t quantiles for 1..30 degrees of freedom (tinybench's table). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];

let sink = 0;

/** The value every batch result was folded into; print it so nothing is dead code. */
export function benchSink(): number {
  return sink;
}

/** Times one batch of `n` operations; returns ms. */
function timeBatch(c: BenchCase, n: number): number {
  c.reset?.();
  if (c.measure !== undefined) return c.measure(n);
  if (c.run === undefined) throw new Error(`bench '${c.name}' has neither run nor measure`);
  const t0 = performance.now();
  const r = c.run(n);
  const t1 = performance.now();
  sink = (sink + r) | 0;
  return t1 - t0;
}

/** Operations per batch: fixed, or doubled until a batch takes a tenth of `batchMs`, then scaled. */
function calibrate(c: BenchCase, batchMs: number): number {
  if (c.opsPerBatch !== undefined) return c.opsPerBatch;
  let n = 1000;
  for (;;) {
    const ms = timeBatch(c, n);
    if (ms >= batchMs / 10 || n >= 2 ** 30) return Math.max(1, Math.round((n * batchMs) / ms));
    n *= 2;
  }
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

function summarise(c: BenchCase, id: string, ops: number, batches: readonly number[]): BenchResult {
  const perOp = batches.map((ms) => ms / ops);
  const sorted = [...perOp].sort((a, b) => a - b);
  const n = perOp.length;
  const mean = perOp.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? perOp.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const sd = Math.sqrt(variance);
  const t = T95[Math.min(n - 1, T95.length) - 1] ?? 1.96;
  const med = median(sorted);
  const mb = c.bytesPerOp;
  return {
    id,
    name: c.name,
    rank: 0,
    hz: 1000 / mean,
    mean,
    period: mean,
    median: med,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    sd,
    rme: n > 1 ? ((t * sd) / Math.sqrt(n) / mean) * 100 : 0,
    sampleCount: n,
    totalTime: batches.reduce((a, b) => a + b, 0),
    samples: [],
    opsPerBatch: ops,
    ...(mb === undefined ? {} : { mbps: (mb / mean) * 1e-3, mbpsMedian: (mb / med) * 1e-3 }),
  };
}

/**
 * Runs a group: warm-up and calibration of every bench, then `rounds` interleaved rounds.
 * @param fullName - the group's name in the report (`<file> > <group>` as vitest writes it).
 * @param log - called with a line per finished bench.
 */
export function runGroup(
  fullName: string,
  cases: readonly BenchCase[],
  options: GroupOptions,
  log: (line: string) => void = () => {},
): GroupResult {
  const ops: number[] = [];
  for (const c of cases) {
    const t0 = performance.now();
    const n = calibrate(c, options.batchMs);
    do timeBatch(c, n);
    while (performance.now() - t0 < options.warmupMs);
    ops.push(n);
  }
  const batches: number[][] = cases.map(() => []);
  for (let r = 0; r < options.rounds; r++) {
    cases.forEach((c, i) => {
      batches[i]!.push(timeBatch(c, ops[i]!));
    });
  }
  const results = cases.map((c, i) => summarise(c, `${fullName}_${i}`, ops[i]!, batches[i]!));
  const ranked = [...results].sort((a, b) => b.hz - a.hz);
  const out = results.map((r) => ({ ...r, rank: ranked.indexOf(r) + 1 }));
  for (const r of out) {
    const rate =
      r.mbps === undefined
        ? `${(r.hz / 1e6).toFixed(3)} M/s (median ${(1e-3 / r.median).toFixed(3)} M/s)`
        : `${r.mbps.toFixed(0)} MB/s (median ${r.mbpsMedian!.toFixed(0)} MB/s)`;
    log(`${fullName} > ${r.name}: ${rate} ±${r.rme.toFixed(2)}% × ${r.sampleCount}`);
  }
  return { fullName, benchmarks: out };
}
