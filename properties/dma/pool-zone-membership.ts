/** I7: kernel/dma/pool.c atomic_pool_expand(): a zone pool's memory comes from its zone or below (BZ-03). */
import type { World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { poolsOf, zoneLimitOf } from './pools.ts';

export default property<World, DmaOp>({
  id: 'dma/pool-zone-membership',
  ref: 'I7',
  statement:
    'Every chunk of the dma pool lies below 16 MiB and every chunk of the dma32 pool below 4 GiB (no lower bound: zone fallback may place them lower; the kernel pool may lie anywhere).',
  system: 'dma',
  designs: ['atomic-pool'],
  after: ['atomic_pool_work_fn'],
  check: ({ state }) => {
    if (!state.pools) return null;
    for (const p of poolsOf(state.pools))
      for (const c of p.chunks)
        if (c.phys + c.size > zoneLimitOf(p))
          return {
            subject: `pool ${p.name}#${c.seq}`,
            message: `chunk ${hex(c.phys)}+${hex(c.size)} ends above ${hex(zoneLimitOf(p))}`,
          };
    return null;
  },
  atEnd: (state) => {
    if (!state.pools) return null;
    for (const p of poolsOf(state.pools))
      for (const c of p.chunks)
        if (c.phys + c.size > zoneLimitOf(p))
          return {
            subject: `pool ${p.name}#${c.seq}`,
            message: `chunk ${hex(c.phys)} is outside the zone`,
          };
    return null;
  },
  witness: ({ state, op }) =>
    op.op === 'atomic_pool_work_fn' &&
    state.events.some((e) => e.kind === 'alloc' && e.by === 'pool'),
  catches: [{ mutant: 'expand-ignores-zone', zoo: 'BZ-03' }],
});
