/** Root vitest config: one run over every package, one summary. @module */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*/vitest.config.ts',
      'packages/hardware/*/vitest.config.ts',
      'packages/firmware/*/vitest.config.ts',
      'apps/*/vitest.config.ts',
      'tools/*/vitest.config.ts',
    ],
    reporters: ['default', './tools/vitest-summary.ts'],
  },
});
