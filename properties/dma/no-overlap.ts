/** kernel/dma/direct.c and pool.c: a buffer is the driver's alone while it lives. */
import { PG_FREE } from '../../models/page_alloc/pages.ts';
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { bufferName, bufferPages, newBuffer, pageLine } from './helpers.ts';

function freePageOf(w: World, first: number, n: number): number {
  const owner = w.pa.pages.owner;
  for (let p = first; p < first + n; p++) if (owner[p] === PG_FREE) return p;
  return -1;
}

export default property<World, DmaOp>({
  id: 'dma/no-overlap',
  ref: 'I6',
  statement:
    "Live buffers never overlap one another, and no page of a live buffer is on the page allocator's free lists.",
  system: 'dma',
  after: 'every-step',
  check: ({ state, op }) => {
    const b = newBuffer(state, op);
    if (b) {
      const end = b.phys + b.size;
      for (const o of state.buffers)
        if (o !== b && o.phys < end && b.phys < o.phys + o.size)
          return { subject: bufferName(state, b), message: `overlaps ${bufferName(state, o)}` };
    }
    // a free of any kind may have taken a live buffer's pages
    if (!b && !state.events.some((e) => e.kind === 'free')) return null;
    for (const x of b ? [b] : state.buffers) {
      const { first, n } = bufferPages(x);
      const p = freePageOf(state, first, n);
      if (p >= 0)
        return {
          subject: bufferName(state, x),
          message: 'a page of it is free',
          details: [pageLine(state, p)],
        };
    }
    return null;
  },
  witness: ({ state }) => state.buffers.length >= 2,
  catches: [{ mutant: 'free-misses-pool', zoo: 'BZ-05' }],
});
