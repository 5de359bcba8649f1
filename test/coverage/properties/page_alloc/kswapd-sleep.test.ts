/**
 * page-alloc/kswapd-sleeps-balanced (I14) on kswapd sub-step records:
 * kswapd may sleep only on a hopeless node (kswapd_failures >= 16) or on a
 * balanced one, by the any-zone high-watermark check (reclaim-and-gfp.md §8).
 */
import { describe, expect, it } from 'vitest';
import type { BalanceObs, KswapdStep } from '../../../../models/vmscan/kswapd.ts';
import sleep from '../../../../properties/page_alloc/kswapd-sleep.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { booted, ctx, DMA32, drainDma32 } from '../../fixtures/page-alloc.ts';

const op = { op: 'kswapd', steps: 64, reclaim: 32 } as const;

/** DMA32 at 100 free pages against a high mark of 624: unbalanced at order 0. */
const unbalanced: BalanceObs = {
  order: 0,
  highest_zoneidx: DMA32,
  zones: [{ zone: DMA32, free: 100, mark: 624, reserve: 0, unusable: 0, hasBlock: true }],
  balanced: false,
};

function step(what: string, failures: number, obs: BalanceObs | null): KswapdStep {
  return { what, order: 0, highest_zoneidx: DMA32, kswapd_failures: failures, obs };
}

function sleepCheck(s: PageAllocState, steps: KswapdStep[]) {
  s.last = { kind: 'kswapd', steps };
  return sleep.check?.(ctx(s, op)) ?? null;
}

describe('kswapd-sleeps-balanced', () => {
  it('holds on a real kswapd run after a drain', () => {
    const s = booted([...drainDma32, op]);
    expect(s.last.kind).toBe('kswapd');
    expect(sleep.check?.(ctx(s, op))).toBeNull();
  });

  it('says nothing about a step that did not run kswapd', () => {
    const s = booted(drainDma32);
    expect(s.last.kind).toBe('alloc');
    expect(sleep.check?.(ctx(s, op))).toBeNull();
  });

  it('a hopeless node sleeps without a balance check', () => {
    const s = booted();
    expect(sleepCheck(s, [step('sleep-full', 16, null)])).toBeNull();
  });

  it('a hopeful node may not sleep without a balance check', () => {
    const s = booted();
    expect(sleepCheck(s, [step('sleep-short', 3, null)])).toEqual({
      subject: 'kswapd',
      message: 'sleep-short without a balance check (failures 3)',
    });
  });

  it('sleeping on an unbalanced node is reported with the zone it read', () => {
    const s = booted();
    const v = sleepCheck(s, [step('sleep-full', 0, unbalanced)]);
    expect(v?.message).toBe(
      'sleep-full while no zone up to 1 meets high + lowmem_reserve at order 0',
    );
    expect(v?.details).toEqual(['zone 1: free 100 - unusable 0 vs high 624 + reserve 0']);
  });
});
