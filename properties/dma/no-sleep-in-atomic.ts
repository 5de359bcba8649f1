/** I1: kernel/dma/direct.c, the non-blocking paths (the 2019 bug, BZ-01). */

import type { World, WorldEvent } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';

type MaySleep = Extract<WorldEvent, { kind: 'may_sleep' }>;

export default property<World, DmaOp>({
  id: 'dma/no-sleep-in-atomic',
  ref: 'I1',
  statement:
    'A request without __GFP_DIRECT_RECLAIM (GFP_ATOMIC under RCU, a spinlock or in an interrupt) performs nothing that may sleep: no set_memory_{de,en}crypted() while memory encryption is active, no blocking page or CMA allocation.',
  system: 'dma',
  after: ['dma_alloc_coherent', 'dma_alloc_pages', 'alloc_pages'],
  check: ({ state }) => {
    if (state.context !== 'atomic') return null;
    const e = state.events.find((x): x is MaySleep => x.kind === 'may_sleep');
    return e
      ? {
          subject: 'atomic context',
          message: `${e.what} may sleep`,
          details: ['might_sleep() on an atomic path'],
        }
      : null;
  },
  witness: ({ state, op }) =>
    state.context === 'atomic' &&
    op.op === 'dma_alloc_coherent' &&
    state.config.platform.cc !== 'none' &&
    state.stepBuffer !== null,
  catches: [{ mutant: 'atomic-decrypts-in-place', zoo: 'BZ-01' }],
});
