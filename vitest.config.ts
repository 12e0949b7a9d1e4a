/** Root vitest config: one run over every package, one summary. @module */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/hardware/*', 'packages/firmware/*', 'apps/*', 'tools/*'],
    reporters: ['default', './tools/vitest-summary.ts'],
  },
});
