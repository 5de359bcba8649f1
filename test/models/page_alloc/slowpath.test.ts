/**
 * __alloc_pages_slowpath()'s retry decisions (reclaim-and-gfp.md §4 S8-S16, §7; page-alloc.md §2,
 * §9, §11), late 6.1.y with 5.4 where the rules differ: should_reclaim_retry() (no_progress_loops,
 * the zones it checks, the forced highatomic unreserve), should_compact_retry() for compaction
 * that always fails, warn_alloc()'s line, prepare_alloc_pages()'s preferred zone and classzone_idx,
 * and the check get_page_from_freelist() records for the winning zone.
 *
 * Numbers are tiny's (tiny.ts): 4096 managed pages per zone, min/low/high 90/112/134.
 * min_free_kbytes 16000 gives each zone min 2000 (4000 pages split by managed pages), 40000 gives
 * min 5000. zone_reclaimable_pages() counts NR_FREE_PAGES when a zone has no LRU pages (late
 * 6.1.y), so an LRU-less zone offers should_reclaim_retry() twice its free pages.
 */
import { describe, expect, it } from 'vitest';
import { ALLOC_KSWAPD, ALLOC_WMARK_LOW } from '../../../models/page_alloc/alloc_flags.ts';
import {
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_MEMALLOC,
  __GFP_RETRY_MAYFAIL,
} from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc, type MachineConfig } from '../../../models/page_alloc/machine.ts';
import {
  __alloc_pages,
  type AllocEvent,
  type AllocResult,
  filemap_add_folio,
  prepare_alloc_pages,
  vm_sysctl_write,
} from '../../../models/page_alloc/page_alloc.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc } from '../../../models/page_alloc/state.ts';
import { ZONE_DMA, ZONE_DMA32 } from '../../../models/page_alloc/zone.ts';
import { highatomicOnly, normalOnly, starved, tiny } from './tiny.ts';

type Retry = Extract<AllocEvent, { kind: 'should_reclaim_retry' }>;

/** should_reclaim_retry()'s answers, in order, as (retry, no_progress_loops). */
const retries = (r: AllocResult) =>
  r.events
    .filter((e): e is Retry => e.kind === 'should_reclaim_retry')
    .map((e) => [e.retry, e.loops] as const);

/** The forced unreserve_highatomic_pageblock() calls (the reports print "force true"). */
const forced = (r: AllocResult) =>
  r.events.filter((e) => e.kind === 'unreserve_highatomic' && e.force);

/** ZONE_DMA emptied by an emergency caller (__GFP_MEMALLOC): four order-10 blocks, 0 pages free. */
function emptyDma(pa: PageAlloc): PageAlloc {
  for (let i = 0; i < 4; i++)
    __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_MEMALLOC, order: 10 });
  expect(pa.zones[ZONE_DMA]?.nr_free_pages).toBe(0);
  return pa;
}

/**
 * tiny (late 6.1.y) with DMA empty and DMA32 filled with clean page cache by readahead that may not
 * reclaim (4006 folios, DMA32 left at its min, 90 free), then `echo mfk > min_free_kbytes`. Direct
 * reclaim then frees 32 clean pages a round (SWAP_CLUSTER_MAX), always making progress.
 */
function cacheBound(mfk: number, v: PageAllocVersion = '6.1'): PageAlloc {
  const pa = emptyDma(createPageAlloc(tiny, pageAllocRules[v]));
  while (filemap_add_folio(pa, 0, false, 0).pfn !== null);
  expect([pa.zones[ZONE_DMA32]?.nr_free_pages, pa.zones[ZONE_DMA32]?.nr_clean]).toEqual([90, 4006]);
  vm_sysctl_write(pa, 'min_free_kbytes', mfk);
  return pa;
}

describe('get_page_from_freelist', () => {
  it.each(['5.4', '6.1'] as const)(
    '%s: a zone whose check passes but whose rmqueue() finds no block is skipped for the next zone',
    (v) => {
      // DMA32 holds only its highatomic block (1024 free, 512 reserved): GFP_KERNEL's fast path
      // passes there (5.4 ignores highatomic at order 0: 1024 > low 112; 6.1: 1024 - 512 > 112),
      // but __rmqueue() never takes HIGHATOMIC pages, so the page comes from DMA, still at low
      const pa = highatomicOnly(v, ZONE_DMA32);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 0 });
      expect([r.pfn, r.zone]).toEqual([0, ZONE_DMA]);
      // the winning check as recorded for the reserve-floor property (I12), which reads the
      // low watermark for a fast-path win and high for an OOM-path win: DMA before rmqueue(),
      // lowmem_reserve[DMA32] 16
      expect(r.won).toEqual({
        stage: 'fast',
        alloc_flags: ALLOC_WMARK_LOW | ALLOC_KSWAPD,
        zone: ZONE_DMA,
        free: 4096,
        watermark: [90, 112, 134],
        boost: 0,
        reserve: 16,
        nr_reserved_highatomic: 0,
        nr_free_highatomic: 0,
      });
    },
  );
});

describe('should_reclaim_retry: the forced highatomic unreserve', () => {
  it.each(['5.4', '6.1'] as const)(
    '%s: after MAX_RECLAIM_RETRIES (16) failed rounds the highatomic reserve is unreserved with force',
    (v) => {
      // DMA holds only its highatomic block. GFP_KERNEL | __GFP_DMA order 0 passes the check
      // (5.4 at order 0: 1024 > min 90; 6.1: 1024 - 512 > 90) but rmqueue() finds no UNMOVABLE
      // page, at every attempt; reclaim frees nothing. should_reclaim_retry() says retry (1024 +
      // 1024 free counted twice, - 512 reserved > 90) for loops 1..16; at loops 17 > 16 it unreserves with force: DMA's 512 are not
      // > one pageblock, so only force releases them. That makes it retry once more, and the 18th
      // attempt (S6) takes pfn 0 from the block, now UNMOVABLE.
      const pa = highatomicOnly(v, ZONE_DMA);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA, order: 0, reclaim: 0 });
      expect(r.reclaim_rounds).toBe(17);
      expect(retries(r)).toEqual(Array.from({ length: 17 }, (_, i) => [true, i + 1]));
      expect(forced(r)).toEqual([{ kind: 'unreserve_highatomic', force: true, released: true }]);
      expect([r.pfn, r.won?.stage]).toEqual([0, 'retry']);
      expect(pa.zones[ZONE_DMA]?.nr_reserved_highatomic).toBe(0);
    },
  );

  it('late 6.1.y unreserves with force whenever it gives up; 5.4 only after 16 rounds', () => {
    // GFP_KERNEL | __GFP_DMA order 1 in the same DMA: the check needs a free block of order >= 1
    // of a type the caller may use, and the only one is HIGHATOMIC, so should_reclaim_retry()
    // gives up at loops 1. 6.1 then calls unreserve_highatomic_pageblock(force), which releases
    // the block, so it retries and S6 takes order-1 block 0. 5.4 just gives up: no OOM for DMA.
    const late = highatomicOnly('6.1', ZONE_DMA);
    const r = __alloc_pages(late, { gfp: late.gfp.GFP_KERNEL | __GFP_DMA, order: 1, reclaim: 0 });
    expect(forced(r)).toEqual([{ kind: 'unreserve_highatomic', force: true, released: true }]);
    expect(retries(r)).toEqual([[true, 1]]);
    expect([r.pfn, r.won?.stage, r.reclaim_rounds]).toEqual([0, 'retry', 1]);

    const old = highatomicOnly('5.4', ZONE_DMA);
    const o = __alloc_pages(old, { gfp: old.gfp.GFP_KERNEL | __GFP_DMA, order: 1, reclaim: 0 });
    expect(forced(o)).toEqual([]);
    expect(retries(o)).toEqual([[false, 1]]);
    expect([o.pfn, o.reclaim_rounds]).toEqual([null, 1]);
    expect(o.events).toContainEqual({ kind: 'oom', what: 'skip' });
  });
});

describe('should_reclaim_retry: the zones it checks', () => {
  // starved tiny (min 5000) with DMA emptied; DMA32 keeps its 4096 free pages and no LRU pages
  it('the zone at highest_zoneidx counts: GFP_DMA32 retries on DMA32 until 16 rounds without progress', () => {
    // DMA32: 4096 + 4096 > 5000, so retry for loops 1..16; gives up at 17 (DMA: 0 + 0)
    const pa = emptyDma(starved('6.1'));
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 0, reclaim: 0 });
    expect(r.reclaim_rounds).toBe(17);
    expect(retries(r).at(-1)).toEqual([false, 17]);
    expect(r.pfn).toBeNull();
  });

  it('zones above highest_zoneidx do not: GFP_DMA gives up at once though DMA32 would pass', () => {
    // only DMA (0 free, nothing reclaimable) is checked: no retry at loops 1; late 6.1.y's forced
    // unreserve finds no highatomic block; no OOM for a DMA request
    const pa = emptyDma(starved('6.1'));
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA, order: 0, reclaim: 0 });
    expect(r.reclaim_rounds).toBe(1);
    expect(retries(r)).toEqual([[false, 1]]);
    expect(forced(r)).toEqual([{ kind: 'unreserve_highatomic', force: true, released: false }]);
    expect(r.events).toContainEqual({ kind: 'oom', what: 'skip' });
  });
});

describe('should_reclaim_retry: no_progress_loops and progress', () => {
  // cacheBound(16000): DMA32 min 2000, 90 free, 4006 clean. Each round reclaims 32 (the default
  // SWAP_CLUSTER_MAX); the retry check passes (4006 + 90 > 2000, and the 90 free pages include an
  // order-6 block). The attempt after round n sees 90 + 32n free: 60 rounds give 2010 > 2000
  // (order 3 counts 2010 - 7 > 2000), 59 give 1978.
  it.each([0, 3])(
    'progress at order %i (<= PAGE_ALLOC_COSTLY_ORDER) resets the count, so reclaim goes on until the page comes',
    (order) => {
      const pa = cacheBound(16000);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order });
      expect(r.reclaim_rounds).toBe(60);
      expect(r.reclaimed).toBe(60 * 32);
      expect(retries(r)).toEqual(Array.from({ length: 59 }, () => [true, 0]));
      expect([r.pfn, r.won?.stage]).toEqual([4096, 'reclaim']);
    },
  );

  it('a costly order never resets no_progress_loops on progress: order 4 gives up at loops 17', () => {
    // GFP_KERNEL | __GFP_RETRY_MAYFAIL order 4: loops 1..16 retry, 17 > MAX_RECLAIM_RETRIES gives
    // up, long before 60 rounds could free the pages; no OOM for a costly order
    const pa = cacheBound(16000);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_RETRY_MAYFAIL, order: 4 });
    expect(retries(r).slice(0, 17)).toEqual(Array.from({ length: 17 }, (_, i) => [i < 16, i + 1]));
    // should_compact_retry() starts at DEF_COMPACT_PRIORITY, sync-light: already a costly
    // order's floor, so no further round
    expect(r.reclaim_rounds).toBe(17);
    expect(r.pfn).toBeNull();
  });

  it('without __GFP_IO a costly order gives up after one round in late 6.1.y (6.8, stable); the v6.1 release retries', () => {
    const rounds = (v: PageAllocVersion) => {
      const pa = cacheBound(16000, v);
      return __alloc_pages(pa, { gfp: pa.gfp.GFP_NOIO | __GFP_RETRY_MAYFAIL, order: 4 })
        .reclaim_rounds;
    };
    expect(rounds('6.1')).toBe(1);
    expect(rounds('6.1.0')).toBe(17);
  });
});

describe('should_compact_retry (direct compaction always fails)', () => {
  // cacheBound(40000): min 5000 > 4096 pages in all, so should_reclaim_retry() never retries,
  // whereas each round reclaims 32 pages: S12 (progress and should_compact_retry) decides alone.
  // A failed compaction steps the priority once per round down to MIN_COMPACT_PRIORITY
  // (sync-full), for a costly order MIN_COMPACT_COSTLY_PRIORITY (sync-light). The retry loop
  // starts at DEF_COMPACT_PRIORITY (sync-light; S5's initial compaction alone is async).
  it('order 0 never retries compaction: one round, no_progress_loops reset to 0', () => {
    const pa = cacheBound(40000);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 0 });
    expect([r.reclaim_rounds, r.reclaimed]).toEqual([1, 32]);
    expect(retries(r)).toEqual([[false, 0]]);
    expect(r.pfn).toBeNull();
  });

  it('an order-3 request steps down to sync-full: sync-light -> sync-full, two rounds', () => {
    const pa = cacheBound(40000);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 3 });
    expect(r.reclaim_rounds).toBe(2);
    expect(retries(r)).toEqual([
      [false, 0],
      [false, 0],
    ]);
    expect(r.pfn).toBeNull();
  });

  it('an order-4 request stops at once: sync-light is already its floor, one round', () => {
    const pa = cacheBound(40000);
    const gfp = pa.gfp.GFP_KERNEL | __GFP_RETRY_MAYFAIL;
    const r = __alloc_pages(pa, { gfp, order: 4 });
    expect(r.reclaim_rounds).toBe(1);
    // a costly order counts every round (loops 1)
    expect(retries(r)).toEqual([[false, 1]]);
    // S16: warn_alloc prints mode:0x<hex>(<%pGg>); 0x4cc0 = GFP_KERNEL 0xcc0 | 0x4000
    expect(r.events.at(-1)).toEqual({
      kind: 'warn_alloc',
      text: 'page allocation failure: order:4, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL)',
    });
  });
});

describe('prepare_alloc_pages', () => {
  /** 16 MiB: ZONE_DMA only. */
  const dmaOnly: MachineConfig = { ...tiny, name: 'dma-only', memory: [{ start: 0, end: 4096 }] };
  /** tiny without its first 16 MiB: ZONE_DMA32 only. */
  const noDma: MachineConfig = { ...tiny, name: 'no-dma', memory: [{ start: 4096, end: 8192 }] };
  const ac = (m: MachineConfig, v: PageAllocVersion, zoneFlag: number) => {
    const pa = createPageAlloc(m, pageAllocRules[v]);
    return prepare_alloc_pages(pa, pa.gfp.GFP_KERNEL | zoneFlag);
  };

  it('the preferred zone is the first in the zonelist (DMA32, DMA) at or below highest_zoneidx', () => {
    expect(ac(tiny, '6.1', 0)?.preferred_zone).toBe(ZONE_DMA32);
    expect(ac(tiny, '6.1', __GFP_DMA)?.preferred_zone).toBe(ZONE_DMA);
  });

  it('5.4: classzone_idx is the preferred zone; 6.1: highest_zoneidx (3334a45eb9e2, v5.8)', () => {
    // GFP_KERNEL on tiny: gfp_zone Normal (2), but the first populated zone is DMA32
    expect(ac(tiny, '5.4', 0)).toMatchObject({ highest_zoneidx: 2, classzone_idx: ZONE_DMA32 });
    expect(ac(tiny, '6.1', 0)).toMatchObject({ highest_zoneidx: 2, classzone_idx: 2 });
    // 16 MiB: the preferred zone is DMA (index 0), which 5.4 takes as it is
    expect(ac(dmaOnly, '5.4', 0)).toMatchObject({
      preferred_zone: ZONE_DMA,
      classzone_idx: ZONE_DMA,
    });
  });

  it('5.4, no zone at or below highest_zoneidx: preferred_zoneref is the terminator (zone_idx 0)', () => {
    // the slowpath goes to nopage before any check reads classzone_idx
    expect(ac(noDma, '5.4', __GFP_DMA)).toMatchObject({ preferred_zone: -1, classzone_idx: 0 });
    expect(ac(normalOnly, '5.4', __GFP_DMA32)).toMatchObject({
      highest_zoneidx: 1,
      preferred_zone: -1,
      classzone_idx: 0,
    });
    expect(ac(normalOnly, '6.1', __GFP_DMA32)).toMatchObject({
      preferred_zone: -1,
      classzone_idx: 1,
    });
  });
});
