/** I17: kernel/dma/pool.c dma_alloc_from_pool() warnings (56c430c7f06d, BZ-14). */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { poolsOf } from './pools.ts';

const EXHAUSTED = /DMA pool exhausted|Failed to get suitable pool/;
const PAGE_ALLOC_FAILURE = /page allocation failure/;

/** The texts of the step's warnings that match `re`, in order. */
function warnings(w: World, re: RegExp): string[] {
  const texts: string[] = [];
  for (const e of w.events) {
    // Stryker disable next-line ConditionalExpression: only warn events have `text`, and no pattern matches an absent one (true is killed)
    if (e.kind !== 'warn') continue;
    if (re.test(e.text)) texts.push(e.text);
  }
  return texts;
}

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
      const [splat] = warnings(state, PAGE_ALLOC_FAILURE);
      return splat === undefined
        ? null
        : { subject: 'atomic_pool_expand', message: `warned on a failed order: ${splat}` };
    }
    if (op.op !== 'dma_alloc_coherent' || !state.pools) return null;
    const served = state.stepBuffer !== null;
    if (served)
      return warnings(state, EXHAUSTED).length > 0
        ? { subject: 'dma_alloc_from_pool', message: 'a served request logged a pool warning' }
        : null;
    const triedPool = state.context === 'atomic' && poolsOf(state.pools).length > 0;
    if (!triedPool) return null;
    // only the pool path is judged: a failed atomic request of an unencrypted-DMA device
    const wentToPool = state.config.platform.cc !== 'none';
    if (!wentToPool) return null;
    const poolWarn = warnings(state, EXHAUSTED);
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
