/** kernel/dma/direct.c dma_direct_use_pool() and its callers (6.1, mainline): who may consume the atomic pools (BZ-15). */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { ALLOC_OPS, bufferName, needsUnencrypted, newBuffer } from './helpers.ts';

export default property<World, DmaOp>({
  id: 'dma/pool-only-when-unencrypted',
  ref: '§2.8',
  statement:
    'On x86 (no DMA_DIRECT_REMAP) dma-direct hands out atomic pool memory only to a device with force_dma_unencrypted(): a device that can use encrypted memory never consumes the pools (the conjunct review kept in dma_should_alloc_from_pool(), March 2020).',
  system: 'dma',
  after: [...ALLOC_OPS],
  check: ({ state, op }) => {
    const b = newBuffer(state, op);
    if (b?.source !== 'pool' || needsUnencrypted(state, b)) return null;
    return {
      subject: bufferName(state, b),
      message: 'a device that may use encrypted memory took pool memory',
    };
  },
  witness: ({ state, op }) => newBuffer(state, op)?.source === 'pool',
  catches: [{ mutant: 'pool-for-every-atomic', zoo: 'BZ-15' }],
});
