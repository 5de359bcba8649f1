/**
 * A counterexample as text for a mailing-list reply: what broke, under which
 * policy, the numbered steps in kernel terms (each with what it observed),
 * the state that matters, and the one-line replay command.
 */
import type { StateTable } from '../harness/system.ts';
import { ascii, wrap } from './text.ts';
import { type Outcome, violationTag } from './witness.ts';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function renderCounterexample(o: Outcome, replay: string): string {
  const cx = o.counterexample;
  if (!cx) return '';
  const lines: string[] = [];
  const push = (text: string, indent = '    ') => lines.push(...wrap(ascii(text), indent));
  push(
    `poolcheck: ${o.property.id} (${o.property.ref}) fails under policy ${o.policy} [${violationTag(o)}]`,
  );
  push(
    `${plural(cx.steps.length, 'step')} after shrinking (from ${cx.originalSteps}), seed ${o.seed}`,
  );
  push(`setup: ${o.scenario}: ${o.setup}`);
  push(`property: ${o.property.statement}`);
  for (const s of cx.steps) {
    const mark = cx.failure.step === s.n ? ` <-- ${o.property.ref}` : '';
    push(`${s.n} ${s.outcome.context} ${s.outcome.call} -> ${s.outcome.result}${mark}`);
    for (const note of s.outcome.notes ?? []) push(`    ${note}`, '      ');
  }
  const at = cx.failure.step === 0 ? 'at the end of the run' : `after step ${cx.failure.step}`;
  push(`violated ${at}: ${cx.failure.violation.subject}: ${cx.failure.violation.message}`);
  for (const d of cx.failure.violation.details ?? []) push(`    ${d}`, '      ');
  lines.push(...renderTables(cx.snapshot));
  if (o.svgFile) push(`timeline: ${o.svgFile}`);
  push(`replay: ${replay}`);
  return `${lines.join('\n')}\n`;
}

export function renderTables(tables: readonly StateTable[]): string[] {
  const lines: string[] = [];
  for (const t of tables) {
    lines.push(...wrap(ascii(`${t.title}:`)));
    for (const row of t.rows) lines.push(...wrap(ascii(`  ${row}`), '      '));
  }
  return lines;
}
