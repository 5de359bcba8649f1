/**
 * Page-allocator speed: checked steps per second (every page-allocator
 * property checked after each step, whole-state checks at each run's end,
 * one fresh state per run), at 256 MiB and at 4 GiB.
 *
 * A step here is one allocator step: one alloc_pages() call, one free, one
 * kswapd sub-step, one page-cache folio or one sysctl write: the
 * generator's operations with bursts cut to one request and kswapd runs cut
 * to one sub-step. Operations are generated beforehand from a fixed seed
 * (generation is not timed); a run is 100 operations; each figure is the
 * best of three passes after a warm-up pass (JIT). Prints:
 *   page_alloc.checked_steps_per_s.256M <n>
 *   page_alloc.checked_steps_per_s.4G <n>
 * These depend on how often requests reclaim, which differs by machine:
 * the 256M zones have a min-to-high band of about 200 pages, the 4G ones
 * about 6000, so at 256M the same operations reach reclaim and fallback
 * stealing far more often. Two more figures separate per-step cost from
 * that regime:
 *   page_alloc.checked_steps_per_s.steady.256M <n>
 * the same but only order 0-3 requests and frees, which stay above the low
 * watermarks on both machines (a per-step cost that must not grow with
 * memory), and the rate of the generator's own operations (bursts of up
 * to 64 requests, kswapd runs of up to 1024 sub-steps):
 *   page_alloc.checked_ops_per_s.generator.256M <n>
 * Usage: npx tsx bench/page_alloc.ts [runs]
 */
import fc from 'fast-check';
import type { MachineConfig } from '../models/page_alloc/machine.ts';
import { pageAllocRules } from '../models/page_alloc/rules.ts';
import { pageAllocProperties } from '../properties/page_alloc/index.ts';
import { makePlan, runOps } from '../src/harness/run.ts';
import { pageAllocMachines } from '../src/systems/page_alloc/machines.ts';
import { type PageAllocOp, pageAllocOps } from '../src/systems/page_alloc/ops.ts';
import { makePageAllocSystem } from '../src/systems/page_alloc/system.ts';

const RUNS = Number(process.argv[2] ?? 200);
const STEPS = 100;

/** One allocator step per operation. */
function single(op: PageAllocOp): PageAllocOp {
  if (op.op === 'alloc_pages') return { ...op, count: 1 };
  if (op.op === 'kswapd') return { ...op, steps: 1 };
  if (op.op === 'filemap_add_folio') return { ...op, count: 1 };
  return op;
}

const generated: PageAllocOp[][] = fc.sample(
  fc.array(pageAllocOps, { minLength: STEPS, maxLength: STEPS }),
  { seed: 1, numRuns: RUNS },
);
const singles = generated.map((ops) => ops.map(single));
/** Small requests and frees only: the fast path, on either machine. */
const steady = singles.map((ops) =>
  ops.filter((op) => op.op === '__free_pages' || (op.op === 'alloc_pages' && op.order <= 3)),
);
const plan = makePlan(pageAllocProperties);

/** Checked steps per second of `runs` on `machine`: the best of three timed passes after one untimed. */
function measure(machine: MachineConfig, runs: PageAllocOp[][]): number {
  const system = makePageAllocSystem(machine, pageAllocRules['6.1']);
  let best = 0;
  for (let pass = 0; pass < 4; pass++) {
    let steps = 0;
    const t0 = performance.now();
    for (const ops of runs) {
      const r = runOps(system, plan, ops);
      steps += r.checkedSteps;
      if (r.failure)
        throw new Error(`bench run broke ${r.failure.property}: ${r.failure.violation.message}`);
    }
    const rate = Math.round(steps / ((performance.now() - t0) / 1000));
    if (pass > 0) best = Math.max(best, rate);
  }
  return best;
}

for (const [name, machine] of Object.entries(pageAllocMachines))
  console.log(`page_alloc.checked_steps_per_s.${name} ${measure(machine, singles)}`);
for (const [name, machine] of Object.entries(pageAllocMachines))
  console.log(`page_alloc.checked_steps_per_s.steady.${name} ${measure(machine, steady)}`);
for (const [name, machine] of Object.entries(pageAllocMachines))
  console.log(`page_alloc.checked_ops_per_s.generator.${name} ${measure(machine, generated)}`);
