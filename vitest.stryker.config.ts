// Mutation testing only: fast-check's seed is pinned (and the default
// budget of tests that set no numRuns reduced) so test names and generated
// runs are identical in every Stryker run; otherwise a mutant would be
// killed or survive by chance.
//
// POOLCHECK_RUNS is deliberately not set here: the CLI reads it as an
// absolute number of runs (src/cli/budget.ts) but several tests read it as
// a multiplier of their own budget, so no single value reduces both (30
// multiplied the property tests' runs thirtyfold and cut the CLI's from
// 100 to 30, below what the expectation table needs).
//
// test/zoo/zoo.test.ts is left out: it runs the whole zoo in beforeAll, so
// Stryker counts every line it reaches as "static" (outside any test) and
// reruns the whole suite for each such mutant, 89% of gen_pool's. Every
// variant it runs is also run, per property, by test/properties/* and
// test/mutants/* (see test/zoo/catches.test.ts), which stay in.
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      setupFiles: ['test/setup/stryker-seed.ts'],
      exclude: [...configDefaults.exclude, 'test/zoo/zoo.test.ts'],
    },
  }),
);
