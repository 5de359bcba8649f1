/**
 * mm/vmscan.c as the model has it (reclaim-and-gfp.md §6 and §9):
 * zone_reclaimable_pages() per version, reclaim and writeback of the
 * oldest folios of zones <= reclaim_idx, allow_direct_reclaim() with its
 * pfmemalloc reserve and direct kswapd wake, throttle_direct_reclaim(),
 * try_to_free_pages(), and the LRU queues they work on.
 */
import { describe, expect, it } from 'vitest';
import {
  createPageAlloc,
  type MachineConfig,
  type ZoneUse,
} from '../../../models/page_alloc/machine.ts';
import { filemap_add_folio, page_owner } from '../../../models/page_alloc/page_alloc.ts';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { MAX_NR_ZONES, min_wmark_pages, ZONE_NORMAL } from '../../../models/page_alloc/zone.ts';
import {
  copyFolioQueue,
  folioQueuePush,
  newFolioQueue,
  oldestQueue,
} from '../../../models/vmscan/lru.ts';
import {
  allow_direct_reclaim,
  shrink_node,
  throttle_direct_reclaim,
  try_to_free_pages,
  writeback_folios,
  zone_reclaimable_pages,
} from '../../../models/vmscan/vmscan.ts';
import { tiny } from './tiny.ts';

const R61 = pageAllocRules['6.1'];
const R618 = pageAllocRules['6.18'];

/** Boot-time use of one zone: unmovable kernel pages, clean page cache (no dirty). */
function use(zone: string, unmovable: number, pagecache = 0): ZoneUse {
  return { zone, unmovable, pagecache, dirty: 0 };
}

/** tiny (DMA and DMA32 of 4096 pages, min watermark 90 each) with what boot left in use. */
function tinyUsing(name: string, ...boot_use: ZoneUse[]): MachineConfig {
  return { ...tiny, name, boot_use };
}

/** DMA full of kernel memory; DMA32 with 100 pages of clean cache and `free` free pages. */
function dmaFull(free: number): MachineConfig {
  return tinyUsing(`dma-full-${free}`, use('DMA', 4096), use('DMA32', 4096 - 100 - free, 100));
}

const dmaFull45 = dmaFull(45);
const dmaFull46 = dmaFull(46);
const dmaFull60 = dmaFull(60);
/** DMA with 100 pages of cache and 50 free; DMA32 with no cache and 10 free. */
const dmaCacheDma32Bare = tinyUsing(
  'dma-cache-dma32-bare',
  use('DMA', 3946, 100),
  use('DMA32', 4086),
);
/** DMA with 100 pages of cache and 3996 free; DMA32 full of kernel memory. */
const dma32Full = tinyUsing('dma32-full', use('DMA', 0, 100), use('DMA32', 4096));
/** Every page held by the kernel: no free pages, no page cache. */
const allKernel = tinyUsing('all-kernel', use('DMA', 4096), use('DMA32', 4096));
/** Page cache on both zones, the DMA folios put there first (older). */
const dmaOlder = tinyUsing('dma-older', use('DMA', 0, 8), use('DMA32', 0, 8));
/** Page cache on both zones, the DMA32 folios put there first (older). */
const dma32Older = tinyUsing('dma32-older', use('DMA32', 0, 8), use('DMA', 0, 8));

/** DMA, DMA32 and Normal of 4096 pages each (min 73 each); DMA and DMA32 full, Normal 46 cache, 30 free. */
const normalCache: MachineConfig = {
  name: 'normal-cache',
  memory: [
    { start: 0, end: 8192 },
    { start: 1048576, end: 1048576 + 4096 },
  ],
  reserved: [],
  boot_use: [use('DMA', 4096), use('DMA32', 4096), use('Normal', 4020, 46)],
};

/** No DMA zone (memory starts at 16 MiB): DMA32 of 4096 pages (min 128), 20 pages of cache, 40 free. */
const noDma: MachineConfig = {
  name: 'no-dma',
  memory: [{ start: 4096, end: 8192 }],
  reserved: [],
  boot_use: [use('DMA32', 4036, 20)],
};

function zone(pa: PageAlloc, i: number): Zone {
  return pa.zones[i] as Zone;
}

/** [free, min watermark] of zones 0..Normal: the inputs of allow_direct_reclaim(), checked before use. */
function freeAndMin(pa: PageAlloc): number[][] {
  return [0, 1, ZONE_NORMAL].map((i) => [zone(pa, i).nr_free_pages, min_wmark_pages(zone(pa, i))]);
}

/** The live entries of a queue, oldest first. */
function entries(q: Zone['lru_clean']): { pfn: number; order: number; seq: number }[] {
  const out: { pfn: number; order: number; seq: number }[] = [];
  for (let i = q.head; i < q.tail; i++)
    out.push({ pfn: q.pfn[i] as number, order: q.order[i] as number, seq: q.seq[i] as number });
  return out;
}

/** Adds `n` order-0 folios to a fresh tiny node (they land in DMA32); returns their pfns, oldest first. */
function addFolios(pa: PageAlloc, n: number, dirty: boolean): number[] {
  const pfns: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = filemap_add_folio(pa, 0, dirty);
    expect(r.zone).toBe(1);
    pfns.push(r.pfn as number);
  }
  return pfns;
}

describe('zone_reclaimable_pages', () => {
  it('counts the clean and the dirty file pages of the zone, in every version', () => {
    for (const rules of [pageAllocRules['5.4'], R61, R618]) {
      const pa = createPageAlloc(tiny, rules);
      addFolios(pa, 2, false);
      addFolios(pa, 1, true);
      // 2 clean + 1 dirty, whatever the free count (4093) is
      expect(zone_reclaimable_pages(pa, zone(pa, 1))).toBe(3);
    }
  });

  it('an LRU-empty zone: NR_FREE_PAGES with the stable fix 6aaced5abd32 (5.4.301, late 6.1.y), 0 in 6.18', () => {
    for (const rules of [pageAllocRules['5.4'], R61]) {
      expect(rules.zone_reclaimable_pages_free_fallback).toBe(true);
      const pa = createPageAlloc(tiny, rules);
      expect(zone_reclaimable_pages(pa, zone(pa, 0))).toBe(4096);
    }
    // the v6.1 release predates the fix: 0, as in 6.18
    const p610 = createPageAlloc(tiny, pageAllocRules['6.1.0']);
    expect(zone_reclaimable_pages(p610, zone(p610, 0))).toBe(0);
    expect(R618.zone_reclaimable_pages_free_fallback).toBe(false);
    const pa = createPageAlloc(tiny, R618);
    expect(zone(pa, 0).nr_free_pages).toBe(4096);
    expect(zone_reclaimable_pages(pa, zone(pa, 0))).toBe(0);
  });
});

describe('shrink_node and writeback: the oldest folios of zones <= reclaim_idx', () => {
  it('reclaim frees only folios of zones <= reclaim_idx, oldest first, until k pages are freed', () => {
    const pa = createPageAlloc(tiny, R61);
    const pfns = addFolios(pa, 3, false);
    // all the cache is in DMA32: a DMA-only reclaimer frees nothing
    expect(shrink_node(pa, 0, 32)).toBe(0);
    expect(shrink_node(pa, 1, 2)).toBe(2);
    expect(pfns.map((p) => page_owner(pa, p))).toEqual(['buddy-free', 'buddy-free', 'page-cache']);
    expect(zone(pa, 1).nr_clean).toBe(1);
  });

  it('the oldest folio goes first across zones, whichever zone holds it', () => {
    const a = createPageAlloc(dmaOlder, R61);
    expect(zone(a, 0).nr_clean).toBe(8);
    const dma32Before = zone(a, 1).nr_clean;
    expect(shrink_node(a, 1, 1)).toBeGreaterThan(0);
    expect(zone(a, 0).nr_clean).toBeLessThan(8);
    expect(zone(a, 1).nr_clean).toBe(dma32Before);

    const b = createPageAlloc(dma32Older, R61);
    expect(shrink_node(b, 1, 1)).toBeGreaterThan(0);
    expect(zone(b, 0).nr_clean).toBe(8);
    expect(zone(b, 1).nr_clean).toBeLessThan(8);
  });

  it('writeback turns the oldest dirty folios clean (pendingDirty -> reclaimableNow), keeping their age', () => {
    const pa = createPageAlloc(tiny, R61);
    const pfns = addFolios(pa, 3, true);
    const z = zone(pa, 1);
    const seqs = entries(z.lru_dirty).map((e) => e.seq);
    // DMA holds no dirty folio
    expect(writeback_folios(pa, 0, 5)).toBe(0);
    expect(writeback_folios(pa, 1, 2)).toBe(2);
    expect([z.nr_clean, z.nr_dirty]).toEqual([2, 1]);
    expect(entries(z.lru_clean)).toEqual([
      { pfn: pfns[0], order: 0, seq: seqs[0] },
      { pfn: pfns[1], order: 0, seq: seqs[1] },
    ]);
    expect(entries(z.lru_dirty).map((e) => e.pfn)).toEqual([pfns[2]]);
    // only one dirty page is left to clean
    expect(writeback_folios(pa, 1, 5)).toBe(1);
    expect([z.nr_clean, z.nr_dirty]).toEqual([3, 0]);
  });
});

describe('the LRU queues', () => {
  it('oldestQueue: zones <= reclaim_idx only; an index past the last zone makes every zone eligible', () => {
    const pa = createPageAlloc(dma32Older, R61);
    expect(oldestQueue(pa.zones, 1, 'lru_clean')).toBe(zone(pa, 1));
    expect(oldestQueue(pa.zones, 0, 'lru_clean')).toBe(zone(pa, 0));
    expect(oldestQueue(pa.zones, MAX_NR_ZONES, 'lru_clean')).toBe(zone(pa, 1));
    expect(oldestQueue(pa.zones, MAX_NR_ZONES, 'lru_dirty')).toBeNull();
  });

  it('a copied queue is independent: pushes to either never show in the other', () => {
    const q = newFolioQueue(4);
    folioQueuePush(q, 10, 0, 1);
    const c = copyFolioQueue(q);
    folioQueuePush(q, 20, 1, 2);
    folioQueuePush(c, 30, 2, 3);
    expect(entries(q)).toEqual([
      { pfn: 10, order: 0, seq: 1 },
      { pfn: 20, order: 1, seq: 2 },
    ]);
    expect(entries(c)).toEqual([
      { pfn: 10, order: 0, seq: 1 },
      { pfn: 30, order: 2, seq: 3 },
    ]);
  });

  it('two states of one machine keep their own page cache (createPageAlloc copies the boot queues)', () => {
    const a = createPageAlloc(tiny, R61);
    const b = createPageAlloc(tiny, R61);
    const [mine] = addFolios(a, 1, false);
    expect(filemap_add_folio(b, 2, false).zone).toBe(1);
    // a reclaims exactly its one order-0 folio, at its own pfn
    expect(shrink_node(a, 1, 32)).toBe(1);
    expect(page_owner(a, mine as number)).toBe('buddy-free');
    expect(zone(a, 1).nr_clean).toBe(0);
    expect(zone(a, 1).nr_free_pages).toBe(4096);
  });
});

describe('allow_direct_reclaim: free > reserve/2 over the zones 0..Normal that count', () => {
  it('late 6.1.y skips a zone without reclaimable pages; 6.18 counts it when it has no free pages either', () => {
    // DMA: no LRU, 0 free. DMA32: 100 cache, 60 free. min 90 each.
    for (const rules of [R61, R618])
      expect(freeAndMin(createPageAlloc(dmaFull60, rules))).toEqual([
        [0, 90],
        [60, 90],
        [0, 0],
      ]);
    // 6.1: reserve 90 (DMA32), free 60 > 45
    expect(allow_direct_reclaim(createPageAlloc(dmaFull60, R61))).toBe(true);
    // 6.18: reserve 180, free 60 <= 90
    expect(allow_direct_reclaim(createPageAlloc(dmaFull60, R618))).toBe(false);
  });

  it('6.18 skips a zone with no LRU pages but free pages; late 6.1.y counts it through the free fallback', () => {
    // DMA: 100 cache, 50 free. DMA32: no LRU, 10 free.
    expect(freeAndMin(createPageAlloc(dmaCacheDma32Bare, R618))).toEqual([
      [50, 90],
      [10, 90],
      [0, 0],
    ]);
    // 6.18: DMA32 skipped, reserve 90, free 50 > 45
    expect(allow_direct_reclaim(createPageAlloc(dmaCacheDma32Bare, R618))).toBe(true);
    // 6.1: DMA32 counts (reclaimable = its 10 free), reserve 180, free 60 <= 90
    expect(allow_direct_reclaim(createPageAlloc(dmaCacheDma32Bare, R61))).toBe(false);
  });

  it('6.18: the free pages of a zone with page cache count, with the min of a full LRU-empty zone', () => {
    // DMA: 100 cache, 3996 free. DMA32: full. 6.18: reserve 180, free 3996; 6.1: reserve 90, free 3996
    expect(freeAndMin(createPageAlloc(dma32Full, R618))).toEqual([
      [3996, 90],
      [0, 90],
      [0, 0],
    ]);
    for (const rules of [R61, R618])
      expect(allow_direct_reclaim(createPageAlloc(dma32Full, rules))).toBe(true);
  });

  it('the test is strict: free equal to half the reserve (integer division) throttles', () => {
    // 6.1: reserve 90 (DMA32 only), half 45
    expect(allow_direct_reclaim(createPageAlloc(dmaFull45, R61))).toBe(false);
    expect(allow_direct_reclaim(createPageAlloc(dmaFull46, R61))).toBe(true);
  });

  it('a reserve of 0 (no zone counts) allows reclaim', () => {
    // 6.1: a node with every page in kernel use has nothing reclaimable: every zone skipped
    expect(allow_direct_reclaim(createPageAlloc(allKernel, R61))).toBe(true);
    // 6.18: a fresh node has free pages and no LRU pages: every zone skipped
    expect(allow_direct_reclaim(createPageAlloc(tiny, R618))).toBe(true);
    // 6.18: the same full node counts both zones (nothing reclaimable, nothing free): reserve 180, free 0
    expect(allow_direct_reclaim(createPageAlloc(allKernel, R618))).toBe(false);
  });

  it('ZONE_NORMAL is among the zones that count', () => {
    // 6.1: DMA and DMA32 skipped (full, no LRU); Normal: reserve 73, free 30 <= 36
    const pa = createPageAlloc(normalCache, R61);
    expect(freeAndMin(pa)).toEqual([
      [0, 73],
      [0, 73],
      [30, 73],
    ]);
    expect(allow_direct_reclaim(pa)).toBe(false);
  });

  it('a kswapd that gave up (kswapd_failures >= 16) never throttles', () => {
    const pa = createPageAlloc(allKernel, R618);
    pa.pgdat.kswapd_failures = 16;
    expect(allow_direct_reclaim(pa)).toBe(true);
  });
});

describe('allow_direct_reclaim wakes a sleeping kswapd itself when the reserve is not met', () => {
  it('lowers kswapd_highest_zoneidx from the sentinel to Normal and wakes kswapd, order untouched', () => {
    const pa = createPageAlloc(dmaFull60, R618);
    expect([pa.pgdat.kswapd.position, pa.pgdat.kswapd_highest_zoneidx]).toEqual([
      'full_sleep',
      MAX_NR_ZONES,
    ]);
    expect(allow_direct_reclaim(pa)).toBe(false);
    expect(pa.pgdat.kswapd.position).toBe('running');
    expect(pa.pgdat.kswapd_highest_zoneidx).toBe(ZONE_NORMAL);
    expect(pa.pgdat.kswapd_order).toBe(0);
  });

  it('a recorded zone below Normal is kept, not raised', () => {
    const pa = createPageAlloc(dmaFull60, R618);
    // a waker asked for DMA32 while kswapd slept (wakeup_kswapd records it even without waking)
    pa.pgdat.kswapd_highest_zoneidx = 1;
    pa.pgdat.kswapd_order = 3;
    expect(allow_direct_reclaim(pa)).toBe(false);
    expect([pa.pgdat.kswapd_highest_zoneidx, pa.pgdat.kswapd_order]).toEqual([1, 3]);
    expect(pa.pgdat.kswapd.position).toBe('running');
  });

  it('a running kswapd is left alone, and so is a sleeping one when reclaim is allowed', () => {
    const running = createPageAlloc(dmaFull60, R618);
    running.pgdat.kswapd.position = 'running';
    expect(allow_direct_reclaim(running)).toBe(false);
    expect(running.pgdat.kswapd_highest_zoneidx).toBe(MAX_NR_ZONES);

    const ok = createPageAlloc(dmaFull60, R61);
    expect(allow_direct_reclaim(ok)).toBe(true);
    expect([ok.pgdat.kswapd.position, ok.pgdat.kswapd_highest_zoneidx]).toEqual([
      'full_sleep',
      MAX_NR_ZONES,
    ]);
  });
});

describe('throttle_direct_reclaim: a zone <= min(gfp_zone, Normal) names the node', () => {
  it('throttles every zone index when allow_direct_reclaim is false, a DMA request included', () => {
    for (const hz of [0, 1, ZONE_NORMAL, 3])
      expect(throttle_direct_reclaim(createPageAlloc(dmaFull60, R618), hz)).toBe(true);
    for (const hz of [0, 1, ZONE_NORMAL, 3])
      expect(throttle_direct_reclaim(createPageAlloc(dmaFull60, R61), hz)).toBe(false);
  });

  it('no zone qualifies: a DMA request on a node without DMA is not throttled and wakes nobody', () => {
    // DMA32 alone: reserve 128, free 40 <= 64, so the node itself throttles
    const pa = createPageAlloc(noDma, R61);
    expect(pa.zonelist).toEqual([1]);
    expect(freeAndMin(pa)).toEqual([
      [0, 0],
      [40, 128],
      [0, 0],
    ]);
    expect(throttle_direct_reclaim(pa, 0)).toBe(false);
    expect(pa.pgdat.kswapd.position).toBe('full_sleep');
    expect(throttle_direct_reclaim(pa, 1)).toBe(true);
    expect(pa.pgdat.kswapd.position).toBe('running');
  });
});

describe('try_to_free_pages', () => {
  it('reclaims only from zones <= reclaim_idx (gfp_zone), and reports the throttle', () => {
    const pa = createPageAlloc(tiny, R61);
    addFolios(pa, 3, false);
    expect(try_to_free_pages(pa, 0, 32)).toEqual({ throttled: false, reclaimed: 0 });
    expect(try_to_free_pages(pa, 1, 32)).toEqual({ throttled: false, reclaimed: 3 });

    const t = createPageAlloc(dmaFull60, R618);
    expect(try_to_free_pages(t, 0, 32)).toEqual({ throttled: true, reclaimed: 0 });
  });
});
