/**
 * kswapd against the kernel's rules (reclaim-and-gfp.md §8): what wakeup_kswapd() records and
 * whom it wakes, the predicates, balance_pgdat() round by round, and the sleep states.
 */
import { describe, expect, it } from 'vitest';
import type { MachineConfig } from '../../../models/page_alloc/machine.ts';
import { createPageAlloc } from '../../../models/page_alloc/machine.ts';
import { filemap_add_folio, vm_sysctl_write } from '../../../models/page_alloc/page_alloc.ts';
import { MAX_PAGE_ORDER } from '../../../models/page_alloc/pages.ts';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { BalanceState, PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { boost_watermark } from '../../../models/page_alloc/watermark.ts';
import { MAX_NR_ZONES, WMARK_HIGH } from '../../../models/page_alloc/zone.ts';
import {
  DEF_PRIORITY,
  type KswapdStep,
  kswapd_step,
  observeBalance,
  pgdat_balanced,
  pgdat_watermark_boosted,
  wake_up_kswapd,
  wakeup_kswapd,
} from '../../../models/vmscan/kswapd.ts';
import { tiny } from './tiny.ts';

/** tiny with all of DMA memblock-reserved: DMA is populated but has no managed pages. */
const noDma: MachineConfig = { ...tiny, name: 'tiny-no-dma', reserved: [{ start: 0, end: 4096 }] };

/** tiny with boot page cache in DMA, so that a pass for ZONE_DMA alone has something to reclaim. */
const dmaCache: MachineConfig = {
  ...tiny,
  name: 'tiny-dma-cache',
  boot_use: [{ zone: 'DMA', unmovable: 0, pagecache: 64, dirty: 0 }],
};

function fresh(config: MachineConfig = tiny): PageAlloc {
  return createPageAlloc(config, pageAllocRules['6.1']);
}

function zone(pa: PageAlloc, i: number): Zone {
  return pa.zones[i] as Zone;
}

/** n order-0 page-cache folios; on an idle tiny they all come from DMA32 (the preferred zone). */
function addCache(pa: PageAlloc, n: number, dirty = false): void {
  for (let i = 0; i < n; i++) expect(filemap_add_folio(pa, 0, dirty).zone).toBe(1);
}

/**
 * min_free_kbytes = 24000 (6000 pages): each managed zone's high mark ends above the 4096
 * pages it spans, so no zone can balance the node at any order.
 */
function starve(pa: PageAlloc): void {
  expect(vm_sysctl_write(pa, 'min_free_kbytes', 24000)).toBe(0);
  for (const z of pa.zones)
    if (z.managed_pages > 0) expect(z._watermark[WMARK_HIGH]).toBeGreaterThan(4096);
}

/** kswapd_shrink_node()'s target: Σ over managed zones <= hz of max(high mark incl. boost, 32). */
function reclaimTarget(pa: PageAlloc, hz: number): number {
  let t = 0;
  for (let i = 0; i <= hz; i++) {
    const z = zone(pa, i);
    if (z.managed_pages > 0) t += Math.max((z._watermark[WMARK_HIGH] ?? 0) + z.watermark_boost, 32);
  }
  return t;
}

function step(pa: PageAlloc, k: number): KswapdStep {
  const s = kswapd_step(pa, k);
  if (!s) throw new Error('kswapd is fully asleep');
  return s;
}

/** A woken kswapd's K3: reads the request and starts balance_pgdat(); returns the pass state. */
function startPass(pa: PageAlloc): BalanceState {
  expect(step(pa, 0).what).toBe('K3');
  const bal = pa.pgdat.kswapd.bal;
  if (!bal) throw new Error('no balance_pgdat pass');
  return bal;
}

type Round = NonNullable<KswapdStep['round']>;

/** Balance rounds until the pass ends (pc K4), `ks[i]` pages for round i (the last k repeats). */
function rounds(pa: PageAlloc, ks: readonly number[]): Round[] {
  const out: Round[] = [];
  for (let i = 0; i < 100; i++) {
    const s = step(pa, ks[Math.min(i, ks.length - 1)] as number);
    expect(s.what).toBe('round');
    out.push(s.round as Round);
    if (s.round?.done) return out;
  }
  throw new Error('the pass did not end');
}

/** A fresh node, kswapd woken directly (as allow_direct_reclaim() does), run until its short sleep. */
function shortSleeping(): PageAlloc {
  const pa = fresh();
  wake_up_kswapd(pa);
  startPass(pa);
  rounds(pa, [32]);
  expect([step(pa, 32).what, step(pa, 32).what, step(pa, 32).what]).toEqual([
    'K4',
    'K1',
    'sleep-short',
  ]);
  expect(pa.pgdat.kswapd.position).toBe('short_sleep');
  return pa;
}

describe('wakeup_kswapd', () => {
  it('returns at once for an unmanaged zone: nothing recorded, nobody woken', () => {
    const pa = fresh(noDma);
    const gfp = pa.gfp.GFP_KERNEL;
    expect(wakeup_kswapd(pa, 0, gfp, 3, 1)).toEqual({
      zone: 0,
      order: 3,
      highest_zoneidx: 1,
      gfp,
      position: 'full_sleep',
      kswapd_failures: 0,
      boosted: false,
      obs: null,
      woken: false,
      why: 'unmanaged',
    });
    expect([pa.pgdat.kswapd_order, pa.pgdat.kswapd_highest_zoneidx]).toEqual([0, MAX_NR_ZONES]);
    expect(pa.pgdat.kswapd.position).toBe('full_sleep');
  });

  it('returns after recording when kswapd runs, before the boost and balance checks', () => {
    const pa = fresh();
    expect(boost_watermark(zone(pa, 1), pa.sysctl.watermark_boost_factor)).toBe(true);
    pa.pgdat.kswapd.position = 'running';
    const gfp = pa.gfp.GFP_NOWAIT;
    expect(wakeup_kswapd(pa, 1, gfp, 2, 1)).toEqual({
      zone: 1,
      order: 2,
      highest_zoneidx: 1,
      gfp,
      position: 'running',
      kswapd_failures: 0,
      boosted: false,
      obs: null,
      woken: false,
      why: 'running',
    });
    expect([pa.pgdat.kswapd_order, pa.pgdat.kswapd_highest_zoneidx]).toEqual([2, 1]);
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(0);
  });

  it('a hopeless node wakes kcompactd instead, only for requests without __GFP_DIRECT_RECLAIM', () => {
    const pa = fresh();
    pa.pgdat.kswapd_failures = 16;
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 0, 1)).toMatchObject({ why: 'hopeless' });
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(0);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_NOWAIT, 0, 1)).toMatchObject({ why: 'hopeless' });
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(1);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_ATOMIC, 0, 1)).toMatchObject({ why: 'hopeless' });
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(2);
    expect(pa.pgdat.kswapd.position).toBe('full_sleep');
  });

  it('a balanced unboosted node wakes kcompactd instead, only without __GFP_DIRECT_RECLAIM', () => {
    const pa = fresh();
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 0, 1)).toMatchObject({ why: 'balanced' });
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(0);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_NOWAIT, 0, 1)).toMatchObject({ why: 'balanced' });
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(1);
    expect(pa.pgdat.kswapd.position).toBe('full_sleep');
  });

  it('wakes a sleeping kswapd on a balanced but boosted node, without asking kcompactd', () => {
    const pa = fresh();
    expect(boost_watermark(zone(pa, 1), pa.sysctl.watermark_boost_factor)).toBe(true);
    const w = wakeup_kswapd(pa, 1, pa.gfp.GFP_NOWAIT, 0, 1);
    expect(w).toMatchObject({ boosted: true, woken: true, why: '' });
    expect(w.obs?.balanced).toBe(true);
    expect(pa.pgdat.kswapd.position).toBe('running');
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(0);
  });
});

describe('the predicates', () => {
  it('pgdat_balanced is true when no zone up to hz is managed', () => {
    const pa = fresh(noDma);
    expect(pgdat_balanced(pa, 0, 0)).toBe(true);
    // DMA32 has 4096 free pages, far above its high mark
    expect(pgdat_balanced(pa, 0, 1)).toBe(true);
    starve(pa);
    expect(pgdat_balanced(pa, 0, 0)).toBe(true);
    expect(pgdat_balanced(pa, 0, 1)).toBe(false);
  });

  it('pgdat_watermark_boosted sees a boost on ZONE_DMA (index 0) too', () => {
    const pa = fresh();
    expect(pgdat_watermark_boosted(pa, 1)).toBe(false);
    expect(boost_watermark(zone(pa, 0), pa.sysctl.watermark_boost_factor)).toBe(true);
    expect(pgdat_watermark_boosted(pa, 1)).toBe(true);
    expect(pgdat_watermark_boosted(pa, 0)).toBe(true);
  });

  it('pgdat_watermark_boosted ignores a boost left on an unmanaged zone', () => {
    // not reachable through boost_watermark() (it skips small zones); in the kernel a zone can
    // lose its managed pages to memory offlining and keep its boost
    const pa = fresh(noDma);
    zone(pa, 0).watermark_boost = 512;
    expect(pgdat_watermark_boosted(pa, 1)).toBe(false);
  });

  it('the balance observation lists exactly the managed zones 0..hz', () => {
    const pa = fresh();
    // Normal (2) is unmanaged on tiny
    expect(observeBalance(pa, 0, 2, true).zones.map((z) => z.zone)).toEqual([0, 1]);
    expect(observeBalance(pa, 0, 0, true).zones.map((z) => z.zone)).toEqual([0]);
    expect(observeBalance(fresh(noDma), 0, 1, true).zones.map((z) => z.zone)).toEqual([1]);
  });

  it('the observation sees the free MAX_PAGE_ORDER blocks boot left, pfn 0 among them', () => {
    // boot frees DMA (pfns 0-4095) as four order-10 blocks; the first of them starts at pfn 0
    const pa = fresh();
    for (const order of [0, MAX_PAGE_ORDER]) {
      const obs = observeBalance(pa, order, 1, true);
      expect(obs.zones.map((z) => [z.zone, z.hasBlock])).toEqual([
        [0, true],
        [1, true],
      ]);
    }
  });
});

describe('the sleep states (kswapd_try_to_sleep)', () => {
  it('balanced node: out at once, K4 -> K1 -> short sleep (kcompactd) -> full sleep; woken: K3', () => {
    const pa = fresh();
    addCache(pa, 5);
    wake_up_kswapd(pa);
    startPass(pa);
    // balance_pgdat on a balanced, unboosted node: straight to out, nothing reclaimed, no failure
    expect(step(pa, 32).round).toEqual({
      priority: DEF_PRIORITY,
      boostMode: false,
      reclaimed: 0,
      done: true,
      failed: false,
    });
    expect(zone(pa, 1).nr_clean).toBe(5);
    expect(pa.pgdat.kswapd_failures).toBe(0);
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(0);
    expect(step(pa, 32).what).toBe('K4');
    expect(step(pa, 32).what).toBe('K1');
    expect(step(pa, 32).what).toBe('sleep-short');
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(1);
    // the HZ/10 timeout: still balanced, so the full sleep
    expect(step(pa, 32).what).toBe('sleep-full');
    expect(kswapd_step(pa, 32)).toBeNull();
    wake_up_kswapd(pa);
    expect(pa.pgdat.kswapd.position).toBe('running');
    expect(step(pa, 32).what).toBe('K3');
  });

  it('short sleep timing out on a node that lost its balance: no full sleep, kswapd reads its request', () => {
    const pa = shortSleeping();
    starve(pa); // a sysctl write wakes nobody
    expect(step(pa, 32).what).toBe('premature');
    expect(pa.pgdat.kswapd.position).toBe('running');
    expect(step(pa, 32).what).toBe('K3');
  });

  it('woken during the short sleep: keeps the waker zone and the larger order, then reads them', () => {
    const pa = shortSleeping();
    expect(boost_watermark(zone(pa, 1), pa.sysctl.watermark_boost_factor)).toBe(true);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 3, 1).woken).toBe(true);
    expect(pa.pgdat.kswapd.position).toBe('running');
    expect(step(pa, 32).what).toBe('woken-early');
    // kswapd slept at order 0: max(3, 0) is the waker's order 3
    expect([pa.pgdat.kswapd_order, pa.pgdat.kswapd_highest_zoneidx]).toEqual([3, 1]);
    expect(step(pa, 32)).toMatchObject({ what: 'K3', order: 3, highest_zoneidx: 1 });
  });

  it('woken during the short sleep by a zone-less wake-up: restores kswapd hz (resolve)', () => {
    const pa = shortSleeping();
    wake_up_kswapd(pa);
    expect(step(pa, 32).what).toBe('woken-early');
    // nobody recorded a zone: the local hz (MAX_NR_ZONES - 1 since boot) is written back
    expect([pa.pgdat.kswapd_order, pa.pgdat.kswapd_highest_zoneidx]).toEqual([0, MAX_NR_ZONES - 1]);
    expect(step(pa, 32)).toMatchObject({ what: 'K3', order: 0, highest_zoneidx: MAX_NR_ZONES - 1 });
  });
});

describe('balance_pgdat, unboosted', () => {
  /** 40 clean pages in DMA32, the node starved, kswapd woken for (order, hz 1) and at K3. */
  function starvedPass(order: number, dirty = 0): { pa: PageAlloc; bal: BalanceState } {
    const pa = fresh();
    addCache(pa, 40 - dirty);
    addCache(pa, dirty, true);
    starve(pa);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, order, 1).woken).toBe(true);
    return { pa, bal: startPass(pa) };
  }

  it('sc.order drops to 0 once the pass reclaimed compact_gap = 2^(order+1) pages', () => {
    const { pa, bal } = starvedPass(3);
    // 8 pages: below 2^4; 16 pages: exactly 2^4
    expect(step(pa, 8)).toMatchObject({ what: 'round', order: 3 });
    expect(bal.nr_reclaimed).toBe(8);
    expect(step(pa, 8)).toMatchObject({ what: 'round', order: 0 });
    expect(bal.nr_reclaimed).toBe(16);
  });

  it('reclaiming 15 pages does not lower order 3', () => {
    const { pa, bal } = starvedPass(3);
    expect(step(pa, 15)).toMatchObject({ what: 'round', order: 3 });
    expect(bal.nr_reclaimed).toBe(15);
  });

  it('an unbalanced pass runs priorities 12..1, counts no failure after reclaiming, then K4 -> K2', () => {
    const { pa, bal } = starvedPass(3);
    const rs = rounds(pa, [8]);
    expect(rs.map((r) => r.priority)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(rs.map((r) => r.reclaimed)).toEqual([8, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0]);
    expect(rs.every((r) => !r.boostMode)).toBe(true);
    expect(rs.at(-1)).toMatchObject({ done: true, failed: false });
    expect(bal.rounds).toBe(12);
    expect(pa.pgdat.kswapd_failures).toBe(0);
    // no boost at the start: out wakes no kcompactd
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(0);
    // the pass lowered the order (3 -> 0): back to the sleep check with the same zone, not K1
    expect(step(pa, 8)).toMatchObject({ what: 'K4', order: 0 });
    expect(step(pa, 8)).toMatchObject({ what: 'no-sleep', order: 0, highest_zoneidx: 1 });
    expect(step(pa, 8).what).toBe('K3');
  });

  it('a pass that reclaims nothing counts one failure', () => {
    const pa = fresh();
    starve(pa);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 0, 1).woken).toBe(true);
    startPass(pa);
    const rs = rounds(pa, [32]);
    expect(rs).toHaveLength(12);
    expect(rs.at(-1)).toMatchObject({ done: true, failed: true });
    expect(pa.pgdat.kswapd_failures).toBe(1);
  });

  it('outside boost mode kswapd writes back from priority 12 on: dirty pages become reclaimable', () => {
    const { pa } = starvedPass(0, 40);
    expect(zone(pa, 1).nr_dirty).toBe(40);
    // round 1: nothing clean to reclaim, 8 pages written back; round 2 reclaims them
    expect(step(pa, 8).round).toMatchObject({ priority: 12, reclaimed: 0 });
    expect(zone(pa, 1).nr_dirty).toBe(32);
    expect(step(pa, 8).round).toMatchObject({ priority: 11, reclaimed: 8 });
  });

  /** The dmaCache node starved, kswapd woken for hz and at K3 (page cache in DMA: eligible for any hz). */
  function targetPass(hz: number): { pa: PageAlloc; bal: BalanceState } {
    const pa = fresh(dmaCache);
    starve(pa);
    expect(wakeup_kswapd(pa, Math.min(hz, 1), pa.gfp.GFP_KERNEL, 0, hz).woken).toBe(true);
    return { pa, bal: startPass(pa) };
  }

  it('a reclaiming round that scanned the whole target (k >= Σ max(high, 32)) keeps the priority', () => {
    // hz 2: Normal is unmanaged and adds nothing to the target
    const { pa, bal } = targetPass(2);
    expect(step(pa, reclaimTarget(pa, 2)).round?.reclaimed).toBeGreaterThan(0);
    expect(bal.priority).toBe(DEF_PRIORITY);
  });

  it('a reclaiming round one page short of the target (which includes zone hz) raises the priority', () => {
    const { pa, bal } = targetPass(1);
    expect(step(pa, reclaimTarget(pa, 1) - 1).round?.reclaimed).toBeGreaterThan(0);
    expect(bal.priority).toBe(DEF_PRIORITY - 1);
  });

  it('the target of a pass for ZONE_DMA counts no zone above it', () => {
    const { pa, bal } = targetPass(0);
    expect(step(pa, reclaimTarget(pa, 0)).round?.reclaimed).toBeGreaterThan(0);
    expect(bal.priority).toBe(DEF_PRIORITY);
  });
});

describe('balance_pgdat, boosted', () => {
  /** A balanced node with DMA32 boosted (a fragmenting fallback), kswapd woken for hz 1 and at K3. */
  function boostedPass(clean: number, dirty: number): { pa: PageAlloc; bal: BalanceState } {
    const pa = fresh();
    addCache(pa, clean);
    addCache(pa, dirty, true);
    expect(boost_watermark(zone(pa, 1), pa.sysctl.watermark_boost_factor)).toBe(true);
    expect(zone(pa, 1).watermark_boost).toBe(512);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 0, 1).woken).toBe(true);
    return { pa, bal: startPass(pa) };
  }

  it('the pass snapshots the boosts of the managed zones 0..hz, zeros elsewhere', () => {
    const { bal } = boostedPass(0, 0);
    expect(bal.zone_boosts).toEqual([0, 512, 0, 0, 0]);
    expect([bal.nr_boost_reclaim, bal.boosted]).toEqual([512, 512]);
  });

  it('a pass for ZONE_DMA neither snapshots nor clears the boost of DMA32 above it', () => {
    const pa = fresh();
    for (const i of [0, 1])
      expect(boost_watermark(zone(pa, i), pa.sysctl.watermark_boost_factor)).toBe(true);
    expect(wakeup_kswapd(pa, 0, pa.gfp.GFP_KERNEL, 0, 0).woken).toBe(true);
    const bal = startPass(pa);
    expect(bal.zone_boosts).toEqual([512, 0, 0, 0, 0]);
    expect(bal.nr_boost_reclaim).toBe(512);
    // nothing to reclaim in DMA: the boost round breaks at once, and out decays DMA only
    expect(rounds(pa, [1])).toHaveLength(1);
    expect([zone(pa, 0).watermark_boost, zone(pa, 1).watermark_boost]).toEqual([0, 512]);
  });

  it('the snapshot skips an unmanaged zone, whatever boost it carries', () => {
    // as in the pgdat_watermark_boosted case: a boost the model cannot put there, the kernel can
    const pa = fresh(noDma);
    zone(pa, 0).watermark_boost = 512;
    expect(boost_watermark(zone(pa, 1), pa.sysctl.watermark_boost_factor)).toBe(true);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 0, 1).woken).toBe(true);
    const bal = startPass(pa);
    expect(bal.zone_boosts).toEqual([0, 512, 0, 0, 0]);
    expect(bal.nr_boost_reclaim).toBe(512);
  });

  it('boost mode: priority stops at 10, no writeback, ends when a round reclaims nothing', () => {
    const { pa, bal } = boostedPass(5, 4);
    const rs = rounds(pa, [1]);
    expect(rs.map((r) => r.priority)).toEqual([12, 11, 10, 10, 10, 10]);
    expect(rs.map((r) => r.reclaimed)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(rs.every((r) => r.boostMode)).toBe(true);
    expect(rs.at(-1)).toMatchObject({ done: true, failed: false });
    expect(bal.rounds).toBe(6);
    expect(zone(pa, 1).nr_dirty).toBe(4);
    expect(pa.pgdat.kswapd_failures).toBe(0);
    // out: the boost it started with is given back, and kcompactd is woken once
    expect(zone(pa, 1).watermark_boost).toBe(0);
    expect(pa.pgdat.kswapd.kcompactd_requests).toBe(1);
  });

  it('boost mode ends once the rounds reclaimed the boost; the balanced node then goes to out', () => {
    const { pa, bal } = boostedPass(520, 0);
    expect(step(pa, 512).round).toMatchObject({ boostMode: true, reclaimed: 512, done: false });
    expect(bal.nr_boost_reclaim).toBe(0);
    expect(step(pa, 512).round).toMatchObject({ boostMode: false, reclaimed: 0, done: true });
    expect(zone(pa, 1).nr_clean).toBe(8);
  });

  it('an unbalanced boosted node drops boost mode and restarts at DEF_PRIORITY', () => {
    const pa = fresh();
    addCache(pa, 4, true);
    starve(pa); // before the boost: a watermark write clears boosts
    expect(boost_watermark(zone(pa, 1), pa.sysctl.watermark_boost_factor)).toBe(true);
    expect(wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 0, 1).woken).toBe(true);
    const bal = startPass(pa);
    expect(bal.nr_boost_reclaim).toBe(512);
    const r1 = step(pa, 4).round;
    expect(r1).toMatchObject({ priority: DEF_PRIORITY, boostMode: false, reclaimed: 0 });
    expect(bal.nr_boost_reclaim).toBe(0);
    // not boost mode, so writeback ran
    expect(zone(pa, 1).nr_dirty).toBe(0);
    const rs = rounds(pa, [4]);
    expect(rs.at(-1)?.failed).toBe(false);
    // the boost is given back at out even though the node never balanced
    expect(zone(pa, 1).watermark_boost).toBe(0);
  });

  it('the decay at out takes min(boost, snapshot): a boost cleared meanwhile stays 0', () => {
    const { pa } = boostedPass(5, 0);
    expect(step(pa, 1).round?.boostMode).toBe(true);
    // a watermark sysctl write recomputes the marks and clears every boost
    expect(vm_sysctl_write(pa, 'watermark_scale_factor', 10)).toBe(0);
    expect(zone(pa, 1).watermark_boost).toBe(0);
    rounds(pa, [1]);
    expect(zone(pa, 1).watermark_boost).toBe(0);
  });
});
