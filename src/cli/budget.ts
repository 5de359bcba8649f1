/**
 * Budgets: runs x steps, never time (unless --time-limit). POOLCHECK_RUNS
 * sets the default number of runs, for long soak runs (tests scale their
 * own budgets by POOLCHECK_TEST_SCALE, test/setup/budget.ts).
 */
import { UsageError } from './errors.ts';

export const DEFAULT_SEED = 42;
export const DEFAULT_RUNS = 100;
export const DEFAULT_MAX_STEPS = 40;

/** Parses a whole number flag; a clear one-line error otherwise. */
export function wholeNumber(flag: string, value: string, min = 0, max = 2 ** 31 - 1): number {
  if (!/^-?\d+$/.test(value)) throw new UsageError(`${flag} takes a whole number, not '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}`);
  return n;
}

/** Default runs: POOLCHECK_RUNS when set. */
export function defaultRuns(): number {
  const env = process.env.POOLCHECK_RUNS;
  return env === undefined || env === '' ? DEFAULT_RUNS : wholeNumber('POOLCHECK_RUNS', env, 1);
}
