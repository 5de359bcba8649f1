/**
 * The version rules (rules.ts) seen through the allocator, and the boot arithmetic boundaries of
 * watermark_setup.ts (page-alloc.md §2–§4, reclaim-and-gfp.md §1, §3–§4). Each rule is shown as
 * the kernel behaviour of the versions that differ; expected numbers are worked out in comments.
 */
import { describe, expect, it } from 'vitest';
import { ALLOC_KSWAPD, ALLOC_NO_WATERMARKS } from '../../../models/page_alloc/alloc_flags.ts';
import {
  __GFP_COMP,
  __GFP_DMA,
  __GFP_MEMALLOC,
  __GFP_NOMEMALLOC,
  __GFP_NOWARN,
  __GFP_RECLAIM,
  __GFP_RETRY_MAYFAIL,
} from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc } from '../../../models/page_alloc/machine.ts';
import { __alloc_pages, type AllocResult } from '../../../models/page_alloc/page_alloc.ts';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { Zone } from '../../../models/page_alloc/state.ts';
import {
  __setup_per_zone_wmarks,
  calculate_min_free_kbytes,
  init_per_zone_wmark_min_and_thp,
  nr_free_buffer_pages,
  setup_per_zone_lowmem_reserve,
} from '../../../models/page_alloc/watermark_setup.ts';
import { defaultSysctls, ZONE_DMA, type ZoneCounts } from '../../../models/page_alloc/zone.ts';
import { highatomicOnly, starved, tiny, zones } from './tiny.ts';

const R61 = pageAllocRules['6.1'];
const kinds = (r: AllocResult) => r.events.map((e) => e.kind);

describe('version rules, as the allocator shows them', () => {
  it.each([
    ['5.4', /^linux-5\.4\.y \(5\.4\.80\+: boost exemption\): mm\/page_alloc\.c, mm\/vmscan\.c$/],
    ['6.1', /^late 6\.1\.y \(Debian 6\.1\.192\): mm\/page_alloc\.c, mm\/vmscan\.c$/],
    ['6.18', /^v6\.18: mm\/page_alloc\.c, mm\/vmscan\.c$/],
  ] as const)(
    'the %s rules name the tree they were read in (poolcheck list prints it)',
    (v, source) => {
      expect(pageAllocRules[v].id).toBe(v);
      expect(pageAllocRules[v].source).toMatch(source);
    },
  );

  it('warn_alloc: a failed GFP_NOWAIT warns in 5.4 and late 6.1.y; 6.18 GFP_NOWAIT carries __GFP_NOWARN', () => {
    for (const [v, warns] of [
      ['5.4', true],
      ['6.1', true],
      ['6.18', false],
    ] as const) {
      const pa = starved(v);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_NOWAIT, order: 0 });
      expect(r.pfn).toBeNull();
      expect(kinds(r).includes('warn_alloc')).toBe(warns);
    }
  });

  it('rmqueue: the ZONE_BOOSTED_WATERMARK wake needs ALLOC_KSWAPD only from 6.6 (6.18), not in 5.4/6.1', () => {
    // GFP_TRANSHUGE_LIGHT has no __GFP_KSWAPD_RECLAIM; the flag is what a fragmenting fallback
    // under ALLOC_KSWAPD left on DMA32. 5.4/6.1 clear it and wake kswapd on any rmqueue there.
    for (const [v, wakes] of [
      ['5.4', true],
      ['6.1', true],
      ['6.18', false],
    ] as const) {
      const pa = createPageAlloc(tiny, pageAllocRules[v]);
      const z = pa.zones[1] as Zone;
      z.boosted_watermark = true;
      const gfp =
        (pa.gfp.GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) &
        ~__GFP_RECLAIM;
      const r = __alloc_pages(pa, { gfp, order: 9 });
      expect(r.zone).toBe(1);
      expect(kinds(r)).toEqual(wakes ? ['wakeup_kswapd'] : []);
      expect(z.boosted_watermark).toBe(!wakes);
    }
  });

  it('rmqueue_buddy: late 6.1.y lets a failed ALLOC_NON_BLOCK order-0 request take highatomic pages; 5.4 does not', () => {
    // DMA: pageblock 0 reserved highatomic (its order-10 block, 1024 free pages, moves to the
    // HIGHATOMIC list), the other three order-10 blocks allocated. GFP_ATOMIC | __GFP_DMA passes
    // the check (highatomic counts for HARDER / NON_BLOCK) but __rmqueue never takes HIGHATOMIC.
    for (const [v, gets] of [
      ['5.4', false],
      ['6.1', true],
    ] as const) {
      const pa = highatomicOnly(v, ZONE_DMA);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_DMA, order: 0 });
      expect(r.pfn !== null).toBe(gets);
      expect(r.won?.stage).toBe(gets ? 'slowpath' : undefined);
    }
  });

  it('__alloc_pages_slowpath: 5.4 replaces alloc_flags by the reserve flags (ALLOC_KSWAPD lost); 6.1 keeps it', () => {
    // GFP_NOWAIT | __GFP_MEMALLOC fails at low and min, then takes a page at S6 with NO_WATERMARKS
    const a = starved('5.4');
    const b = starved('6.1');
    const gfp = a.gfp.GFP_NOWAIT | __GFP_MEMALLOC;
    expect(__alloc_pages(a, { gfp, order: 0 }).won?.alloc_flags).toBe(ALLOC_NO_WATERMARKS);
    expect(__alloc_pages(b, { gfp, order: 0 }).won?.alloc_flags).toBe(
      ALLOC_NO_WATERMARKS | ALLOC_KSWAPD,
    );
  });

  it('__alloc_pages_slowpath S10: a costly order without __GFP_IO gives up even with __GFP_RETRY_MAYFAIL (5.4.y, 6.1.y)', () => {
    // order 4 > PAGE_ALLOC_COSTLY_ORDER; GFP_KERNEL | __GFP_RETRY_MAYFAIL retries (free pages count
    // as reclaimable) until 16 rounds without progress, GFP_NOIO stops after its first round
    for (const v of ['5.4', '6.1'] as const) {
      const pa = starved(v);
      const noio = __alloc_pages(pa, {
        gfp: pa.gfp.GFP_NOIO | __GFP_RETRY_MAYFAIL,
        order: 4,
        reclaim: 0,
      });
      const kernel = __alloc_pages(pa, {
        gfp: pa.gfp.GFP_KERNEL | __GFP_RETRY_MAYFAIL,
        order: 4,
        reclaim: 0,
      });
      expect(noio.reclaim_rounds).toBe(1);
      expect(kinds(noio)).not.toContain('should_reclaim_retry');
      expect(kernel.reclaim_rounds).toBe(17);
    }
  });
});

describe('boot arithmetic boundaries', () => {
  it('nr_free_buffer_pages: only zones up to Normal count, so calculate_min_free_kbytes ignores Movable', () => {
    // sqrt((3840 + 242096) * 4 * 16) = sqrt(15739904) = 3967 (3968^2 = 15745024); with the 100000
    // Movable pages it would be 4705
    const s = defaultSysctls();
    calculate_min_free_kbytes(zones(3840, 242096, 0, 100000), s, R61);
    expect(s.min_free_kbytes).toBe(3967);
  });

  it('nr_free_zone_pages: managed minus the boosted high watermark, and nothing where that is negative', () => {
    // min_free_kbytes 600000 on 1G: DMA high 3512, DMA32 high 221485. One boost_watermark() step
    // (+512) lifts DMA's high to 4024 > 3840 managed: DMA adds 0, DMA32 adds 242096 - 221485
    const z = zones(3840, 242096);
    __setup_per_zone_wmarks(z, { ...defaultSysctls(), min_free_kbytes: 600000 }, R61);
    (z[0] as ZoneCounts).watermark_boost = 512;
    expect(nr_free_buffer_pages(z)).toBe(20611);
  });

  it('calculate_min_free_kbytes: a default equal to the user value is not applied (strict >)', () => {
    // 157 pages: sqrt(157 * 4 * 16) = sqrt(10048) = 100 = user value, so 100 stays (kernel warns);
    // applying it would clamp it up to 128
    const s = { ...defaultSysctls(), min_free_kbytes: 100, user_min_free_kbytes: 100 };
    calculate_min_free_kbytes(zones(157), s, R61);
    expect(s.min_free_kbytes).toBe(100);
  });

  it('__setup_per_zone_wmarks: mult_frac stays exact on a 1 TiB zone (watermark_scale_factor 3000)', () => {
    // dist = max(tmp / 4, 2^28 * 3000 / 10000 = 80530636.8 -> 80530636)
    const z = zones(3840, 754602, 2 ** 28);
    __setup_per_zone_wmarks(z, { ...defaultSysctls(), watermark_scale_factor: 3000 }, R61);
    const w = z[2]?._watermark ?? [];
    expect((w[1] ?? 0) - (w[0] ?? 0)).toBe(80530636);
  });

  it('calculate_totalreserve_pages: a protection larger than the zone is capped at its managed pages', () => {
    // 5G, DMA ratio 3: DMA protection 1255021 / 3 = 418340 (+ high 6) > 3840 managed -> 3840;
    // DMA32: 500419 / 256 = 1954 + high 1661; Normal: high 1101
    const z = zones(3840, 754602, 500419);
    const s = { ...defaultSysctls(), lowmem_reserve_ratio: [3, 256, 32, 0, 0] };
    __setup_per_zone_wmarks(z, s, R61);
    expect(setup_per_zone_lowmem_reserve(z, s, R61)).toBe(3840 + 1954 + 1661 + 1101);
  });

  it('hugepage_init: exactly 512 MiB of totalram starts khugepaged; the 5% cap is net of the high watermarks', () => {
    // 131072 pages: default 2896 kB -> highs DMA 31, DMA32 1052; cap (3809 + 126180) / 20 = 6499
    // pages < 11264, so min_free_kbytes = 6499 * 4
    const r = init_per_zone_wmark_min_and_thp(zones(3840, 127232), defaultSysctls(), R61);
    expect(r.thpRaised).toBe(true);
    expect(r.min_free_kbytes).toBe(25996);
  });
});
