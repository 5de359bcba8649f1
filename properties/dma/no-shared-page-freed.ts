/** I4: kernel/dma/direct.c and kernel/dma/pool.c error paths: a shared page never goes back to the buddy allocator. */
import { freePagesNotEncrypted, type World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { pageLine } from './helpers.ts';

export default property<World, DmaOp>({
  id: 'dma/no-shared-page-freed',
  ref: 'I4',
  statement:
    'No page that is decrypted or in an unknown state (after a refused conversion) is given back to the page allocator: such pages are re-encrypted first, or leaked.',
  system: 'dma',
  after: 'every-step',
  check: ({ state }) => {
    for (const e of state.events) {
      // Stryker disable next-line ConditionalExpression: only free events have `notEncrypted` (true is killed)
      if (e.kind !== 'free') continue;
      if (e.notEncrypted > 0)
        return {
          subject: `pfn ${hex(e.firstNotEncrypted)}`,
          message: `__free_pages() of ${e.npages} pages at pfn ${hex(e.pfn)} (by ${e.by}): ${e.notEncrypted} not private`,
          details: [pageLine(state, e.firstNotEncrypted)],
        };
    }
    return null;
  },
  atEnd: (state) => {
    const bad = freePagesNotEncrypted(state);
    return bad.count === 0
      ? null
      : {
          subject: `pfn ${hex(bad.first)}`,
          message: `${bad.count} free pages are not private`,
          details: [pageLine(state, bad.first)],
        };
  },
  witness: ({ state }) => state.events.some((e) => e.kind === 'convert' && !e.ok),
  catches: [
    { mutant: 'expand-frees-unknown-pages', zoo: 'BZ-10' },
    { mutant: 'decrypt-failure-frees', zoo: 'BZ-17' },
  ],
});
