// Mutation testing only: fast-check's seed is pinned (and the budget reduced)
// so test names and generated runs are identical in every Stryker run;
// otherwise every mutant would wrongly survive or be killed by chance.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      setupFiles: ['test/setup/stryker-seed.ts'],
      env: { POOLCHECK_RUNS: '30' },
    },
  }),
);
