/**
 * page-alloc/kswapd-woken (I14, reclaim-and-gfp.md §8) on hand-written
 * results: a wake-up on an unmanaged zone is not judged; a sleeping,
 * hopeful node that is balanced and unboosted stays asleep; the slowpath's
 * wakeup_kswapd must name its first managed zone, its gfp_zone and its
 * order (each alone wrong is a missing wake-up); the request must be
 * recorded in both kswapd_highest_zoneidx and kswapd_order; and the witness
 * is a wakeup_kswapd that found kswapd running.
 */
import { describe, expect, it } from 'vitest';
import type { AllocEvent, AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import type { KswapdWake } from '../../../../models/vmscan/kswapd.ts';
import woken from '../../../../properties/page_alloc/kswapd-woken.ts';
import { GFP_KSWAPD_RECLAIM } from '../../../../properties/page_alloc/spec.ts';
import { booted, ctx, DMA, DMA32 } from '../../fixtures/page-alloc.ts';
import { afterAlloc, allocOp, obs, request, zoneObs } from './hand.ts';

const s = booted();
/** The request recorded as DMA32 at order 3: covers every request below. */
function recorded(hz = DMA32, order = 3): void {
  s.pa.pgdat.kswapd_highest_zoneidx = hz;
  s.pa.pgdat.kswapd_order = order;
}

/** wakeup_kswapd(DMA32, order 0, hz DMA32) that found kswapd running (not woken, correctly). */
function wake(over: Partial<KswapdWake> = {}): KswapdWake {
  return {
    zone: DMA32,
    order: 0,
    highest_zoneidx: DMA32,
    gfp: GFP_KSWAPD_RECLAIM,
    position: 'running',
    kswapd_failures: 0,
    boosted: false,
    obs: null,
    woken: false,
    why: 'running',
    ...over,
  };
}
const ev = (w: KswapdWake): AllocEvent => ({ kind: 'wakeup_kswapd', wake: w });
/** An order-`order` DMA32 request that entered the slowpath with __GFP_KSWAPD_RECLAIM. */
const slow = (events: AllocEvent[], order = 0): AllocResult =>
  request({ gfp: GFP_KSWAPD_RECLAIM, slow_flags: 0, order, events });
/** A request that never reached the slowpath: only its wake-up events are judged. */
const fast = (events: AllocEvent[]): AllocResult => request({ events });
const check = (results: AllocResult[]) => woken.check?.(afterAlloc(s, results)) ?? null;

describe('kswapd-woken: which wake-ups must wake', () => {
  it('an unmanaged zone is not judged, though a sleeping hopeful kswapd stayed asleep', () => {
    recorded();
    const asleep = { position: 'full_sleep', woken: false } as const;
    expect(check([fast([ev(wake({ ...asleep, why: 'unmanaged' }))])])).toBeNull();
    // the same wake-up on a managed zone is a missed wake
    expect(check([fast([ev(wake({ ...asleep, why: 'balanced' }))])])?.message).toBe(
      'wakeup_kswapd(order 0, hz 1) from full_sleep: woken false, expected true',
    );
  });

  it('balanced and unboosted stays asleep; boosted or unbalanced must wake', () => {
    recorded();
    const asleep = { position: 'full_sleep', woken: false, why: 'balanced' } as const;
    const bal = obs(true, [zoneObs()]);
    expect(check([fast([ev(wake({ ...asleep, obs: bal }))])])).toBeNull();
    expect(check([fast([ev(wake({ ...asleep, obs: bal, boosted: true }))])])?.message).toBe(
      'wakeup_kswapd(order 0, hz 1) from full_sleep: woken false, expected true',
    );
    const unbal = obs(false, [zoneObs({ free: 100 })]);
    expect(check([fast([ev(wake({ ...asleep, obs: unbal }))])])?.message).toBe(
      'wakeup_kswapd(order 0, hz 1) from full_sleep: woken false, expected true',
    );
  });
});

describe('kswapd-woken: the slowpath wake-up names the request', () => {
  const missing = 'slowpath of order-0 request (hz 1) never called wakeup_kswapd';

  it('the right zone, gfp_zone and order is a wake-up', () => {
    recorded();
    expect(s.pa.zonelist[0]).toBe(DMA32);
    expect(check([slow([ev(wake())])])).toBeNull();
  });

  it('on DMA rather than the first managed zone DMA32 is not', () => {
    recorded();
    expect(check([slow([ev(wake({ zone: DMA }))])])?.message).toBe(missing);
  });

  it('for gfp_zone DMA rather than DMA32 is not', () => {
    recorded();
    expect(check([slow([ev(wake({ highest_zoneidx: DMA }))])])?.message).toBe(missing);
  });

  it('at order 1 rather than 0 is not', () => {
    recorded();
    expect(check([slow([ev(wake({ order: 1 }))])])?.message).toBe(missing);
  });
});

describe('kswapd-woken: the request is recorded', () => {
  it('a recorded zone below the request is reported', () => {
    recorded(DMA, 3);
    expect(check([slow([ev(wake())])])?.message).toBe(
      'order-0 request for hz 1 not recorded in kswapd_order/kswapd_highest_zoneidx',
    );
  });

  it('a recorded order below the request is reported, an equal one is not', () => {
    recorded(DMA32, 1);
    expect(check([slow([ev(wake({ order: 2 }))], 2)])?.message).toBe(
      'order-2 request for hz 1 not recorded in kswapd_order/kswapd_highest_zoneidx',
    );
    recorded(DMA32, 2);
    expect(check([slow([ev(wake({ order: 2 }))], 2)])).toBeNull();
  });
});

describe('kswapd-woken: witness', () => {
  const w = (results: AllocResult[]) => woken.witness?.(afterAlloc(s, results));
  const throttle: AllocEvent = { kind: 'throttle', kswapd_failures: 0 };

  it('a running wake-up among other events of one result is it', () => {
    expect(w([fast([ev(wake()), throttle])])).toBe(true);
  });

  it('one result with a running wake-up among results without is it', () => {
    expect(w([fast([ev(wake())]), fast([])])).toBe(true);
  });

  it('a wake-up that did not find kswapd running is not, nor is another event', () => {
    expect(w([fast([ev(wake({ position: 'full_sleep', woken: true, why: '' }))])])).toBe(false);
    expect(w([fast([throttle])])).toBe(false);
  });

  it('a step that allocated nothing is not', () => {
    s.last = { kind: 'none' };
    expect(woken.witness?.(ctx(s, allocOp))).toBe(false);
  });
});
