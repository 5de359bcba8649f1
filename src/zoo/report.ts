/**
 * Renders a zoo run: a 72-column ASCII table (bug, fix, the property that
 * caught it, steps of the shrunk counterexample, runs and time until
 * detection, then the variant) and a JSON document with everything,
 * including each fix commit and how each variant is built. Pure functions
 * of the results; the time column is the only one a test may not compare.
 */
import { cell, wrap } from '../report/text.ts';
import { caseHow, caseId, type ZooCase } from './catalogue.ts';
import type { ZooBudget, ZooCaseResult, ZooEntryResult } from './run.ts';

const W = { bug: 5, fix: 13, prop: 31, steps: 5, runs: 5, time: 8 } as const;

function row(bug: string, fix: string, prop: string, steps: string, runs: string, time: string) {
  return [
    cell(bug, W.bug),
    cell(fix, W.fix),
    cell(prop, W.prop),
    cell(steps, W.steps, true),
    cell(runs, W.runs, true),
    cell(time, W.time, true),
  ]
    .join(' ')
    .trimEnd();
}

/** Milliseconds as a table shows them. */
export function duration(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** Whether every in-scope variant was caught as the catalogue declares. */
export function allAsDeclared(results: readonly ZooEntryResult[]): boolean {
  return results.every((r) => r.kind !== 'caught' || r.cases.every((c) => c.asDeclared));
}

function miss(c: ZooCaseResult): string {
  if (!c.caught) return `not caught in ${c.runs} runs`;
  return `${c.steps} steps, more than the ${c.maxSteps} declared`;
}

/** The table; `time: false` prints `-` for times (stable output for tests). */
export function renderZooText(
  budget: ZooBudget,
  results: readonly ZooEntryResult[],
  options: { readonly time?: boolean } = {},
): string {
  const showTime = options.time ?? true;
  const lines = [
    `poolcheck zoo: seed ${budget.seed}, ${budget.runs} runs x ${budget.maxSteps} steps`,
    '',
    row('bug', 'fix', 'caught by', 'steps', 'runs', 'time'),
  ];
  let caught = 0;
  let cases = 0;
  let outside = 0;
  for (const r of results) {
    const e = r.entry;
    const fix = e.fix[0] ?? '';
    if (r.kind === 'out-of-scope' || r.kind === 'finding') {
      const why =
        r.kind === 'finding'
          ? `finding: ${r.finding}`
          : `out of scope: ${r.entry.scope.kind === 'out-of-scope' ? r.entry.scope.why : ''}`;
      if (r.kind === 'out-of-scope') outside += 1;
      lines.push(...wrap(`${cell(e.id, W.bug)} ${cell(fix, W.fix)} ${why}`, ' '.repeat(6)));
      continue;
    }
    r.cases.forEach((c, i) => {
      cases += 1;
      if (c.asDeclared) caught += 1;
      lines.push(
        row(
          i === 0 ? e.id : '',
          i === 0 ? fix : '',
          c.caught ? c.property : '-',
          c.steps === null ? '-' : String(c.steps),
          String(c.runs),
          showTime ? duration(c.ms) : '-',
        ),
      );
      const mark = c.asDeclared ? ' ' : '!';
      lines.push(...wrap(`${mark}     ${c.variant} (${c.setting})`, ' '.repeat(8)));
      if (!c.asDeclared)
        lines.push(...wrap(`!     expected ${c.property}: ${miss(c)}`, ' '.repeat(8)));
    });
    if (e.scope.kind === 'caught' && e.scope.note)
      lines.push(...wrap(`      note: ${e.scope.note}`, ' '.repeat(8)));
  }
  lines.push(
    '',
    ...wrap(
      `result: ${caught} of ${cases} variants caught as declared` +
        (caught < cases ? ` (${cases - caught} marked !)` : '') +
        `; ${outside} bugs out of scope`,
      '    ',
    ),
  );
  return `${lines.join('\n')}\n`;
}

function caseJson(c: ZooCaseResult, zc: ZooCase | undefined) {
  return {
    variant: c.variant,
    setting: c.setting,
    how: zc ? caseHow(zc) : '',
    property: c.property,
    maxSteps: c.maxSteps,
    caught: c.caught,
    asDeclared: c.asDeclared,
    steps: c.steps,
    originalSteps: c.originalSteps,
    runs: c.runs,
    ms: Math.round(c.ms),
    token: c.token,
    violation: c.violation,
  };
}

/** Everything as JSON (schema `poolcheck-zoo`, version 1). */
export function renderZooJson(budget: ZooBudget, results: readonly ZooEntryResult[]): string {
  const doc = {
    schema: 'poolcheck-zoo',
    version: 1,
    seed: budget.seed,
    runs: budget.runs,
    maxSteps: budget.maxSteps,
    allAsDeclared: allAsDeclared(results),
    bugs: results.map((r) => {
      const e = r.entry;
      const base = { id: e.id, title: e.title, fix: e.fix, scope: e.scope.kind };
      if (r.kind === 'caught') {
        const zcs = e.scope.kind === 'caught' ? e.scope.cases : [];
        return {
          ...base,
          ...(e.scope.kind === 'caught' && e.scope.note ? { note: e.scope.note } : {}),
          cases: r.cases.map((c) =>
            caseJson(
              c,
              zcs.find((z) => caseId(z) === c.variant),
            ),
          ),
        };
      }
      if (r.kind === 'finding') return { ...base, finding: r.finding };
      return { ...base, why: e.scope.kind === 'out-of-scope' ? e.scope.why : '' };
    }),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
