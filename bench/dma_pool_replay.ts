/**
 * Replay speed of the DMA pool traces (issue 9): every sequence in
 * data/ground-truth/dma-pool, parsed once, then replayed through the pool
 * model, rendered in the kernel module's format and compared line for line,
 * repeatedly for about two seconds. Parsing is excluded; replay, rendering
 * and comparison are included. Prints `dma_pool.trace_lines_per_s <n>`
 * (kernel `.out` lines per second).
 *
 * Usage: npx tsx bench/dma_pool_replay.ts [seconds]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareDmaPoolOut,
  dmaPoolSequenceNames,
  parseDmaPoolBoot,
  parseDmaPoolOps,
  parseDmaPoolOut,
  replayDmaPool,
} from '../src/conformance/dma-pool.ts';

const DIR = join(import.meta.dirname, '../data/ground-truth/dma-pool');
const seconds = Number(process.argv[2] ?? 2);

const seqs = dmaPoolSequenceNames(readdirSync(DIR)).map((name) => {
  const read = (ext: string) => readFileSync(join(DIR, `${name}${ext}`), 'utf8');
  const ops = parseDmaPoolOps(read('.ops'), `${name}.ops`);
  const outText = read('.out');
  return {
    name,
    ops,
    boot: parseDmaPoolBoot(read('.boot.json'), `${name}.boot.json`),
    out: parseDmaPoolOut(outText, ops, `${name}.out`),
    lines: outText.split('\n').filter((l) => l !== '').length,
  };
});

function pass(): number {
  let lines = 0;
  for (const q of seqs) {
    const r = compareDmaPoolOut(q.name, q.out, replayDmaPool(q.ops, q.boot, q.out), q.boot);
    if (r.firstDivergence !== undefined)
      throw new Error(`${q.name} diverges: ${r.firstDivergence.where}`);
    lines += q.lines;
  }
  return lines;
}

// warm up the JIT before timing
for (let i = 0; i < 20; i++) pass();
let lines = 0;
const start = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < seconds) {
  lines += pass();
  elapsed = Number(process.hrtime.bigint() - start) / 1e9;
}
console.log(`dma_pool.trace_lines_per_s ${Math.round(lines / elapsed)}`);
