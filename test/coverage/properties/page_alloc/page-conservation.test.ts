/**
 * page-alloc/page-conservation on corrupted counters: every managed page is
 * free, held by a caller, page cache or leaked (I5), and at the end of a run
 * each count equals what its lists hold. Each counter is bent so that only
 * the rule under test breaks.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/page_alloc/page-conservation.ts';
import { booted, ctx, DMA32, zone } from '../../fixtures/page-alloc.ts';

const alloc = { op: 'alloc_pages', gfp: 'GFP_KERNEL', order: 2, count: 3, reclaim: 0 } as const;
const kswapd = { op: 'kswapd', steps: 4, reclaim: 32 } as const;

describe('page-conservation', () => {
  it('holds after allocations, per step and at the end', () => {
    const s = booted([alloc]);
    expect(s.live).toHaveLength(3);
    expect(prop.check?.(ctx(s, alloc))).toBeNull();
    expect(prop.atEnd?.(s)).toBeNull();
  });

  it('a leaked page counted on top of managed_pages breaks the sum, per step and at the end', () => {
    const s = booted();
    const z = zone(s, DMA32);
    z.nr_leaked += 1;
    const want = `free ${z.nr_free_pages} + allocated ${z.nr_allocated} + page cache ${z.nr_clean + z.nr_dirty} + leaked 1 = ${z.managed_pages + 1} != managed ${z.managed_pages}`;
    expect(prop.check?.(ctx(s, kswapd))?.message).toBe(want);
    expect(prop.atEnd?.(s)?.message).toBe(want);
  });

  it('NR_FREE_PAGES must equal the pages free_area holds', () => {
    const s = booted();
    const z = zone(s, DMA32);
    // one page moved from "allocated" to "free" in the counters only: the sum still holds
    z.nr_free_pages += 1;
    z.nr_allocated -= 1;
    expect(prop.check?.(ctx(s, kswapd))).toBeNull();
    expect(prop.atEnd?.(s)?.message).toBe(
      `NR_FREE_PAGES ${z.nr_free_pages} but free_area holds ${z.nr_free_pages - 1} pages`,
    );
  });

  it("nr_allocated must equal boot's pages plus the callers' blocks", () => {
    const s = booted([alloc]);
    const z = zone(s, DMA32);
    const boot = s.pa.machine.image.zones[DMA32]?.nr_allocated as number;
    // a caller believes it holds an order-0 block the allocator never counted
    s.live.push({ pfn: 5000, order: 0, zone: DMA32 });
    expect(prop.atEnd?.(s)?.message).toBe(
      `nr_allocated ${z.nr_allocated} != boot ${boot} + callers' blocks ${3 * 4 + 1}`,
    );
  });

  it('the page-cache counts must equal the LRU lists', () => {
    const s = booted();
    const z = zone(s, DMA32);
    // a clean page recounted as dirty: the sum holds, the lists disagree
    z.nr_clean -= 1;
    z.nr_dirty += 1;
    expect(prop.check?.(ctx(s, kswapd))).toBeNull();
    expect(prop.atEnd?.(s)?.message).toBe('page-cache counts differ from the LRU lists');
  });
});
