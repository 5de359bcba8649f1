/**
 * npm run bench: every benchmark, one `<name> <value>` line per figure.
 * Figures are throughput on this machine (wall clock); budgets of the
 * checks themselves never depend on time.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const benches = ['genpool.ts', 'page_alloc.ts', 'dma.ts', 'dma_pool_replay.ts'];
for (const b of benches) {
  const file = fileURLToPath(new URL(b, import.meta.url));
  process.stdout.write(
    execFileSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' }),
  );
}
