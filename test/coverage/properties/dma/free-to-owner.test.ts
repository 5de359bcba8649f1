/**
 * dma/free-to-owner (I6): a free that hits a kernel BUG (a page freed
 * twice, say) is reported with what the kernel would have said.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/dma/free-to-owner.ts';
import { coherent, ctx, worldAfter } from '../../fixtures/dma.ts';

const free = { op: 'dma_free_coherent', pick: 0 } as const;

describe('free-to-owner', () => {
  it('holds on a free of a fresh buffer, and reports a BUG the free hit', () => {
    const w = worldAfter([coherent(8192, false), free]);
    expect(w.events.some((e) => e.kind === 'free')).toBe(true);
    expect(prop.check?.(ctx(w, free))).toBeNull();
    w.events.push({ kind: 'bug', detail: '__free_pages: page already free' });
    expect(prop.check?.(ctx(w, free))).toEqual({
      subject: 'dma free',
      message: '__free_pages: page already free',
    });
  });
});
