// Mutation testing (`npm run mutation`), not part of `npm test`.
//
// The whole of models/ and properties/ is about 9,600 mutants, many
// hours on two cores, so the work is cut into areas (none over about
// 1,000 mutants) that run one at a time,
// each with its own incremental file and JSON report under reports/mut/:
//
//   STRYKER_AREA=genpool npm run mutation
//
// runs one area; no STRYKER_AREA runs them all. A model area then runs
// again with STRYKER_TABLE=1, which adds the slow expectation table and zoo
// and reruns only the survivors (vitest.stryker.config.ts says why; a static
// survivor only with --force, see below). A rerun retests only the
// mutants whose code or covering tests changed, but it keeps the old result
// of a static mutant (one in code run at import, such as a property's
// `after` list) even when new tests kill it: after adding tests, rerun with
// `npm run mutation -- --force`. `npx tsx
// scripts/mutation-score.ts` adds the areas' reports into one score.
const AREAS = {
  genpool: ['models/genpool/**/*.ts'],
  // models/page_alloc, about 2,400 mutants, in three
  page_alloc: [
    'models/page_alloc/page_alloc.ts',
    'models/page_alloc/alloc_flags.ts',
    'models/page_alloc/gfp.ts',
  ],
  page_alloc_buddy: [
    'models/page_alloc/buddy.ts',
    'models/page_alloc/pages.ts',
    'models/page_alloc/fns.ts',
    'models/page_alloc/state.ts',
    'models/page_alloc/zone.ts',
  ],
  page_alloc_watermark: [
    'models/page_alloc/watermark.ts',
    'models/page_alloc/watermark_setup.ts',
    'models/page_alloc/machine.ts',
    'models/page_alloc/rules.ts',
  ],
  vmscan: ['models/vmscan/**/*.ts'],
  dma_pool: ['models/dma/pool.ts'],
  dma_direct: ['models/dma/direct.ts'],
  dma: ['models/dma/**/*.ts', '!models/dma/pool.ts', '!models/dma/direct.ts'],
  reserve_pool: ['models/reserve_pool/**/*.ts'],
  world: ['models/world/**/*.ts'],
  policies: ['models/policies/**/*.ts', 'models/*.ts'],
  properties_genpool: ['properties/genpool/**/*.ts', 'properties/*.ts'],
  properties_page_alloc: ['properties/page_alloc/**/*.ts'],
  properties_dma: ['properties/dma/**/*.ts'],
};

const area = process.env.STRYKER_AREA;
if (area !== undefined && !(area in AREAS)) {
  throw new Error(`STRYKER_AREA must be one of ${Object.keys(AREAS).join(', ')}`);
}
const name = area ?? 'all';
const mutate = area === undefined ? Object.values(AREAS).flat() : AREAS[area];

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  mutate: [...mutate, '!**/index.ts'],
  incremental: true,
  incrementalFile: `reports/mut/${name}.incremental.json`,
  coverageAnalysis: 'perTest',
  // No TypeScript checker: on two cores it took a whole core for itself and
  // halved the rate; a mutant that does not type-check mostly fails a test.
  // a property's strings are its statement and its messages: no verdict
  // depends on them (the catalogue test pins the statements)
  ...(area?.startsWith('properties') ? { mutator: { excludedMutations: ['StringLiteral'] } } : {}),
  // progress-lines: each result as it comes (scripts/stryker-progress-reporter.mjs)
  plugins: ['@stryker-mutator/*', './scripts/stryker-progress-reporter.mjs'],
  reporters: ['clear-text', 'progress-append-only', 'progress-lines', 'html', 'json'],
  htmlReporter: { fileName: `reports/mut/${name}.html` },
  jsonReporter: { fileName: `reports/mut/${name}.json` },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: 2,
  // generous: a mutant's tests that run out of time count as detected, and
  // on a loaded two-core machine a mutant of plain bookkeeping ran past 5 s
  // (each timeout also restarts a runner, which costs more than the wait)
  timeoutMS: 20000,
};
