/**
 * page-alloc/kswapd-balance-any-zone (I14) on kswapd sub-step records: every
 * pgdat_balanced() answer kswapd acts on is "any managed eligible zone meets
 * its high watermark plus lowmem_reserve" (reclaim-and-gfp.md §8).
 */
import { describe, expect, it } from 'vitest';
import type { BalanceObs } from '../../../../models/vmscan/kswapd.ts';
import balance from '../../../../properties/page_alloc/kswapd-balance.ts';
import { booted, ctx, DMA, DMA32, drainDma32 } from '../../fixtures/page-alloc.ts';

const op = { op: 'kswapd', steps: 64, reclaim: 32 } as const;

/** DMA below its high mark, DMA32 above it: balanced by ANY zone, not by ALL. */
const oneZoneHigh: BalanceObs = {
  order: 0,
  highest_zoneidx: DMA32,
  zones: [
    { zone: DMA, free: 40, mark: 56, reserve: 190, unusable: 0, hasBlock: true },
    { zone: DMA32, free: 1000, mark: 624, reserve: 0, unusable: 0, hasBlock: true },
  ],
  balanced: true,
};

describe('kswapd-balance-any-zone', () => {
  it('holds on a real kswapd run after a drain', () => {
    const s = booted([...drainDma32, op]);
    expect(s.last.kind).toBe('kswapd');
    expect(balance.check?.(ctx(s, op))).toBeNull();
  });

  it('says nothing about a step that did not run kswapd', () => {
    const s = booted(drainDma32);
    expect(s.last.kind).toBe('alloc');
    expect(balance.check?.(ctx(s, op))).toBeNull();
  });

  it('an all-zones answer in a balance round is reported, each zone read shown', () => {
    const s = booted();
    const obs = { ...oneZoneHigh, balanced: false };
    s.last = {
      kind: 'kswapd',
      steps: [{ what: 'round', order: 0, highest_zoneidx: DMA32, kswapd_failures: 0, obs }],
    };
    const v = balance.check?.(ctx(s, op));
    expect(v?.message).toBe(
      'round: pgdat_balanced(order 0, hz 1) = false, any-zone high check = true',
    );
    expect(v?.details).toEqual([
      'zone 0: free 40 - unusable 0 vs high 56 + reserve 190',
      'zone 1: free 1000 - unusable 0 vs high 624 + reserve 0',
    ]);
  });

  it('sleep decisions are left to kswapd-sleeps-balanced', () => {
    const s = booted();
    const obs = { ...oneZoneHigh, balanced: false };
    s.last = {
      kind: 'kswapd',
      steps: [{ what: 'sleep-full', order: 0, highest_zoneidx: DMA32, kswapd_failures: 0, obs }],
    };
    expect(balance.check?.(ctx(s, op))).toBeNull();
  });
});
