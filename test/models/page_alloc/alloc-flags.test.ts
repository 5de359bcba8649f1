/**
 * From gfp to alloc_flags and what the flags buy (reclaim-and-gfp.md §1-§4, §7; page-alloc.md §7,
 * §9): gfpflags_allow_blocking() and %pGg names, gfp_to_alloc_flags() per version,
 * alloc_flags_nofragment() on a node with ZONE_NORMAL, which successes reserve a highatomic
 * pageblock and which rmqueue() calls take one, then the slowpath's rarer steps: no preferred zone,
 * S0 (__GFP_ATOMIC with __GFP_DIRECT_RECLAIM), the last-chance attempt of __alloc_pages_may_oom(),
 * GFP_NOFS "too small to fail", and the __GFP_NOFAIL fallback of S15.
 *
 * Numbers (tiny, tiny.ts): DMA and DMA32 manage 4096 pages each with min/low/high 90/112/134;
 * DMA's lowmem_reserve is 16 for DMA32 and above, DMA32's is 0. `starved(v)` writes
 * min_free_kbytes = 40000 (10000 pages): min/low/high 5000/6250/7500 in each zone, above the 4096
 * pages either zone has, so nothing is taken without a reserve.
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_CPUSET,
  ALLOC_HIGHATOMIC,
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NO_WATERMARKS,
  ALLOC_NOFRAGMENT,
  ALLOC_NON_BLOCK,
  ALLOC_WMARK_HIGH,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MIN,
} from '../../../models/page_alloc/alloc_flags.ts';
import {
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_FS,
  __GFP_HIGH,
  __GFP_IO,
  __GFP_KSWAPD_RECLAIM,
  __GFP_MOVABLE,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  gfpComposites,
  gfpflags_allow_blocking,
  gfpName,
} from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc, type MachineConfig } from '../../../models/page_alloc/machine.ts';
import {
  __alloc_pages,
  type AllocRequest,
  type AllocResult,
  allocMaySleep,
  filemap_add_folio,
  gfp_to_alloc_flags,
  RETRY_BOUND,
  vm_sysctl_write,
} from '../../../models/page_alloc/page_alloc.ts';
import {
  get_pageblock_migratetype,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
} from '../../../models/page_alloc/pages.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import {
  high_wmark_pages,
  min_wmark_pages,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_NORMAL,
} from '../../../models/page_alloc/zone.ts';
import { drained, free } from './drained.ts';
import { normalOnly, starved, tiny, withParallelExit } from './tiny.ts';

const R54 = pageAllocRules['5.4'];
const R61 = pageAllocRules['6.1'];
const g54 = gfpComposites(R54);
const g61 = gfpComposites(R61);
const kinds = (r: AllocResult) => r.events.map((e) => e.kind);
const zone = (pa: PageAlloc, i: number) => pa.zones[i] as Zone;
/** The two bits 5.4 calls ALLOC_HARDER and ALLOC_HIGH. */
const RESERVE_BITS = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE;

/** tiny plus 4096 pages at 4 GiB: DMA, DMA32 and Normal of 4096 pages, zonelist Normal, DMA32, DMA. */
const withNormal: MachineConfig = {
  name: 'with-normal',
  memory: [
    { start: 0, end: 8192 },
    { start: 1048576, end: 1048576 + 4096 },
  ],
  reserved: [],
};

/** Memory from 16 MiB only: DMA32 of 4096 pages and no ZONE_DMA at all. */
const noDma: MachineConfig = { name: 'no-dma', memory: [{ start: 4096, end: 8192 }], reserved: [] };

/** Repeats `req` until it fails; returns the successes. */
function takeUntilFail(pa: PageAlloc, req: AllocRequest): AllocResult[] {
  const got: AllocResult[] = [];
  for (let i = 0; i < 10000; i++) {
    const r = __alloc_pages(pa, req);
    if (r.pfn === null) return got;
    got.push(r);
  }
  throw new Error('never failed');
}

/** Adds clean order-0 folios without reclaim until one fails; returns their pfns, oldest first. */
function takeUntilFailFolios(pa: PageAlloc): number[] {
  const pfns: number[] = [];
  for (let r = filemap_add_folio(pa, 0, false, 0); r.pfn !== null; ) {
    pfns.push(r.pfn);
    r = filemap_add_folio(pa, 0, false, 0);
  }
  return pfns;
}

describe('gfp predicates and names (include/linux/gfp.h, %pGg)', () => {
  it('gfpflags_allow_blocking, 5.4 to 6.18: exactly __GFP_DIRECT_RECLAIM, whatever else is set', () => {
    expect(gfpflags_allow_blocking(g61.GFP_KERNEL)).toBe(true);
    expect(gfpflags_allow_blocking(g61.GFP_NOIO)).toBe(true);
    expect(gfpflags_allow_blocking(__GFP_DIRECT_RECLAIM)).toBe(true);
    expect(gfpflags_allow_blocking(g61.GFP_ATOMIC)).toBe(false);
    expect(gfpflags_allow_blocking(g61.GFP_NOWAIT)).toBe(false);
    // GFP_KERNEL without direct reclaim (0xcc0 & ~0x400 = 0x8c0) cannot block
    expect(gfpflags_allow_blocking(g61.GFP_KERNEL & ~__GFP_DIRECT_RECLAIM)).toBe(false);
  });

  it('%pGg, late 6.1.y: each composite alone prints as its own name', () => {
    expect(gfpName(g61.GFP_HIGHUSER_MOVABLE, R61)).toBe('GFP_HIGHUSER_MOVABLE'); // 0x100cca
    expect(gfpName(g61.GFP_USER, R61)).toBe('GFP_USER'); // 0x100cc0
    expect(gfpName(g61.GFP_NOFS, R61)).toBe('GFP_NOFS'); // 0xc40
    expect(gfpName(g61.GFP_NOIO, R61)).toBe('GFP_NOIO'); // 0xc00
    expect(gfpName(g61.GFP_NOWAIT, R61)).toBe('GFP_NOWAIT'); // 0x800
    // a composite then the rest: GFP_NOFS | __GFP_NOFAIL = 0x8c40
    expect(gfpName(g61.GFP_NOFS | __GFP_NOFAIL, R61)).toBe('GFP_NOFS|__GFP_NOFAIL');
  });
});

describe('gfp_to_alloc_flags', () => {
  it('late 6.1.y: ALLOC_KSWAPD only from __GFP_KSWAPD_RECLAIM', () => {
    const pa = createPageAlloc(tiny, R61);
    // GFP_KERNEL without kswapd (a GFP_TRANSHUGE_LIGHT-like blocking mask): WMARK_MIN|CPUSET = 0x40
    expect(gfp_to_alloc_flags(pa, __GFP_DIRECT_RECLAIM | __GFP_IO | __GFP_FS, 0)).toBe(
      ALLOC_CPUSET,
    );
    // bare __GFP_HIGH: MIN_RESERVE 0x20 | NON_BLOCK 0x10 (no direct reclaim), CPUSET dropped = 0x30
    expect(gfp_to_alloc_flags(pa, __GFP_HIGH, 0)).toBe(ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK);
    expect(gfp_to_alloc_flags(pa, __GFP_KSWAPD_RECLAIM, 0)).toBe(
      ALLOC_CPUSET | ALLOC_NON_BLOCK | ALLOC_KSWAPD, // GFP_NOWAIT: 0x40 | 0x10 | 0x800
    );
  });

  it('5.4: __GFP_ATOMIC gives HARDER only without __GFP_NOMEMALLOC, and drops CPUSET either way', () => {
    const pa = createPageAlloc(tiny, R54);
    // GFP_ATOMIC: HIGH 0x20 | HARDER 0x10 | KSWAPD 0x800
    expect(gfp_to_alloc_flags(pa, g54.GFP_ATOMIC, 0)).toBe(
      ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD,
    );
    // with __GFP_NOMEMALLOC: HIGH 0x20 | KSWAPD 0x800, still no CPUSET
    expect(gfp_to_alloc_flags(pa, g54.GFP_ATOMIC | __GFP_NOMEMALLOC, 0)).toBe(
      ALLOC_MIN_RESERVE | ALLOC_KSWAPD,
    );
  });
});

describe('the v6.1 release (6.1.0, the page allocator of v5.8): the 6.1.0 column of §10', () => {
  const R610 = pageAllocRules['6.1.0'];

  it('gfp_to_alloc_flags: ALLOC_HARDER from __GFP_ATOMIC as in 5.4; GFP_NOWAIT gets no reserve bit', () => {
    const pa = createPageAlloc(tiny, R610);
    expect(gfp_to_alloc_flags(pa, g61.GFP_ATOMIC, 1)).toBe(
      ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD, // HIGH | HARDER | KSWAPD, no HIGHATOMIC bit
    );
    expect(gfp_to_alloc_flags(pa, g61.GFP_NOWAIT, 0)).toBe(ALLOC_CPUSET | ALLOC_KSWAPD);
    // late 6.1.y: any caller that cannot block is NON_BLOCK
    expect(gfp_to_alloc_flags(createPageAlloc(tiny, R61), g61.GFP_NOWAIT, 0)).toBe(
      ALLOC_CPUSET | ALLOC_NON_BLOCK | ALLOC_KSWAPD,
    );
  });

  it('the NOFAIL fallback is ALLOC_HARDER, as in 5.4', () => {
    const pa = starved('6.1.0');
    const r = __alloc_pages(pa, {
      gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32 | __GFP_NOFAIL,
      order: 0,
      reclaim: 0,
    });
    expect(r.won?.stage).toBe('nofail');
    expect((r.won?.alloc_flags ?? 0) & RESERVE_BITS).toBe(ALLOC_NON_BLOCK);
  });
});

describe('alloc_flags_nofragment (fast path), late 6.1.y', () => {
  it('ALLOC_NOFRAGMENT only when ZONE_NORMAL is the preferred zone', () => {
    const pa = createPageAlloc(withNormal, R61);
    // GFP_KERNEL prefers Normal: WMARK_LOW 0x1 | NOFRAGMENT 0x100 | KSWAPD 0x800 = 0x901; the first
    // pass succeeds (Normal's order-10 movable blocks are >= pageblock_order, so stealing is allowed)
    const k = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0 });
    expect(k.won?.stage).toBe('fast');
    expect(k.zone).toBe(ZONE_NORMAL);
    expect(k.won?.alloc_flags).toBe(ALLOC_WMARK_LOW | ALLOC_NOFRAGMENT | ALLOC_KSWAPD);
    // GFP_KERNEL | __GFP_DMA32 prefers DMA32: 0x801
    const d = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 0 });
    expect(d.zone).toBe(ZONE_DMA32);
    expect(d.won?.alloc_flags).toBe(ALLOC_WMARK_LOW | ALLOC_KSWAPD);
    // on tiny (no Normal) GFP_KERNEL prefers DMA32: no NOFRAGMENT either
    const t = createPageAlloc(tiny, R61);
    expect(__alloc_pages(t, { gfp: t.gfp.GFP_KERNEL, order: 0 }).won?.alloc_flags).toBe(
      ALLOC_WMARK_LOW | ALLOC_KSWAPD,
    );
  });
});

describe('get_page_from_freelist: which successes reserve a highatomic pageblock', () => {
  it('5.4: an order-1 slowpath success with ALLOC_HARDER (GFP_ATOMIC) reserves one', () => {
    const pa = createPageAlloc(tiny, R54);
    // GFP_NOWAIT (5.4: no reserves) takes both zones down to their min, 90
    takeUntilFail(pa, { gfp: pa.gfp.GFP_NOWAIT, order: 0 });
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC, order: 1 });
    expect(r.won?.stage).toBe('slowpath');
    expect(r.won?.alloc_flags).toBe(ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD);
    expect(zone(pa, r.zone).nr_reserved_highatomic).toBe(512);
    expect(get_pageblock_migratetype(pa.pages, r.pfn as number)).toBe(MIGRATE_HIGHATOMIC);
  });

  it('late 6.1.y (6.1.157+): GFP_NOWAIT order 1 is NON_BLOCK without HIGHATOMIC, so it reserves nothing', () => {
    const pa = createPageAlloc(tiny, R61);
    // GFP_NOWAIT until the first slowpath success: both zones are then below low (112)
    let r = __alloc_pages(pa, { gfp: pa.gfp.GFP_NOWAIT, order: 0 });
    while (r.won?.stage === 'fast') r = __alloc_pages(pa, { gfp: pa.gfp.GFP_NOWAIT, order: 0 });
    expect(r.won?.stage).toBe('slowpath');
    const o1 = __alloc_pages(pa, { gfp: pa.gfp.GFP_NOWAIT, order: 1 });
    expect(o1.won?.stage).toBe('slowpath');
    // WMARK_MIN | NON_BLOCK 0x10 | CPUSET 0x40 | KSWAPD 0x800: no MIN_RESERVE, so no HIGHATOMIC
    expect(o1.won?.alloc_flags).toBe(
      ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_CPUSET | ALLOC_KSWAPD,
    );
    expect(pa.zones.map((z) => z.nr_reserved_highatomic)).toEqual([0, 0, 0, 0, 0]);
    expect(get_pageblock_migratetype(pa.pages, o1.pfn as number)).not.toBe(MIGRATE_HIGHATOMIC);
  });
});

describe('rmqueue', () => {
  /**
   * DMA with every free page taken, then: NR_FREE_PAGES set to what the lists hold, pfns 0-511
   * freed as one reserved highatomic pageblock (nr_reserved_highatomic 512), and the listed blocks.
   */
  function dmaWithHighatomicAt(v: PageAllocVersion, at: number): { pa: PageAlloc; z: Zone } {
    const { pa, z } = drained(v, tiny, ZONE_DMA);
    z.nr_free_pages = 0;
    free(pa, z, at, 9, MIGRATE_HIGHATOMIC);
    z.nr_reserved_highatomic = 512;
    return { pa, z };
  }

  it('late 6.1.y: ALLOC_HIGHATOMIC takes the highatomic list first, and its page at pfn 0 is the answer', () => {
    const { pa, z } = dmaWithHighatomicAt('6.1', 0);
    free(pa, z, 1024, 1, MIGRATE_UNMOVABLE); // an unmovable order-1 block __rmqueue() would take
    // GFP_ATOMIC | __GFP_DMA order 1. Fast path (LOW 112, reserve 0): 514 - 1 - 512 highatomic = 1,
    // fails. Slowpath, NON_BLOCK|MIN_RESERVE|HIGHATOMIC: 514 - 1 = 513 > 90 - 45 - 11 = 34, passes.
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_DMA, order: 1 });
    expect(r.won?.stage).toBe('slowpath');
    expect(r.won?.alloc_flags).toBe(
      ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_HIGHATOMIC | ALLOC_KSWAPD,
    );
    expect(r.pfn).toBe(0);
    expect(z.nr_free_pages).toBe(512);
    expect(get_pageblock_migratetype(pa.pages, 1024)).toBe(MIGRATE_UNMOVABLE);
    expect(z.free_head[1 * MIGRATE_TYPES + MIGRATE_UNMOVABLE]).toBe(1024); // still free
  });

  it('late 6.1.y: a page __rmqueue() found at pfn 0 is the answer; the highatomic fallback is only for nothing found', () => {
    const { pa, z } = dmaWithHighatomicAt('6.1', 512);
    free(pa, z, 0, 0, MIGRATE_MOVABLE);
    // GFP_NOWAIT | __GFP_DMA | __GFP_MOVABLE (zone DMA, MIGRATE_MOVABLE) order 0. Fast path: 513 -
    // 512 highatomic = 1, fails. Slowpath NON_BLOCK: highatomic usable, 513 > 90, passes; __rmqueue()
    // takes the movable page at pfn 0.
    const r = __alloc_pages(pa, {
      gfp: pa.gfp.GFP_NOWAIT | __GFP_DMA | __GFP_MOVABLE,
      order: 0,
    });
    expect(r.won?.stage).toBe('slowpath');
    expect(r.pfn).toBe(0);
    expect(z.nr_free_pages).toBe(512);
    expect(z.nr_free_mt[MIGRATE_HIGHATOMIC]).toBe(512); // the reserve is untouched
  });

  it('5.4: an order-0 caller without ALLOC_HARDER cannot take the highatomic pages its check counted', () => {
    // DMA32 holding only a reserved highatomic pageblock (pfns 4096-4607)
    const { pa, z } = drained('5.4', tiny, ZONE_DMA32);
    z.nr_free_pages = 0;
    free(pa, z, 4096, 9, MIGRATE_HIGHATOMIC);
    z.nr_reserved_highatomic = 512;
    // GFP_KERNEL | __GFP_DMA32 order 0: 5.4's order-0 shortcut ignores highatomic, 512 > 112 passes
    // DMA32, but rmqueue finds no page there (5.4 has no highatomic fallback); DMA serves it.
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 0 });
    expect(r.won?.stage).toBe('fast');
    expect(r.zone).toBe(ZONE_DMA);
    expect(z.nr_free_pages).toBe(512); // nothing was taken from DMA32
    expect(z.nr_free_mt[MIGRATE_HIGHATOMIC]).toBe(512);
  });
});

describe('__alloc_pages: no preferred zone (S2 goes to nopage)', () => {
  /** tiny with DMA wholly reserved: populated (in the zonelist) but with no managed page. */
  const dmaReserved: MachineConfig = {
    ...tiny,
    name: 'dma-reserved',
    reserved: [{ start: 0, end: 4096 }],
  };
  const kinds = (r: AllocResult) => r.events.map((e) => e.kind);

  it('__GFP_DMA on a node without ZONE_DMA: the slowpath computes its flags, then fails with no wake, no attempt and no warning (5.17+ skips DMA)', () => {
    for (const v of ['5.4', '6.1', '6.18'] as const) {
      const pa = createPageAlloc(noDma, pageAllocRules[v]);
      expect(pa.zonelist).toEqual([ZONE_DMA32]);
      for (const gfp of [pa.gfp.GFP_ATOMIC | __GFP_DMA, pa.gfp.GFP_KERNEL | __GFP_DMA]) {
        const r = __alloc_pages(pa, { gfp, order: 0 });
        expect(r.pfn).toBeNull();
        expect(r.highest_zoneidx).toBe(ZONE_DMA);
        expect(r.slow_flags).toBe(gfp_to_alloc_flags(pa, gfp, 0));
        expect(r.reclaim_rounds).toBe(0);
        expect(r.events).toEqual([]);
      }
      expect(zone(pa, ZONE_DMA32).nr_allocated).toBe(0);
    }
  });

  it('a request below DMA32 on a node with only Normal fails at nopage and warns: only DMA is spared', () => {
    const pa = createPageAlloc(normalOnly, R61);
    expect(pa.zonelist).toEqual([ZONE_NORMAL]);
    const gfp = pa.gfp.GFP_KERNEL | __GFP_DMA32;
    const r = __alloc_pages(pa, { gfp, order: 0 });
    expect(r.pfn).toBeNull();
    expect(r.reclaim_rounds).toBe(0);
    expect(r.events).toEqual([
      {
        kind: 'warn_alloc',
        text: `page allocation failure: order:0, mode:0x${gfp.toString(16)}(GFP_KERNEL|GFP_DMA32)`,
      },
    ]);
    expect(__alloc_pages(pa, { gfp: gfp | __GFP_NOWARN, order: 0 }).events).toEqual([]);
  });

  it('S0 runs before S2: __GFP_ATOMIC with __GFP_DIRECT_RECLAIM still warns with no zone', () => {
    const pa = createPageAlloc(noDma, R61);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_ATOMIC | __GFP_DMA, order: 0 });
    expect(kinds(r)).toEqual(['gfp_warning']);
  });

  it('__GFP_NOFAIL that can block never fails: with no zone it loops until the model stops it', () => {
    const pa = createPageAlloc(noDma, R61);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_NOFAIL, order: 0 });
    expect(r.pfn).toBeNull();
    expect(kinds(r).at(-1)).toBe('livelock');
    expect(kinds(r)).not.toContain('warn_alloc');
    expect(kinds(r)).not.toContain('wakeup_kswapd');
    // one that cannot block warns and goes to fail: a NOFAIL caller that must not sleep gets NULL
    const atomic = __alloc_pages(pa, {
      gfp: pa.gfp.GFP_ATOMIC | __GFP_DMA | __GFP_NOFAIL,
      order: 0,
    });
    expect(atomic.events).toEqual([
      { kind: 'gfp_warning', text: '__GFP_NOFAIL without __GFP_DIRECT_RECLAIM' },
    ]);
  });

  it('a DMA zone with no managed page: warn_alloc stays silent for __GFP_DMA (has_managed_dma), not for DMA32', () => {
    const pa = createPageAlloc(dmaReserved, R61);
    expect(pa.zonelist).toEqual([ZONE_DMA32, ZONE_DMA]);
    expect(zone(pa, ZONE_DMA).managed_pages).toBe(0);
    const dma = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_DMA, order: 0 });
    expect(dma.pfn).toBeNull();
    expect(kinds(dma)).toContain('attempt');
    expect(kinds(dma)).not.toContain('warn_alloc');
    // DMA32's min far above its 4096 pages: a GFP_ATOMIC request fails there and warns
    vm_sysctl_write(pa, 'min_free_kbytes', 65536);
    const dma32 = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_DMA32, order: 0 });
    expect(dma32.pfn).toBeNull();
    expect(kinds(dma32).at(-1)).toBe('warn_alloc');
  });

  it('wake_all_kswapds: 5.4 wakes the first eligible zone, which does nothing when it is unmanaged; 6.1 skips it', () => {
    const wakes = (v: PageAllocVersion) => {
      const pa = createPageAlloc(dmaReserved, pageAllocRules[v]);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_DMA, order: 0 });
      return r.events.flatMap((e) => (e.kind === 'wakeup_kswapd' ? [e.wake] : []));
    };
    const w54 = wakes('5.4');
    expect(w54).toHaveLength(2); // S3 and S6
    for (const w of w54)
      expect(w).toMatchObject({ zone: ZONE_DMA, woken: false, why: 'unmanaged' });
    expect(wakes('6.1')).toEqual([]);
    expect(wakes('6.18')).toEqual([]);
  });
});

describe('__alloc_pages_slowpath S0', () => {
  it('5.4 and late 6.1.y: __GFP_ATOMIC with __GFP_DIRECT_RECLAIM warns once and drops __GFP_ATOMIC', () => {
    for (const v of ['5.4', '6.1'] as const) {
      const seen: number[] = [];
      const pa = createPageAlloc(tiny, pageAllocRules[v], {
        gfp_to_alloc_flags: (p, gfp, order) => {
          seen.push(gfp);
          return gfp_to_alloc_flags(p, gfp, order);
        },
      });
      vm_sysctl_write(pa, 'min_free_kbytes', 40000);
      // GFP_KERNEL | __GFP_ATOMIC | __GFP_NORETRY = 0xcc0 | 0x200 | 0x10000 = 0x10ec0
      const gfp = pa.gfp.GFP_KERNEL | __GFP_ATOMIC | __GFP_NORETRY;
      const r = __alloc_pages(pa, { gfp, order: 0, reclaim: 0 });
      expect(r.pfn).toBeNull();
      expect(r.events[0]).toEqual({
        kind: 'gfp_warning',
        text: '__GFP_ATOMIC with __GFP_DIRECT_RECLAIM',
      });
      expect(kinds(r).filter((k) => k === 'gfp_warning')).toHaveLength(1);
      // gfp_to_alloc_flags() sees 0x10cc0: 5.4 gets no HARDER and keeps CPUSET (0x40 | 0x800)
      expect(seen).toEqual([gfp & ~__GFP_ATOMIC]);
      expect(r.slow_flags).toBe(ALLOC_CPUSET | ALLOC_KSWAPD);
      expect(r.events.at(-1)).toEqual({
        kind: 'warn_alloc',
        text: 'page allocation failure: order:0, mode:0x10cc0(GFP_KERNEL|__GFP_NORETRY)',
      });
      expect(r.gfp).toBe(gfp); // the request itself is unchanged
      // GFP_ATOMIC itself (no direct reclaim) is no caller bug
      const a = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC, order: 0 });
      expect(kinds(a)).not.toContain('gfp_warning');
    }
  });
});

describe('allocMaySleep', () => {
  it('late 6.1.y: one direct-reclaim round is a sleep, even when S10 ends a costly request before should_reclaim_retry', () => {
    const pa = starved('6.1');
    // order 4 > PAGE_ALLOC_COSTLY_ORDER without __GFP_RETRY_MAYFAIL: reclaim once, then nopage
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 4, reclaim: 0 });
    expect(r.pfn).toBeNull();
    expect(kinds(r)).toContain('direct_reclaim');
    expect(kinds(r)).not.toContain('throttle'); // 8192 free > (5000 + 5000) / 2
    expect(kinds(r)).not.toContain('should_reclaim_retry');
    expect(allocMaySleep(r)).toBe(true);
    expect(allocMaySleep(__alloc_pages(pa, { gfp: pa.gfp.GFP_NOWAIT, order: 4 }))).toBe(false);
  });
});

describe('filemap_add_folio', () => {
  it('6.1: readahead reclaims with the caller budget: `reclaim` = 1 frees exactly the oldest page', () => {
    const pa = createPageAlloc(tiny, R61);
    const cached = takeUntilFailFolios(pa);
    // both zones are now at min (DMA32 at 90, DMA at 90 + 16); one reclaimed page lifts DMA32 to 91
    const r = filemap_add_folio(pa, 0, false, 1);
    expect(r.reclaim_rounds).toBe(1);
    expect(r.reclaimed).toBe(1);
    expect(r.won?.stage).toBe('reclaim');
    expect(r.pfn).toBe(cached[0]); // the oldest folio's page, reused
  });
});

describe('__alloc_pages_may_oom', () => {
  it('late 6.1.y: pages a parallel task frees after reclaim gave up are taken at HIGH, with no OOM kill', () => {
    // the task exiting in parallel: it frees 64 held DMA32 pages just before the one check at the
    // high watermark (the last-chance attempt is the allocator's only WMARK_HIGH check)
    const { pa, held, arm } = withParallelExit(64);
    const gfp = pa.gfp.GFP_KERNEL | __GFP_DMA32 | __GFP_NORETRY | __GFP_NOWARN;
    for (const r of takeUntilFail(pa, { gfp, order: 0, reclaim: 0 })) held.push(r.pfn as number);
    const z = zone(pa, ZONE_DMA32);
    expect(z.nr_free_pages).toBe(min_wmark_pages(z)); // 90
    arm();
    // GFP_KERNEL: 17 rounds without progress, then the last-chance attempt at HIGH | CPUSET:
    // 90 + 64 = 154 > high 134
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0, reclaim: 0 });
    expect(high_wmark_pages(z)).toBe(134);
    expect(r.won?.stage).toBe('oom');
    expect(r.won?.alloc_flags).toBe(ALLOC_WMARK_HIGH | ALLOC_CPUSET);
    expect(r.zone).toBe(ZONE_DMA32);
    expect(r.oom_victim).toBe(false);
    expect(kinds(r)).not.toContain('oom');
    expect(kinds(r)).not.toContain('warn_alloc');
  });

  it('late 6.1.y: GFP_NOFS is too small to fail: out_of_memory() makes progress without a kill, forever', () => {
    const pa = starved('6.1');
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_NOFS, order: 0, reclaim: 0 });
    expect(r.pfn).toBeNull();
    expect(r.oom_victim).toBe(false);
    // every 17th round gives up retrying (loops 17 > 16) and reaches out_of_memory(), which resets
    // the count: floor(4096 / 17) = 240 OOM calls before the model's bound of 4096 rounds
    const ooms = r.events.filter((e) => e.kind === 'oom');
    expect(ooms).toHaveLength(Math.floor(RETRY_BOUND / 17));
    expect(ooms.every((e) => e.kind === 'oom' && e.what === 'nofs')).toBe(true);
    expect(r.reclaim_rounds).toBe(RETRY_BOUND);
    expect(r.events.at(-1)).toEqual({ kind: 'livelock' });
    expect(kinds(r)).not.toContain('warn_alloc');
  });
});

describe('__alloc_pages_may_oom: __GFP_NOFAIL', () => {
  it('5.4 and late 6.1.y: after out_of_memory() a NOFAIL request takes the reserves with ALLOC_NO_WATERMARKS', () => {
    // GFP_NOFS | __GFP_NOFAIL order 0 on a starved tiny: 16 rounds without progress, the 17th
    // calls out_of_memory() (no __GFP_FS: progress, no kill), then __alloc_pages_cpuset_fallback()
    for (const v of ['5.4', '6.1'] as const) {
      const pa = starved(v);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_NOFS | __GFP_NOFAIL, order: 0, reclaim: 0 });
      expect(r.pfn).not.toBeNull();
      expect(r.won?.stage).toBe('oom');
      expect(r.won?.alloc_flags).toBe(ALLOC_NO_WATERMARKS | ALLOC_CPUSET);
      expect(r.events).toContainEqual({ kind: 'oom', what: 'nofs' });
      expect(r.reclaim_rounds).toBe(17);
    }
  });
});

describe('__GFP_NOFAIL misuse warnings (WARN_ON_ONCE)', () => {
  const NO_RECLAIM = { kind: 'gfp_warning', text: '__GFP_NOFAIL without __GFP_DIRECT_RECLAIM' };
  const ORDER = { kind: 'gfp_warning', text: '__GFP_NOFAIL with order > 1' };
  const COSTLY = { kind: 'gfp_warning', text: '__GFP_NOFAIL with a costly order' };
  const warnings = (r: AllocResult) => r.events.filter((e) => e.kind === 'gfp_warning');

  it('a caller that cannot block: 5.4 and 6.1 warn at nopage and fail; 6.18 warns on entering the slowpath', () => {
    for (const v of ['5.4', '6.1', '6.18'] as const) {
      const pa = starved(v);
      // GFP_NOWAIT without the __GFP_NOWARN 6.18's carries
      const r = __alloc_pages(pa, { gfp: __GFP_KSWAPD_RECLAIM | __GFP_NOFAIL, order: 0 });
      expect(r.pfn).toBeNull();
      expect(warnings(r)).toEqual([NO_RECLAIM]);
      expect(kinds(r).at(-1)).toBe('warn_alloc');
      // 6.18's warning comes before the first wake; 5.4's and 6.1's after the last attempt
      expect(kinds(r).indexOf('gfp_warning') < kinds(r).indexOf('wakeup_kswapd')).toBe(
        v === '6.18',
      );
    }
  });

  it('6.18 warns even when the slowpath then succeeds; 6.1 only when it reaches nopage', () => {
    // tiny at min_free_kbytes 20000 (min 2500, low 3125 in each zone), taken down to min by
    // GFP_NOWAIT: a GFP_ATOMIC | NOFAIL request fails the fast path at low and passes the
    // slowpath's reduced min
    for (const v of ['6.1', '6.18'] as const) {
      const pa = starved(v, 20000);
      takeUntilFail(pa, { gfp: pa.gfp.GFP_NOWAIT, order: 0 });
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_NOFAIL, order: 0 });
      expect(r.won?.stage).toBe('slowpath');
      expect(warnings(r)).toEqual(v === '6.18' ? [NO_RECLAIM] : []);
    }
  });

  it('WARN_ON_ONCE_GFP: 6.1 keeps quiet under __GFP_NOWARN; 5.4 (plain WARN_ON_ONCE) and 6.18 (entry) do not', () => {
    const quiet = (v: PageAllocVersion) => {
      const pa = starved(v);
      const gfp = pa.gfp.GFP_NOWAIT | __GFP_NOFAIL | __GFP_NOWARN;
      return warnings(__alloc_pages(pa, { gfp, order: 0 }));
    };
    expect(quiet('5.4')).toEqual([NO_RECLAIM]);
    expect(quiet('6.1')).toEqual([]);
    expect(quiet('6.18')).toEqual([NO_RECLAIM]);
    // S0 is a WARN_ON_ONCE_GFP in 6.1 as well
    const pa = createPageAlloc(tiny, R61);
    const gfp = pa.gfp.GFP_KERNEL | __GFP_ATOMIC;
    vm_sysctl_write(pa, 'min_free_kbytes', 40000);
    expect(warnings(__alloc_pages(pa, { gfp: gfp | __GFP_NOWARN, order: 0, reclaim: 0 }))).toEqual(
      [],
    );
    const p54 = starved('5.4');
    expect(warnings(__alloc_pages(p54, { gfp: gfp | __GFP_NOWARN, order: 0, reclaim: 0 }))).toEqual(
      [{ kind: 'gfp_warning', text: '__GFP_ATOMIC with __GFP_DIRECT_RECLAIM' }],
    );
  });

  it('order > 1: 5.4 and 6.1 warn in rmqueue(), even for a fast-path success; 6.18 only on entering the slowpath', () => {
    for (const v of ['5.4', '6.1', '6.18'] as const) {
      const pa = createPageAlloc(tiny, pageAllocRules[v]);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOFAIL, order: 2 });
      expect(r.won?.stage).toBe('fast');
      expect(warnings(r)).toEqual(v === '6.18' ? [] : [ORDER]);
      // order 1 is allowed everywhere
      expect(
        warnings(__alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOFAIL, order: 1 })),
      ).toEqual([]);
    }
    const p618 = starved('6.18');
    const slow = __alloc_pages(p618, {
      gfp: p618.gfp.GFP_KERNEL | __GFP_NOFAIL,
      order: 2,
      reclaim: 0,
    });
    expect(warnings(slow)).toEqual([ORDER]);
    expect(slow.events[0]).toEqual(ORDER);
  });

  it('a costly order that can block: 5.4 and 6.1 warn at nopage once per request, then rmqueue() for order > 1', () => {
    // order 4 NOFAIL on starved tiny: no retry for a costly order, nopage, the MIN_RESERVE / HARDER fallback
    for (const v of ['5.4', '6.1'] as const) {
      const pa = starved(v);
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOFAIL, order: 4, reclaim: 0 });
      expect(r.won?.stage).toBe('nofail');
      expect(warnings(r)).toEqual([COSTLY, ORDER]);
    }
    const pa = starved('6.18');
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOFAIL, order: 4, reclaim: 0 });
    expect(r.won?.stage).toBe('nofail');
    expect(warnings(r)).toEqual([ORDER]);
  });
});

describe('__alloc_pages_slowpath S15 (__GFP_NOFAIL)', () => {
  // GFP_KERNEL | __GFP_DMA32 | __GFP_NOFAIL: reclaim frees nothing, OOM is skipped below Normal
  const nofail = (pa: PageAlloc): AllocResult =>
    __alloc_pages(pa, {
      gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32 | __GFP_NOFAIL,
      order: 0,
      reclaim: 0,
    });

  it('late 6.1.y: a blocking caller gets one attempt with ALLOC_MIN_RESERVE: 4096 > 5000 / 2', () => {
    const r = nofail(starved('6.1'));
    expect(r.won?.stage).toBe('nofail');
    expect(r.zone).toBe(ZONE_DMA32);
    // the reserve flag alone (inside the cpuset): not the caller's ALLOC_KSWAPD
    expect(r.won?.alloc_flags).toBe(ALLOC_MIN_RESERVE | ALLOC_CPUSET);
    expect(r.events).toContainEqual({ kind: 'oom', what: 'skip' });
    expect(kinds(r)).not.toContain('warn_alloc');
    expect(r.reclaim_rounds).toBe(17);
  });

  it('5.4: the fallback is ALLOC_HARDER: 4096 > 5000 - 1250', () => {
    const r = nofail(starved('5.4'));
    expect(r.won?.stage).toBe('nofail');
    expect((r.won?.alloc_flags ?? 0) & RESERVE_BITS).toBe(ALLOC_NON_BLOCK);
  });

  it('late 6.1.y: when the reserve attempt fails too, NOFAIL goes back to retry; it never fails', () => {
    // min_free_kbytes 80000: min 10000, and 4096 <= 10000 / 2 fails even with MIN_RESERVE
    const r = nofail(starved('6.1', 80000));
    expect(r.pfn).toBeNull();
    expect(r.reclaim_rounds).toBe(RETRY_BOUND);
    expect(r.events.at(-1)).toEqual({ kind: 'livelock' });
    expect(kinds(r)).not.toContain('warn_alloc');
  });

  it('late 6.1.y: a NOFAIL page at pfn 0 is a page: one request, one page', () => {
    const pa = starved('6.1');
    // GFP_KERNEL | __GFP_DMA | __GFP_MOVABLE: DMA only, movable; the head of DMA's order-10 list is pfn 0
    const r = __alloc_pages(pa, {
      gfp: pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_MOVABLE | __GFP_NOFAIL,
      order: 0,
      reclaim: 0,
    });
    expect(r.won?.stage).toBe('nofail');
    expect(r.pfn).toBe(0);
    expect(zone(pa, ZONE_DMA).nr_allocated).toBe(1);
    expect(zone(pa, ZONE_DMA).nr_free_pages).toBe(4095);
  });
});
