/** The 2019 proposal's bonus (thread-2019.md, 13 Dec 2019): a high-order lowmem guarantee. */
import { dma_direct_limit } from '../../models/dma/device.ts';
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';

/** The highest address a reserve pool's pages may have, by zone. */
const ZONE_END = { DMA: 2 ** 24, DMA32: 2 ** 32 } as const;

export default property<World, DmaOp>({
  id: 'dma/reserve-high-order-guarantee',
  ref: 'T2019',
  statement:
    "In the reserve-pool design, an atomic request of a device that needs unencrypted DMA and can address the pool succeeds whenever the first pool it may use holds its per-order target at the request's order (orders up to the guaranteed order K).",
  system: 'dma',
  designs: ['reserve-pool'],
  after: ['dma_alloc_coherent'],
  check: ({ state, op }) => {
    const g = state.stepGuarantee;
    if (op.op !== 'dma_alloc_coherent' || !g || state.stepBuffer !== null) return null;
    const dev = state.config.devices[op.dev % state.config.devices.length];
    const end = ZONE_END[g.pool as keyof typeof ZONE_END];
    // the device's limit is min_not_zero(coherent_dma_mask, bus_dma_limit), as for I2
    if (!dev || end === undefined || dma_direct_limit(dev) < end - 1) return null;
    return {
      subject: `reserve pool ${g.pool}`,
      message: `order-${g.order} request failed while the pool held its target at that order`,
    };
  },
  witness: ({ state }) => state.stepGuarantee !== null && state.stepBuffer !== null,
  catches: [{ mutant: 'reserve-rounds-up' }],
});
