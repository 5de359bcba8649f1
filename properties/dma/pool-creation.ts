/** I17: kernel/dma/pool.c dma_atomic_pool_init(): no pool for a zone without managed pages (a674e48c5443, BZ-08). */
import type { DmaPoolState, PoolName } from '../../models/dma/pool.ts';
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';

/** The highest zone each pool's gfp reaches, and the zones that can serve it. */
const TOP: Readonly<Record<PoolName, number>> = { dma: 0, dma32: 1, kernel: 2 };
const ZONES: Readonly<Record<PoolName, string>> = {
  dma: 'ZONE_DMA',
  dma32: 'ZONE_DMA32 and ZONE_DMA',
  kernel: 'every zone',
};

/** Whether a pool's requests can reach managed pages: in its zone or one below. */
function reachable(w: World, pool: PoolName): boolean {
  return w.pa.zones.some((z) => z.idx <= TOP[pool] && z.managed_pages > 0);
}

export default property<World, DmaOp>({
  id: 'dma/pools-for-managed-zones',
  ref: 'I17',
  statement:
    'dma_atomic_pool_init() makes no pool allocation that no zone could serve: a GFP_DMA pool only when ZONE_DMA has managed pages, a GFP_DMA32 pool only when ZONE_DMA32 or ZONE_DMA has (a674e48c5443, v5.17; c6ccd0988074), so a kdump boot logs no pool failure.',
  system: 'dma',
  designs: ['atomic-pool'],
  // Stryker disable next-line ArrayDeclaration: no check, so makePlan skips this property and never reads `after`
  after: [],
  atEnd: (state) => {
    const doomed = state.bootCalls.find((c) => c.fn === 'alloc_pages' && !reachable(state, c.pool));
    if (!doomed) return null;
    const logged = (state.pools as DmaPoolState).messages.filter(
      (m) => m.kind === 'init-failed' || m.kind === 'page-allocation-failure',
    );
    return {
      subject: `pool ${doomed.pool}`,
      message: `boot asked ${ZONES[doomed.pool]} for an order-${doomed.order} chunk, but it has no managed pages`,
      details: logged.map((m) => String(m.text)),
    };
  },
  catches: [{ mutant: 'pool-for-empty-zone', zoo: 'BZ-08' }],
});
