/**
 * The page-allocator rule sets as a whole: each names the tree it was read
 * in (`poolcheck list` prints it), and the v6.1 release (6.1.0) differs from
 * late 6.1.y where reclaim-and-gfp.md §10 says it does.
 */
import { describe, expect, it } from 'vitest';
import { __GFP_DMA } from '../../../models/page_alloc/gfp.ts';
import { __alloc_pages } from '../../../models/page_alloc/page_alloc.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import { ZONE_DMA } from '../../../models/page_alloc/zone.ts';
import { highatomicOnly } from './tiny.ts';

describe('page-allocator rule sets', () => {
  it('each names its own tree', () => {
    const sources = Object.values(pageAllocRules).map((r) => r.source);
    for (const s of sources) expect(s).toMatch(/mm\/page_alloc\.c/);
    expect(new Set(sources).size).toBe(sources.length);
    expect(pageAllocRules['6.1.0'].source).toMatch(/^v6\.1 release/);
  });

  it('rmqueue_buddy(): an order-0 GFP_ATOMIC request falls back to highatomic pages only in late 6.1.y and 6.18', () => {
    // DMA holds nothing __rmqueue() will take but its highatomic pageblock (highatomicOnly):
    // GFP_ATOMIC | __GFP_DMA at order 0 passes the watermark there, and only a version with the
    // NON_BLOCK fallback to MIGRATE_HIGHATOMIC gets a page (5.4 and 6.1.0: order-0 HARDER never does)
    const got = (v: PageAllocVersion) => {
      const pa = highatomicOnly(v, ZONE_DMA);
      return __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_DMA, order: 0 }).pfn !== null;
    };
    expect(['5.4', '6.1.0', '6.1', '6.18'].map((v) => got(v as PageAllocVersion))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});
