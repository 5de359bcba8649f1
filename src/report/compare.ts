/** Renderers for `poolcheck compare`: a mailing-list table and an SVG bar chart. */
import type { WorkloadComparison } from '../compare/compare.ts';
import { cell, wrap } from './text.ts';

const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
const mib = (pages: number) => `${((pages * 4096) / 1048576).toFixed(1)}`;
const pages = (n: number) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n}` : '-');

export function renderCompareText(rows: readonly WorkloadComparison[]): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    if (lines.length > 0) lines.push('');
    lines.push(...wrap(`workload ${r.workload.id}: ${r.workload.description}`));
    lines.push(
      `  ${cell('design', 18)} ${cell('atomic fail', 13)} ${cell('decrypted MiB', 13)} ${cell('DMA32 margin', 12)} violations`,
    );
    for (const d of r.designs) {
      const v = Object.keys(d.violations);
      lines.push(
        `  ${cell(d.policy, 18)} ${cell(`${pct(d.atomicFailures, d.atomicRequests)} of ${d.atomicRequests}`, 13)} ${cell(`${mib(d.decryptedMean)} / ${mib(d.decryptedMax)}`, 13)} ${cell(pages(d.reserveMargin.DMA32), 12)} ${v.length === 0 ? 'none' : v.length}`,
      );
      for (const id of v) lines.push(`    ${id} in ${d.violations[id]} runs`);
    }
  }
  return lines;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** Three panels (atomic failure rate, mean decrypted MiB, worst DMA32 margin), a bar per design per workload. */
export function renderCompareSvg(rows: readonly WorkloadComparison[], title: string): string {
  const designs = rows[0]?.designs.map((d) => d.policy) ?? [];
  const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e'];
  const metrics: { name: string; value: (d: WorkloadComparison['designs'][number]) => number }[] = [
    {
      name: 'atomic failure rate (%)',
      value: (d) => (d.atomicRequests ? (100 * d.atomicFailures) / d.atomicRequests : 0),
    },
    { name: 'memory held decrypted, mean (MiB)', value: (d) => (d.decryptedMean * 4096) / 1048576 },
    {
      name: 'lowest DMA32 free above min + reserve (MiB)',
      value: (d) =>
        Number.isFinite(d.reserveMargin.DMA32) ? (d.reserveMargin.DMA32 * 4096) / 1048576 : 0,
    },
  ];
  const groupW = 40 + designs.length * 30;
  const panelW = 80 + rows.length * groupW;
  const panelH = 180;
  const width = panelW + 20;
  const height = 40 + metrics.length * (panelH + 60) + 30;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  metrics.forEach((m, mi) => {
    const y0 = 50 + mi * (panelH + 60);
    const values = rows.flatMap((r) => r.designs.map(m.value));
    const max = Math.max(1e-9, ...values.map(Math.abs));
    const min = Math.min(0, ...values);
    const scale = (panelH - 20) / (max - min || 1);
    const zeroY = y0 + 10 + max * scale;
    out.push(
      `<text x="10" y="${y0}" font-weight="bold">${esc(m.name)}</text>`,
      `<line x1="70" y1="${zeroY.toFixed(1)}" x2="${panelW}" y2="${zeroY.toFixed(1)}" stroke="#888"/>`,
      `<text x="64" y="${(y0 + 14).toFixed(1)}" text-anchor="end">${max.toFixed(1)}</text>`,
    );
    rows.forEach((r, ri) => {
      const gx = 80 + ri * groupW;
      r.designs.forEach((d, di) => {
        const v = m.value(d);
        const h = Math.abs(v) * scale;
        const y = v >= 0 ? zeroY - h : zeroY;
        out.push(
          `<rect x="${gx + di * 30}" y="${y.toFixed(1)}" width="24" height="${h.toFixed(1)}" fill="${colours[di % colours.length]}"/>`,
        );
      });
      out.push(`<text x="${gx}" y="${y0 + panelH + 20}">${esc(r.workload.id)}</text>`);
    });
  });
  designs.forEach((d, di) => {
    out.push(
      `<text x="${20 + di * 200}" y="${height - 12}" fill="${colours[di % colours.length]}">${esc(d)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
