/**
 * Adds up the Stryker reports of the areas run so far (reports/mut/*.json,
 * see stryker.config.mjs) into one mutation score, and lists every
 * surviving mutant as file:line, mutator and replacement, for triage.
 *
 *   npx tsx scripts/mutation-score.ts [--survivors]
 *
 * Score = (killed + timed out) / (killed + timed out + survived + no
 * coverage), as Stryker counts it; compile errors and ignored mutants
 * (`// Stryker disable ... : why`, the equivalents) are outside it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: { readonly line: number } };
}
interface Report {
  readonly files: Readonly<Record<string, { readonly mutants: readonly Mutant[] }>>;
}

const dir = 'reports/mut';
const reports = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.json') && !f.endsWith('.incremental.json'))
      .sort()
  : [];
if (reports.length === 0) {
  console.error('mutation-score: no reports in reports/mut (run npm run mutation first)');
  process.exit(2);
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);

let detected = 0;
let undetected = 0;
const survivors: string[] = [];
console.log('area              detected  undetected  compile/ignored  score');
for (const f of reports) {
  const report = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Report;
  let d = 0;
  let u = 0;
  let other = 0;
  for (const [file, { mutants }] of Object.entries(report.files))
    for (const m of mutants) {
      if (DETECTED.has(m.status)) d++;
      else if (UNDETECTED.has(m.status)) {
        u++;
        survivors.push(
          `${file}:${m.location.start.line} ${m.status} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '')}`,
        );
      } else other++;
    }
  detected += d;
  undetected += u;
  const area = f.replace(/\.json$/, '');
  console.log(
    `${area.padEnd(16)} ${String(d).padStart(9)} ${String(u).padStart(11)} ${String(other).padStart(16)}  ${pct(d, d + u)}`,
  );
}
console.log(
  `${'total'.padEnd(16)} ${String(detected).padStart(9)} ${String(undetected).padStart(11)} ${''.padStart(16)}  ${pct(detected, detected + undetected)}`,
);
if (process.argv.includes('--survivors')) for (const s of survivors.sort()) console.log(s);
