/** The allocation paths: flags per version, fast path, slowpath by caller kind, frees, the DMA-facing API. */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_CPUSET,
  ALLOC_HIGHATOMIC,
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NON_BLOCK,
  ALLOC_OOM,
} from '../../../models/page_alloc/alloc_flags.ts';
import {
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_NOMEMALLOC,
  __GFP_NOWARN,
  __GFP_RETRY_MAYFAIL,
  gfpComposites,
} from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc, renewPageAlloc } from '../../../models/page_alloc/machine.ts';
import {
  __alloc_pages,
  __free_pages,
  type AllocResult,
  allocMaySleep,
  filemap_add_folio,
  gfp_to_alloc_flags,
  inject_alloc_failure,
  page_enc,
  page_owner,
  set_page_enc,
  set_page_owner,
  vm_sysctl_write,
} from '../../../models/page_alloc/page_alloc.ts';
import { type PageAllocRules, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { tiny } from './tiny.ts';

const R61 = pageAllocRules['6.1'];
const kinds = (r: AllocResult) => r.events.map((e) => e.kind);

function fresh(rules: PageAllocRules = R61): PageAlloc {
  return createPageAlloc(tiny, rules);
}

/** Allocates until `gfp` fails; returns the last (failed) result. */
function drain(pa: PageAlloc, gfp: number, order = 0): AllocResult[] {
  const out: AllocResult[] = [];
  for (let i = 0; i < 10000; i++) {
    const r = __alloc_pages(pa, { gfp, order, reclaim: 0 });
    out.push(r);
    if (r.pfn === null) return out;
  }
  throw new Error('never failed');
}

describe('gfp_to_alloc_flags', () => {
  const g = gfpComposites(R61);
  it('late 6.1.y: MIN_RESERVE from __GFP_HIGH, NON_BLOCK without direct reclaim, HIGHATOMIC needs both', () => {
    const pa = fresh();
    expect(gfp_to_alloc_flags(pa, g.GFP_KERNEL, 0)).toBe(ALLOC_CPUSET | ALLOC_KSWAPD);
    expect(gfp_to_alloc_flags(pa, g.GFP_ATOMIC, 0)).toBe(
      ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD,
    );
    expect(gfp_to_alloc_flags(pa, g.GFP_ATOMIC, 1)).toBe(
      ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_HIGHATOMIC | ALLOC_KSWAPD,
    );
    expect(gfp_to_alloc_flags(pa, g.GFP_NOWAIT, 1)).toBe(
      ALLOC_CPUSET | ALLOC_NON_BLOCK | ALLOC_KSWAPD,
    );
    expect(gfp_to_alloc_flags(pa, g.GFP_ATOMIC | __GFP_NOMEMALLOC, 0)).toBe(
      ALLOC_MIN_RESERVE | ALLOC_KSWAPD,
    );
  });

  it('5.4: ALLOC_HIGH and ALLOC_HARDER from __GFP_ATOMIC; GFP_NOWAIT gets nothing', () => {
    const pa = fresh(pageAllocRules['5.4']);
    const g54 = gfpComposites(pageAllocRules['5.4']);
    expect(gfp_to_alloc_flags(pa, g54.GFP_ATOMIC, 1)).toBe(
      ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD,
    );
    expect(gfp_to_alloc_flags(pa, g54.GFP_NOWAIT, 1)).toBe(ALLOC_CPUSET | ALLOC_KSWAPD);
  });

  it('6.18 composites: no __GFP_ATOMIC, GFP_NOWAIT carries __GFP_NOWARN', () => {
    const g618 = gfpComposites(pageAllocRules['6.18']);
    expect(g618.GFP_ATOMIC).toBe(0x820);
    expect(g618.GFP_NOWAIT).toBe(0x2800);
    expect(g.GFP_ATOMIC).toBe(0xa20);
    expect(g.GFP_KERNEL).toBe(0xcc0);
  });
});

describe('fast path', () => {
  it('GFP_KERNEL order 0 comes from DMA32 first at the low watermark, owned by the caller', () => {
    const pa = fresh();
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0 });
    expect(r.zone).toBe(1);
    expect(r.won?.stage).toBe('fast');
    expect(r.slow_flags).toBe(-1);
    expect(r.events).toEqual([]);
    expect(page_owner(pa, r.pfn as number)).toBe('allocated');
    expect((pa.zones[1] as Zone).nr_allocated).toBe(1);
  });

  it('order above MAX_ORDER - 1 and double zone modifiers are refused', () => {
    const pa = fresh();
    expect(__alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 11 }).pfn).toBeNull();
    const bad = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_DMA32, order: 0 });
    expect(bad.pfn).toBeNull();
    expect(kinds(bad)).toEqual(['bad_request']);
  });
});

describe('a caller that cannot block', () => {
  it('dips below min only by its reductions, never reclaims, wakes kswapd, warns once at failure', () => {
    const pa = fresh();
    const rs = drain(pa, pa.gfp.GFP_ATOMIC);
    const last = rs.at(-1) as AllocResult;
    expect(rs.every((r) => !allocMaySleep(r))).toBe(true);
    expect(kinds(last)).toContain('wakeup_kswapd');
    expect(kinds(last).filter((k) => k === 'warn_alloc')).toHaveLength(1);
    const z = pa.zones[1] as Zone;
    // GFP_ATOMIC may go to 3/8 of min (rounded up), never further
    const floor = Math.ceil(Math.ceil((z._watermark[0] ?? 0) / 2) * 0.75) - 1;
    expect(z.nr_free_pages).toBeGreaterThanOrEqual(floor);
    expect(z.nr_free_pages).toBeLessThan(z._watermark[0] ?? 0);
    expect(pa.pgdat.kswapd.position).toBe('running');
  });

  it('__GFP_NOWARN silences the failure', () => {
    const pa = fresh();
    const last = drain(pa, pa.gfp.GFP_ATOMIC | __GFP_NOWARN).at(-1) as AllocResult;
    expect(kinds(last)).not.toContain('warn_alloc');
  });

  it('an order-1 slowpath success reserves a highatomic pageblock', () => {
    const pa = fresh();
    drain(pa, pa.gfp.GFP_NOWAIT);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC, order: 1 });
    expect(r.won?.stage).toBe('slowpath');
    expect(pa.zones[r.zone]?.nr_reserved_highatomic).toBe(512);
  });
});

describe('a caller that may block', () => {
  it('below DMA32: reclaims, retries until 16 rounds without progress, never OOM-kills', () => {
    const pa = fresh();
    const last = drain(pa, pa.gfp.GFP_KERNEL | __GFP_DMA32).at(-1) as AllocResult;
    expect(allocMaySleep(last)).toBe(true);
    const retries = last.events.filter((e) => e.kind === 'should_reclaim_retry');
    expect(retries.at(-1)).toEqual({ kind: 'should_reclaim_retry', retry: false, loops: 17 });
    expect(last.events).toContainEqual({ kind: 'oom', what: 'skip' });
    expect(kinds(last)).toContain('warn_alloc');
  });

  it('for Normal: out_of_memory() kills the caller, which then takes the OOM reserve', () => {
    const pa = fresh();
    const rs = drain(pa, pa.gfp.GFP_KERNEL);
    const victim = rs.find((r) => r.oom_victim && r.pfn !== null);
    expect(victim?.won?.alloc_flags ?? 0).toBe(ALLOC_OOM | ALLOC_KSWAPD);
    expect((rs.at(-1) as AllocResult).events).toContainEqual({ kind: 'oom', what: 'victim' });
  });

  it('a costly order gives up after one reclaim round without __GFP_RETRY_MAYFAIL', () => {
    const pa = fresh();
    drain(pa, pa.gfp.GFP_KERNEL, 4);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 4, reclaim: 0 });
    expect(r.reclaim_rounds).toBe(1);
    expect(kinds(r)).not.toContain('should_reclaim_retry');
    const m = __alloc_pages(pa, {
      gfp: pa.gfp.GFP_KERNEL | __GFP_RETRY_MAYFAIL,
      order: 4,
      reclaim: 0,
    });
    expect(m.reclaim_rounds).toBeGreaterThan(16);
  });

  it('direct reclaim frees the oldest page-cache folios and resets kswapd_failures', () => {
    const pa = fresh();
    const a = filemap_add_folio(pa, 0, false);
    filemap_add_folio(pa, 1, false);
    pa.pgdat.kswapd_failures = 5;
    drain(pa, pa.gfp.GFP_ATOMIC);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0, reclaim: 1 });
    expect(r.reclaimed).toBeGreaterThanOrEqual(1);
    expect(page_owner(pa, a.pfn as number)).not.toBe('page-cache');
    expect(pa.pgdat.kswapd_failures).toBe(0);
  });
});

describe('fault injection (should_fail_alloc_page)', () => {
  it('fails the next requests of the order, silently, then stops', () => {
    const pa = fresh();
    inject_alloc_failure(pa, 2, 2);
    expect(__alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0 }).pfn).not.toBeNull();
    for (let i = 0; i < 2; i++) {
      const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 2 });
      expect(r.pfn).toBeNull();
      expect(kinds(r)).toEqual(['fail_page_alloc']);
    }
    expect(__alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 2 }).pfn).not.toBeNull();
  });
});

describe('frees and the page API', () => {
  it('refuses double, misaligned and foreign frees', () => {
    const pa = fresh();
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 2 });
    const pfn = r.pfn as number;
    expect(__free_pages(pa, pfn + 1, 2)).toMatch(/not aligned/);
    expect(__free_pages(pa, pfn, 2)).toBeNull();
    expect(__free_pages(pa, pfn, 2)).toMatch(/buddy-free, not allocated/);
    expect(__free_pages(pa, 9000, 0)).toMatch(/outside the zones/);
  });

  it('owners and encryption states per page; leaking moves pages out of the allocated count', () => {
    const pa = fresh();
    const pfn = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 1 }).pfn as number;
    expect(page_enc(pa, pfn)).toBe('encrypted');
    set_page_enc(pa, pfn, 2, 'decrypted');
    expect(page_enc(pa, pfn + 1)).toBe('decrypted');
    expect(set_page_owner(pa, pfn, 2, 'pool-chunk')).toBeNull();
    expect(page_owner(pa, pfn)).toBe('pool-chunk');
    expect(set_page_owner(pa, pfn, 1, 'leaked')).toBeNull();
    const z = pa.zones[1] as Zone;
    expect([z.nr_allocated, z.nr_leaked]).toEqual([1, 1]);
    expect(__free_pages(pa, pfn, 1)).toMatch(/leaked/);
    expect(set_page_owner(pa, pfn + 2, 1, 'leaked')).toMatch(/not held/);
  });

  it('vm sysctl writes go through the handlers and refresh totalreserve_pages', () => {
    const pa = fresh();
    const before = pa.pgdat.totalreserve_pages;
    expect(vm_sysctl_write(pa, 'min_free_kbytes', 8192)).toBe(0);
    expect(pa.pgdat.totalreserve_pages).toBeGreaterThan(before);
    expect(vm_sysctl_write(pa, 'watermark_scale_factor', 0)).toBe(-22);
    expect(vm_sysctl_write(pa, 'lowmem_reserve_ratio', [0, 0, 0, 0, 0])).toBe(0);
    expect(pa.zones[0]?.lowmem_reserve).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('renewPageAlloc', () => {
  it('restores the boot state from the touched chunks and retires the old state', () => {
    const pa = fresh();
    const snapshot = (p: PageAlloc) =>
      JSON.stringify([
        p.zones.map((z) => [z.nr_free_pages, [...z.free_head], [...z.nr_free]]),
        [...p.pages.owner],
        [...p.pages.buddy],
        [...p.pages.pageblock_mt],
      ]);
    const boot = snapshot(pa);
    drain(pa, pa.gfp.GFP_ATOMIC, 1);
    filemap_add_folio(pa, 2, true);
    vm_sysctl_write(pa, 'min_free_kbytes', 4096);
    const again = renewPageAlloc(pa);
    expect(snapshot(again)).toBe(boot);
    expect(again.pgdat.kswapd.position).toBe('full_sleep');
    expect(() => __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0 })).toThrow(/retired/);
  });
});
