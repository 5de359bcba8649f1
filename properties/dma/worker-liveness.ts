/** kernel/dma/pool.c atomic_pool_work_fn(): with memory to spare, the worker brings every pool back to its threshold. */
import { type AtomicPool, type DmaPoolState, schedule_work } from '../../models/dma/pool.ts';
import { high_wmark_pages } from '../../models/page_alloc/zone.ts';
import { type World, world_pool_worker } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { availOf, poolsOf } from './pools.ts';

/** Worker runs the probe allows (doubling from 128 KiB reaches 4 MiB chunks in six). */
const RUNS = 32;
/** Sub-steps one run may take: three pools, a check and up to eleven orders, decrypt and add each. */
const SUB_STEPS = 64;

/** Each pool's zone, and those below it, hold twice its deficit above their high watermarks. */
function memoryToSpare(w: World, s: DmaPoolState): boolean {
  for (const p of poolsOf(s)) {
    const deficit = Math.max(0, s.atomic_pool_size - availOf(p)) / 4096;
    const top = p.name === 'dma' ? 0 : p.name === 'dma32' ? 1 : 2;
    let spare = 0;
    for (const z of w.pa.zones)
      if (z.idx <= top && z.managed_pages > 0)
        spare += z.nr_free_pages - high_wmark_pages(z) - (z.lowmem_reserve[top] as number);
    if (spare < 2 * deficit + 1024) return false;
  }
  return true;
}

/** The first pool (dma, dma32, kernel) below atomic_pool_size, if any. */
function firstBelow(s: DmaPoolState): AtomicPool | undefined {
  return poolsOf(s).find((p) => availOf(p) < s.atomic_pool_size);
}

export default property<World, DmaOp>({
  id: 'dma/worker-liveness',
  ref: 'I9',
  statement:
    'With memory to spare and no injected faults, repeated atomic_pool_work_fn() runs (one chunk of at most 4 MiB per pool per run) bring every pool to gen_pool_avail() >= atomic_pool_size.',
  system: 'dma',
  designs: ['atomic-pool'],
  // Stryker disable next-line ArrayDeclaration: no check, so makePlan skips this property and never reads `after`
  after: [],
  // A probe at the end of a run: it drives the worker on the final state, which is then discarded.
  atEnd: (state) => {
    const s = state.pools;
    if (!s || state.faults.length > 0 || !memoryToSpare(state, s)) return null;
    for (let run = 0; run < RUNS && firstBelow(s) !== undefined; run++) {
      schedule_work(s);
      for (
        let i = 0;
        // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: a run takes at most 3 * (1 + 11 + 3) = 45 sub-steps, so the cap never binds (false and >= stop the worker: killed)
        i < SUB_STEPS &&
        // one sub-step of the worker; null once it is done
        world_pool_worker(state) !== null;
        // Stryker disable next-line UpdateOperator: i-- only lifts the cap, which never binds
        i++
      );
    }
    const p = firstBelow(s);
    return p
      ? {
          subject: `pool ${p.name}`,
          message: `avail ${availOf(p)} still below atomic_pool_size ${s.atomic_pool_size} after ${RUNS} worker runs`,
        }
      : null;
  },
  catches: [{ mutant: 'worker-gives-up' }],
});
