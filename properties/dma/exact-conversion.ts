/** I3: kernel/dma/direct.c: dma-direct converts exactly the pages it allocated (633d5fce78a6, 4a37f3dd9a83; BZ-19). */
import type { World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { ALLOC_OPS, pageLine } from './helpers.ts';

export default property<World, DmaOp>({
  id: 'dma/exact-conversion',
  ref: 'I3',
  statement:
    'On the allocation path dma-direct converts only pages it has just allocated: every set_memory_decrypted() range lies inside a block (buddy 2^order pages, or the CMA pages cma_alloc() gave) the same request took, so no neighbouring page changes state.',
  system: 'dma',
  after: [...ALLOC_OPS],
  check: ({ state }) => {
    // [start, end) of the blocks taken so far in this step
    // Stryker disable next-line ArrayDeclaration: a string entry destructures to letters, which hold no page (p >= 'S' is false)
    const taken: [number, number][] = [];
    for (const e of state.events) {
      if (e.kind === 'alloc' && e.by === 'direct') taken.push([e.pfn, e.pfn + e.npages]);
      if (e.kind !== 'convert') continue;
      // walk the range block by block: the first page no block holds is the culprit
      const end = e.pfn + e.npages;
      for (let p = e.pfn; p < end; ) {
        // how far the blocks holding p reach: -1 while none does
        let reach = -1;
        for (const [start, stop] of taken)
          if (p >= start && p < stop) reach = Math.max(reach, stop);
        if (reach === -1)
          return {
            subject: `pfn ${hex(p)}`,
            message: `${e.op}(pfn ${hex(e.pfn)}, ${e.npages} pages) reaches a page the request did not allocate`,
            details: [pageLine(state, p)],
          };
        p = reach;
      }
    }
    return null;
  },
  witness: ({ state }) =>
    state.events.some((e) => {
      // Stryker disable next-line ConditionalExpression: only convert events have `op` (true is killed)
      if (e.kind !== 'convert') return false;
      return e.op === 'set_memory_decrypted';
    }),
  catches: [{ mutant: 'cma-one-page-short', zoo: 'BZ-19' }],
});
