/**
 * dma/direct-finds-memory (dma.md §2.8): a blocking allocation's failure is
 * judged only when no fault and no refused conversion explains it.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/dma/direct-finds-memory.ts';
import { coherent, ctx, worldAfter } from '../../fixtures/dma.ts';

describe('direct-finds-memory', () => {
  it('a task allocation the host refused to convert may fail with memory to spare', () => {
    const op = coherent(8192, false);
    const w = worldAfter([{ op: 'fault', at: 'set_memory_decrypted', order: -1 }, op]);
    expect(w.stepBuffer).toBeNull();
    expect(w.events.some((e) => e.kind === 'convert' && !e.ok)).toBe(true);
    expect(prop.check?.(ctx(w, op))).toBeNull();
  });

  it('a task allocation that failed with no excuse is reported', () => {
    const op = coherent(8192, false);
    const w = worldAfter([op]);
    // as if the buffer had not been handed out, and nothing had gone wrong: ZONE_DMA alone
    // (1340 free pages, high 56 + lowmem_reserve 190) could have served it
    w.stepBuffer = null;
    w.events = [];
    expect(prop.check?.(ctx(w, op))?.message).toBe(
      'failed although Zone DMA holds a free block of order 1 above its watermarks',
    );
  });
});
