/**
 * page-alloc/page-conservation (I5): each page-cache count must equal its
 * own LRU list (a page moved to the leaked count keeps the sum, so only the
 * list comparison can see it), and the witness is a kswapd step whose
 * balance rounds reclaimed something.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/page_alloc/page-conservation.ts';
import { booted, DMA32, zone } from '../../fixtures/page-alloc.ts';
import { afterAlloc, afterKswapd, allocOp, kstep, request } from './hand.ts';

const DIFFER = 'page-cache counts differ from the LRU lists';

/** A kswapd balance round that reclaimed `reclaimed` pages. */
const round = (reclaimed: number) =>
  kstep('round', 0, {
    round: { priority: 12, boostMode: false, reclaimed, done: false, failed: false },
  });

describe('page-conservation: the page-cache counts against their lists', () => {
  it('a clean page counted as leaked is seen on the clean list alone', () => {
    const s = booted();
    const z = zone(s, DMA32);
    z.nr_clean -= 1;
    z.nr_leaked += 1;
    expect(prop.atEnd?.(s)?.message).toBe(DIFFER);
  });

  it('a dirty page counted as leaked is seen on the dirty list alone', () => {
    const s = booted();
    const z = zone(s, DMA32);
    expect(z.nr_dirty).toBeGreaterThan(0);
    z.nr_dirty -= 1;
    z.nr_leaked += 1;
    expect(prop.atEnd?.(s)?.message).toBe(DIFFER);
  });
});

describe('page-conservation: its witness (kswapd reclaimed pages)', () => {
  const s = booted();

  it('a kswapd step with a round that reclaimed pages is it, among steps that did not', () => {
    expect(prop.witness?.(afterKswapd(s, [kstep('K3', 0), round(32)]))).toBe(true);
  });

  it('rounds that reclaimed nothing, or no round at all, are not', () => {
    expect(prop.witness?.(afterKswapd(s, [kstep('K3', 0), round(0)]))).toBe(false);
  });

  it('the record of an earlier kswapd step does not count for another op', () => {
    expect(prop.witness?.(afterKswapd(s, [round(32)], allocOp))).toBe(false);
  });

  it('an allocation is not', () => {
    const c = afterAlloc(s, [request()]);
    expect(prop.witness?.({ ...c, op: { op: 'kswapd', steps: 1, reclaim: 32 } })).toBe(false);
  });
});
