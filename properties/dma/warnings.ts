/** I17: kernel/dma/pool.c dma_alloc_from_pool() warnings (56c430c7f06d, BZ-14). */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { poolsOf } from './pools.ts';

const EXHAUSTED = /DMA pool exhausted|Failed to get suitable pool/;
const PAGE_ALLOC_FAILURE = /page allocation failure/;

export default property<World, DmaOp>({
  id: 'dma/pool-warnings',
  ref: 'I17',
  statement:
    'A failed atomic pool allocation with __GFP_NOWARN logs no warning while some pool exists; without __GFP_NOWARN it logs one; a request the pools serve logs none; atomic_pool_expand() logs no page-allocation failure for an order it falls back from or gives up on (463d439becb8).',
  system: 'dma',
  designs: ['atomic-pool'],
  after: ['dma_alloc_coherent', 'atomic_pool_work_fn'],
  check: ({ state, op }) => {
    if (op.op === 'atomic_pool_work_fn') {
      const splat = state.events.find((e) => e.kind === 'warn' && PAGE_ALLOC_FAILURE.test(e.text));
      return splat && splat.kind === 'warn'
        ? { subject: 'atomic_pool_expand', message: `warned on a failed order: ${splat.text}` }
        : null;
    }
    if (op.op !== 'dma_alloc_coherent' || !state.pools) return null;
    const served = state.stepBuffer !== null;
    if (served)
      return state.events.some((e) => e.kind === 'warn' && EXHAUSTED.test(e.text))
        ? { subject: 'dma_alloc_from_pool', message: 'a served request logged a pool warning' }
        : null;
    const triedPool = state.context === 'atomic' && poolsOf(state.pools).length > 0;
    if (!triedPool) return null;
    // only the pool path is judged: a failed atomic request of an unencrypted-DMA device
    const wentToPool = state.config.platform.cc !== 'none';
    if (!wentToPool) return null;
    const poolWarn = state.events.flatMap((e) =>
      e.kind === 'warn' && EXHAUSTED.test(e.text) ? [e.text] : [],
    );
    if (op.nowarn && poolWarn.length > 0)
      return {
        subject: 'dma_alloc_from_pool',
        message: 'warned despite __GFP_NOWARN',
        details: poolWarn,
      };
    if (!op.nowarn && poolWarn.length === 0)
      return { subject: 'dma_alloc_from_pool', message: 'pool exhausted without a warning' };
    return null;
  },
  witness: ({ state, op }) =>
    op.op === 'dma_alloc_coherent' &&
    op.nowarn &&
    state.context === 'atomic' &&
    state.stepBuffer === null,
  catches: [
    { mutant: 'warn-ignores-nowarn', zoo: 'BZ-14' },
    { mutant: 'expand-warns-each-order', zoo: 'BZ-14' },
  ],
});
