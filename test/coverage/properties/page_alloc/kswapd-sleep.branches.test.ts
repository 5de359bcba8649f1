/**
 * page-alloc/kswapd-sleeps-balanced (I14): its witness is a full sleep
 * taken on a balance observation (a hopeless node sleeps without one, a
 * short sleep is not a full one), found among the other sub-steps.
 */
import { describe, expect, it } from 'vitest';
import type { KswapdStep } from '../../../../models/vmscan/kswapd.ts';
import sleep from '../../../../properties/page_alloc/kswapd-sleep.ts';
import { booted } from '../../fixtures/page-alloc.ts';
import { afterAlloc, afterKswapd, kstep, obs, request, zoneObs } from './hand.ts';

const s = booted();
const w = (steps: KswapdStep[]) => sleep.witness?.(afterKswapd(s, steps));
const balanced = obs(true, [zoneObs()]);

describe('kswapd-sleeps-balanced: witness', () => {
  it('a full sleep on a balance observation after a pass is it', () => {
    expect(w([kstep('K3', 0), kstep('sleep-full', 0, { obs: balanced })])).toBe(true);
  });

  it('a full sleep without an observation (hopeless node) is not', () => {
    expect(w([kstep('sleep-full', 16)])).toBe(false);
  });

  it('a short sleep on an observation is not', () => {
    expect(w([kstep('sleep-short', 0, { obs: balanced })])).toBe(false);
  });

  it('an allocation step is not', () => {
    expect(sleep.witness?.(afterAlloc(s, [request()]))).toBe(false);
  });
});
