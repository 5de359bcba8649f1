/**
 * The highatomic reserve (page-alloc.md §9) and __rmqueue_fallback()'s smallest-block search
 * (§10), pageblock by pageblock.
 *
 * reserve_highatomic_pageblock() caps the reserve at managed/100 + 512 (5.4, 6.1) or at
 * ALIGN(managed/100, 512) (6.18, nothing at all below 100 pageblocks: tiny's 4096-page zones never
 * reserve, hence the bigger machines below). 6.18 retypes the whole range of an order >=
 * pageblock_order allocation and counts 2^order; unreserve_highatomic_pageblock() gives that range
 * back whole. Blocks come straight off the buddy lists, as rmqueue() hands them to
 * get_page_from_freelist() before it calls reserve_highatomic_pageblock().
 */
import { describe, expect, it } from 'vitest';
import {
  __rmqueue,
  __rmqueue_fallback,
  __rmqueue_smallest,
  highatomic_cap,
  reserve_highatomic_pageblock,
  unreserve_highatomic_pageblock,
} from '../../../models/page_alloc/buddy.ts';
import { createPageAlloc, type MachineConfig } from '../../../models/page_alloc/machine.ts';
import { __free_pages_ok } from '../../../models/page_alloc/page_alloc.ts';
import {
  buddy_order,
  get_pageblock_migratetype,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  set_pageblock_migratetype,
} from '../../../models/page_alloc/pages.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { low_wmark_pages, ZONE_DMA, ZONE_DMA32 } from '../../../models/page_alloc/zone.ts';
import { tiny } from './tiny.ts';

/** 216 MiB: DMA32 manages 51200 pages, 100 pageblocks, so 1% is exactly one pageblock. */
const mib216: MachineConfig = { name: '216M', memory: [{ start: 0, end: 55296 }], reserved: [] };
/** 256 MiB: DMA32 manages 61440 pages; 1% is 614. */
const mib256: MachineConfig = { name: '256M', memory: [{ start: 0, end: 65536 }], reserved: [] };
/** 219 MiB: DMA32 manages 51904 pages (1% = 519, cap 1024) and ends 192 pages into pageblock 55808-56319. */
const mib219: MachineConfig = { name: '219M', memory: [{ start: 0, end: 56000 }], reserved: [] };
/** tiny + 100 pages: DMA32 (4196 pages) ends 100 pages into pageblock 8192-8703. */
const ragged: MachineConfig = { name: 'ragged', memory: [{ start: 0, end: 8292 }], reserved: [] };

function boot(
  m: MachineConfig,
  v: PageAllocVersion,
  zone = ZONE_DMA32,
): { pa: PageAlloc; z: Zone } {
  const pa = createPageAlloc(m, pageAllocRules[v]);
  return { pa, z: pa.zones[zone] as Zone };
}

/** rmqueue(): the smallest movable block of `order`, out of NR_FREE_PAGES. */
function take(pa: PageAlloc, z: Zone, order: number): number {
  const pfn = __rmqueue_smallest(pa, z, order, MIGRATE_MOVABLE);
  z.nr_free_pages -= 2 ** order;
  return pfn;
}

/** A block, then reserve_highatomic_pageblock() for it (get_page_from_freelist() on ALLOC_HIGHATOMIC). */
function takeReserving(pa: PageAlloc, z: Zone, order: number): number {
  const pfn = take(pa, z, order);
  reserve_highatomic_pageblock(pa, z, pfn, order);
  return pfn;
}

const mt = (pa: PageAlloc, pfn: number) => get_pageblock_migratetype(pa.pages, pfn);
const head = (z: Zone, order: number, type: number) => z.free_head[order * MIGRATE_TYPES + type];
const unreserve = (pa: PageAlloc, hz: number, type: number, force: boolean) =>
  unreserve_highatomic_pageblock(pa, pa.zones, pa.zonelist, hz, type, force);

describe('reserve_highatomic_pageblock: the cap (highatomic_cap)', () => {
  it('6.18: a zone of exactly 100 pageblocks reserves one pageblock, then no more', () => {
    const { pa, z } = boot(mib216, '6.18');
    expect(highatomic_cap(pa, z)).toBe(512); // ALIGN(51200 / 100 = 512, 512)
    expect(takeReserving(pa, z, 1)).toBe(4096);
    expect(z.nr_reserved_highatomic).toBe(512);
    expect(mt(pa, 4096)).toBe(MIGRATE_HIGHATOMIC);
    // block 4096's free pages went to the HIGHATOMIC lists: the next order-1 block splits 4608
    expect(takeReserving(pa, z, 1)).toBe(4608);
    expect(z.nr_reserved_highatomic).toBe(512); // 512 >= cap 512
    expect(mt(pa, 4608)).toBe(MIGRATE_MOVABLE);
  });

  it('6.18 rounds 1% of 61440 pages up to ALIGN(614, 512) = 1024; 6.1 allows 614 + 512 = 1126', () => {
    // three order-1 allocations, each splitting a fresh pageblock (4096, 4608, 5120)
    for (const [v, cap, after] of [
      ['6.18', 1024, [512, 1024, 1024]],
      ['6.1', 1126, [512, 1024, 1536]],
    ] as const) {
      const { pa, z } = boot(mib256, v);
      expect(highatomic_cap(pa, z)).toBe(cap);
      const seen = [4096, 4608, 5120].map((pfn) => {
        expect(takeReserving(pa, z, 1)).toBe(pfn);
        return z.nr_reserved_highatomic;
      });
      expect(seen).toEqual(after);
    }
  });
});

describe('reserve_highatomic_pageblock: what is retyped', () => {
  it('order 10: 6.18 retypes both pageblocks and counts 2^10 = 1024; 6.1 only the first, 512', () => {
    for (const [v, counted, second] of [
      ['6.18', 1024, MIGRATE_HIGHATOMIC],
      ['6.1', 512, MIGRATE_MOVABLE],
    ] as const) {
      const { pa, z } = boot(mib256, v);
      expect(takeReserving(pa, z, 10)).toBe(4096);
      expect(z.nr_reserved_highatomic).toBe(counted);
      expect(mt(pa, 4096)).toBe(MIGRATE_HIGHATOMIC);
      expect(mt(pa, 4608)).toBe(second);
    }
  });

  it('6.18 below pageblock_order: one pageblock (512, not 2^1) with its 510 free pages', () => {
    const { pa, z } = boot(mib256, '6.18');
    takeReserving(pa, z, 1);
    expect(z.nr_reserved_highatomic).toBe(512);
    expect(z.nr_free_mt[MIGRATE_HIGHATOMIC]).toBe(510); // 512 - the 2 allocated
  });
});

describe('reserve_highatomic_pageblock: a pageblock not wholly in the zone', () => {
  it('6.18 reserves nothing there (move_freepages_block() refuses it); 6.1 counts and retypes it', () => {
    for (const [v, counted, type] of [
      ['6.18', 0, MIGRATE_MOVABLE],
      ['6.1', 512, MIGRATE_HIGHATOMIC],
    ] as const) {
      const { pa, z } = boot(mib219, v);
      reserve_highatomic_pageblock(pa, z, 55808, 0);
      expect(z.nr_reserved_highatomic).toBe(counted);
      expect(mt(pa, 55808)).toBe(type);
    }
  });
});

describe('unreserve_highatomic_pageblock', () => {
  it('6.18 gives a freed order-10 reservation back whole: both pageblocks, 1024 uncounted', () => {
    const { pa, z } = boot(mib256, '6.18');
    takeReserving(pa, z, 10);
    __free_pages_ok(pa, z, 4096, 10); // to the HIGHATOMIC list, order 10
    // 1024 > 512 reserved: not the zone's last block, so no force needed
    expect(unreserve(pa, ZONE_DMA32, MIGRATE_MOVABLE, false)).toBe(true);
    expect(z.nr_reserved_highatomic).toBe(0);
    expect([mt(pa, 4096), mt(pa, 4608)]).toEqual([MIGRATE_MOVABLE, MIGRATE_MOVABLE]);
    expect(buddy_order(pa.pages, 4096)).toBe(10);
    expect(pa.pages.list_mt[4096]).toBe(MIGRATE_MOVABLE);
    expect(z.nr_free_mt[MIGRATE_HIGHATOMIC]).toBe(0);
  });

  it('6.18 below pageblock_order: uncounts 512 (not 2^1) and moves all 510 free pages', () => {
    const { pa, z } = boot(mib256, '6.18');
    takeReserving(pa, z, 1);
    // the first free highatomic page is 4098 (order 1); the last block goes only when forced
    expect(unreserve(pa, ZONE_DMA32, MIGRATE_MOVABLE, true)).toBe(true);
    expect(z.nr_reserved_highatomic).toBe(0);
    expect(mt(pa, 4096)).toBe(MIGRATE_MOVABLE);
    expect(z.nr_free_mt[MIGRATE_HIGHATOMIC]).toBe(0);
  });

  it('6.1 gives back only the pageblock a free order-10 highatomic block starts in', () => {
    // DMA32 cap 40 + 512: two order-9 reservations, freed, merge into one HIGHATOMIC order-10 block
    const { pa, z } = boot(tiny, '6.1');
    expect([takeReserving(pa, z, 9), takeReserving(pa, z, 9)]).toEqual([4096, 4608]);
    __free_pages_ok(pa, z, 4096, 9);
    __free_pages_ok(pa, z, 4608, 9);
    expect(buddy_order(pa.pages, 4096)).toBe(10);
    expect(unreserve(pa, ZONE_DMA32, MIGRATE_UNMOVABLE, false)).toBe(true);
    // 1024 - 512; all 1024 free pages moved, but pageblock 4608 stays typed HIGHATOMIC
    expect(z.nr_reserved_highatomic).toBe(512);
    expect([mt(pa, 4096), mt(pa, 4608)]).toEqual([MIGRATE_UNMOVABLE, MIGRATE_HIGHATOMIC]);
    expect(z.nr_free_mt[MIGRATE_UNMOVABLE]).toBe(1024);
  });

  it('6.1: a pageblock past the zone end is retyped but moves nothing, so unreserve goes on', () => {
    const { pa, z } = boot(ragged, '6.1'); // cap 41 + 512
    takeReserving(pa, z, 9); // 4096: 512 reserved
    expect(takeReserving(pa, z, 2)).toBe(8288); // block 8192-8703 crosses the zone end at 8292
    expect(z.nr_reserved_highatomic).toBe(1024);
    expect(z.nr_free_mt[MIGRATE_HIGHATOMIC]).toBe(0); // move_freepages_block refused the block
    __free_pages_ok(pa, z, 8288, 2); // back as HIGHATOMIC, unmerged: its buddy is past the last pfn
    expect(buddy_order(pa.pages, 8292)).toBe(-1);
    // a __GFP_DMA request (highest_zoneidx DMA) never touches DMA32's reserve
    expect(unreserve(pa, ZONE_DMA, MIGRATE_MOVABLE, true)).toBe(false);
    expect(z.nr_reserved_highatomic).toBe(1024);
    // 8288's block is uncounted and retyped, but 0 pages move: no block gave pages back
    expect(unreserve(pa, ZONE_DMA32, MIGRATE_MOVABLE, false)).toBe(false);
    expect(z.nr_reserved_highatomic).toBe(512);
    expect(mt(pa, 8288)).toBe(MIGRATE_MOVABLE);
    expect(head(z, 2, MIGRATE_HIGHATOMIC)).toBe(8288);
    // found again: its block is no longer HIGHATOMIC, so it is not uncounted twice
    expect(unreserve(pa, ZONE_DMA32, MIGRATE_MOVABLE, true)).toBe(false);
    expect(z.nr_reserved_highatomic).toBe(512);
  });

  it('finds a free highatomic block at pfn 0 (tiny DMA starts there)', () => {
    const { pa, z } = boot(tiny, '6.1', ZONE_DMA);
    expect(takeReserving(pa, z, 9)).toBe(0);
    __free_pages_ok(pa, z, 0, 9); // HIGHATOMIC never merges with movable 512
    expect(buddy_order(pa.pages, 0)).toBe(9);
    expect(unreserve(pa, ZONE_DMA, MIGRATE_MOVABLE, true)).toBe(true);
    expect(z.nr_reserved_highatomic).toBe(0);
    expect(pa.pages.list_mt[0]).toBe(MIGRATE_MOVABLE); // behind 512 on the order-9 list
  });
});

describe('__rmqueue_fallback and __rmqueue', () => {
  /** tiny's DMA32 with every page taken, pageblock 4096 typed `type`, then `free` (pfn, order) given back. */
  function emptied(type: number, free: readonly (readonly [number, number])[]) {
    const { pa, z } = boot(tiny, '6.1');
    for (let i = 0; i < 4; i++) take(pa, z, 10);
    set_pageblock_migratetype(pa.pages, 4096, type);
    for (const [pfn, order] of free) __free_pages_ok(pa, z, pfn, order);
    return { pa, z };
  }

  it('an unmovable request takes the largest fallback block first, with its pageblock', () => {
    const { pa, z } = emptied(MIGRATE_MOVABLE, [
      [4098, 1],
      [4616, 3],
    ]);
    expect(__rmqueue_fallback(pa, z, 0, MIGRATE_UNMOVABLE, 0)).toBe(true);
    // order 3 is found first (searching down from MAX_PAGE_ORDER); pageblock 4608 has 8 free
    // pages and 504 in use, not movable: 8 + 504 >= 256, so it is claimed
    expect([mt(pa, 4096), mt(pa, 4608)]).toEqual([MIGRATE_MOVABLE, MIGRATE_UNMOVABLE]);
    expect(head(z, 3, MIGRATE_UNMOVABLE)).toBe(4616);
    expect(head(z, 1, MIGRATE_MOVABLE)).toBe(4098);
  });

  it('a movable request that may not steal takes the smallest fallback block instead', () => {
    const { pa, z } = emptied(MIGRATE_UNMOVABLE, [
      [4104, 3],
      [4098, 1],
    ]);
    // the largest is order 3 < pageblock_order / 2: no steal, so the smallest (order 1) moves
    // alone to the movable list and the unmovable pageblock keeps its type
    expect(__rmqueue_fallback(pa, z, 0, MIGRATE_MOVABLE, 0)).toBe(true);
    expect(head(z, 1, MIGRATE_MOVABLE)).toBe(4098);
    expect(head(z, 3, MIGRATE_UNMOVABLE)).toBe(4104);
    expect(mt(pa, 4096)).toBe(MIGRATE_UNMOVABLE);
    // a fragmenting fallback boosts: min(512, max(512, high 134 * 15000 / 10000)) = 512
    expect(low_wmark_pages(z)).toBe(112 + 512);
    expect(__rmqueue(pa, z, 0, MIGRATE_MOVABLE, 0)).toBe(4098);
  });

  it('__rmqueue gives -1 when only highatomic pages are free (it never falls back into them)', () => {
    const { pa, z } = emptied(MIGRATE_HIGHATOMIC, [[4096, 9]]);
    expect(__rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, 0)).toBe(-1);
    expect(__rmqueue(pa, z, 0, MIGRATE_MOVABLE, 0)).toBe(-1);
    expect(__rmqueue_smallest(pa, z, 0, MIGRATE_HIGHATOMIC)).toBe(4096);
  });
});
