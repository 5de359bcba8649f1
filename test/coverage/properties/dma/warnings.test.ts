/**
 * dma/pool-warnings (I17, dma.md §2.3): a failed atomic pool allocation
 * without __GFP_NOWARN logs a warning, a served one logs none, and a
 * request that never went to the pools (no memory encryption) is not
 * judged by these rules.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/dma/warnings.ts';
import { coherent, ctx, worldAfter } from '../../fixtures/dma.ts';

const atomicAlloc = (size: number) => coherent(size, true);

describe('pool-warnings', () => {
  it('an SEV guest asking 1 MiB of a 128 KiB pool fails with a warning: as required', () => {
    const op = atomicAlloc(1 << 20);
    const w = worldAfter([op]);
    expect(w.stepBuffer).toBeNull();
    expect(w.events.some((e) => e.kind === 'warn')).toBe(true);
    expect(prop.check?.(ctx(w, op))).toBeNull();
  });

  it('the same failure without its warning is reported', () => {
    const op = atomicAlloc(1 << 20);
    const w = worldAfter([op]);
    w.events = w.events.filter((e) => e.kind !== 'warn');
    expect(prop.check?.(ctx(w, op))).toEqual({
      subject: 'dma_alloc_from_pool',
      message: 'pool exhausted without a warning',
    });
  });

  it('a request the pool served may not log a pool warning', () => {
    const op = atomicAlloc(8192);
    const w = worldAfter([op]);
    expect(w.stepBuffer?.source).toBe('pool');
    expect(prop.check?.(ctx(w, op))).toBeNull();
    w.events.push({ kind: 'warn', text: 'DMA pool exhausted for nvme0' });
    expect(prop.check?.(ctx(w, op))?.message).toBe('a served request logged a pool warning');
  });

  it('without memory encryption a failed atomic request never went to the pools: not judged', () => {
    const op = atomicAlloc(8192);
    const w = worldAfter([{ op: 'fault', at: 'alloc_pages', order: -1 }, op], 'none');
    expect(w.stepBuffer).toBeNull();
    expect(w.events.some((e) => e.kind === 'warn' && /DMA pool/.test(e.text))).toBe(false);
    expect(prop.check?.(ctx(w, op))).toBeNull();
  });
});
