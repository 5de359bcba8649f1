/**
 * mm/page_alloc.c (late 6.1.y; 5.4, 6.1.0 and 6.18 as rules): allocating and
 * freeing pages, the fast path and the slowpath, and the API the DMA model
 * builds on.
 *
 * Models: prepare_alloc_pages() with should_fail_alloc_page(),
 * alloc_flags_nofragment(), gfp_to_alloc_flags(), __gfp_pfmemalloc_flags(),
 * get_page_from_freelist(), rmqueue() / rmqueue_buddy(), prep_new_page(),
 * wake_all_kswapds(), __alloc_pages_direct_reclaim(), should_reclaim_retry(),
 * should_compact_retry() (for compaction that always fails), __alloc_pages_may_oom()
 * (out_of_memory() as an event), warn_alloc(), __alloc_pages() and its
 * slowpath S0-S16 (reclaim-and-gfp.md §4), __free_pages() / free_one_page(),
 * filemap_add_folio() (page-cache growth), and the vm sysctl writes.
 *
 * Simplifications, each deliberate:
 * - No per-cpu lists: orders 0-3 come from the buddy lists directly, so
 *   NR_FREE_PAGES is exact and a drain is a no-op.
 * - Compaction never moves a page: every direct compaction fails, so
 *   should_compact_retry() only escalates the priority (async, sync-light,
 *   sync-full; costly orders stop at sync-light) and then gives up.
 * - One task at a time, never an RT task, never PF_MEMALLOC; no cpusets, no
 *   NUMA (so 5.4's preferred-zone classzone equals highest_zoneidx: BZ-31 is
 *   out of scope on one node).
 * - out_of_memory() kills the current task (the only one modelled), which then
 *   allocates as an OOM victim (ALLOC_OOM) and gives up at its next OOM point;
 *   a request without __GFP_FS is "too small to fail" and loops, bounded here
 *   by RETRY_BOUND rounds (recorded as a `livelock` event).
 * - warn_alloc() is not rate-limited (one event per failure without NOWARN),
 *   and a WARN_ON_ONCE() (a gfp_warning event) fires once per request, not
 *   once per boot.
 * - Direct reclaim frees up to `reclaim` pages per round (the generator's
 *   choice, default SWAP_CLUSTER_MAX); a throttled task is recorded and goes on.
 *
 * Context: with __GFP_DIRECT_RECLAIM the caller may sleep (reclaim, throttle,
 * cond_resched); without it nothing here sleeps (kswapd is woken, never run).
 */

import type { KswapdWake } from '../vmscan/kswapd.ts';
import { folioQueuePush } from '../vmscan/lru.ts';
import {
  MAX_RECLAIM_RETRIES,
  SWAP_CLUSTER_MAX,
  try_to_free_pages,
  zone_reclaimable_pages,
} from '../vmscan/vmscan.ts';
import {
  ALLOC_CPUSET,
  ALLOC_HIGHATOMIC,
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NO_WATERMARKS,
  ALLOC_NOFRAGMENT,
  ALLOC_NON_BLOCK,
  ALLOC_OOM,
  ALLOC_WMARK_HIGH,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MASK,
  ALLOC_WMARK_MIN,
} from './alloc_flags.ts';
import {
  __rmqueue,
  __rmqueue_smallest,
  unreserve_highatomic_pageblock,
  zone_spans_pfn,
} from './buddy.ts';
import {
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_FS,
  __GFP_HARDWALL,
  __GFP_HIGH,
  __GFP_IO,
  __GFP_KSWAPD_RECLAIM,
  __GFP_MEMALLOC,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RETRY_MAYFAIL,
  __GFP_THISNODE,
  gfp_migratetype,
  gfp_zone,
  gfpName,
} from './gfp.ts';
import {
  ENC_NAMES,
  type EncState,
  get_pageblock_migratetype,
  MAX_PAGE_ORDER,
  MIGRATE_HIGHATOMIC,
  OWNER_NAMES,
  type PageOwner,
  PG_ALLOCATED,
  PG_FREE,
  PG_LEAKED,
  PG_PAGECACHE,
  PG_POOL,
  setEnc,
  setOwner,
} from './pages.ts';
import type { PageAlloc, Zone } from './state.ts';
import {
  calculate_totalreserve_pages,
  lowmem_reserve_ratio_sysctl_handler,
  min_free_kbytes_sysctl_handler,
  type SysctlResult,
  watermark_scale_factor_sysctl_handler,
} from './watermark_setup.ts';
import { managed_zone, min_wmark_pages, wmark_pages, ZONE_DMA, ZONE_NORMAL } from './zone.ts';

/** PAGE_ALLOC_COSTLY_ORDER. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;
/** The model's bound on slowpath retries (the kernel may loop forever for "too small to fail" requests). */
export const RETRY_BOUND = 4096;

/** struct alloc_context, one node. */
export interface AllocContext {
  readonly highest_zoneidx: number;
  /** The lowmem_reserve index used by the checks (5.4: the preferred zone's index). */
  readonly classzone_idx: number;
  readonly migratetype: number;
  /** Index of the first usable zone in the zonelist, -1 when none. */
  readonly preferred_zone: number;
}

/** Which attempt of __alloc_pages() succeeded. */
export type AllocStage = 'fast' | 'slowpath' | 'retry' | 'reclaim' | 'oom' | 'nofail';

/** The zone as the successful watermark check saw it, before rmqueue() took the pages. */
export interface WinningCheck {
  readonly stage: AllocStage;
  readonly alloc_flags: number;
  readonly zone: number;
  /** NR_FREE_PAGES at the check. */
  readonly free: number;
  /** _watermark[min, low, high] (unboosted). */
  readonly watermark: readonly [number, number, number];
  readonly boost: number;
  /** lowmem_reserve[highest_zoneidx] of the zone (the request's, whatever index the check used). */
  readonly reserve: number;
  readonly nr_reserved_highatomic: number;
  readonly nr_free_highatomic: number;
}

/** What happened inside one allocation, in order. */
export type AllocEvent =
  | { readonly kind: 'fail_page_alloc' }
  | { readonly kind: 'bad_request'; readonly text: string }
  | { readonly kind: 'gfp_warning'; readonly text: string }
  | { readonly kind: 'wakeup_kswapd'; readonly wake: KswapdWake }
  | {
      readonly kind: 'attempt';
      readonly stage: AllocStage;
      readonly alloc_flags: number;
      readonly ok: boolean;
    }
  | { readonly kind: 'throttle'; readonly kswapd_failures: number }
  | { readonly kind: 'direct_reclaim'; readonly reclaimed: number }
  | { readonly kind: 'unreserve_highatomic'; readonly force: boolean; readonly released: boolean }
  | { readonly kind: 'should_reclaim_retry'; readonly retry: boolean; readonly loops: number }
  | { readonly kind: 'oom'; readonly what: 'kill' | 'nofs' | 'skip' | 'victim' }
  | { readonly kind: 'livelock' }
  | { readonly kind: 'warn_alloc'; readonly text: string };

/** An allocation request. */
export interface AllocRequest {
  readonly gfp: number;
  readonly order: number;
  /** Pages one direct-reclaim round may free (default SWAP_CLUSTER_MAX). */
  readonly reclaim?: number;
  /** Owner of the pages on success: allocated (default) or page cache. */
  readonly owner?: typeof PG_ALLOCATED | typeof PG_PAGECACHE;
}

/** What __alloc_pages() did. */
export interface AllocResult {
  /** First pfn of the block, or null. */
  readonly pfn: number | null;
  readonly order: number;
  readonly gfp: number;
  /** The zone the block came from, -1 on failure. */
  readonly zone: number;
  readonly highest_zoneidx: number;
  /** The successful check, null on failure. */
  readonly won: WinningCheck | null;
  /** gfp_to_alloc_flags() of the slowpath, -1 when the fast path succeeded. */
  readonly slow_flags: number;
  /** The request became an OOM victim on the way. */
  readonly oom_victim: boolean;
  /** Direct-reclaim rounds and pages (a blocking, may-sleep operation). */
  readonly reclaim_rounds: number;
  readonly reclaimed: number;
  readonly events: readonly AllocEvent[];
}

/** Whether an allocation did something that may sleep (direct reclaim, throttling, retry loop). */
export function allocMaySleep(r: AllocResult): boolean {
  // throttling and the retry loop only ever follow a direct-reclaim round (S8)
  return r.events.some((e) => e.kind === 'direct_reclaim');
}

/** The zone holding `pfn`, or null. */
export function pfn_zone(pa: PageAlloc, pfn: number): Zone | null {
  for (const z of pa.zones) if (zone_spans_pfn(z, pfn)) return z;
  return null;
}

/** alloc_flags_nofragment(), 6.1: ALLOC_KSWAPD from the gfp, ALLOC_NOFRAGMENT when Normal is preferred. */
function alloc_flags_nofragment(preferred: number, gfp: number): number {
  let flags = gfp & __GFP_KSWAPD_RECLAIM ? ALLOC_KSWAPD : 0;
  if (preferred === ZONE_NORMAL) flags |= ALLOC_NOFRAGMENT;
  return flags;
}

/**
 * gfp_to_alloc_flags(), late 6.1.y: MIN_RESERVE from __GFP_HIGH; a caller
 * that cannot reclaim gets NON_BLOCK and, for order > 0 with MIN_RESERVE,
 * HIGHATOMIC (5.4/6.1.0 scheme: HIGH, and HARDER from __GFP_ATOMIC).
 */
export function gfp_to_alloc_flags(pa: PageAlloc, gfp: number, order: number): number {
  let flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  if (gfp & __GFP_HIGH) flags |= ALLOC_MIN_RESERVE;
  if (gfp & __GFP_KSWAPD_RECLAIM) flags |= ALLOC_KSWAPD;
  if (pa.rules.alloc_flags === 'non_block') {
    if (!(gfp & __GFP_DIRECT_RECLAIM)) {
      if (!(gfp & __GFP_NOMEMALLOC)) {
        flags |= ALLOC_NON_BLOCK;
        if (order > 0 && (!pa.rules.highatomic_needs_min_reserve || flags & ALLOC_MIN_RESERVE))
          flags |= ALLOC_HIGHATOMIC;
      }
      if (flags & ALLOC_MIN_RESERVE) flags &= ~ALLOC_CPUSET;
    }
  } else if (gfp & __GFP_ATOMIC) {
    // ALLOC_HARDER shares ALLOC_NON_BLOCK's bit
    if (!(gfp & __GFP_NOMEMALLOC)) flags |= ALLOC_NON_BLOCK;
    flags &= ~ALLOC_CPUSET;
  }
  return flags;
}

/** __gfp_pfmemalloc_flags(), 6.1 (task context, no PF_MEMALLOC): MEMALLOC or an OOM victim. */
function __gfp_pfmemalloc_flags(gfp: number, oomVictim: boolean): number {
  if (gfp & __GFP_NOMEMALLOC) return 0;
  if (gfp & __GFP_MEMALLOC) return ALLOC_NO_WATERMARKS;
  if (oomVictim) return ALLOC_OOM;
  return 0;
}

/** Whether a success under `flags` reserves a highatomic block (get_page_from_freelist()). */
function reservesHighatomic(pa: PageAlloc, order: number, flags: number): boolean {
  if (pa.rules.alloc_flags === 'non_block') return (flags & ALLOC_HIGHATOMIC) !== 0;
  return order > 0 && (flags & ALLOC_NON_BLOCK) !== 0; // ALLOC_HARDER
}

/**
 * rmqueue(), 6.1 without pcp lists: highatomic lists first for
 * ALLOC_HIGHATOMIC (5.4: order > 0 with ALLOC_HARDER), then __rmqueue(),
 * then (late 6.1.y) highatomic for NON_BLOCK/OOM callers; then the
 * boosted-watermark wake. Returns pfn or -1.
 */
function rmqueue(
  pa: PageAlloc,
  z: Zone,
  gfp: number,
  order: number,
  flags: number,
  mt: number,
  res: Recorder,
): number {
  if (gfp & __GFP_NOFAIL && order > 1 && pa.rules.nofail_warnings === 'rmqueue_and_nopage')
    warnOnce(res, NOFAIL_ORDER);
  let pfn = -1;
  if (reservesHighatomic(pa, order, flags))
    pfn = __rmqueue_smallest(pa, z, order, MIGRATE_HIGHATOMIC);
  if (pfn < 0) {
    pfn = __rmqueue(pa, z, order, mt, flags);
    if (pfn < 0 && pa.rules.rmqueue_highatomic_fallback && flags & (ALLOC_OOM | ALLOC_NON_BLOCK))
      pfn = __rmqueue_smallest(pa, z, order, MIGRATE_HIGHATOMIC);
  }
  if (pfn >= 0) z.nr_free_pages -= 2 ** order;
  if (z.boosted_watermark && (!pa.rules.rmqueue_boost_wake_needs_kswapd || flags & ALLOC_KSWAPD)) {
    z.boosted_watermark = false;
    res.events.push({ kind: 'wakeup_kswapd', wake: pa.fns.wakeup_kswapd(pa, z.idx, 0, 0, z.idx) });
  }
  return pfn;
}

/** prep_new_page(), as far as ownership goes: the pages now belong to the caller. */
function prep_new_page(pa: PageAlloc, z: Zone, pfn: number, order: number, owner: number): void {
  setOwner(pa.pages, pfn, 2 ** order, owner);
  if (owner !== PG_PAGECACHE) z.nr_allocated += 2 ** order;
}

/** The allocation being built (events and the winning check, whose zone is the result's). */
interface Recorder {
  readonly events: AllocEvent[];
  won: WinningCheck | null;
  /** The gfp_warning texts already recorded (WARN_ON_ONCE). */
  readonly warned: Set<string>;
}

/**
 * get_page_from_freelist(), 6.1: walk the zonelist up to highest_zoneidx;
 * take the first zone whose watermark check (mark = wmark_pages() of the
 * flags' index, reserve index classzone_idx) passes and whose free lists
 * give a block; reserve a highatomic block after a qualifying success;
 * retry without ALLOC_NOFRAGMENT. Returns pfn or -1.
 */
export function get_page_from_freelist(
  pa: PageAlloc,
  gfp: number,
  order: number,
  alloc_flags: number,
  ac: AllocContext,
  owner: number,
  stage: AllocStage,
  res: Recorder,
): number {
  for (;;) {
    for (const zi of pa.zonelist) {
      if (zi > ac.highest_zoneidx) continue;
      const z = pa.zones[zi] as Zone;
      const mark = wmark_pages(z, alloc_flags & ALLOC_WMARK_MASK);
      if (!pa.fns.zone_watermark_fast(pa, z, order, mark, ac.classzone_idx, alloc_flags, gfp))
        if (!(alloc_flags & ALLOC_NO_WATERMARKS)) continue;
      const seen: WinningCheck = {
        stage,
        alloc_flags,
        zone: zi,
        free: z.nr_free_pages,
        watermark: [z._watermark[0] ?? 0, z._watermark[1] ?? 0, z._watermark[2] ?? 0],
        boost: z.watermark_boost,
        reserve: z.lowmem_reserve[ac.highest_zoneidx] ?? 0,
        nr_reserved_highatomic: z.nr_reserved_highatomic,
        nr_free_highatomic: z.nr_free_mt[MIGRATE_HIGHATOMIC] as number,
      };
      const pfn = rmqueue(pa, z, gfp, order, alloc_flags, ac.migratetype, res);
      if (pfn < 0) continue;
      prep_new_page(pa, z, pfn, order, owner);
      if (reservesHighatomic(pa, order, alloc_flags))
        pa.fns.reserve_highatomic_pageblock(pa, z, pfn, order);
      res.won = seen;
      return pfn;
    }
    if (!(alloc_flags & ALLOC_NOFRAGMENT)) return -1;
    alloc_flags &= ~ALLOC_NOFRAGMENT;
  }
}

/** wake_all_kswapds(), 6.1: wakeup_kswapd() on the node's first managed zone up to highest_zoneidx (5.4: first eligible). */
function wake_all_kswapds(
  pa: PageAlloc,
  order: number,
  gfp: number,
  ac: AllocContext,
  res: Recorder,
): void {
  for (const zi of pa.zonelist) {
    if (zi > ac.highest_zoneidx) continue;
    const z = pa.zones[zi] as Zone;
    if (!managed_zone(z) && pa.rules.wake_all_kswapds === 'first_managed') continue;
    res.events.push({
      kind: 'wakeup_kswapd',
      wake: pa.fns.wakeup_kswapd(pa, zi, gfp, order, ac.highest_zoneidx),
    });
    return; // one node
  }
}

/** Before OOM: unreserve_highatomic_pageblock(ac, force = true), recorded. */
function unreserveForced(pa: PageAlloc, ac: AllocContext, res: Recorder): boolean {
  const released = unreserve_highatomic_pageblock(
    pa,
    pa.zones,
    pa.zonelist,
    ac.highest_zoneidx,
    ac.migratetype,
    true,
  );
  res.events.push({ kind: 'unreserve_highatomic', force: true, released });
  return released;
}

/**
 * should_reclaim_retry(), late 6.1.y: count rounds without progress (progress
 * at order <= 3 resets the count); past MAX_RECLAIM_RETRIES give up; else
 * retry when some zone would pass the min check counting its reclaimable
 * pages as free. Giving up unreserves a highatomic block first (5.4/6.1.0:
 * only after MAX_RECLAIM_RETRIES).
 */
function should_reclaim_retry(
  pa: PageAlloc,
  order: number,
  ac: AllocContext,
  alloc_flags: number,
  progress: boolean,
  loops: { n: number },
  res: Recorder,
): boolean {
  if (progress && order <= PAGE_ALLOC_COSTLY_ORDER) loops.n = 0;
  else loops.n += 1;
  let ret = false;
  if (loops.n > MAX_RECLAIM_RETRIES) {
    ret = unreserveForced(pa, ac, res);
  } else {
    for (const zi of pa.zonelist) {
      if (zi > ac.highest_zoneidx) continue;
      const z = pa.zones[zi] as Zone;
      const available = zone_reclaimable_pages(pa, z) + z.nr_free_pages;
      if (
        pa.fns.__zone_watermark_ok(
          pa,
          z,
          order,
          min_wmark_pages(z),
          ac.classzone_idx,
          alloc_flags,
          available,
        )
      ) {
        ret = true;
        break;
      }
    }
    if (!ret && pa.rules.should_reclaim_retry_unreserve === 'whenever_giving_up')
      ret = unreserveForced(pa, ac, res);
  }
  res.events.push({ kind: 'should_reclaim_retry', retry: ret, loops: loops.n });
  return ret;
}

/** enum compact_priority: sync-full 0 (MIN_COMPACT_PRIORITY), sync-light 1, async 2. */
const COMPACT_PRIO_SYNC_FULL = 0;
const COMPACT_PRIO_SYNC_LIGHT = 1;
/** DEF_COMPACT_PRIORITY: where the slowpath's retry loop starts (S1; S5's first compaction is async). */
const DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;

/**
 * should_compact_retry(), 6.1, for compaction that failed (the model never
 * compacts): order 0 never retries; otherwise escalate the priority once
 * per call until the minimum (sync-full; sync-light for costly orders).
 */
function should_compact_retry(order: number, prio: { n: number }): boolean {
  if (!order) return false;
  const min = order > PAGE_ALLOC_COSTLY_ORDER ? COMPACT_PRIO_SYNC_LIGHT : COMPACT_PRIO_SYNC_FULL;
  if (prio.n > min) {
    prio.n -= 1;
    return true;
  }
  return false;
}

/**
 * warn_alloc(), 6.1: its first line, unless NOWARN, or the request wants
 * ZONE_DMA and no DMA zone has managed pages (has_managed_dma(); 5.17, in
 * the 5.4.y tree as a backport). Not rate-limited here.
 */
function warn_alloc(pa: PageAlloc, gfp: number, order: number, res: Recorder): void {
  if (gfp & __GFP_NOWARN) return;
  if (gfp & __GFP_DMA && !managed_zone(pa.zones[ZONE_DMA] as Zone)) return;
  const text = `page allocation failure: order:${order}, mode:0x${gfp.toString(16)}(${gfpName(gfp, pa.rules)})`;
  res.events.push({ kind: 'warn_alloc', text });
}

/** prepare_alloc_pages(), one node: the zone limits, the migratetype, the preferred zone. */
export function prepare_alloc_pages(pa: PageAlloc, gfp: number): AllocContext | null {
  const hz = gfp_zone(gfp);
  if (hz < 0) return null;
  const preferred = pa.zonelist.find((zi) => zi <= hz) ?? -1;
  return {
    highest_zoneidx: hz,
    // 5.4 with no eligible zone reads the zonelist terminator, whose zone_idx is 0
    classzone_idx: pa.rules.classzone_idx === 'preferred_zone' ? Math.max(preferred, 0) : hz,
    migratetype: gfp_migratetype(gfp),
    preferred_zone: preferred,
  };
}

/**
 * __alloc_pages(), late 6.1.y: the fast path at the low watermark, then the
 * slowpath (reclaim-and-gfp.md §4): wake kswapd, try at min with the
 * caller's reductions, and for blocking callers reclaim and retry as
 * should_reclaim_retry() allows, then the OOM path.
 * Context: may sleep iff gfp has __GFP_DIRECT_RECLAIM.
 */
export function __alloc_pages(pa: PageAlloc, request: AllocRequest): AllocResult {
  if (pa.retired) throw new Error('page allocator state was retired by a newer reset');
  const r: Req = {
    pa,
    gfp: request.gfp,
    order: request.order,
    owner: request.owner ?? PG_ALLOCATED,
    k: request.reclaim ?? SWAP_CLUSTER_MAX,
    ac: null,
    res: { events: [], won: null, warned: new Set() },
    alloc_flags: 0,
    slow_flags: -1,
    loops: { n: 0 },
    compact_priority: { n: DEF_COMPACT_PRIORITY },
    oomVictim: false,
    reclaim_rounds: 0,
    reclaimed: 0,
  };
  const { gfp, order, res } = r;
  if (order > MAX_PAGE_ORDER || order < 0 || !Number.isInteger(order)) {
    if (!(gfp & __GFP_NOWARN))
      res.events.push({ kind: 'bad_request', text: `order ${order} >= MAX_ORDER` });
    return result(r, -1, request.gfp);
  }
  const f = pa.fail_page_alloc;
  if (f && f.remaining > 0 && (f.order === 'any' || f.order === order) && !(gfp & __GFP_NOFAIL)) {
    f.remaining -= 1;
    res.events.push({ kind: 'fail_page_alloc' });
    return result(r, -1, request.gfp);
  }
  const ac = prepare_alloc_pages(pa, gfp);
  if (!ac) {
    res.events.push({
      kind: 'bad_request',
      text: `invalid zone modifiers in 0x${gfp.toString(16)}`,
    });
    return result(r, -1, request.gfp);
  }
  r.ac = ac;

  // fast path: the low watermark, no reductions
  const fastFlags = ALLOC_WMARK_LOW | alloc_flags_nofragment(ac.preferred_zone, gfp);
  const pfn = get_page_from_freelist(pa, gfp, order, fastFlags, ac, r.owner, 'fast', res);
  if (pfn >= 0) return result(r, pfn, request.gfp);
  return result(r, __alloc_pages_slowpath(r, ac), request.gfp);
}

/** One request in the slowpath: its inputs, counters and recorder. */
interface Req {
  readonly pa: PageAlloc;
  gfp: number;
  readonly order: number;
  readonly owner: number;
  /** Pages one direct-reclaim round may free. */
  readonly k: number;
  ac: AllocContext | null;
  readonly res: Recorder;
  alloc_flags: number;
  /** gfp_to_alloc_flags() at slowpath entry, -1 before. */
  slow_flags: number;
  readonly loops: { n: number };
  readonly compact_priority: { n: number };
  oomVictim: boolean;
  reclaim_rounds: number;
  reclaimed: number;
}

function result(r: Req, pfn: number, gfp: number): AllocResult {
  const ok = pfn >= 0;
  return {
    pfn: ok ? pfn : null,
    order: r.order,
    gfp,
    zone: ok ? (r.res.won as WinningCheck).zone : -1,
    highest_zoneidx: r.ac?.highest_zoneidx ?? -1,
    won: ok ? r.res.won : null,
    slow_flags: r.slow_flags,
    oom_victim: r.oomVictim,
    reclaim_rounds: r.reclaim_rounds,
    reclaimed: r.reclaimed,
    events: r.res.events,
  };
}

/** The one-time warnings on gfp misuse, as gfp_warning texts. */
const NOFAIL_ORDER = '__GFP_NOFAIL with order > 1';
const NOFAIL_NO_RECLAIM = '__GFP_NOFAIL without __GFP_DIRECT_RECLAIM';
const NOFAIL_COSTLY = '__GFP_NOFAIL with a costly order';

/**
 * WARN_ON_ONCE(): once per boot in the kernel, once per request here (the
 * world keeps the first of equal warnings).
 */
function warnOnce(res: Recorder, text: string): void {
  if (res.warned.has(text)) return;
  res.warned.add(text);
  res.events.push({ kind: 'gfp_warning', text });
}

/** WARN_ON_ONCE_GFP() where the version has it (5.19+: silent under __GFP_NOWARN), else WARN_ON_ONCE(). */
function warnOnceGfp(r: Req, text: string): void {
  if (!(r.pa.rules.warn_on_once_gfp && r.gfp & __GFP_NOWARN)) warnOnce(r.res, text);
}

/** __alloc_pages_slowpath(), late 6.1.y (S0-S16): the page's pfn or -1. */
function __alloc_pages_slowpath(r: Req, ac: AllocContext): number {
  const { pa, order, res } = r;
  const can_direct_reclaim = (r.gfp & __GFP_DIRECT_RECLAIM) !== 0;
  // S0: __GFP_ATOMIC with __GFP_DIRECT_RECLAIM is a caller bug: warn and drop ATOMIC (gone in 6.3)
  if (pa.rules.gfp_atomic_has_atomic_bit && r.gfp & __GFP_ATOMIC && can_direct_reclaim) {
    warnOnceGfp(r, '__GFP_ATOMIC with __GFP_DIRECT_RECLAIM');
    r.gfp &= ~__GFP_ATOMIC;
  }
  // 6.12+: NOFAIL misuse warns on entry, whatever happens next (plain WARN_ON_ONCE)
  if (r.gfp & __GFP_NOFAIL && pa.rules.nofail_warnings === 'slowpath_entry') {
    if (order > 1) warnOnce(res, NOFAIL_ORDER);
    if (!can_direct_reclaim) warnOnce(res, NOFAIL_NO_RECLAIM);
  }
  // S1-S2
  r.alloc_flags = pa.fns.gfp_to_alloc_flags(pa, r.gfp, order);
  r.slow_flags = r.alloc_flags;
  // S2: no zone at or below highest_zoneidx goes straight to nopage (no wake, no attempt)
  let next = NOPAGE;
  if (ac.preferred_zone >= 0) {
    // S3-S4
    if (r.alloc_flags & ALLOC_KSWAPD) wake_all_kswapds(pa, order, r.gfp, ac, res);
    const pfn = get_page_from_freelist(
      pa,
      r.gfp,
      order,
      r.alloc_flags,
      ac,
      r.owner,
      'slowpath',
      res,
    );
    res.events.push({
      kind: 'attempt',
      stage: 'slowpath',
      alloc_flags: r.alloc_flags,
      ok: pfn >= 0,
    });
    if (pfn >= 0) return pfn;
    next = RETRY;
  }
  for (let round = 0; ; round++) {
    if (round >= RETRY_BOUND) {
      res.events.push({ kind: 'livelock' });
      return -1;
    }
    if (next === RETRY) next = slowRound(r, ac);
    if (next === RETRY) continue;
    if (next >= 0) return next;
    // S15: NOFAIL never fails a caller that can block: one try with a reserve, then retry
    if (!(r.gfp & __GFP_NOFAIL)) break;
    const atNopage = pa.rules.nofail_warnings === 'rmqueue_and_nopage';
    if (!can_direct_reclaim) {
      // Stryker disable next-line ConditionalExpression: under 'slowpath_entry' the entry already recorded this text for the same gfp, and warnOnce keeps one
      if (atNopage) warnOnceGfp(r, NOFAIL_NO_RECLAIM);
      break;
    }
    if (atNopage && order > PAGE_ALLOC_COSTLY_ORDER) warnOnceGfp(r, NOFAIL_COSTLY);
    const fb = pa.rules.nofail_fallback === 'harder' ? ALLOC_NON_BLOCK : ALLOC_MIN_RESERVE;
    // __alloc_pages_cpuset_fallback(): the reserve alone, not the caller's flags, inside
    // the cpuset first (one node and no cpusets here: the attempt outside it is the same)
    next = get_page_from_freelist(pa, r.gfp, order, fb | ALLOC_CPUSET, ac, r.owner, 'nofail', res);
    if (next >= 0) return next;
    next = RETRY;
  }
  // S16
  warn_alloc(pa, r.gfp, order, res);
  return -1;
}

/** slowRound()'s answers besides a pfn. */
const RETRY = -2;
const NOPAGE = -1;

/** S6-S14, one round of the slowpath: a pfn, RETRY, or NOPAGE. */
function slowRound(r: Req, ac: AllocContext): number {
  const { pa, gfp, order, owner, res } = r;
  if (r.alloc_flags & ALLOC_KSWAPD) wake_all_kswapds(pa, order, gfp, ac, res);
  const reserve_flags = __gfp_pfmemalloc_flags(gfp, r.oomVictim);
  if (reserve_flags)
    r.alloc_flags = pa.rules.reserve_flags_keep_kswapd
      ? reserve_flags | (r.alloc_flags & ALLOC_KSWAPD)
      : reserve_flags;
  let p = get_page_from_freelist(pa, gfp, order, r.alloc_flags, ac, owner, 'retry', res);
  res.events.push({ kind: 'attempt', stage: 'retry', alloc_flags: r.alloc_flags, ok: p >= 0 });
  if (p >= 0) return p;
  // S7: a caller that cannot block stops here
  if (!(gfp & __GFP_DIRECT_RECLAIM)) return NOPAGE;
  // S8: direct reclaim, then one retry after unreserving a highatomic block
  const dr = try_to_free_pages(pa, ac.highest_zoneidx, r.k);
  if (dr.throttled)
    res.events.push({ kind: 'throttle', kswapd_failures: pa.pgdat.kswapd_failures });
  r.reclaim_rounds += 1;
  r.reclaimed += dr.reclaimed;
  if (r.reclaim_rounds === 1 || dr.reclaimed > 0)
    res.events.push({ kind: 'direct_reclaim', reclaimed: dr.reclaimed });
  const progress = dr.reclaimed > 0;
  if (progress) {
    p = get_page_from_freelist(pa, gfp, order, r.alloc_flags, ac, owner, 'reclaim', res);
    if (p < 0) {
      const released = unreserve_highatomic_pageblock(
        pa,
        pa.zones,
        pa.zonelist,
        ac.highest_zoneidx,
        ac.migratetype,
        false,
      );
      res.events.push({ kind: 'unreserve_highatomic', force: false, released });
      p = get_page_from_freelist(pa, gfp, order, r.alloc_flags, ac, owner, 'reclaim', res);
    }
    if (p >= 0) return p;
  }
  // S10: no retry when asked, nor for costly orders without RETRY_MAYFAIL (and IO)
  if (gfp & __GFP_NORETRY) return NOPAGE;
  if (
    order > PAGE_ALLOC_COSTLY_ORDER &&
    (!(gfp & __GFP_RETRY_MAYFAIL) || (pa.rules.costly_retry_needs_io && !(gfp & __GFP_IO)))
  )
    return NOPAGE;
  // S11, S12
  if (should_reclaim_retry(pa, order, ac, r.alloc_flags, progress, r.loops, res)) return RETRY;
  if (progress && should_compact_retry(order, r.compact_priority)) return RETRY;
  // S14: the OOM path
  const oom = __alloc_pages_may_oom(pa, gfp, order, ac, owner, r.oomVictim, res);
  if (oom.pfn >= 0) return oom.pfn;
  if (oom.killed) r.oomVictim = true;
  if (r.oomVictim && (r.alloc_flags & ALLOC_OOM || gfp & __GFP_NOMEMALLOC)) return NOPAGE;
  if (oom.progress) {
    r.loops.n = 0;
    return RETRY;
  }
  return NOPAGE;
}

/**
 * __alloc_pages_may_oom(), 6.1: one last attempt at the high watermark;
 * no OOM for costly orders, RETRY_MAYFAIL/THISNODE, or requests limited to
 * DMA/DMA32; without __GFP_FS out_of_memory() reports progress without a
 * kill; otherwise the current task is killed (it becomes an OOM victim).
 */
function __alloc_pages_may_oom(
  pa: PageAlloc,
  gfp: number,
  order: number,
  ac: AllocContext,
  owner: number,
  alreadyVictim: boolean,
  res: Recorder,
): { pfn: number; progress: boolean; killed: boolean } {
  // Stryker disable next-line UnaryOperator: only __GFP_ATOMIC of this mask is read (5.4's boost exemption), and S0 cleared it for every caller that reaches S14
  const lastGfp = (gfp | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM;
  const pfn = get_page_from_freelist(
    pa,
    lastGfp,
    order,
    ALLOC_WMARK_HIGH | ALLOC_CPUSET,
    ac,
    owner,
    'oom',
    res,
  );
  // Stryker disable next-line BooleanLiteral: slowRound reads only the pfn of a page
  if (pfn >= 0) return { pfn, progress: true, killed: false };
  if (
    // Stryker disable next-line ConditionalExpression: S10 already sent costly orders without RETRY_MAYFAIL to nopage; the kernel's check, kept
    order > PAGE_ALLOC_COSTLY_ORDER ||
    gfp & (__GFP_RETRY_MAYFAIL | __GFP_THISNODE) ||
    ac.highest_zoneidx < ZONE_NORMAL
  ) {
    res.events.push({ kind: 'oom', what: 'skip' });
    // Stryker disable next-line ObjectLiteral: slowRound reads pfn >= 0, killed and progress, all false on {}
    return { pfn: -1, progress: false, killed: false };
  }
  // out_of_memory() returns true: without __GFP_FS having killed nothing
  const killed = (gfp & __GFP_FS) !== 0;
  res.events.push({ kind: 'oom', what: !killed ? 'nofs' : alreadyVictim ? 'victim' : 'kill' });
  // __alloc_pages_cpuset_fallback() for NOFAIL: the reserves without any watermark
  const nofail =
    gfp & __GFP_NOFAIL
      ? get_page_from_freelist(
          pa,
          gfp,
          order,
          ALLOC_NO_WATERMARKS | ALLOC_CPUSET,
          ac,
          owner,
          'oom',
          res,
        )
      : -1;
  return { pfn: nofail, progress: true, killed };
}

/** free_one_page() without the pcp lists: the pages go back to the buddy lists of their pageblock's type. */
export function __free_pages_ok(pa: PageAlloc, z: Zone, pfn: number, order: number): void {
  setOwner(pa.pages, pfn, 2 ** order, PG_FREE);
  pa.fns.__free_one_page(pa, z, pfn, order, get_pageblock_migratetype(pa.pages, pfn), false);
}

/**
 * __free_pages(), 6.1: give back a block a caller holds (allocated or a
 * pool chunk). Returns null, or the reason the kernel would report a bad
 * page (not allocated, misaligned, outside the zones) and leaves the state.
 */
export function __free_pages(pa: PageAlloc, pfn: number, order: number): string | null {
  if (pa.retired) throw new Error('page allocator state was retired by a newer reset');
  if (!Number.isInteger(pfn) || !Number.isInteger(order) || order < 0 || order > MAX_PAGE_ORDER)
    return `bad request: pfn ${pfn} order ${order}`;
  if (pfn % 2 ** order !== 0) return `pfn 0x${pfn.toString(16)} is not aligned to order ${order}`;
  const z = pfn_zone(pa, pfn);
  if (!z || !zone_spans_pfn(z, pfn + 2 ** order - 1))
    return `pfn 0x${pfn.toString(16)} order ${order} is outside the zones`;
  const o = pa.pages.owner;
  for (let p = pfn; p < pfn + 2 ** order; p++)
    if (o[p] !== PG_ALLOCATED && o[p] !== PG_POOL)
      return `bad page: pfn 0x${p.toString(16)} is ${OWNER_NAMES[o[p] as number]}, not allocated`;
  z.nr_allocated -= 2 ** order;
  __free_pages_ok(pa, z, pfn, order);
  return null;
}

/**
 * filemap_add_folio() with the readahead gfp (GFP_HIGHUSER_MOVABLE |
 * __GFP_NORETRY | __GFP_NOWARN): a new page-cache folio, clean or dirty.
 * Returns the allocation (its pfn is on the zone's LRU on success).
 */
export function filemap_add_folio(
  pa: PageAlloc,
  order: number,
  dirty: boolean,
  reclaim?: number,
): AllocResult {
  const gfp = pa.gfp.GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN;
  const r = __alloc_pages(pa, {
    gfp,
    order,
    owner: PG_PAGECACHE,
    reclaim,
  });
  if (r.pfn !== null) {
    const z = pa.zones[r.zone] as Zone;
    pa.pgdat.lru_seq += 1;
    if (dirty) {
      folioQueuePush(z.lru_dirty, r.pfn, order, pa.pgdat.lru_seq);
      z.nr_dirty += 2 ** order;
    } else {
      folioQueuePush(z.lru_clean, r.pfn, order, pa.pgdat.lru_seq);
      z.nr_clean += 2 ** order;
    }
  }
  return r;
}

/** A vm sysctl the model writes. */
export type VmSysctlName = 'min_free_kbytes' | 'watermark_scale_factor' | 'lowmem_reserve_ratio';

/**
 * A write to /proc/sys/vm/<name> through its handler (6.1): 0, or -EINVAL
 * with nothing recomputed. lowmem_reserve_ratio takes the array.
 */
export function vm_sysctl_write(
  pa: PageAlloc,
  name: VmSysctlName,
  value: number | readonly number[],
): SysctlResult {
  let r: SysctlResult;
  if (name === 'lowmem_reserve_ratio')
    r = lowmem_reserve_ratio_sysctl_handler(
      pa.zones,
      pa.sysctl,
      pa.rules,
      Array.isArray(value) ? value : [value as number],
      pa.fns,
    );
  else if (name === 'min_free_kbytes')
    r = min_free_kbytes_sysctl_handler(pa.zones, pa.sysctl, pa.rules, Number(value), pa.fns);
  else
    r = watermark_scale_factor_sysctl_handler(pa.zones, pa.sysctl, pa.rules, Number(value), pa.fns);
  pa.pgdat.totalreserve_pages = calculate_totalreserve_pages(pa.zones);
  return r;
}

/** The owner of a page, as text. */
export function page_owner(pa: PageAlloc, pfn: number): PageOwner {
  if (pfn < 0 || pfn >= pa.pages.npfn) return 'hole';
  return OWNER_NAMES[pa.pages.owner[pfn] as number] as PageOwner;
}

/** The encryption state of a page. */
export function page_enc(pa: PageAlloc, pfn: number): EncState {
  return ENC_NAMES[pa.pages.enc[pfn] ?? 0] as EncState;
}

/** Sets the encryption state of pfns [pfn, pfn + n) (what set_memory_{de,en}crypted() changed). */
export function set_page_enc(pa: PageAlloc, pfn: number, n: number, enc: EncState): void {
  setEnc(pa.pages, pfn, n, ENC_NAMES.indexOf(enc));
}

/**
 * Hands pages a caller holds to a new owner: a pool chunk (`pool-chunk`),
 * back to plain `allocated`, or `leaked` (never to be freed). Returns null,
 * or why the change is not allowed (the pages are not held by a caller).
 */
export function set_page_owner(
  pa: PageAlloc,
  pfn: number,
  n: number,
  owner: 'allocated' | 'pool-chunk' | 'leaked',
): string | null {
  const o = pa.pages.owner;
  for (let p = pfn; p < pfn + n; p++)
    if (o[p] !== PG_ALLOCATED && o[p] !== PG_POOL)
      return `pfn 0x${p.toString(16)} is ${OWNER_NAMES[o[p] as number]}, not held by a caller`;
  const code = owner === 'leaked' ? PG_LEAKED : owner === 'pool-chunk' ? PG_POOL : PG_ALLOCATED;
  if (owner === 'leaked') {
    // pages may span zones only if n crosses a boundary; count per page's zone
    for (let p = pfn; p < pfn + n; ) {
      const z = pfn_zone(pa, p) as Zone;
      const end = Math.min(pfn + n, z.zone_start_pfn + z.spanned_pages);
      z.nr_allocated -= end - p;
      z.nr_leaked += end - p;
      p = end;
    }
  }
  setOwner(pa.pages, pfn, n, code);
  return null;
}

/** should_fail_alloc_page(): fail the next `times` requests of `order` (or any order). */
export function inject_alloc_failure(pa: PageAlloc, order: number | 'any', times: number): void {
  pa.fail_page_alloc = { order, remaining: times };
}

/** Whether a gfp lets the caller block (for the DMA model's context checks). */
export { gfpflags_allow_blocking } from './gfp.ts';
