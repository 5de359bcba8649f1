/**
 * The exact events of short allocations (reclaim-and-gfp.md §2-§4, §7; page-alloc.md): the order
 * bound at entry, get_page_from_freelist()'s second pass without ALLOC_NOFRAGMENT, the S3/S6
 * kswapd wakes (only with ALLOC_KSWAPD), the S4 and S6 `attempt` events (a page at pfn 0 is a
 * success), warn_alloc() for a __GFP_DMA request on a machine with a managed DMA zone, and the
 * __GFP_NOFAIL WARN_ON_ONCE()s: once per request, order > 1 only (6.18's slowpath entry), costly
 * orders only (6.1's nopage).
 *
 * Numbers (tiny, tiny.ts): DMA pfns 0-4095 and DMA32 4096-8191, 4096 managed pages each.
 * min_free_kbytes 40000 (`starved`) gives each zone min/low 5000/6250; 28800 gives 3600/4500;
 * 262144 (the 6.1 maximum, `deepStarved`) gives min 32768. late 6.1.y's __zone_watermark_ok():
 * ALLOC_MIN_RESERVE halves min, ALLOC_NON_BLOCK with it takes a further quarter (5000 -> 1875,
 * 32768 -> 12288); NON_BLOCK alone takes nothing. ALLOC_WMARK_MIN is 0, NO_WATERMARKS 0x4,
 * NON_BLOCK 0x10, MIN_RESERVE 0x20, CPUSET 0x40, NOFRAGMENT 0x100, KSWAPD 0x800.
 * `normalOnly` (tiny.ts): one Normal zone of 4096 pages at 4 GiB, so GFP_KERNEL's preferred zone is
 * Normal and the fast path carries ALLOC_NOFRAGMENT (alloc_flags_nofragment(), one node).
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_CPUSET,
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NO_WATERMARKS,
  ALLOC_NON_BLOCK,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MIN,
} from '../../../models/page_alloc/alloc_flags.ts';
import {
  __GFP_DMA,
  __GFP_KSWAPD_RECLAIM,
  __GFP_MEMALLOC,
  __GFP_MOVABLE,
  __GFP_NOFAIL,
  __GFP_NOWARN,
} from '../../../models/page_alloc/gfp.ts';
import {
  __alloc_pages,
  type AllocResult,
  inject_alloc_failure,
} from '../../../models/page_alloc/page_alloc.ts';
import type { PageAllocVersion } from '../../../models/page_alloc/rules.ts';
import { ZONE_DMA, ZONE_DMA32, ZONE_NORMAL } from '../../../models/page_alloc/zone.ts';
import { drained, free } from './drained.ts';
import { normalOnly, starved } from './tiny.ts';

/** normalOnly's first pfn (4 GiB). */
const N0 = 1048576;

/** tiny at min_free_kbytes 262144: min 32768 per zone, out of reach of every reserve but NO_WATERMARKS. */
const deepStarved = (v: PageAllocVersion) => starved(v, 262144);

/** A wakeup_kswapd event for zone `zone` (the wake's own fields beyond these are kswapd's business). */
const wake = (zone: number, gfp: number, order: number, highest_zoneidx: number) => ({
  kind: 'wakeup_kswapd',
  wake: expect.objectContaining({ zone, gfp, order, highest_zoneidx }),
});
const attempt = (stage: string, alloc_flags: number, ok: boolean) => ({
  kind: 'attempt',
  stage,
  alloc_flags,
  ok,
});
const warning = (text: string) => ({ kind: 'gfp_warning', text });
const warnings = (r: AllocResult) => r.events.filter((e) => e.kind === 'gfp_warning');

const NOFAIL_ORDER = '__GFP_NOFAIL with order > 1';
const NOFAIL_COSTLY = '__GFP_NOFAIL with a costly order';

describe('__alloc_pages() entry', () => {
  it('a negative order is a bad request: no page, one warning, nothing taken', () => {
    // the kernel's order is unsigned int: -1 is 4294967295 > MAX_ORDER, so WARN_ON_ONCE_GFP and
    // NULL before prepare_alloc_pages(): an armed fail_page_alloc is not consumed by it
    const pa = starved('6.1');
    inject_alloc_failure(pa, 'any', 1);
    const free0 = pa.zones.map((z) => z.nr_free_pages);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: -1 });
    expect(r.pfn).toBeNull();
    expect(r.events.map((e) => e.kind)).toEqual(['bad_request']);
    expect(pa.zones.map((z) => z.nr_free_pages)).toEqual(free0);
    // __GFP_NOWARN silences it (WARN_ON_ONCE_GFP)
    const q = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOWARN, order: -1 });
    expect([q.pfn, q.events]).toEqual([null, []]);
    // the next valid request meets the injected failure
    expect(__alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0 }).events).toEqual([
      { kind: 'fail_page_alloc' },
    ]);
  });
});

describe('get_page_from_freelist(): the second pass without ALLOC_NOFRAGMENT', () => {
  it('6.1: a zone with only a movable fragment serves GFP_KERNEL on the fast path, second pass', () => {
    // Normal drained, one order-0 MOVABLE page freed at 0x100008. Fast path flags LOW | NOFRAGMENT
    // | KSWAPD (0x901): the check passes (NR_FREE_PAGES as booted), but under NOFRAGMENT
    // __rmqueue_fallback() wants a pageblock-order block: none. Every zone failed, so the kernel
    // clears NOFRAGMENT and walks again (0x801): the fallback steals the fragment. The steal of a
    // block below pageblock order boosts the watermark, so rmqueue() wakes kswapd (gfp 0, order 0).
    const { pa, z } = drained('6.1', normalOnly, ZONE_NORMAL);
    free(pa, z, N0 + 8, 0);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0 });
    expect(r.pfn).toBe(N0 + 8);
    expect([r.won?.stage, r.won?.alloc_flags]).toEqual(['fast', ALLOC_WMARK_LOW | ALLOC_KSWAPD]);
    expect(r.slow_flags).toBe(-1);
    expect(r.events).toEqual([wake(ZONE_NORMAL, 0, 0, ZONE_NORMAL)]);
  });

  it('6.1: __GFP_NOFAIL order 2 warns once although rmqueue() runs in both passes', () => {
    // As above with an order-2 MOVABLE block at 0x100008: rmqueue() runs in the NOFRAGMENT pass
    // (WARN_ON_ONCE(NOFAIL && order > 1), then nothing) and again in the second pass (steals the
    // block). WARN_ON_ONCE fires once: one gfp_warning, then the boost wake.
    const { pa, z } = drained('6.1', normalOnly, ZONE_NORMAL);
    free(pa, z, N0 + 8, 2);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOFAIL, order: 2 });
    expect(r.pfn).toBe(N0 + 8);
    expect(r.won?.stage).toBe('fast');
    expect(r.events).toEqual([warning(NOFAIL_ORDER), wake(ZONE_NORMAL, 0, 0, ZONE_NORMAL)]);
  });
});

describe('the slowpath of a caller that cannot block: S3, S4, S6, S16', () => {
  it('6.1 GFP_ATOMIC | __GFP_DMA fails: wake, S4, wake, S6, warn_alloc (DMA is managed)', () => {
    // S4/S6 flags MIN | NON_BLOCK | MIN_RESERVE | KSWAPD (0x830, no CPUSET with MIN_RESERVE): min
    // 32768 -> 12288 > 4096 free. S7 stops a non-blocking caller. warn_alloc() prints: the
    // request has __GFP_DMA but ZONE_DMA manages 4096 pages (has_managed_dma()).
    const pa = deepStarved('6.1');
    const gfp = pa.gfp.GFP_ATOMIC | __GFP_DMA;
    const flags = ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_KSWAPD;
    const r = __alloc_pages(pa, { gfp, order: 0 });
    expect(r.pfn).toBeNull();
    expect(r.events).toEqual([
      wake(ZONE_DMA, gfp, 0, ZONE_DMA),
      attempt('slowpath', flags, false),
      wake(ZONE_DMA, gfp, 0, ZONE_DMA),
      attempt('retry', flags, false),
      {
        kind: 'warn_alloc',
        text: 'page allocation failure: order:0, mode:0xa21(GFP_ATOMIC|GFP_DMA)',
      },
    ]);
  });

  it('6.1 GFP_ATOMIC succeeds in S4 at pfn 0: wake, attempt ok', () => {
    // starved (min 5000): fast path LOW 6250 > 4096 fails; S4 at 0x830 has min 1875. DMA only,
    // movable: the head of DMA's MOVABLE order-10 list is pfn 0, split down to order 0.
    const pa = starved('6.1');
    const gfp = pa.gfp.GFP_ATOMIC | __GFP_DMA | __GFP_MOVABLE;
    const flags = ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_KSWAPD;
    const r = __alloc_pages(pa, { gfp, order: 0 });
    expect(r.pfn).toBe(0);
    expect(r.won?.stage).toBe('slowpath');
    expect(r.events).toEqual([wake(ZONE_DMA, gfp, 0, ZONE_DMA), attempt('slowpath', flags, true)]);
  });

  it('6.1 __GFP_MEMALLOC succeeds in S6 at pfn 0: the reserve flags replace the S4 flags', () => {
    // S4 at 0x830 fails (12288 > 4096); S6's __gfp_pfmemalloc_flags() gives NO_WATERMARKS, kept
    // with KSWAPD (0x804): DMA is taken without a check, its first page is pfn 0.
    const pa = deepStarved('6.1');
    const gfp = pa.gfp.GFP_ATOMIC | __GFP_MEMALLOC | __GFP_DMA | __GFP_MOVABLE;
    const r = __alloc_pages(pa, { gfp, order: 0 });
    expect(r.pfn).toBe(0);
    expect(r.won?.stage).toBe('retry');
    expect(r.events).toEqual([
      wake(ZONE_DMA, gfp, 0, ZONE_DMA),
      attempt('slowpath', ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_KSWAPD, false),
      wake(ZONE_DMA, gfp, 0, ZONE_DMA),
      attempt('retry', ALLOC_NO_WATERMARKS | ALLOC_KSWAPD, true),
    ]);
  });

  it('6.1 without __GFP_KSWAPD_RECLAIM: no wake at S3 or S6', () => {
    // GFP_NOWAIT & ~__GFP_KSWAPD_RECLAIM is gfp 0: flags MIN | CPUSET | NON_BLOCK (0x50), no
    // ALLOC_KSWAPD, so wake_all_kswapds() is skipped both times; NON_BLOCK alone keeps min 5000.
    const pa = starved('6.1');
    const gfp = pa.gfp.GFP_NOWAIT & ~__GFP_KSWAPD_RECLAIM;
    const flags = ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_NON_BLOCK;
    const r = __alloc_pages(pa, { gfp, order: 0 });
    expect(gfp).toBe(0);
    expect(r.events).toEqual([
      attempt('slowpath', flags, false),
      attempt('retry', flags, false),
      { kind: 'warn_alloc', text: 'page allocation failure: order:0, mode:0x0()' },
    ]);
  });
});

describe('__GFP_NOFAIL warnings', () => {
  it('6.18: order 1 reaching the slowpath does not warn, order 2 does (WARN_ON_ONCE(order > 1))', () => {
    // min_free_kbytes 28800: min/low 3600/4500, so GFP_KERNEL's fast path (LOW) fails and S4 (MIN,
    // flags KSWAPD | CPUSET = 0x840) succeeds in DMA32, the first zone of the zonelist.
    const flags = ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_KSWAPD;
    for (const order of [1, 2]) {
      const pa = starved('6.18', 28800);
      const gfp = pa.gfp.GFP_KERNEL | __GFP_NOFAIL;
      const r = __alloc_pages(pa, { gfp, order });
      expect(r.won?.stage).toBe('slowpath');
      expect(r.events).toEqual([
        ...(order > 1 ? [warning(NOFAIL_ORDER)] : []),
        wake(ZONE_DMA32, gfp, order, ZONE_NORMAL),
        attempt('slowpath', flags, true),
      ]);
    }
  });

  it('6.1: nopage warns about a costly order from order 4, not at order 3', () => {
    // GFP_KERNEL | __GFP_DMA | __GFP_NOFAIL on starved: highest_zoneidx DMA < NORMAL, so
    // __alloc_pages_may_oom() skips; nopage then warns WARN_ON_ONCE_GFP(order > 3) and takes the
    // MIN_RESERVE fallback (min 2500 < 4096): the only rmqueue() run, which warns order > 1.
    for (const order of [3, 4]) {
      const pa = starved('6.1');
      const r = __alloc_pages(pa, {
        gfp: pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_NOFAIL,
        order,
        reclaim: 0,
      });
      expect([r.won?.stage, r.zone]).toEqual(['nofail', ZONE_DMA]);
      expect(warnings(r)).toEqual([
        ...(order > 3 ? [warning(NOFAIL_COSTLY)] : []),
        warning(NOFAIL_ORDER),
      ]);
    }
  });
});
