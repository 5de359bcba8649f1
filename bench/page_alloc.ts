/**
 * Page-allocator speed: checked steps per second (every page-allocator
 * property checked after each step, whole-state checks at each run's end,
 * one fresh state per run), at 256 MiB and at 4 GiB.
 * Operations are generated beforehand from a fixed seed (generation is
 * not timed); each run is 100 operations. Prints one line per machine:
 *   page_alloc.checked_steps_per_s.256M <n>
 * Usage: npx tsx bench/page_alloc.ts [runs]
 */
import fc from 'fast-check';
import { pageAllocRules } from '../models/page_alloc/rules.ts';
import { pageAllocProperties } from '../properties/page_alloc/index.ts';
import { makePlan, runOps } from '../src/harness/run.ts';
import { pageAllocMachines } from '../src/systems/page_alloc/machines.ts';
import { type PageAllocOp, pageAllocOps } from '../src/systems/page_alloc/ops.ts';
import { makePageAllocSystem } from '../src/systems/page_alloc/system.ts';

const RUNS = Number(process.argv[2] ?? 400);
const STEPS = 100;

const runs: PageAllocOp[][] = fc.sample(
  fc.array(pageAllocOps, { minLength: STEPS, maxLength: STEPS }),
  {
    seed: 1,
    numRuns: RUNS,
  },
);
const plan = makePlan(pageAllocProperties);

for (const [name, machine] of Object.entries(pageAllocMachines)) {
  const system = makePageAllocSystem(machine, pageAllocRules['6.1']);
  // boot the machine and warm up outside the timing
  for (const ops of runs.slice(0, 20)) runOps(system, plan, ops);
  let steps = 0;
  const t0 = performance.now();
  for (const ops of runs) {
    const r = runOps(system, plan, ops);
    steps += r.checkedSteps;
    if (r.failure)
      throw new Error(`bench run broke ${r.failure.property}: ${r.failure.violation.message}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`page_alloc.checked_steps_per_s.${name} ${Math.round(steps / seconds)}`);
}
