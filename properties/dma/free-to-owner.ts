/** I6: kernel/dma/direct.c dma_direct_free*(): memory goes back to the allocator it came from (dma.md T15). */
import { PG_POOL } from '../../models/page_alloc/pages.ts';
import type { World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { poolsOf } from './pools.ts';

export default property<World, DmaOp>({
  id: 'dma/free-to-owner',
  ref: 'I6',
  statement:
    "A free gives back the buffer's own pages and no others, to the allocator that owns them: a pool block to its pool (never to the buddy allocator), fresh pages to the buddy allocator.",
  system: 'dma',
  after: ['dma_free_coherent', 'dma_free_pages'],
  check: ({ state }) => {
    for (const e of state.events) {
      if (e.kind === 'wild')
        return {
          subject: 'dma free',
          message: `acts on memory that is not the buffer: ${e.detail}`,
        };
      if (e.kind === 'bug') return { subject: 'dma free', message: e.detail };
    }
    return null;
  },
  atEnd: (state) => {
    // pool chunk pages belong to their pool for good
    const s = state.pools;
    if (!s) return null;
    const owner = state.pa.pages.owner;
    for (const p of poolsOf(s))
      for (const c of p.chunks) {
        const first = Math.floor(c.phys / 4096);
        const end = first + c.size / 4096;
        for (let q = first; q < end; q++)
          if (owner[q] !== PG_POOL)
            return {
              subject: `pool ${p.name}#${c.seq}`,
              message: `pfn ${hex(q)} of the chunk left the pool`,
            };
      }
    return null;
  },
  witness: ({ op, state }) =>
    (op.op === 'dma_free_coherent' || op.op === 'dma_free_pages') &&
    state.events.some((e) => e.kind === 'free'),
  catches: [
    { mutant: 'page-api-returns-cpu-address' },
    { mutant: 'free-misses-pool', zoo: 'BZ-05' },
  ],
});
