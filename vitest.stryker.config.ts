// Mutation testing only (see stryker.config.mjs).
//
// fast-check's seed is pinned (and the default budget of tests that set no
// numRuns reduced) so test names and generated runs are identical in every
// Stryker run; otherwise a mutant would be killed or survive by chance.
//
// Each area is tested by its own tests only (STRYKER_AREA picks them): a
// gen_pool mutant must be caught by the gen_pool tests, not incidentally by
// a DMA test that happens to drive gen_pool. The score is therefore a lower
// bound, and an area's run takes minutes instead of hours (a surviving
// gen_pool mutant otherwise reruns every DMA test).
//
// POOLCHECK_RUNS is deliberately not set: the CLI reads it as an absolute
// number of runs (src/cli/budget.ts) but a few tests read it as a multiplier
// of their own budget, so no single value reduces both.
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import base from './vitest.config.ts';

/**
 * Cheapest test file first. Stryker stops a mutant's run at its first
 * failing test, but vitest's own order runs the slowest file first (the
 * expectation table, minutes when instrumented), so a mutant that a unit
 * test kills in milliseconds paid for the whole table first. A file that
 * failed in the last run still goes first (the likeliest to kill the next
 * mutant too); a file never run goes last.
 */
class CheapFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const cost = (f: TestSpecification): readonly [number, number] => {
      const key = `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
      const last = cache.getFileTestResults(key);
      return last === undefined
        ? [1, Number.POSITIVE_INFINITY]
        : [last.failed ? 0 : 1, last.duration];
    };
    return [...files].sort((a, b) => {
      const [fa, ca] = cost(a);
      const [fb, cb] = cost(b);
      return fa - fb || ca - cb;
    });
  }
}

/**
 * The expectation table (every policy on every scenario at the default
 * budget) and the zoo (every bug variant, and the fixed kernels' searches)
 * kill mutants nothing else does, but they are the slowest files by far,
 * and Stryker reruns them whole for every surviving mutant: with the table,
 * the world area alone took over three hours. So a model area runs twice:
 * first without them (STRYKER_TABLE unset), then with STRYKER_TABLE=1 on the
 * same incremental file, which reuses every result except the survivors,
 * now covered by more tests. Only the second run's report counts.
 */
const TABLE =
  process.env.STRYKER_TABLE === '1' ? ['test/expectations.test.ts', 'test/zoo/zoo.test.ts'] : [];

const DMA = [
  ...TABLE,
  'test/models/rule-choices.test.ts',
  'test/models/world/**/*.test.ts',
  'test/models/dma/**/*.test.ts',
  'test/properties/dma/**/*.test.ts',
  'test/coverage/properties/dma/**/*.test.ts',
  'test/zoo/catches.test.ts',
  'test/zoo/cma.test.ts',
];

const PAGE_ALLOC = [
  ...TABLE,
  'test/models/rule-choices.test.ts',
  'test/models/page_alloc/**/*.test.ts',
  'test/properties/page_alloc/**/*.test.ts',
  'test/mutants/page_alloc/**/*.test.ts',
  'test/coverage/models/page_alloc/**/*.test.ts',
  'test/coverage/properties/page_alloc/**/*.test.ts',
];

/** The tests that answer for each area's mutants. */
const TESTS: Readonly<Record<string, readonly string[]>> = {
  genpool: [
    'test/models/genpool/**/*.test.ts',
    'test/properties/genpool/**/*.test.ts',
    'test/coverage/properties/genpool/**/*.test.ts',
  ],
  page_alloc: PAGE_ALLOC,
  page_alloc_buddy: PAGE_ALLOC,
  page_alloc_watermark: PAGE_ALLOC,
  vmscan: PAGE_ALLOC,
  dma: DMA,
  dma_pool: DMA,
  dma_direct: DMA,
  reserve_pool: ['test/models/reserve_pool/**/*.test.ts', ...DMA],
  world: ['test/models/reserve_pool/**/*.test.ts', ...DMA],
  policies: ['test/models/*.test.ts', 'test/models/reserve_pool/**/*.test.ts', ...DMA],
  // a property's own tests: it holds on a correct model, its witness
  // occurs, it fails on its mutants (the whole-table expectation test is
  // left to the model areas: it would rerun for every property mutant)
  properties_genpool: [
    'test/properties/genpool/**/*.test.ts',
    'test/coverage/properties/genpool/**/*.test.ts',
  ],
  properties_page_alloc: [
    'test/properties/page_alloc/**/*.test.ts',
    'test/mutants/page_alloc/**/*.test.ts',
    'test/coverage/properties/page_alloc/**/*.test.ts',
  ],
  properties_dma: ['test/properties/dma/**/*.test.ts', 'test/coverage/properties/dma/**/*.test.ts'],
};

const area = process.env.STRYKER_AREA;

// Spread, not mergeConfig: mergeConfig concatenates `include` arrays.
export default defineConfig({
  test: {
    ...base.test,
    setupFiles: ['test/setup/stryker-seed.ts'],
    // instrumented world.ts runs every step through mutant switches: the
    // expectation table's default-budget searches take minutes, not seconds
    testTimeout: 300_000,
    include: [...(TESTS[area ?? ''] ?? base.test?.include ?? [])],
    sequence: { sequencer: CheapFirst },
  },
});
