// Stryker-only setup: one fixed fast-check seed for every property test.
import fc from 'fast-check';

fc.configureGlobal({ seed: 20191213, numRuns: 30 });
