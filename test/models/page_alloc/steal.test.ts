/**
 * Migratetype fallback, pfn by pfn (6.1 mm/page_alloc.c): can_steal_fallback(),
 * steal_suitable_fallback()'s claim rule (free + compatible pages >= 256 of a
 * 512-page pageblock), move_freepages_block() at zone edges, and the
 * __free_one_page() details next to them (buddy_merge_likely(), merging at
 * pageblock_order).
 *
 * Most tests start from tiny's DMA32 (pfns 4096-8191) with its four order-10
 * blocks taken (drained.ts), so the only free pages are the ones a test frees
 * back; taken pages are neither free nor page cache, i.e. "unmovable" to the
 * claim rule. 6.18's claim/steal split is in claim-steal.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ALLOC_KSWAPD } from '../../../models/page_alloc/alloc_flags.ts';
import {
  __rmqueue,
  move_freepages_block,
  steal_suitable_fallback,
} from '../../../models/page_alloc/buddy.ts';
import { createPageAlloc } from '../../../models/page_alloc/machine.ts';
import {
  buddy_order,
  get_pageblock_migratetype,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  PG_PAGECACHE,
  setOwner,
} from '../../../models/page_alloc/pages.ts';
import type { Zone } from '../../../models/page_alloc/state.ts';
import { drained, free, listOf, unaligned } from './drained.ts';

describe('__free_one_page', () => {
  it('buddy_merge_likely puts a block at the tail when its parent has a free buddy', () => {
    const { pa, z } = drained();
    free(pa, z, 5120, 1); // 5124/2 taken: head
    free(pa, z, 4100, 2);
    free(pa, z, 4098, 1); // 4096/1 taken, but parent 4096/2's buddy 4100/2 is free: tail
    free(pa, z, 6000, 1); // 6004/2 taken: head
    const li = 1 * MIGRATE_TYPES + MIGRATE_MOVABLE;
    expect([z.free_head[li], z.free_tail[li]]).toEqual([6000, 4098]);
  });

  it('merges two HIGHATOMIC pageblocks: only differing types stop at pageblock_order', () => {
    const { pa, z } = drained();
    free(pa, z, 4096, 9, MIGRATE_HIGHATOMIC);
    free(pa, z, 4608, 9, MIGRATE_HIGHATOMIC);
    expect(buddy_order(pa.pages, 4096)).toBe(10);
    expect(listOf(pa, 4096)).toBe(MIGRATE_HIGHATOMIC);
  });
});

describe('can_steal_fallback', () => {
  it('a RECLAIMABLE request steals the whole pageblock below order 4 (__GFP_RECLAIMABLE slab)', () => {
    const { pa, z } = drained();
    free(pa, z, 4096, 3);
    free(pa, z, 4200, 0);
    // 8 + 1 pages moved, 512 - 9 = 503 alike: claimed; 4200 is now the smallest RECLAIMABLE block
    expect(__rmqueue(pa, z, 0, MIGRATE_RECLAIMABLE, 0)).toBe(4200);
    expect(get_pageblock_migratetype(pa.pages, 4096)).toBe(MIGRATE_RECLAIMABLE);
    expect(listOf(pa, 4096)).toBe(MIGRATE_RECLAIMABLE);
  });

  it('a MOVABLE request below order 4 may not: it takes the smallest fallback block alone', () => {
    const { pa, z } = drained();
    free(pa, z, 4096, 3, MIGRATE_UNMOVABLE);
    free(pa, z, 4200, 0, MIGRATE_UNMOVABLE);
    expect(__rmqueue(pa, z, 0, MIGRATE_MOVABLE, 0)).toBe(4200);
    expect(listOf(pa, 4096)).toBe(MIGRATE_UNMOVABLE);
    expect(get_pageblock_migratetype(pa.pages, 4096)).toBe(MIGRATE_UNMOVABLE);
    expect(z.watermark_boost).toBe(512); // boosted all the same
  });
});

describe('steal_suitable_fallback', () => {
  it('the boost sets ZONE_BOOSTED_WATERMARK only with ALLOC_KSWAPD', () => {
    const steal = (alloc_flags: number) => {
      const { pa, z } = drained();
      free(pa, z, 4096, 3);
      __rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, alloc_flags);
      return [z.watermark_boost, z.boosted_watermark];
    };
    expect(steal(0)).toEqual([512, false]);
    expect(steal(ALLOC_KSWAPD)).toEqual([512, true]);
  });

  /** An UNMOVABLE order-0 request falling back to 4096/3 in a MOVABLE pageblock ending in `cache` page-cache pages. */
  const unmovableFromMovable = (cache: number) => {
    const { pa, z } = drained();
    setOwner(pa.pages, 4608 - cache, cache, PG_PAGECACHE);
    free(pa, z, 4096, 3);
    __rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, 0);
    return { type: get_pageblock_migratetype(pa.pages, 4096), rest: listOf(pa, 4100) };
  };

  it('claims a MOVABLE pageblock for UNMOVABLE when free + non-movable pages are at least half', () => {
    // 256 page cache: 8 free + (512 - 8 - 256) alike = 256 >= 256
    expect(unmovableFromMovable(256)).toEqual({ type: MIGRATE_UNMOVABLE, rest: MIGRATE_UNMOVABLE });
    // 257 page cache (the last at pfn 4607): 8 + 247 = 255; the free pages move all the same
    expect(unmovableFromMovable(257)).toEqual({ type: MIGRATE_MOVABLE, rest: MIGRATE_UNMOVABLE });
  });

  /** A MOVABLE request falling back to 4096/5 in an UNMOVABLE pageblock ending in `cache` page-cache pages. */
  const movableFromUnmovable = (cache: number) => {
    const { pa, z } = drained();
    setOwner(pa.pages, 4608 - cache, cache, PG_PAGECACHE);
    free(pa, z, 4096, 5, MIGRATE_UNMOVABLE);
    __rmqueue(pa, z, 0, MIGRATE_MOVABLE, 0);
    return get_pageblock_migratetype(pa.pages, 4096);
  };

  it('claims an UNMOVABLE pageblock for MOVABLE when free + page-cache pages are at least half', () => {
    expect(movableFromUnmovable(224)).toBe(MIGRATE_MOVABLE); // 32 + 224 = 256
    expect(movableFromUnmovable(223)).toBe(MIGRATE_UNMOVABLE); // 32 + 223 = 255
  });

  it('counts nothing alike between UNMOVABLE and RECLAIMABLE: claims only a half-free block', () => {
    const steal = (order: number) => {
      const { pa, z } = drained();
      free(pa, z, 4096, order, MIGRATE_RECLAIMABLE);
      __rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, 0);
      return get_pageblock_migratetype(pa.pages, 4096);
    };
    expect(steal(3)).toBe(MIGRATE_RECLAIMABLE); // 8 free + 0 alike < 256
    expect(steal(8)).toBe(MIGRATE_UNMOVABLE); // 256 free
  });

  it('never claims a pageblock crossing the zone end: only the found block changes lists', () => {
    const pa = createPageAlloc(unaligned);
    const z = pa.zones[1] as Zone; // DMA32 4096-7999, free 7680/8 and 7936/6 at its end
    steal_suitable_fallback(pa, z, 7936, 0, MIGRATE_UNMOVABLE, true);
    expect([listOf(pa, 7936), listOf(pa, 7680)]).toEqual([MIGRATE_UNMOVABLE, MIGRATE_MOVABLE]);
    expect(get_pageblock_migratetype(pa.pages, 7680)).toBe(MIGRATE_MOVABLE);
  });
});

describe('move_freepages_block', () => {
  it('moves every free block of the pageblock, first to last pfn, and counts page cache as movable', () => {
    const { pa, z } = drained();
    free(pa, z, 4096, 0);
    free(pa, z, 4200, 3);
    free(pa, z, 4607, 0);
    setOwner(pa.pages, 4300, 5, PG_PAGECACHE);
    expect(move_freepages_block(pa, z, 4200, MIGRATE_UNMOVABLE)).toEqual({ moved: 10, movable: 5 });
    expect([4096, 4200, 4607].map((p) => listOf(pa, p))).toEqual([
      MIGRATE_UNMOVABLE,
      MIGRATE_UNMOVABLE,
      MIGRATE_UNMOVABLE,
    ]);
  });

  it('a block the zone starts inside is scanned from the given page; one crossing the zone end not at all', () => {
    const pa = createPageAlloc(unaligned);
    const dma = pa.zones[0] as Zone; // 100-4095: pageblock 0 holds free 100/2, 104/3, 112/4, 128/7, 256/8
    expect(move_freepages_block(pa, dma, 128, MIGRATE_UNMOVABLE)).toEqual({
      moved: 384,
      movable: 0,
    });
    expect([listOf(pa, 112), listOf(pa, 256)]).toEqual([MIGRATE_MOVABLE, MIGRATE_UNMOVABLE]);
    const dma32 = pa.zones[1] as Zone; // ends at 7999 inside pageblock 7680-8191
    expect(move_freepages_block(pa, dma32, 7680, MIGRATE_UNMOVABLE)).toEqual({
      moved: 0,
      movable: 0,
    });
    expect(listOf(pa, 7680)).toBe(MIGRATE_MOVABLE);
  });
});
