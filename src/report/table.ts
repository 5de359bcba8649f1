/** The summary table of `poolcheck check`: property x policy, outcome and expectation. */
import { cell } from './text.ts';
import { asExpected, expectationText, type Outcome } from './witness.ts';

// 72 columns; the longest property id is 32 characters; an expectation's
// commit id shows abbreviated to 7 (fails 4a37f3d)
const COLS = { prop: 32, outcome: 8, expected: 13, runs: 6, steps: 7 } as const;

function row(mark: string, p: string, o: string, e: string, r: string, s: string): string {
  return [
    mark,
    cell(p, COLS.prop),
    cell(o, COLS.outcome),
    cell(e, COLS.expected),
    cell(r, COLS.runs, true),
    cell(s, COLS.steps, true),
  ]
    .join(' ')
    .trimEnd();
}

/** One block per (scenario, policy): a header line, then a row per property. */
export function renderTable(outcomes: readonly Outcome[]): string[] {
  const lines: string[] = [];
  let block = '';
  for (const o of outcomes) {
    const key = `${o.scenario} ${o.policy}`;
    if (key !== block) {
      block = key;
      if (lines.length > 0) lines.push('');
      lines.push(`scenario ${o.scenario}, policy ${o.policy}`);
      lines.push(row(' ', 'property', 'outcome', 'expected', 'runs', 'steps'));
    }
    lines.push(
      row(
        asExpected(o) ? ' ' : '!',
        o.property.id,
        o.status,
        expectationText(o.expected),
        String(o.runs),
        String(o.steps),
      ),
    );
  }
  return lines;
}
