/** I6: lib/genalloc.c gen_pool_free_owner(), 6.1: a caller's legal free never hits its BUG_ONs. */
import type { GenpoolOp } from '../../src/systems/genpool/ops.ts';
import type { GenpoolState } from '../../src/systems/genpool/system.ts';
import { property } from '../property.ts';
import { chunkViolation } from './fit.ts';

export default property<GenpoolState, GenpoolOp>({
  id: 'genpool/free-no-bug',
  ref: 'I6',
  statement:
    'gen_pool_free of a live block with its requested size, or of whole granules inside it, ' +
    "finds the block's chunk and every granule allocated, so no BUG_ON fires.",
  system: 'genpool',
  after: ['gen_pool_free'],
  check: ({ state }) => {
    const ev = state.last;
    if (ev?.kind !== 'free' || ev.bug === null) return null;
    return chunkViolation(ev.chunk, `legal free hit a BUG: ${ev.bug.bug}`);
  },
  witness: ({ state }) => state.last?.kind === 'free' && state.last.partial,
  catches: [{ mutant: 'free-nbits-off-by-one' }],
});
