/**
 * mm/vmscan.c (6.1; 5.4 and 6.18 as rules): what reclaim frees and how
 * direct reclaimers are throttled, in the abstraction of
 * reclaim-and-gfp.md §9.
 *
 * Models: zone_reclaimable_pages(), shrink_node() as "free up to k of the
 * oldest clean page-cache folios in zones <= reclaim_idx" (k chosen by the
 * caller: the generator's nondeterminism, 0 allowed), writeback as "dirty
 * folios worth at least k pages become clean", try_to_free_pages(), allow_direct_reclaim(),
 * throttle_direct_reclaim().
 * A pass that frees anything resets kswapd_failures (shrink_node()).
 * Left out: LRU aging and the priority arithmetic of shrink_node (replaced
 * by k), slab shrinkers, anon/swap, memcg, the 1-jiffy NOPROGRESS sleeps of
 * consider_reclaim_throttle (no effect on state), fatal signals. A
 * throttled task cannot wait in a synchronous model: the wait is recorded
 * as an event, kswapd is woken as the kernel does, and the task goes on as
 * if the wait had ended.
 * Context: try_to_free_pages() and throttling may sleep (task context).
 */
import { __free_pages_ok } from '../page_alloc/page_alloc.ts';
import type { PageAlloc, Zone } from '../page_alloc/state.ts';
import { min_wmark_pages, ZONE_NORMAL } from '../page_alloc/zone.ts';
import { folioQueuePush, oldestQueue } from './lru.ts';

/** SWAP_CLUSTER_MAX: direct reclaim's target per call. */
export const SWAP_CLUSTER_MAX = 32;
/** MAX_RECLAIM_RETRIES: kswapd gives up after this many failed passes. */
export const MAX_RECLAIM_RETRIES = 16;

/**
 * zone_reclaimable_pages(), 6.1: file LRU pages of the zone; the stable
 * fix 6aaced5abd32 (late 6.1.y, 5.4.301, not 6.18) returns NR_FREE_PAGES
 * when that is 0.
 */
export function zone_reclaimable_pages(pa: PageAlloc, z: Zone): number {
  const nr = z.nr_clean + z.nr_dirty;
  if (nr === 0 && pa.rules.zone_reclaimable_pages_free_fallback) return z.nr_free_pages;
  return nr;
}

/**
 * shrink_node() abstracted: free the oldest clean folios of zones
 * <= reclaim_idx until at least `k` pages are freed or none is left.
 * Returns the pages freed; resets kswapd_failures when any were.
 */
export function shrink_node(pa: PageAlloc, reclaim_idx: number, k: number): number {
  let reclaimed = 0;
  while (reclaimed < k) {
    const z = oldestQueue(pa.zones, reclaim_idx, 'lru_clean');
    if (!z) break;
    const q = z.lru_clean;
    const pfn = q.pfn[q.head] as number;
    const order = q.order[q.head] as number;
    q.head += 1;
    z.nr_clean -= 2 ** order;
    __free_pages_ok(pa, z, pfn, order);
    reclaimed += 2 ** order;
  }
  if (reclaimed > 0) pa.pgdat.kswapd_failures = 0;
  return reclaimed;
}

/**
 * Writeback completing: the oldest dirty folios of zones <= reclaim_idx become
 * clean until at least `k` pages have (a large folio may take it past `k`) or none is left.
 */
export function writeback_folios(pa: PageAlloc, reclaim_idx: number, k: number): number {
  let cleaned = 0;
  while (cleaned < k) {
    const z = oldestQueue(pa.zones, reclaim_idx, 'lru_dirty');
    if (!z) break;
    const q = z.lru_dirty;
    const pfn = q.pfn[q.head] as number;
    const order = q.order[q.head] as number;
    const seq = q.seq[q.head] as number;
    q.head += 1;
    z.nr_dirty -= 2 ** order;
    z.nr_clean += 2 ** order;
    folioQueuePush(z.lru_clean, pfn, order, seq);
    cleaned += 2 ** order;
  }
  return cleaned;
}

/**
 * allow_direct_reclaim(), 6.1: true when kswapd has given up (the 2017
 * fix), when the zones up to Normal with reclaimable pages have no min
 * watermark, or when their free pages exceed half their min watermarks.
 * Otherwise wakes kswapd directly (raising its zone to Normal) and returns
 * false.
 */
export function allow_direct_reclaim(pa: PageAlloc): boolean {
  const pgdat = pa.pgdat;
  if (pgdat.kswapd_failures >= MAX_RECLAIM_RETRIES) return true;
  let pfmemalloc_reserve = 0;
  let free_pages = 0;
  for (let i = 0; i <= ZONE_NORMAL; i++) {
    const z = pa.zones[i] as Zone;
    // Stryker disable next-line ConditionalExpression: an unmanaged zone has no free pages, marks or folios, so it adds 0 either way; kept as the kernel's managed_zone()
    if (z.managed_pages === 0) continue;
    const reclaimable = zone_reclaimable_pages(pa, z);
    const skip =
      pa.rules.allow_direct_reclaim_skip === 'no_reclaimable'
        ? reclaimable === 0
        : reclaimable === 0 && z.nr_free_pages > 0;
    if (skip) continue;
    pfmemalloc_reserve += min_wmark_pages(z);
    free_pages += z.nr_free_pages;
  }
  if (!pfmemalloc_reserve) return true;
  const wmark_ok = free_pages > Math.floor(pfmemalloc_reserve / 2);
  if (!wmark_ok && pgdat.kswapd.position !== 'running') {
    pgdat.kswapd_highest_zoneidx = Math.min(pgdat.kswapd_highest_zoneidx, ZONE_NORMAL);
    pa.fns.wake_up_kswapd(pa);
  }
  return wmark_ok;
}

/**
 * throttle_direct_reclaim(), 6.1: a user task reclaiming for a zone up to
 * Normal waits on pfmemalloc_wait while allow_direct_reclaim() is false.
 * Returns whether the task would have been throttled.
 */
export function throttle_direct_reclaim(pa: PageAlloc, highest_zoneidx: number): boolean {
  // the first zone up to min(gfp_zone, Normal) names the node; one node here
  const top = Math.min(highest_zoneidx, ZONE_NORMAL);
  const anyZone = pa.zonelist.some((zi) => zi <= top);
  if (!anyZone) return false;
  return !pa.fns.allow_direct_reclaim(pa);
}

/** What try_to_free_pages() did. */
export interface DirectReclaim {
  readonly throttled: boolean;
  readonly reclaimed: number;
}

/**
 * try_to_free_pages(), 6.1: throttle, then reclaim up to `k` pages
 * (SWAP_CLUSTER_MAX by default) from zones <= reclaim_idx. Direct
 * reclaim writes nothing back: only clean folios are freed.
 */
export function try_to_free_pages(pa: PageAlloc, reclaim_idx: number, k: number): DirectReclaim {
  const throttled = throttle_direct_reclaim(pa, reclaim_idx);
  const reclaimed = shrink_node(pa, reclaim_idx, k);
  return { throttled, reclaimed };
}
