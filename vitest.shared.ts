/** Shared vitest settings: every project resolves sibling packages to their sources. @module */
import { defineProject } from 'vitest/config';

/** Vite's default server conditions, with `@islet/source` first so `@islet/*` imports load `src/*.ts`. */
const conditions = ['@islet/source', 'module', 'node', 'development|production'];

/**
 * Builds the vitest project config of one package.
 * @param name - the project's name in reports.
 */
export function project(name: string): ReturnType<typeof defineProject> {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      // Property and model tests run thousands of cases; on 2 shared cores a slow neighbour must not
      // turn them into timeouts. Nothing here asserts on time.
      testTimeout: 60_000,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: process.env.FUZZ ? [] : ['**/*.fuzz.test.ts'],
      benchmark: { include: ['src/**/*.bench.ts', 'test/**/*.bench.ts'] },
    },
  });
}
