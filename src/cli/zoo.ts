/**
 * `poolcheck zoo`: every known kernel bug of the area (src/zoo) run as a
 * variant against the property expected to catch it, with the budget given
 * (the default one unless told otherwise). Prints the table (or JSON);
 * out-of-scope bugs are listed with their reason and BZ-09 with its
 * finding. Exit 0 when every in-scope variant is caught as declared (by
 * its property, within its step bound), 1 otherwise.
 */
import { allAsDeclared, renderZooJson, renderZooText } from '../zoo/report.ts';
import { runZoo as runZooEntries, type ZooBudget, type ZooEntryResult } from '../zoo/run.ts';
import type { CommandResult } from './check.ts';
import { EXIT } from './errors.ts';

export interface ZooFlags {
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly format: 'text' | 'json';
}

/** The command's output and exit code for results already computed. */
export function zooCommandResult(
  budget: ZooBudget,
  results: readonly ZooEntryResult[],
  format: 'text' | 'json',
): CommandResult {
  const code = allAsDeclared(results) ? EXIT.ok : EXIT.violation;
  const stdout =
    format === 'json' ? renderZooJson(budget, results) : renderZooText(budget, results);
  return { code, stdout };
}

export function runZoo(flags: ZooFlags): CommandResult {
  const budget = { seed: flags.seed, runs: flags.runs, maxSteps: flags.maxSteps };
  return zooCommandResult(budget, runZooEntries(budget), flags.format);
}
