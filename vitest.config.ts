import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['models/**/*.ts', 'properties/**/*.ts', 'src/**/*.ts'],
      thresholds: {
        'models/**': { lines: 90, branches: 90 },
        'properties/**': { lines: 90, branches: 90 },
        'src/**': { lines: 80, branches: 80 },
      },
    },
  },
});
