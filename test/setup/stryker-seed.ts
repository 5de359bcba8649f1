// Stryker-only setup: one fixed fast-check seed for every property test, a
// smaller default budget, and a quarter of the runs for the tests that
// search a correct model for violations (test/setup/budget.ts).
import fc from 'fast-check';

fc.configureGlobal({ seed: 20191213, numRuns: 30 });
process.env.POOLCHECK_TEST_SCALE = '0.25';
