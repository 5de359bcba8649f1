/**
 * page-alloc/kswapd-woken (I14) on recorded allocations bent one field at a
 * time: a slowpath entry with __GFP_KSWAPD_RECLAIM must call wakeup_kswapd()
 * on its first managed zone with its order and gfp_zone, the request must
 * be recorded, and a sleeping kswapd must be woken unless the node is
 * hopeless or balanced and unboosted (reclaim-and-gfp.md §8).
 */
import { describe, expect, it } from 'vitest';
import type { AllocEvent, AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import type { KswapdWake } from '../../../../models/vmscan/kswapd.ts';
import prop from '../../../../properties/page_alloc/kswapd-woken.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { booted, ctx, DMA, DMA32, drainDma32, zone } from '../../fixtures/page-alloc.ts';

const op = drainDma32[0] as (typeof drainDma32)[number];
type WakeEvent = Extract<AllocEvent, { kind: 'wakeup_kswapd' }>;

/** DMA32 drained by GFP_ATOMIC until a request failed in the slowpath. */
function drained(): { s: PageAllocState; failed: AllocResult } {
  const s = booted(drainDma32);
  if (s.last.kind !== 'alloc') throw new Error('the drain made no allocation');
  const failed = s.last.results[s.last.results.length - 1] as AllocResult;
  return { s, failed };
}

function wakeOf(r: AllocResult): KswapdWake {
  const e = r.events.find((x): x is WakeEvent => x.kind === 'wakeup_kswapd');
  if (!e) throw new Error('no wakeup_kswapd event');
  return e.wake;
}

/** `s` as if its last step had produced `r` alone. */
function checkAs(s: PageAllocState, r: AllocResult) {
  s.last = { kind: 'alloc', results: [r] };
  return prop.check?.(ctx(s, op)) ?? null;
}

/** `r` with its wakeup_kswapd events replaced by one carrying `wake`. */
function withWake(r: AllocResult, wake: KswapdWake): AllocResult {
  const events: AllocEvent[] = r.events.filter((e) => e.kind !== 'wakeup_kswapd');
  events.unshift({ kind: 'wakeup_kswapd', wake });
  return { ...r, events };
}

describe('kswapd-woken', () => {
  it('holds on the drain: every slowpath entry woke kswapd on DMA32 and was recorded', () => {
    const { s, failed } = drained();
    expect(failed.pfn).toBeNull();
    expect(failed.slow_flags).toBeGreaterThanOrEqual(0);
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('is silent about steps that allocated nothing', () => {
    const s = booted();
    s.last = { kind: 'fault' };
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('a slowpath entry that never called wakeup_kswapd is reported', () => {
    const { s, failed } = drained();
    const silent = { ...failed, events: failed.events.filter((e) => e.kind !== 'wakeup_kswapd') };
    expect(checkAs(s, silent)?.message).toBe(
      'slowpath of order-0 request (hz 1) never called wakeup_kswapd',
    );
  });

  it('a request left out of kswapd_highest_zoneidx is reported, the zone shown unset', () => {
    const { s, failed } = drained();
    s.pa.pgdat.kswapd_highest_zoneidx = 5; // MAX_NR_ZONES: unset
    const v = checkAs(s, failed);
    expect(v?.message).toBe(
      'order-0 request for hz 1 not recorded in kswapd_order/kswapd_highest_zoneidx',
    );
    expect(v?.details?.[1]).toBe('request: order 0, zone unset');
  });

  it('a sleeping, hopeful, unbalanced kswapd that was not woken is reported', () => {
    const { s, failed } = drained();
    const asleep = {
      ...wakeOf(failed),
      position: 'full_sleep',
      kswapd_failures: 0,
      obs: null,
      woken: false,
    } as const;
    expect(checkAs(s, withWake(failed, asleep))?.message).toBe(
      'wakeup_kswapd(order 0, hz 1) from full_sleep: woken false, expected true',
    );
    // hopeless (16 failures): staying asleep is right
    expect(checkAs(s, withWake(failed, { ...asleep, kswapd_failures: 16 }))).toBeNull();
  });

  it('a balance answer that is not the any-zone high check is reported', () => {
    const { s, failed } = drained();
    const dma32 = zone(s, DMA32);
    // DMA32 is far below its high mark: pgdat_balanced must be false
    const obs = {
      order: 0,
      highest_zoneidx: 1,
      zones: [
        {
          zone: DMA32,
          free: dma32.nr_free_pages,
          mark: dma32._watermark[2] as number,
          reserve: 0,
          unusable: 0,
          hasBlock: true,
        },
      ],
      balanced: true,
    };
    const wake = { ...wakeOf(failed), position: 'full_sleep', obs, woken: false } as const;
    expect(checkAs(s, withWake(failed, wake))?.message).toBe(
      'wakeup_kswapd saw pgdat_balanced(order 0, hz 1) = true, the any-zone high check says false',
    );
  });

  it('a wake-up about an unmanaged zone is not judged', () => {
    const { s, failed } = drained();
    const wake = {
      ...wakeOf(failed),
      position: 'full_sleep',
      woken: true,
      why: 'unmanaged',
    } as const;
    expect(checkAs(s, withWake(failed, wake))).toBeNull();
  });

  it('a request with no managed zone up to its gfp_zone owes no wake-up', () => {
    const { s, failed } = drained();
    zone(s, DMA).managed_pages = 0;
    const dmaOnly = { ...failed, highest_zoneidx: DMA, events: [] };
    expect(checkAs(s, dmaOnly)).toBeNull();
  });
});
