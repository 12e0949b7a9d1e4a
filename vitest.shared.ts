/** Shared vitest settings: every project resolves sibling packages to their sources. @module */
import { defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';

/** Conditions that make `@islet/*` imports load `src/*.ts` instead of `dist/`. */
const conditions = ['@islet/source', ...defaultServerConditions];

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
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: process.env.FUZZ ? [] : ['**/*.fuzz.test.ts'],
      benchmark: { include: ['src/**/*.bench.ts', 'test/**/*.bench.ts'] },
    },
  });
}
