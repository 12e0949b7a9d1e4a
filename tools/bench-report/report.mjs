#!/usr/bin/env node
/**
 * Collects every `bench-results/*.json` in the shape `vitest bench --outputJson` writes
 * (`bench.json` from vitest, others such as `apps/fvp`'s `platform.json` from plain-Node runners)
 * from every workspace package into `bench-results/summary.json`; JSON files of another shape
 * (e.g. a memory report) are skipped. In each benchmark group, the first bench whose name starts
 * with `raw:` is the primitive measured in the same run (node:crypto hash or sign, Uint8Array
 * copy); every other bench gets `ratio` = its rate / the raw rate (and `ratioMedian`, the same
 * from median times), so figures compare across noisy shared machines. A group with several
 * `raw:` benches (e.g. one SHA-256 digest over an image and one per 4 KiB granule) also gives
 * every bench `vs`: its ratios against each further raw. `mbps`/`mbpsMedian`, when a runner
 * writes them, are passed through. Plain JavaScript so it runs on Node 20 without a build.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The `bench-results/*.json` files of `dir` that hold vitest-shaped results, sorted. */
function resultFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    try {
      if (Array.isArray(JSON.parse(readFileSync(file, 'utf8')).files)) out.push(file);
    } catch {
      // Not JSON (a run cut short): nothing to report from it.
    }
  }
  return out;
}

function findResults(dir, depth, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.'))
      continue;
    const path = join(dir, entry.name);
    const results = join(path, 'bench-results');
    if (existsSync(results)) out.push(...resultFiles(results));
    else if (depth > 0) findResults(path, depth - 1, out);
  }
  return out;
}

const round = (x, scale) => Math.round(x * scale) / scale;
/** Rate ratio from the means, and from the medians, which shrug off the pauses a shared machine
 * adds to whichever bench happened to run during them. */
const ratios = (b, raw) => ({
  ratio: round(b.hz / raw.hz, 1000),
  ratioMedian: round(raw.median / b.median, 1000),
});

const files = ['packages', 'apps', 'tools'].flatMap((d) => findResults(join(root, d), 2, []));
const groups = [];
for (const file of files) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  for (const f of data.files) {
    for (const g of f.groups) {
      const raws = g.benchmarks.filter((b) => b.name.startsWith('raw:'));
      const raw = raws[0];
      groups.push({
        group: g.fullName,
        benchmarks: g.benchmarks.map((b) => {
          const others = raws.filter((r) => r !== raw && r !== b);
          return {
            name: b.name,
            hz: round(b.hz, 100),
            meanMs: round(b.mean, 1e4),
            rme: round(b.rme, 100),
            samples: b.sampleCount,
            medianMs: round(b.median, 1e4),
            ...(b.mbps === undefined ? {} : { mbps: round(b.mbps, 10) }),
            ...(b.mbpsMedian === undefined ? {} : { mbpsMedian: round(b.mbpsMedian, 10) }),
            ...(raw && b !== raw ? ratios(b, raw) : {}),
            ...(others.length > 0
              ? { vs: others.map((r) => ({ raw: r.name, ...ratios(b, r) })) }
              : {}),
          };
        }),
      });
    }
  }
}

const summary = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  sources: files.map((f) => relative(root, f)),
  groups,
};
mkdirSync(join(root, 'bench-results'), { recursive: true });
writeFileSync(join(root, 'bench-results', 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
for (const g of groups) {
  for (const b of g.benchmarks) {
    const ratio =
      b.ratio === undefined
        ? ''
        : `  ratio ${b.ratio.toFixed(3)} (median ${b.ratioMedian.toFixed(3)})`;
    const mbps = b.mbps === undefined ? '' : ` = ${b.mbps.toFixed(0)} MB/s`;
    const vs = (b.vs ?? [])
      .map((v) => `\n    vs ${v.raw}: ${v.ratio.toFixed(3)} (median ${v.ratioMedian.toFixed(3)})`)
      .join('');
    console.log(`${g.group} > ${b.name}: ${b.hz.toFixed(1)}/s${mbps}${ratio}${vs}`);
  }
}
console.log(
  `wrote bench-results/summary.json (${groups.length} groups from ${files.length} files)`,
);
