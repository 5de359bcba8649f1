/** Split, merge, fallback stealing and the highatomic reserve, pfn by pfn. */
import { describe, expect, it } from 'vitest';
import {
  __free_one_page,
  __rmqueue,
  __rmqueue_smallest,
  reserve_highatomic_pageblock,
  unreserve_highatomic_pageblock,
} from '../../../models/page_alloc/buddy.ts';
import { createPageAlloc } from '../../../models/page_alloc/machine.ts';
import {
  buddy_order,
  get_pageblock_migratetype,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  set_pageblock_migratetype,
} from '../../../models/page_alloc/pages.ts';
import { type PageAllocRules, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { tiny } from './tiny.ts';

const list = (z: Zone, order: number, mt: number, pa: PageAlloc): number[] => {
  const out: number[] = [];
  for (
    let p = z.free_head[order * MIGRATE_TYPES + mt] as number;
    p >= 0;
    p = pa.pages.next[p] as number
  )
    out.push(p);
  return out;
};

function dma32(rules: PageAllocRules = pageAllocRules['6.1']): { pa: PageAlloc; z: Zone } {
  const pa = createPageAlloc(tiny, rules);
  return { pa, z: pa.zones[1] as Zone };
}

describe('boot: memblock frees each range in max-order blocks to the list tails', () => {
  it('four order-10 blocks per zone, lowest pfn first, all movable', () => {
    const { pa, z } = dma32();
    expect(list(z, 10, MIGRATE_MOVABLE, pa)).toEqual([4096, 5120, 6144, 7168]);
    expect(z.nr_free_pages).toBe(4096);
    expect(z.managed_pages).toBe(4096);
    expect(pa.zonelist).toEqual([1, 0]);
  });
});

describe('__rmqueue_smallest and expand', () => {
  it('an order-0 request splits the first order-10 block, upper halves to the list heads', () => {
    const { pa, z } = dma32();
    expect(__rmqueue_smallest(pa, z, 0, MIGRATE_MOVABLE)).toBe(4096);
    for (let o = 0; o < 10; o++) expect(list(z, o, MIGRATE_MOVABLE, pa)).toEqual([4096 + 2 ** o]);
    expect(list(z, 10, MIGRATE_MOVABLE, pa)).toEqual([5120, 6144, 7168]);
  });

  it('takes the smallest order that has a block', () => {
    const { pa, z } = dma32();
    __rmqueue_smallest(pa, z, 0, MIGRATE_MOVABLE);
    expect(__rmqueue_smallest(pa, z, 2, MIGRATE_MOVABLE)).toBe(4100);
    expect(buddy_order(pa.pages, 4100)).toBe(-1);
  });
});

describe('__free_one_page', () => {
  it('merges with every free buddy back to order 10', () => {
    const { pa, z } = dma32();
    const pfn = __rmqueue_smallest(pa, z, 0, MIGRATE_MOVABLE);
    z.nr_free_pages -= 1;
    __free_one_page(pa, z, pfn, 0, MIGRATE_MOVABLE, false);
    expect(z.nr_free_pages).toBe(4096);
    for (let o = 0; o < 10; o++) expect(z.nr_free[o]).toBe(0);
    expect(list(z, 10, MIGRATE_MOVABLE, pa)).toEqual([4096, 5120, 6144, 7168]);
  });

  it('puts a block whose parent has a free buddy at the tail (buddy_merge_likely)', () => {
    const { pa, z } = dma32();
    // pfns 4096 (order 0) and 4098 (order 1) allocated: freeing 4098 cannot merge,
    // but its would-be parent 4096/2 has a free buddy 4100 at order 2
    __rmqueue_smallest(pa, z, 0, MIGRATE_MOVABLE);
    __rmqueue_smallest(pa, z, 1, MIGRATE_MOVABLE);
    __free_one_page(pa, z, 8000, 0, MIGRATE_MOVABLE, false); // unrelated head insert
    __free_one_page(pa, z, 4098, 1, MIGRATE_MOVABLE, false);
    expect(list(z, 1, MIGRATE_MOVABLE, pa).at(-1)).toBe(4098);
  });

  const pageblockMerge = (rules: PageAllocRules, other: number) => {
    const { pa, z } = dma32(rules);
    const pfn = __rmqueue_smallest(pa, z, 10, MIGRATE_MOVABLE);
    set_pageblock_migratetype(pa.pages, pfn + 512, other);
    __free_one_page(pa, z, pfn + 512, 9, other, false);
    __free_one_page(pa, z, pfn, 9, MIGRATE_MOVABLE, false);
    return {
      merged: buddy_order(pa.pages, pfn) === 10,
      type: get_pageblock_migratetype(pa.pages, pfn + 512),
    };
  };

  it('at pageblock order, 6.1 keeps HIGHATOMIC apart but merges two mergeable types', () => {
    expect(pageblockMerge(pageAllocRules['6.1'], MIGRATE_HIGHATOMIC).merged).toBe(false);
    expect(pageblockMerge(pageAllocRules['6.1'], MIGRATE_UNMOVABLE)).toEqual({
      merged: true,
      type: MIGRATE_UNMOVABLE,
    });
  });

  it('5.4 merges across any types (only ISOLATE is refused); 6.18 retypes the buddy', () => {
    expect(pageblockMerge(pageAllocRules['5.4'], MIGRATE_HIGHATOMIC).merged).toBe(true);
    expect(pageblockMerge(pageAllocRules['6.18'], MIGRATE_UNMOVABLE)).toEqual({
      merged: true,
      type: MIGRATE_MOVABLE,
    });
    expect(pageblockMerge(pageAllocRules['6.18'], MIGRATE_HIGHATOMIC).merged).toBe(false);
  });
});

describe('__rmqueue_fallback and stealing', () => {
  it('an unmovable request claims the first largest movable block, retyping both pageblocks', () => {
    const { pa, z } = dma32();
    expect(__rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, 0)).toBe(4096);
    expect(get_pageblock_migratetype(pa.pages, 4096)).toBe(MIGRATE_UNMOVABLE);
    expect(get_pageblock_migratetype(pa.pages, 4608)).toBe(MIGRATE_UNMOVABLE);
    expect(list(z, 9, MIGRATE_UNMOVABLE, pa)).toEqual([4608]);
    expect(z.watermark_boost).toBe(0); // whole pageblocks: no boost
  });

  it('a small fallback boosts the watermark and claims a mostly free pageblock', () => {
    const { pa, z } = dma32();
    for (let i = 0; i < 4; i++) __rmqueue_smallest(pa, z, 10, MIGRATE_MOVABLE);
    __free_one_page(pa, z, 4096 + 64, 3, MIGRATE_MOVABLE, false);
    expect(__rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, 0x800)).toBe(4160);
    expect(z.watermark_boost).toBe(512);
    expect(z.boosted_watermark).toBe(true);
    // 8 free + 504 "alike" pages of a movable block >= 256: the block is claimed
    expect(get_pageblock_migratetype(pa.pages, 4096)).toBe(MIGRATE_UNMOVABLE);
    expect(list(z, 2, MIGRATE_UNMOVABLE, pa)).toEqual([4164]);
  });
});

describe('the highatomic reserve', () => {
  it('reserves a pageblock at a time up to managed/100 + 512 (checked before adding)', () => {
    const { pa, z } = dma32();
    reserve_highatomic_pageblock(pa, z, 4096, 1);
    expect(z.nr_reserved_highatomic).toBe(512);
    expect(get_pageblock_migratetype(pa.pages, 4096)).toBe(MIGRATE_HIGHATOMIC);
    reserve_highatomic_pageblock(pa, z, 5120, 1);
    expect(z.nr_reserved_highatomic).toBe(1024); // 512 < 40 + 512, so one more block
    reserve_highatomic_pageblock(pa, z, 6144, 1);
    expect(z.nr_reserved_highatomic).toBe(1024);
    expect(get_pageblock_migratetype(pa.pages, 6144)).toBe(MIGRATE_MOVABLE);
  });

  it('6.18 reserves nothing where 1% of the zone is below a pageblock', () => {
    const { pa, z } = dma32(pageAllocRules['6.18']);
    reserve_highatomic_pageblock(pa, z, 4096, 1);
    expect(z.nr_reserved_highatomic).toBe(0);
  });

  it('unreserve keeps the last block unless forced', () => {
    const { pa, z } = dma32();
    __rmqueue_smallest(pa, z, 1, MIGRATE_MOVABLE);
    __rmqueue_smallest(pa, z, 1, MIGRATE_MOVABLE);
    reserve_highatomic_pageblock(pa, z, 4096, 1);
    const second = __rmqueue_smallest(pa, z, 9, MIGRATE_MOVABLE);
    __free_one_page(pa, z, second, 0, MIGRATE_MOVABLE, false);
    reserve_highatomic_pageblock(pa, z, second, 0);
    expect(z.nr_reserved_highatomic).toBe(1024);
    const un = (force: boolean) =>
      unreserve_highatomic_pageblock(pa, pa.zones, pa.zonelist, 1, MIGRATE_MOVABLE, force);
    expect(un(false)).toBe(true);
    expect(z.nr_reserved_highatomic).toBe(512);
    expect(un(false)).toBe(false);
    expect(un(true)).toBe(true);
    expect(z.nr_reserved_highatomic).toBe(0);
  });
});
