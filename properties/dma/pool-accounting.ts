/** kernel/dma/pool.c: pools never shrink, and debugfs pool_size_* counts exactly the chunks added. */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { debugfsOf, poolsOf, sizeOf } from './pools.ts';

export default property<World, DmaOp>({
  id: 'dma/pool-accounting',
  ref: 'I9',
  statement:
    "Pools never shrink: each pool's gen_pool_size() equals the sum of the chunks it was ever given, and debugfs dma_pools/pool_size_<name> shows the same number.",
  system: 'dma',
  designs: ['atomic-pool'],
  after: ['atomic_pool_work_fn', 'dma_free_coherent', 'dma_free_pages'],
  check: ({ state }) => {
    const s = state.pools;
    if (!s) return null;
    for (const p of poolsOf(s)) {
      const added = p.chunks.reduce((a, c) => a + c.size, 0);
      if (sizeOf(p) !== added)
        return {
          subject: `pool ${p.name}`,
          message: `gen_pool_size ${sizeOf(p)} != chunks added ${added}`,
        };
      if (debugfsOf(s, p) !== added)
        return {
          subject: `pool ${p.name}`,
          message: `pool_size_${p.name} ${debugfsOf(s, p)} != chunks added ${added}`,
        };
    }
    return null;
  },
  witness: ({ state }) => state.events.some((e) => e.kind === 'alloc' && e.by === 'pool'),
  catches: [{ mutant: 'debugfs-double-count' }],
});
