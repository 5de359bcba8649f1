/** I10/I11: lib/genalloc.c, the five gen_pool algorithms' placement rules, 6.1. */
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { GenpoolState } from '../../src/systems/genpool/system.ts';
import { property } from '../property.ts';
import { chunkViolation, expectedBit, lastAlloc, requestText, ruleFor } from './fit.ts';

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/placement',
  ref: 'I10',
  statement:
    'Inside the serving chunk, first_fit, first_fit_align and first_fit_order_align take the lowest ' +
    'allowed position, best_fit the start of the shortest free run of at least nbits (the lowest on ' +
    'a tie), and fixed_alloc exactly its offset, never a later one.',
  system: 'genpool',
  after: ['gen_pool_alloc_algo', 'gen_pool_alloc'],
  check: ({ state }) => {
    const ev = lastAlloc(state);
    if (ev === null || ev.chunk === null) return null;
    const c = ev.chunk;
    const rule = ruleFor(ev, c, state.g);
    if (rule === null) return null;
    const bit = (ev.addr - c.virt) / state.g;
    // the chunk as it was before this step: the new block's granules free again
    const want = expectedBit(c, state.g, rule, bit, bit + ev.nbits);
    return want === bit
      ? null
      : chunkViolation(
          c,
          `${requestText(ev)} placed at bit ${bit}, the rule gives ${want ?? 'none'}`,
        );
  },
  witness: ({ state }) => {
    const ev = lastAlloc(state);
    if (ev?.chunk == null || ev.algo !== 'best_fit') return false;
    const bit = (ev.addr - ev.chunk.virt) / state.g;
    const first = expectedBit(
      ev.chunk,
      state.g,
      { nbits: ev.nbits, step: 1, off: 0 },
      bit,
      bit + ev.nbits,
    );
    return first !== bit;
  },
  catches: [
    { mutant: 'best-fit-tie-later' },
    { mutant: 'fixed-alloc-slides' },
    { mutant: 'search-start-carried' },
  ],
});
