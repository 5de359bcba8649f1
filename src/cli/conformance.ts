/**
 * `poolcheck conformance [DIR...]`: replays kernel data through the models
 * and says, per file, how many lines (or figures) match and where the first
 * divergence is, kernel and model stacked, only the fields that differ.
 *
 * Files are recognised by name and content: a DMA pool sequence is
 * `NAME.ops` with `NAME.boot.json` and `NAME.out` beside it; a gen_pool
 * sequence is `NAME.ops` whose first token is `P<order>`, with `NAME.out`;
 * zone data is JSON with `runs` (a boot table: zones and atomic pool sizes)
 * or `settings` (a sysctl sweep). Markdown is documentation and skipped.
 * Exit 0 when everything matches, 1 on a divergence, 2 on a malformed or
 * unknown file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import {
  checkDmaPoolSequence,
  checkDmaPoolSizing,
  dmaPoolSequenceNames,
  parseBootTableRuns,
} from '../conformance/dma-pool.ts';
import {
  ConformanceInputError,
  type ConformanceResult,
  type Divergence,
} from '../conformance/errors.ts';
import { compareGenpoolOut, divergentFields } from '../conformance/genpool.ts';
import { replayZonesText } from '../conformance/zones.ts';
import { dataDir } from '../registry/paths.ts';
import { ascii, wrap } from '../report/text.ts';
import type { CommandResult } from './check.ts';
import { EXIT, UsageError } from './errors.ts';

/** One unit of kernel data: a sequence (several files) or one JSON file. */
interface Unit {
  readonly label: string;
  readonly checks: () => { what: string; result: ConformanceResult }[];
}

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

/** Every file below `dir` (one folder of data may hold sub-folders). */
function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesBelow(path));
    else out.push(path);
  }
  return out;
}

function firstToken(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

/** Sorts a folder's files into units; an unknown file is a ConformanceInputError. */
export function classify(files: readonly string[], root: string): Unit[] {
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    const d = f.slice(0, f.length - basename(f).length);
    byDir.set(d, [...(byDir.get(d) ?? []), basename(f)]);
  }
  const units: Unit[] = [];
  for (const [dir, names] of byDir) {
    const used = new Set<string>();
    const label = (n: string) => relative(root, join(dir, n)) || n;
    for (const name of dmaPoolSequenceNames(names)) {
      for (const ext of ['.ops', '.out', '.boot.json']) used.add(name + ext);
      const p = (ext: string) => join(dir, name + ext);
      units.push({
        label: label(name),
        checks: () => [
          {
            what: 'lines',
            result: checkDmaPoolSequence({
              name,
              ops: read(p('.ops')),
              out: read(p('.out')),
              boot: read(p('.boot.json')),
            }),
          },
        ],
      });
    }
    for (const n of names) {
      if (used.has(n) || n.endsWith('.md')) continue;
      const path = join(dir, n);
      if (n.endsWith('.ops')) {
        const name = n.slice(0, -4);
        const text = read(path);
        if (!/^P\d+$/.test(firstToken(text)))
          throw new ConformanceInputError(
            `${label(n)}: not a gen_pool sequence (first token is not P<order>) and no ${name}.boot.json beside it`,
          );
        if (!names.includes(`${name}.out`))
          throw new ConformanceInputError(`${label(n)}: no ${name}.out beside it`);
        used.add(n).add(`${name}.out`);
        units.push({
          label: label(name),
          checks: () => [
            {
              what: 'lines',
              result: toResult(compareGenpoolOut(text, read(join(dir, `${name}.out`)))),
            },
          ],
        });
      }
    }
    for (const n of names) {
      if (used.has(n) || n.endsWith('.md')) continue;
      const path = join(dir, n);
      if (!n.endsWith('.json'))
        throw new ConformanceInputError(
          n.endsWith('.out')
            ? `${label(n)}: no ${n.slice(0, -4)}.ops beside it`
            : `${label(n)}: unknown kind of kernel data`,
        );
      const text = read(path);
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (e) {
        throw new ConformanceInputError(`${label(n)}: not JSON (${(e as Error).message})`);
      }
      const o = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
      if (o.runs === undefined && o.settings === undefined)
        throw new ConformanceInputError(
          `${label(n)}: unknown JSON (neither a boot table with 'runs' nor a sweep with 'settings')`,
        );
      units.push({
        label: label(n),
        checks: () => {
          const zones = { what: 'zone records', result: replayZonesText(label(n), text) };
          if (o.runs === undefined) return [zones];
          const runs = parseBootTableRuns(text, label(n));
          let matched = 0;
          let total = 0;
          let first: Divergence | undefined;
          for (const run of runs) {
            const r = checkDmaPoolSizing(run);
            matched += r.matched;
            total += r.total;
            first ??= r.firstDivergence;
          }
          const pools: ConformanceResult = first
            ? { matched, total, firstDivergence: first }
            : { matched, total };
          return [zones, { what: 'pool sizes', result: pools }];
        },
      });
    }
  }
  return units.sort((a, b) => a.label.localeCompare(b.label));
}

function toResult(r: ReturnType<typeof compareGenpoolOut>): ConformanceResult {
  const d = r.firstDivergence;
  return d
    ? {
        matched: r.matched,
        total: r.total,
        firstDivergence: { where: `line ${d.line}`, kernel: d.kernel, model: d.model },
      }
    : { matched: r.matched, total: r.total };
}

export function runConformance(dirs: readonly string[]): CommandResult {
  const roots = dirs.length > 0 ? [...dirs] : [join(dataDir, 'ground-truth')];
  const units: Unit[] = [];
  try {
    for (const dir of roots) {
      if (!existsSync(dir)) throw new UsageError(`${dir}: no such folder`);
      const files = statSync(dir).isDirectory() ? filesBelow(dir) : [dir];
      units.push(...classify(files, statSync(dir).isDirectory() ? dir : join(dir, '..')));
    }
  } catch (e) {
    if (e instanceof ConformanceInputError) throw new UsageError(e.message);
    throw e;
  }
  const lines: string[] = [];
  const push = (s: string, indent = '    ') => lines.push(...wrap(ascii(s), indent));
  let diverged = 0;
  for (const u of units) {
    let checks: ReturnType<Unit['checks']>;
    try {
      checks = u.checks();
    } catch (e) {
      if (e instanceof ConformanceInputError) throw new UsageError(e.message);
      throw e;
    }
    const bad = checks.find((c) => c.result.firstDivergence);
    const summary = checks.map((c) => `${c.result.matched}/${c.result.total} ${c.what}`).join(', ');
    if (!bad?.result.firstDivergence) {
      push(`${u.label}: ${summary} match`);
      continue;
    }
    diverged += 1;
    const d = bad.result.firstDivergence;
    push(`${u.label}: diverges at ${d.where} (${summary} match)`);
    const f = divergentFields(d.kernel, d.model);
    push(`  kernel: ${f.kernel}`, '          ');
    push(`  model:  ${f.model}`, '          ');
  }
  push(`result: ${units.length - diverged} of ${units.length} files match the models`);
  return { code: diverged > 0 ? EXIT.violation : EXIT.ok, stdout: `${lines.join('\n')}\n` };
}
