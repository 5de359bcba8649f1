/**
 * page-alloc/boost-neutral-atomic (I15, BZ-28): a failed order-0
 * GFP_ATOMIC request is judged only on the zones its gfp_zone allows, and
 * only on zones with a boost.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/page_alloc/boost-neutral-atomic.ts';
import { booted, ctx, DMA, DMA32, zone } from '../../fixtures/page-alloc.ts';

const drainDma = {
  op: 'alloc_pages',
  gfp: 'GFP_ATOMIC|__GFP_DMA',
  order: 0,
  count: 3000,
  reclaim: 0,
} as const;

describe('boost-neutral-atomic', () => {
  it('says nothing about a step that allocated nothing', () => {
    const s = booted();
    s.last = { kind: 'none' };
    expect(prop.check?.(ctx(s, drainDma))).toBeNull();
  });

  it('a GFP_ATOMIC|__GFP_DMA failure is not charged to a boosted DMA32 it may not use', () => {
    const s = booted([drainDma]);
    if (s.last.kind !== 'alloc') throw new Error('no allocation');
    const failed = s.last.results[s.last.results.length - 1];
    expect(failed?.pfn).toBeNull();
    expect(failed?.highest_zoneidx).toBe(DMA);
    // DMA32 is far above its min; boosted, it would be a zone the request "should" have used
    zone(s, DMA32).watermark_boost = 512;
    expect(prop.check?.(ctx(s, drainDma))).toBeNull();
    // DMA itself, boosted but below even its unboosted min, is no evidence either
    zone(s, DMA).watermark_boost = 16;
    expect(prop.check?.(ctx(s, drainDma))).toBeNull();
  });
});
