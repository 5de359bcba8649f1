/** I2: kernel/dma/direct.c dma_coherent_ok(), and its use by kernel/dma/pool.c (BZ-05). */
import { dma_coherent_ok, dma_direct_limit } from '../../models/dma/device.ts';
import type { World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { bufferName, deviceOf, newBuffer } from './helpers.ts';

export default property<World, DmaOp>({
  id: 'dma/addressable',
  ref: 'I2',
  statement:
    'Every buffer of a device not behind an IOMMU lies within its limit: phys + size - 1 <= min_not_zero(coherent_dma_mask, bus_dma_limit).',
  system: 'dma',
  after: ['dma_alloc_coherent', 'dma_alloc_pages'],
  check: ({ state, op }) => {
    const b = newBuffer(state, op);
    if (!b) return null;
    const dev = deviceOf(state, b);
    if (dev.iommu || dma_coherent_ok(dev, state.config.platform, b.phys, b.size)) return null;
    return {
      subject: bufferName(state, b),
      message: `last byte ${hex(b.phys + b.size - 1)} is above the device limit ${hex(dma_direct_limit(dev))}`,
    };
  },
  witness: ({ state, op }) => {
    const b = newBuffer(state, op);
    return b !== undefined && b.source === 'pool' && deviceOf(state, b).coherent_dma_mask < 2 ** 32;
  },
  catches: [{ mutant: 'pool-skips-address-check', zoo: 'BZ-05' }],
});
