import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // root = workspace root works around vitest#11194 (two copies of a package's own dist).
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    dir: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
  },
});
