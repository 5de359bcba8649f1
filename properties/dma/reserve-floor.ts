/** I12 for blocking callers in the DMA world (page-alloc.md §13): a blockable allocation keeps the static reserve. */
import type { Zone } from '../../models/page_alloc/state.ts';
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { covered, reserveFloor } from '../page_alloc/reserve-floor.ts';
import { property } from '../property.ts';

export default property<World, DmaOp>({
  id: 'dma/blockable-reserve-floor',
  ref: 'I12',
  statement:
    'Every page allocation of the DMA world by a caller that may reclaim and has no reserve (no __GFP_HIGH, no __GFP_MEMALLOC) leaves its zone with free >= the watermark its check used + boost + lowmem_reserve[highest_zoneidx] + the highatomic term, whatever the design.',
  system: 'dma',
  after: 'every-step',
  check: ({ state }) => {
    for (const r of state.stepAllocs) {
      if (!covered(r)) continue;
      const w = r.won;
      const after = w.free - 2 ** r.order;
      const floor = reserveFloor(state.pa.rules, r);
      if (after < floor)
        return {
          subject: `zone ${(state.pa.zones[r.zone] as Zone).name}`,
          message: `order-${r.order} ${w.stage} allocation left free ${after} < floor ${floor}`,
          details: [`lowmem_reserve[${r.highest_zoneidx}] = ${w.reserve}`],
        };
    }
    return null;
  },
  witness: ({ state }) => state.stepAllocs.some((r) => covered(r) && r.won.reserve > 0),
  catches: [{ mutant: 'classzone-own-zone' }],
});
