/** I10: lib/genalloc.c gen_pool_alloc_algo_owner(), 6.1: chunks are tried newest first. */
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { AddedChunk, GenpoolState } from '../../src/systems/genpool/system.ts';
import { property } from '../property.ts';
import { chunkViolation, expectedBit, lastAlloc, requestText, ruleFor } from './fit.ts';

const hex = (n: number) => `0x${n.toString(16)}`;

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/first-fitting-chunk',
  ref: 'I10',
  statement:
    'A successful allocation is served by the first chunk in list order (the most recently added ' +
    'first) in which its algorithm finds room; best fit compares runs inside that chunk only.',
  system: 'genpool',
  after: ['gen_pool_alloc_algo', 'gen_pool_alloc'],
  check: ({ state }) => {
    const ev = lastAlloc(state);
    if (ev === null || ev.chunk === null) return null;
    // chunks added after the serving one come before it in the list, and were left untouched
    for (let i = state.added.length - 1; i > ev.chunk.id; i--) {
      const c = state.added[i] as AddedChunk;
      const rule = ruleFor(ev, c, state.g);
      const bit = rule === null ? null : expectedBit(c, state.g, rule);
      if (bit !== null)
        return chunkViolation(
          c,
          `${requestText(ev)} went to older chunk ${ev.chunk.id} (${hex(ev.addr)}), but fits here at bit ${bit}`,
        );
    }
    return null;
  },
  witness: ({ state }) => {
    const ev = lastAlloc(state);
    return ev?.chunk != null && ev.chunk.id < state.added.length - 1;
  },
  catches: [{ mutant: 'oldest-chunk-first' }],
});
