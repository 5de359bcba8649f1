/** I10: lib/genalloc.c gen_pool_alloc_algo_owner(), 6.1: a request that fits somewhere succeeds. */
import { gen_pool_avail } from '../../models/genpool/index.ts';
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { GenpoolState } from '../../src/systems/genpool/system.ts';
import { property } from '../property.ts';
import { chunkViolation, expectedBit, lastAlloc, requestText, ruleFor } from './fit.ts';

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/completeness',
  ref: 'I10',
  statement:
    'An allocation of size > 0 returns 0 only if no chunk has ceil(size / g) free granules at a ' +
    'position its algorithm allows (any for first/best fit, (bit + start offset) aligned for ' +
    'first_fit_align, bit aligned to roundup_pow_of_two(nbits) for order_align, exactly the offset for fixed_alloc).',
  system: 'genpool',
  after: ['gen_pool_alloc_algo', 'gen_pool_alloc'],
  check: ({ state }) => {
    const ev = lastAlloc(state);
    if (ev === null || ev.chunk !== null || ev.size === 0) return null;
    for (const c of state.added) {
      const rule = ruleFor(ev, c, state.g);
      const bit = rule === null ? null : expectedBit(c, state.g, rule);
      if (bit !== null)
        return chunkViolation(c, `returned 0 for ${requestText(ev)}, but bit ${bit} fits`);
    }
    return null;
  },
  witness: ({ state }) => {
    const ev = lastAlloc(state);
    return ev !== null && ev.chunk === null && ev.size > 0 && gen_pool_avail(state.pool) >= ev.size;
  },
  catches: [{ mutant: 'search-start-carried' }, { mutant: 'best-fit-needs-slack' }],
});
