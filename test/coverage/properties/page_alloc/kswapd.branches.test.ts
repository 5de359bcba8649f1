/**
 * The kswapd properties (I14, reclaim-and-gfp.md §8) on hand-written
 * sub-steps: MAX_RECLAIM_RETRIES is 16, so a pass or a throttle at 16
 * failures is wrong and at 15 is not; pgdat_balanced() passes a zone only
 * strictly above high + lowmem_reserve, so "balanced while a zone sits
 * exactly at its mark" is the any-zone answer kswapd-balance looks for; and
 * kswapd-woken shows the request the node recorded.
 */
import { describe, expect, it } from 'vitest';
import type { AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import type { KswapdStep } from '../../../../models/vmscan/kswapd.ts';
import backsOff from '../../../../properties/page_alloc/kswapd-backs-off.ts';
import balance from '../../../../properties/page_alloc/kswapd-balance.ts';
import woken from '../../../../properties/page_alloc/kswapd-woken.ts';
import { booted, DMA, drainDma32 } from '../../fixtures/page-alloc.ts';
import { afterAlloc, afterKswapd, kstep, obs, request, zoneObs } from './hand.ts';

const s = booted();
const position = s.pa.pgdat.kswapd.position;

/** A request that was throttled on pfmemalloc_wait with kswapd_failures `failures`. */
const throttled = (failures: number): AllocResult =>
  request({ events: [{ kind: 'throttle', kswapd_failures: failures }] });

describe('kswapd-backs-off: 16 failures make the node hopeless', () => {
  it('a balance pass started at 16 failures is reported, with what kswapd is doing', () => {
    s.pa.pgdat.kswapd_failures = 16;
    expect(backsOff.check?.(afterKswapd(s, [kstep('K3', 16)]))).toEqual({
      subject: 'kswapd',
      message:
        'balance_pgdat pass started with kswapd_failures 16 >= 16: kswapd spins on a hopeless node',
      details: [`kswapd ${position}, failures 16`],
    });
  });

  it('a pass at 15 failures is allowed', () => {
    expect(backsOff.check?.(afterKswapd(s, [kstep('K3', 15)]))).toBeNull();
  });

  it('a reclaimer throttled at 16 failures is reported, at 15 it is not', () => {
    expect(backsOff.check?.(afterAlloc(s, [throttled(16)]))?.subject).toBe('pfmemalloc_wait');
    expect(backsOff.check?.(afterAlloc(s, [throttled(15)]))).toBeNull();
  });

  it('its witness is a full sleep at 16 failures, not at 15, not a short sleep or a pass', () => {
    const w = (steps: KswapdStep[]) => backsOff.witness?.(afterKswapd(s, steps));
    expect(w([kstep('K3', 0), kstep('sleep-full', 16)])).toBe(true);
    expect(w([kstep('sleep-full', 15)])).toBe(false);
    expect(w([kstep('sleep-short', 16), kstep('K3', 0)])).toBe(false);
    expect(backsOff.witness?.(afterAlloc(s, [throttled(16)]))).toBe(false);
  });
});

/** DMA32 exactly at high 500 + reserve 100 (free 700 - unusable 100 = 600): not above it. */
const atMark = zoneObs({ free: 700, unusable: 100, mark: 500, reserve: 100 });
/** DMA, one page above its high 400 + reserve 100. */
const above = zoneObs({ zone: DMA, free: 601, unusable: 100, mark: 400, reserve: 100 });

describe('kswapd-balance: which answers it judges, and its witness', () => {
  it('a short sleep is left to kswapd-sleeps-balanced, whatever its answer', () => {
    const wrong = obs(false, [above]);
    expect(balance.check?.(afterKswapd(s, [kstep('sleep-short', 0, { obs: wrong })]))).toBeNull();
  });

  const w = (steps: KswapdStep[]) => balance.witness?.(afterKswapd(s, steps));

  it('balanced by one zone while another sits exactly at high + reserve is it', () => {
    expect(w([kstep('K3', 0), kstep('round', 0, { obs: obs(true, [above, atMark]) })])).toBe(true);
  });

  it('balanced with every zone above high + reserve is not', () => {
    expect(w([kstep('round', 0, { obs: obs(true, [above]) })])).toBe(false);
  });

  it('an unbalanced answer is not, nor is an allocation', () => {
    expect(w([kstep('round', 0, { obs: obs(false, [atMark]) })])).toBe(false);
    expect(balance.witness?.(afterAlloc(s, [request()]))).toBe(false);
  });
});

describe('kswapd-woken: the evidence shows the request the node recorded', () => {
  it('after the drain DMA32 (zone 1) is recorded, and shown as such', () => {
    const d = booted(drainDma32);
    if (d.last.kind !== 'alloc') throw new Error('the drain made no allocation');
    const failed = d.last.results[d.last.results.length - 1] as AllocResult;
    const silent = { ...failed, events: failed.events.filter((e) => e.kind !== 'wakeup_kswapd') };
    const v = woken.check?.(afterAlloc(d, [silent]));
    expect(v?.message).toMatch(/never called wakeup_kswapd$/);
    expect(v?.details?.[1]).toBe('request: order 0, zone 1');
  });
});
