/** kswapd: wake-ups, the any-zone balance, the loop to sleep, back-off at 16 failures, boost decay. */
import { describe, expect, it } from 'vitest';
import { createPageAlloc } from '../../../models/page_alloc/machine.ts';
import { __alloc_pages, filemap_add_folio } from '../../../models/page_alloc/page_alloc.ts';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { MAX_NR_ZONES } from '../../../models/page_alloc/zone.ts';
import {
  type KswapdStep,
  kswapd_step,
  pgdat_balanced,
  wakeup_kswapd,
} from '../../../models/vmscan/kswapd.ts';
import { tiny } from './tiny.ts';

function fresh(): PageAlloc {
  return createPageAlloc(tiny, pageAllocRules['6.1']);
}

/** Takes DMA32 below its min with atomic requests (DMA stays balanced). */
function pressDma32(pa: PageAlloc): void {
  const gfp = pa.gfp.GFP_ATOMIC | 0x4; // __GFP_DMA32
  for (let i = 0; i < 5000; i++) if (__alloc_pages(pa, { gfp, order: 0 }).zone !== 1) break;
}

function run(pa: PageAlloc, k: number, max = 10000): KswapdStep[] {
  const steps: KswapdStep[] = [];
  for (let i = 0; i < max; i++) {
    const s = kswapd_step(pa, k);
    if (!s) break;
    steps.push(s);
  }
  return steps;
}

describe('wakeup_kswapd', () => {
  it('a balanced node stays asleep, but the request is recorded', () => {
    const pa = fresh();
    const w = wakeup_kswapd(pa, 1, pa.gfp.GFP_KERNEL, 3, 2);
    expect(w).toMatchObject({ woken: false, why: 'balanced' });
    expect([pa.pgdat.kswapd_order, pa.pgdat.kswapd_highest_zoneidx]).toEqual([3, 2]);
    expect(pa.pgdat.kswapd.position).toBe('full_sleep');
  });

  it('records the max zone and order even while kswapd runs', () => {
    const pa = fresh();
    pa.pgdat.kswapd.position = 'running';
    wakeup_kswapd(pa, 1, 0, 2, 1);
    wakeup_kswapd(pa, 1, 0, 0, 0);
    expect([pa.pgdat.kswapd_order, pa.pgdat.kswapd_highest_zoneidx]).toEqual([2, 1]);
  });

  it('a hopeless node is not woken', () => {
    const pa = fresh();
    pressDma32(pa);
    pa.pgdat.kswapd_failures = 16;
    expect(wakeup_kswapd(pa, 1, 0, 0, 1)).toMatchObject({ woken: false, why: 'hopeless' });
  });
});

describe('pgdat_balanced', () => {
  it('is ANY eligible zone at high + lowmem_reserve[hz], not all and not the zone that failed', () => {
    const pa = fresh();
    pressDma32(pa);
    expect(pgdat_balanced(pa, 0, 1)).toBe(true); // DMA is fine for hz DMA32
    (pa.zones[0] as Zone).lowmem_reserve[1] = 100000;
    expect(pgdat_balanced(pa, 0, 1)).toBe(false);
    expect(pgdat_balanced(pa, 0, 0)).toBe(true);
  });
});

describe('the kswapd loop', () => {
  it('woken on an unbalanced node: reclaims until balanced, then short and full sleep', () => {
    const pa = fresh();
    for (let i = 0; i < 40; i++) filemap_add_folio(pa, 4, false);
    pressDma32(pa);
    (pa.zones[0] as Zone).lowmem_reserve[2] = 100000; // only DMA32 can balance the node
    // the atomic requests woke kswapd already; this request is only recorded
    expect(wakeup_kswapd(pa, 1, 0, 0, 2)).toMatchObject({ woken: false, why: 'running' });
    const steps = run(pa, 32);
    const whats = steps.map((s) => s.what);
    expect(whats[0]).toBe('K3');
    expect(whats).toContain('round');
    expect(whats.slice(-4)).toEqual(['K4', 'K1', 'sleep-short', 'sleep-full']);
    expect(pgdat_balanced(pa, 0, 2)).toBe(true);
    expect(pa.pgdat.kswapd_highest_zoneidx).toBe(MAX_NR_ZONES);
    expect(pa.pgdat.kswapd_failures).toBe(0);
  });

  it('backs off after 16 passes that reclaim nothing, and then ignores wake-ups', () => {
    const pa = fresh();
    pressDma32(pa);
    (pa.zones[0] as Zone).lowmem_reserve[2] = 100000;
    wakeup_kswapd(pa, 1, 0, 0, 2);
    expect(pa.pgdat.kswapd.position).toBe('running');
    const steps = run(pa, 0);
    expect(steps.filter((s) => s.what === 'K3')).toHaveLength(16);
    expect(steps.filter((s) => s.round?.failed)).toHaveLength(16);
    expect(steps.at(-1)).toMatchObject({ what: 'sleep-full', kswapd_failures: 16 });
    expect(wakeup_kswapd(pa, 1, 0, 0, 2).why).toBe('hopeless');
  });

  it('a boosted pass gives back the boost it started with', () => {
    const pa = fresh();
    for (let i = 0; i < 40; i++) filemap_add_folio(pa, 0, false);
    const z = pa.zones[1] as Zone;
    z.watermark_boost = 512;
    expect(wakeup_kswapd(pa, 1, 0, 0, 2).woken).toBe(true); // balanced but boosted
    const steps = run(pa, 32);
    expect(steps.some((s) => s.round?.boostMode)).toBe(true);
    expect(z.watermark_boost).toBe(0);
  });
});
