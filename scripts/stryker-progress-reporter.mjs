// A Stryker reporter that writes each mutant's result the moment it is
// known, one JSON line per mutant, to reports/mut/<area>.progress.jsonl.
// Stryker's own reports are written only when a run ends, and a model
// area runs for hours here: with this file, survivors can be triaged while
// the run goes on, and a run stopped early still says what it found.
//
//   grep -v Killed reports/mut/dma.progress.jsonl
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

class ProgressReporter {
  constructor() {
    this.file = `reports/mut/${process.env.STRYKER_AREA ?? 'all'}.progress.jsonl`;
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, '');
  }

  onMutantTested(m) {
    // start and end as [line, column], both counted from 1 (as Stryker's
    // reports and editors count); the mutant is `replacement` put over the
    // text from start up to (not including) end
    const { start, end } = m.location;
    const line = {
      status: m.status,
      file: relative(process.cwd(), m.fileName),
      start: [start.line, start.column],
      end: [end.line, end.column],
      mutator: m.mutatorName,
      replacement: m.replacement,
      id: m.id,
    };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}

export const strykerPlugins = [
  { kind: 'Reporter', name: 'progress-lines', injectableClass: ProgressReporter },
];
