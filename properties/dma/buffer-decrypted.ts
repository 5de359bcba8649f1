/** I3: kernel/dma/direct.c dma_direct_alloc() and the pools: unencrypted DMA really is unencrypted. */
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import {
  bufferName,
  bufferPages,
  firstNotDecrypted,
  needsUnencrypted,
  pageLine,
} from './helpers.ts';

function check(w: World, onlyNew: boolean) {
  const list = onlyNew ? (w.stepBuffer ? [w.stepBuffer] : []) : w.buffers;
  for (const b of list) {
    if (!needsUnencrypted(w, b)) continue;
    const { first, n } = bufferPages(b);
    const bad = firstNotDecrypted(w, first, n);
    if (bad >= 0)
      return {
        subject: bufferName(w, b),
        message: 'a page the device will DMA to is not shared with the host',
        details: [pageLine(w, bad)],
      };
  }
  return null;
}

export default property<World, DmaOp>({
  id: 'dma/buffer-decrypted',
  ref: 'I3',
  statement:
    'For a device with force_dma_unencrypted(), every page of every live buffer is decrypted (shared), from the moment dma_alloc_coherent() returns it until it is freed.',
  system: 'dma',
  after: 'every-step',
  check: ({ state, op }) => {
    // a new buffer, or any step that converted pages, can break it
    if (op.op === 'dma_alloc_coherent' || op.op === 'dma_alloc_pages') return check(state, true);
    if (state.events.some((e) => e.kind === 'convert')) return check(state, false);
    return null;
  },
  witness: ({ state, op }) =>
    op.op === 'dma_alloc_coherent' &&
    state.stepBuffer !== null &&
    state.config.platform.cc !== 'none',
  catches: [{ mutant: 'decrypt-failure-ignored', zoo: 'BZ-17' }],
});
