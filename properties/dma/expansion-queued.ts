/** I9: kernel/dma/pool.c dma_alloc_from_pool(): a successful allocation below the threshold queues the worker. */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { newBuffer } from './helpers.ts';
import { availOf, poolsOf } from './pools.ts';

export default property<World, DmaOp>({
  id: 'dma/expansion-queued',
  ref: 'I9',
  statement:
    'After dma_alloc_from_pool() serves a request and leaves that pool with gen_pool_avail() < atomic_pool_size, atomic_pool_work is queued (or already running).',
  system: 'dma',
  designs: ['atomic-pool'],
  after: ['dma_alloc_coherent', 'dma_alloc_pages'],
  check: ({ state, op }) => {
    const block = newBuffer(state, op)?.block;
    const s = state.pools;
    if (!block || !s) return null;
    const p = poolsOf(s).find((x) => x.name === block.pool);
    if (!p || availOf(p) >= s.atomic_pool_size) return null;
    if (s.atomic_pool_work.pending || s.atomic_pool_work.running) return null;
    return {
      subject: `pool ${p.name}`,
      message: `avail ${availOf(p)} < atomic_pool_size ${s.atomic_pool_size}, no work queued`,
    };
  },
  witness: ({ state, op }) => {
    const b = newBuffer(state, op);
    return b?.block !== null && b !== undefined && state.pools?.atomic_pool_work.pending === true;
  },
  catches: [{ mutant: 'no-schedule-work' }],
});
