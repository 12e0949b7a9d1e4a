#!/usr/bin/env node
/**
 * Collects `bench-results/bench.json` (written by `vitest bench --outputJson`) from every
 * workspace package into `bench-results/summary.json`. In each benchmark group, the bench whose
 * name starts with `raw:` is the primitive measured in the same run (node:crypto hash or sign,
 * Uint8Array copy); every other bench gets `ratio` = its rate / the raw rate (and `ratioMedian`,
 * the same from median times), so figures compare across noisy shared machines. Plain JavaScript so it runs on Node 20 without a build.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function findResults(dir, depth, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.'))
      continue;
    const path = join(dir, entry.name);
    const file = join(path, 'bench-results', 'bench.json');
    if (existsSync(file)) out.push(file);
    else if (depth > 0) findResults(path, depth - 1, out);
  }
  return out;
}

const files = ['packages', 'apps', 'tools'].flatMap((d) => findResults(join(root, d), 2, []));
const groups = [];
for (const file of files) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  for (const f of data.files) {
    for (const g of f.groups) {
      const raw = g.benchmarks.find((b) => b.name.startsWith('raw:'));
      groups.push({
        group: g.fullName,
        benchmarks: g.benchmarks.map((b) => ({
          name: b.name,
          hz: Math.round(b.hz * 100) / 100,
          meanMs: Math.round(b.mean * 1e4) / 1e4,
          rme: Math.round(b.rme * 100) / 100,
          samples: b.sampleCount,
          medianMs: Math.round(b.median * 1e4) / 1e4,
          ...(raw && b !== raw
            ? {
                // Rate ratio from the means, and from the medians, which shrug off the pauses a
                // shared machine adds to whichever bench happened to run during them.
                ratio: Math.round((b.hz / raw.hz) * 1000) / 1000,
                ratioMedian: Math.round((raw.median / b.median) * 1000) / 1000,
              }
            : {}),
        })),
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
    console.log(`${g.group} > ${b.name}: ${b.hz.toFixed(1)}/s${ratio}`);
  }
}
console.log(
  `wrote bench-results/summary.json (${groups.length} groups from ${files.length} files)`,
);
