/**
 * The package graph is the architecture (DESIGN.md "Layers"): every workspace package may depend
 * only on the `@islet/*` packages this table allows, and every source import of an `@islet/*`
 * package must be declared in its package.json.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** DESIGN.md: which `@islet/*` packages each package may import. Apps and tools may import anything. */
const ALLOWED: Record<string, readonly string[]> = {
  '@islet/arch': [],
  '@islet/abi': ['@islet/arch'],
  '@islet/token': ['@islet/arch'],
  '@islet/gpt': ['@islet/arch', '@islet/abi'],
  '@islet/mmu': ['@islet/arch', '@islet/abi', '@islet/gpt'],
  '@islet/hes': ['@islet/arch', '@islet/token'],
  // The monitor passes platform tokens through unparsed; @islet/token is a devDependency for its tests.
  '@islet/el3-monitor': [
    '@islet/arch',
    '@islet/abi',
    '@islet/gpt',
    '@islet/mmu',
    '@islet/hes',
    '@islet/token',
  ],
  '@islet/rmm': ['@islet/arch', '@islet/abi', '@islet/token'],
  '@islet/host': ['@islet/arch', '@islet/abi'],
  '@islet/guest': ['@islet/arch', '@islet/abi'],
  '@islet/sdk': ['@islet/arch', '@islet/abi', '@islet/token'],
  '@islet/ratls': ['@islet/arch', '@islet/token', '@islet/sdk'],
};
const COMPOSERS = /^apps\/|^tools\//;

interface Pkg {
  dir: string;
  name: string;
  deps: string[];
}

function workspacePackages(): Pkg[] {
  const out: Pkg[] = [];
  const visit = (dir: string, depth: number): void => {
    for (const entry of readdirSync(join(ROOT, dir))) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
      const rel = join(dir, entry);
      if (!statSync(join(ROOT, rel)).isDirectory()) continue;
      try {
        const pkg = JSON.parse(readFileSync(join(ROOT, rel, 'package.json'), 'utf8'));
        const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((d) =>
          d.startsWith('@islet/'),
        );
        out.push({ dir: rel, name: pkg.name, deps });
      } catch {
        if (depth > 0) visit(rel, depth - 1);
      }
    }
  };
  for (const top of ['packages', 'apps', 'tools']) visit(top, 1);
  return out;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      if (e === 'node_modules' || e === 'dist') continue;
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(ROOT, dir));
  return files;
}

const packages = workspacePackages();

describe('layers', () => {
  test('the workspace has the foundation packages', () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining(['@islet/arch', '@islet/abi', '@islet/token']),
    );
  });

  test.each(packages.filter((p) => !COMPOSERS.test(p.dir)))(
    '$name depends only on what DESIGN.md allows',
    (pkg) => {
      const allowed = ALLOWED[pkg.name];
      expect(allowed, `${pkg.name} is not in the layer table`).toBeDefined();
      expect(pkg.deps.filter((d) => !allowed!.includes(d))).toEqual([]);
    },
  );

  test.each(packages)('$name imports only the @islet packages it declares', (pkg) => {
    const undeclared = new Set<string>();
    for (const file of sourceFiles(pkg.dir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(@islet\/[a-z0-9-]+)/g)) {
        if (m[1] !== pkg.name && !pkg.deps.includes(m[1]!))
          undeclared.add(`${relative(ROOT, file)}: ${m[1]}`);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  test('nothing but apps and tools depends on @islet/rmm', () => {
    const offenders = packages.filter(
      (p) => !COMPOSERS.test(p.dir) && p.deps.includes('@islet/rmm'),
    );
    expect(offenders.map((p) => p.name)).toEqual([]);
  });
});
