/** I5: kernel/dma/pool.c atomic_pool_expand() and dma-direct: pages are lost only when they cannot be made private again. */
import type { World } from '../../models/world/world.ts';
import { hex } from '../../src/report/text.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';

export default property<World, DmaOp>({
  id: 'dma/leak-only-if-refused',
  ref: 'I5',
  statement:
    'A page is leaked (neither free nor held) only in a step where a set_memory_{de,en}crypted() call was refused; every other page a DMA path takes is freed or handed out.',
  system: 'dma',
  after: 'every-step',
  check: ({ state }) => {
    const leak = state.events.find((e) => e.kind === 'leak');
    if (leak?.kind !== 'leak') return null;
    if (state.events.some((e) => e.kind === 'convert' && !e.ok)) return null;
    return {
      subject: `pfn ${hex(leak.pfn)}`,
      message: `${leak.npages} pages leaked (${leak.cause}) with no refused conversion`,
    };
  },
  witness: ({ state }) => state.events.some((e) => e.kind === 'leak'),
  catches: [{ mutant: 'expand-leaks-on-add-failure', zoo: 'BZ-10' }],
});
