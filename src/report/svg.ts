/**
 * An SVG timeline of a counterexample, for people who would rather look than
 * read: one panel per gauge group (a pool's avail and size, a zone's free
 * pages against its watermarks and reserve), steps along the x axis, the
 * violating step marked. Drawn from the same recorded steps as the text.
 * Deterministic: the same counterexample gives the same bytes.
 */
import type { StepRecord } from '../harness/run.ts';
import type { Op } from '../harness/system.ts';

const PANEL_H = 120;
const PANEL_GAP = 36;
const LEFT = 70;
const RIGHT = 150;
const TOP = 40;
const STEP_W = 60;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Groups `group.series` gauge names by group, in first-seen order. */
function groups(steps: readonly StepRecord<Op>[]): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const s of steps)
    for (const key of Object.keys(s.metrics ?? {})) {
      const dot = key.lastIndexOf('.');
      const group = dot < 0 ? key : key.slice(0, dot);
      const list = g.get(group) ?? [];
      if (!list.includes(key)) list.push(key);
      g.set(group, list);
    }
  return g;
}

export interface TimelineInput {
  readonly title: string;
  readonly steps: readonly StepRecord<Op>[];
  /** Executed step after which the property broke (0: at the end). */
  readonly failedStep: number;
}

export function renderTimeline(input: TimelineInput): string {
  const { steps } = input;
  const g = groups(steps);
  const n = Math.max(steps.length, 1);
  const width = LEFT + RIGHT + n * STEP_W;
  const height = TOP + g.size * (PANEL_H + PANEL_GAP) + 20 + steps.length * 14 + 20;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="13" font-weight="bold">${esc(input.title)}</text>`,
  ];
  const xOf = (i: number) => LEFT + i * STEP_W + STEP_W / 2;
  let y0 = TOP;
  for (const [group, series] of g) {
    let max = 1;
    for (const s of steps) for (const k of series) max = Math.max(max, s.metrics?.[k] ?? 0);
    const yOf = (v: number) => y0 + PANEL_H - (v / max) * PANEL_H;
    out.push(
      `<text x="10" y="${y0 - 6}" font-weight="bold">${esc(group)}</text>`,
      `<line x1="${LEFT}" y1="${y0 + PANEL_H}" x2="${LEFT + n * STEP_W}" y2="${y0 + PANEL_H}" stroke="#888"/>`,
      `<text x="${LEFT - 6}" y="${y0 + 4}" text-anchor="end">${fmt(max)}</text>`,
      `<text x="${LEFT - 6}" y="${y0 + PANEL_H}" text-anchor="end">0</text>`,
    );
    series.forEach((k, si) => {
      const colour = COLOURS[si % COLOURS.length];
      const pts = steps
        .map((s, i) =>
          s.metrics?.[k] === undefined ? null : `${xOf(i)},${fmt(yOf(s.metrics[k]))}`,
        )
        .filter((p): p is string => p !== null);
      if (pts.length > 0)
        out.push(
          `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>`,
        );
      out.push(
        `<text x="${LEFT + n * STEP_W + 8}" y="${y0 + 12 + si * 13}" fill="${colour}">${esc(k.slice(k.lastIndexOf('.') + 1))}</text>`,
      );
    });
    y0 += PANEL_H + PANEL_GAP;
  }
  const failIdx = input.failedStep === 0 ? steps.length - 1 : input.failedStep - 1;
  if (failIdx >= 0)
    out.push(
      `<line x1="${xOf(failIdx)}" y1="${TOP - 10}" x2="${xOf(failIdx)}" y2="${y0 - PANEL_GAP}" stroke="red" stroke-dasharray="4 3"/>`,
    );
  steps.forEach((s, i) => {
    out.push(
      `<text x="${xOf(i)}" y="${TOP - 22 + 12}" text-anchor="middle" fill="${i === failIdx ? 'red' : '#444'}">${s.n}</text>`,
    );
    out.push(
      `<text x="10" y="${y0 + i * 14}" fill="${i === failIdx ? 'red' : 'black'}">${esc(`${s.n} ${s.outcome.context} ${s.outcome.call} -> ${s.outcome.result}`)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
