#!/usr/bin/env node
/**
 * The platform benchmarks in plain Node (no vitest): RMI_VERSION round trips through the EL3
 * monitor, DATA_CREATE with content measurement over a 64 MiB image, a 64 MiB realm launched to
 * its first instruction, attestation tokens and RSI round trips from inside a realm, the SDK's sealing
 * and attest + verify, each group with its
 * `raw:` primitive measured in the same run. Writes `bench-results/platform.json` (relative to
 * the working directory, `apps/fvp` under `pnpm bench`) in the shape of `vitest bench
 * --outputJson`, which `tools/bench-report/report.mjs` merges into the summary.
 *
 * Run from the build: `pnpm -C apps/fvp build && node apps/fvp/dist/bench/platform-bench.js`.
 * `--quick` runs fewer rounds (a smoke test of the runner, not figures to quote).
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bootPlatform } from '../platform.ts';
import { dataCreateCases } from './data-create.ts';
import { benchSink, type GroupResult, runGroup } from './harness.ts';
import { realmLaunchCases } from './realm-launch.ts';
import { realmRsiCases } from './realm-rsi.ts';
import { rmiVersionCases } from './rmi-version.ts';
import { sdkCases } from './sdk.ts';

const FILE = 'src/bench/platform-bench.ts';
const quick = process.argv.includes('--quick');
const outArg = process.argv.find((a) => a.startsWith('--out='));
const out = resolve(outArg?.slice('--out='.length) ?? 'bench-results/platform.json');
const log = (line: string): void => console.log(line);

const t0 = performance.now();
const groups: GroupResult[] = [];

// The SDK first, in a small heap as an app has it: run after the launch groups (a heap of hundreds of
// MiB), `seal 1 MiB` measured 0.5-0.6 of raw against about 1.0 in a fresh process.
{
  const { sealing, attestVerify, close } = sdkCases();
  const rounds = quick
    ? { rounds: 2, batchMs: 50, warmupMs: 0 }
    : { rounds: 8, batchMs: 300, warmupMs: 300 };
  // Many short batches: the ratio of two fast operations is the noisiest figure of the run.
  const sealingRounds = quick ? rounds : { rounds: 40, batchMs: 60, warmupMs: 300 };
  for (const g of sealing) {
    groups.push(runGroup(`${FILE} > SDK ${g.name} (plain Node)`, g.cases, sealingRounds, log));
  }
  groups.push(
    runGroup(
      `${FILE} > SDK attest + verify, simulated backend (plain Node)`,
      attestVerify,
      rounds,
      log,
    ),
  );
  close();
}

// Separate platforms, so the 16384 data granules of the second group do not sit in the first
// group's granule table while it runs.
{
  const p = bootPlatform();
  groups.push(
    runGroup(
      `${FILE} > RMI_VERSION round trips (plain Node)`,
      rmiVersionCases(p),
      quick
        ? { rounds: 2, batchMs: 200, warmupMs: 100 }
        : { rounds: 5, batchMs: 1000, warmupMs: 500 },
      log,
    ),
  );
}
{
  const p = bootPlatform();
  const setup = performance.now();
  const cases = dataCreateCases(p);
  // The same on a platform booted with parallel measurement: the RIM chain hashed on a worker.
  const parallel = bootPlatform({ parallelMeasurement: true });
  const staged = dataCreateCases(parallel).find((c) => c.name.includes('staged source pages'));
  if (staged === undefined) throw new Error('no staged DATA_CREATE case');
  cases.push({
    ...staged,
    name: 'DATA_CREATE ×16384 (RMI_MEASURE_CONTENT), staged source pages, parallel measurement',
  });
  log(
    `DATA_CREATE setup (realm, 33 RTTs, 16384 delegations, 64 MiB staged): ${(performance.now() - setup).toFixed(0)} ms`,
  );
  groups.push(
    runGroup(
      `${FILE} > DATA_CREATE 64 MiB, RMI_MEASURE_CONTENT (plain Node)`,
      cases,
      quick ? { rounds: 2, batchMs: 0, warmupMs: 0 } : { rounds: 12, batchMs: 0, warmupMs: 400 },
      log,
    ),
  );
  parallel.close();
}

{
  const { launch, javascript, close } = realmLaunchCases();
  groups.push(
    runGroup(
      `${FILE} > realm launch, 64 MiB image, to the first instruction (plain Node)`,
      launch,
      // A long warm-up: the first launches on a platform touch fresh DRAM slabs (the OS zeroes
      // them) and run unoptimised code; the figure is the steady state of a platform in use.
      quick ? { rounds: 2, batchMs: 0, warmupMs: 0 } : { rounds: 15, batchMs: 0, warmupMs: 4000 },
      log,
    ),
  );
  groups.push(
    runGroup(
      `${FILE} > JavaScript realm launch, 64 MiB program, to its first RSI call (plain Node)`,
      javascript,
      quick ? { rounds: 2, batchMs: 0, warmupMs: 0 } : { rounds: 6, batchMs: 0, warmupMs: 1000 },
      log,
    ),
  );
  close();
}
{
  const { tokens, roundTrips, close } = realmRsiCases();
  const rounds = quick
    ? { rounds: 2, batchMs: 100, warmupMs: 0 }
    : { rounds: 6, batchMs: 300, warmupMs: 300 };
  groups.push(
    runGroup(`${FILE} > attestation tokens from inside a realm (plain Node)`, tokens, rounds, log),
  );
  groups.push(
    runGroup(`${FILE} > RSI round trips from inside a realm (plain Node)`, roundTrips, rounds, log),
  );
  close();
}

for (const g of groups) {
  const raw = g.benchmarks.find((b) => b.name.startsWith('raw:'));
  if (raw === undefined) continue;
  for (const b of g.benchmarks) {
    if (b === raw) continue;
    log(
      `  ${b.name}: ${(b.hz / raw.hz).toFixed(3)} × raw (median ${(raw.median / b.median).toFixed(3)})`,
    );
  }
}

mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ files: [{ filepath: resolve(FILE), groups }] }, null, 2)}\n`,
);
log(`wrote ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s (sink ${benchSink()})`);
