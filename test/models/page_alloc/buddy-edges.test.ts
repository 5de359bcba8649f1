/**
 * Boundary cases of the buddy functions (mm/page_alloc.c) that the other
 * buddy tests step over: buddy_merge_likely() at order 9 (6.1: `order >=
 * MAX_ORDER - 2`, i.e. >= MAX_PAGE_ORDER - 1, never goes to the tail), merging below
 * pageblock_order whatever the freed migratetype (free_pcppages_bulk()'s stale
 * pcp migratetype in 6.1), can_steal_fallback() / should_try_claim_block() at
 * exactly order 4 (pageblock_order / 2) for a MOVABLE request, and 6.18's
 * __rmqueue() finding nothing.
 *
 * States come from drained.ts: tiny's DMA32 (pfns 4096-8191, pageblocks
 * 4096, 4608, ...) with every free page taken, so the only free pages are
 * the ones a test frees back. tiny's DMA32 boosts by one pageblock, capped at
 * max(512, 134 * 15000 / 10000) = 512.
 */
import { describe, expect, it } from 'vitest';
import {
  __free_one_page,
  __rmqueue,
  __rmqueue_smallest,
  reserve_highatomic_pageblock,
} from '../../../models/page_alloc/buddy.ts';
import {
  buddy_order,
  get_pageblock_migratetype,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
} from '../../../models/page_alloc/pages.ts';
import { drained, free, listOf } from './drained.ts';

describe('buddy_merge_likely', () => {
  it('never puts an order-9 block at the tail, even when the order-10 block beside it is free', () => {
    const { pa, z } = drained();
    free(pa, z, 5120, 10); // order 10: nothing to merge with
    free(pa, z, 6656, 9); // buddy 6144 taken: head of the order-9 list
    // buddy 4608 taken; the order-10 block it would make (4096) has its buddy 5120 free, but
    // 6.1 returns false for order >= MAX_ORDER - 2 = 9: head again, ahead of 6656
    free(pa, z, 4096, 9);
    expect(__rmqueue_smallest(pa, z, 9, MIGRATE_MOVABLE)).toBe(4096);
    expect(__rmqueue_smallest(pa, z, 9, MIGRATE_MOVABLE)).toBe(6656);
  });
});

describe('__free_one_page below pageblock_order', () => {
  it('merges whatever migratetype the page is freed with (6.1 pcp drain after a highatomic reserve)', () => {
    const { pa, z } = drained('6.1');
    free(pa, z, 4097, 0); // MOVABLE pageblock 4096
    // an order-1 atomic success at 4098 reserves the pageblock: 4097 moves to the HIGHATOMIC list
    reserve_highatomic_pageblock(pa, z, 4098, 1);
    expect(listOf(pa, 4097)).toBe(MIGRATE_HIGHATOMIC);
    // page 4096 went to a pcp list as MOVABLE before the reserve; free_pcppages_bulk() frees it
    // with that stale type. Only order >= pageblock_order compares types: 4096 + 4097 merge into
    // an order-1 block on the MOVABLE list (the freeing type)
    __free_one_page(pa, z, 4096, 0, MIGRATE_MOVABLE, false);
    expect(buddy_order(pa.pages, 4096)).toBe(1);
    expect(listOf(pa, 4096)).toBe(MIGRATE_MOVABLE);
    expect(get_pageblock_migratetype(pa.pages, 4096)).toBe(MIGRATE_HIGHATOMIC);
  });
});

describe('a MOVABLE request falling back to an order-4 block (pageblock_order / 2 = 4)', () => {
  /** UNMOVABLE pageblock 4096 with free 4096/0 and 4112/4 (17 pages), one order-0 MOVABLE request. */
  const fallBack = (v: '6.1' | '6.18') => {
    const { pa, z } = drained(v);
    free(pa, z, 4096, 0, MIGRATE_UNMOVABLE);
    free(pa, z, 4112, 4, MIGRATE_UNMOVABLE); // buddy 4096/4 is not a free order-4 block
    const pfn = __rmqueue(pa, z, 0, MIGRATE_MOVABLE, 0);
    return {
      pfn,
      boost: z.watermark_boost,
      rest: listOf(pa, 4112),
      type: get_pageblock_migratetype(pa.pages, 4096),
    };
  };

  it('6.1 may steal the whole block: both free blocks move, 17 < 256 leaves the type', () => {
    // largest first: 4112/4, can_steal (4 >= 4) so move_freepages_block() moves 4096/0 and
    // 4112/4 to MOVABLE; __rmqueue_smallest() then takes 4096/0
    expect(fallBack('6.1')).toEqual({
      pfn: 4096,
      boost: 512,
      rest: MIGRATE_MOVABLE,
      type: MIGRATE_UNMOVABLE,
    });
  });

  it('6.18 tries to claim it (boost), fails at 17 < 256, then steals the smallest block', () => {
    // try_to_claim_block() on 4112/4 boosts before counting; orders 3..0 are too low to claim
    // for MOVABLE; __rmqueue_steal() takes 4096/0 and moves nothing
    expect(fallBack('6.18')).toEqual({
      pfn: 4096,
      boost: 512,
      rest: MIGRATE_UNMOVABLE,
      type: MIGRATE_UNMOVABLE,
    });
  });
});

describe('__rmqueue, 6.18', () => {
  it('returns no page when neither the own nor a fallback type has one (HIGHATOMIC is no fallback)', () => {
    const { pa, z } = drained('6.18');
    free(pa, z, 4096, 0, MIGRATE_HIGHATOMIC);
    // own lists empty, __rmqueue_claim() and __rmqueue_steal() find nothing: NULL
    for (const mt of [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE])
      expect(__rmqueue(pa, z, 0, mt, 0)).toBe(-1);
    expect(listOf(pa, 4096)).toBe(MIGRATE_HIGHATOMIC);
  });
});
