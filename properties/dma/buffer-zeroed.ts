/** kernel/dma/direct.c dma_direct_alloc(): a fresh buffer is zeroed, after its conversion (T8). */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { bufferName, newBuffer, PAGE } from './helpers.ts';

export default property<World, DmaOp>({
  id: 'dma/buffer-zeroed',
  ref: 'T8',
  statement:
    "A buffer dma-direct allocates fresh is zeroed over the driver's whole request, after the last conversion of its pages (pool blocks are zeroed by dma_alloc_from_pool()).",
  system: 'dma',
  after: ['dma_alloc_coherent', 'dma_alloc_pages'],
  check: ({ state, op }) => {
    const b = newBuffer(state, op);
    if (!b || b.source === 'pool') return null;
    const first = Math.floor(b.phys / PAGE);
    let zeroedAt = -1;
    let convertedAt = -1;
    state.events.forEach((e, i) => {
      if (e.kind === 'convert' && e.pfn <= first && first < e.pfn + e.npages) convertedAt = i;
      // Stryker disable next-line ConditionalExpression: only zero events have `bytes` (true is killed)
      if (e.kind !== 'zero') return;
      if (e.pfn === first && e.bytes >= b.requested) zeroedAt = i;
    });
    if (zeroedAt < 0)
      return { subject: bufferName(state, b), message: 'handed out without being zeroed' };
    // Stryker disable next-line EqualityOperator: the two index different events, never equal (>= is killed)
    if (zeroedAt < convertedAt)
      return { subject: bufferName(state, b), message: 'zeroed before its pages were converted' };
    return null;
  },
  witness: ({ state, op }) => {
    const b = newBuffer(state, op);
    return b !== undefined && b.source !== 'pool';
  },
  catches: [{ mutant: 'skip-memset' }],
});
