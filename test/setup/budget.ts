/**
 * Test budgets: POOLCHECK_TEST_SCALE multiplies the runs of the tests that
 * search for violations on a correct model (default 1). It is a separate
 * variable from POOLCHECK_RUNS, which the CLI reads as an absolute number of
 * runs. Witness and mutant-catching tests keep their budgets: they assert
 * that something is found, which fewer runs could make untrue.
 */
const raw = process.env.POOLCHECK_TEST_SCALE;
const scale = raw === undefined || raw === '' ? 1 : Number(raw);
if (!(scale > 0)) throw new Error(`POOLCHECK_TEST_SCALE must be a positive number, not ${raw}`);

/** `runs` scaled by POOLCHECK_TEST_SCALE, at least 1. */
export function scaledRuns(runs: number): number {
  return Math.max(1, Math.round(runs * scale));
}
