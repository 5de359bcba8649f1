/** I6: kernel/dma/pool.c atomic_pool_expand() and dma-direct: CMA memory goes back to its area (BZ-11). */
import type { World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';

export default property<World, DmaOp>({
  id: 'dma/cma-to-cma',
  ref: 'I6',
  statement:
    'A block taken from a CMA area goes back to it with cma_release() (dma_release_from_contiguous, dma_free_contiguous), never to the buddy allocator with __free_pages(), which would leave the area counting it allocated for good.',
  system: 'dma',
  after: ['atomic_pool_work_fn', 'dma_free_coherent', 'dma_free_pages'],
  check: ({ state }) => {
    for (const e of state.events) {
      // Stryker disable next-line ConditionalExpression: only free events have `into` (true is killed)
      if (e.kind !== 'free') continue;
      if (e.cma && e.into === 'buddy')
        return {
          subject: `pfn ${hex(e.pfn)}`,
          message: `${e.npages} CMA pages given to the buddy allocator by ${e.by}: the area loses them`,
        };
    }
    return null;
  },
  catches: [{ mutant: 'cma-chunk-to-buddy', zoo: 'BZ-11' }],
});
