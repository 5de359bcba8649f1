/**
 * properties/page_alloc/spec.ts, the yardstick the page-allocator
 * properties measure the model with, against the numbers page-alloc.md §8
 * and reclaim-and-gfp.md §5 state: the mark reductions (x -= x/2 leaves the
 * ceiling), the callers with no watermark at all, and pgdat_balanced() on a
 * node with no managed zone.
 */
import { describe, expect, it } from 'vitest';
import { pageAllocRules } from '../../../../models/page_alloc/rules.ts';
import {
  atomicFloorMark,
  balancedExact,
  F_MIN_RESERVE,
  F_NON_BLOCK,
  F_OOM,
  GFP_ATOMIC_BIT,
  GFP_HIGH,
  GFP_KSWAPD_RECLAIM,
  GFP_MEMALLOC,
  GFP_NOMEMALLOC,
  specReducedMark,
} from '../../../../properties/page_alloc/spec.ts';

const v54 = pageAllocRules['5.4'];
const v61 = pageAllocRules['6.1'];
const v618 = pageAllocRules['6.18'];
const GFP_ATOMIC = GFP_HIGH | GFP_ATOMIC_BIT | GFP_KSWAPD_RECLAIM;

describe('specReducedMark', () => {
  it('GFP_ATOMIC takes 263 to 132 then 99 (page-alloc.md §8), 1272 to 477 (§5)', () => {
    expect(specReducedMark(v61, 263, F_MIN_RESERVE | F_NON_BLOCK)).toBe(99);
    expect(specReducedMark(v61, 1272, F_MIN_RESERVE | F_NON_BLOCK)).toBe(477);
    // 5.4: ALLOC_HIGH halves, then ALLOC_HARDER takes a quarter: the same numbers
    expect(specReducedMark(v54, 1272, F_MIN_RESERVE | F_NON_BLOCK)).toBe(477);
  });

  it('an OOM victim halves the mark: after HIGH in 5.4, alone or after the others later', () => {
    // 5.4: HIGH 1001 -> 501, then OOM (not HARDER) -> 251
    expect(specReducedMark(v54, 1001, F_MIN_RESERVE | F_OOM)).toBe(251);
    expect(specReducedMark(v54, 1001, F_OOM)).toBe(501);
    // OOM wins over HARDER in 5.4: a further half, not a quarter
    expect(specReducedMark(v54, 1000, F_NON_BLOCK | F_OOM)).toBe(500);
    // 6.1.y: OOM alone is a reserve flag and halves
    expect(specReducedMark(v61, 1001, F_OOM)).toBe(501);
    // MIN_RESERVE 1000 -> 500, NON_BLOCK -> 375, OOM -> 188
    expect(specReducedMark(v618, 1000, F_MIN_RESERVE | F_NON_BLOCK | F_OOM)).toBe(188);
  });

  it('NON_BLOCK alone gives no reduction after the 6.3 series', () => {
    expect(specReducedMark(v61, 1000, F_NON_BLOCK)).toBe(1000);
    expect(specReducedMark(v54, 1000, F_NON_BLOCK)).toBe(750);
  });
});

describe('atomicFloorMark', () => {
  it('__GFP_MEMALLOC means no watermark at all', () => {
    expect(atomicFloorMark(v61, 416, 0, GFP_ATOMIC | GFP_MEMALLOC, 0)).toBeNull();
    expect(atomicFloorMark(v54, 416, 0, GFP_MEMALLOC, 3)).toBeNull();
  });

  it('__GFP_NOMEMALLOC overrides __GFP_MEMALLOC and the non-blocking reduction: 50%', () => {
    expect(atomicFloorMark(v61, 1000, 0, GFP_ATOMIC | GFP_MEMALLOC | GFP_NOMEMALLOC, 0)).toBe(500);
    expect(atomicFloorMark(v54, 1000, 0, GFP_ATOMIC | GFP_NOMEMALLOC, 0)).toBe(500);
  });

  it('GFP_ATOMIC: 37.5% of min, the boost left out at order 0 only', () => {
    expect(atomicFloorMark(v61, 1000, 200, GFP_ATOMIC, 0)).toBe(375);
    // order 1 pays the boost: 1200 -> 600 -> 450
    expect(atomicFloorMark(v61, 1000, 200, GFP_ATOMIC, 1)).toBe(450);
    // GFP_NOWAIT keeps 100% and, without __GFP_HIGH, no exemption in 6.18
    expect(atomicFloorMark(v618, 1000, 200, GFP_KSWAPD_RECLAIM, 0)).toBe(1200);
  });
});

describe('balancedExact', () => {
  it('a node with no managed zone up to the index is balanced', () => {
    expect(balancedExact({ order: 3, highest_zoneidx: 0, zones: [], balanced: true })).toBe(true);
  });

  it('any one zone above high + reserve balances the node; order > 0 also needs a block', () => {
    const low = { zone: 0, free: 100, mark: 100, reserve: 0, unusable: 0, hasBlock: true };
    const high = { zone: 1, free: 1000, mark: 600, reserve: 300, unusable: 0, hasBlock: false };
    expect(
      balancedExact({ order: 0, highest_zoneidx: 1, zones: [low, high], balanced: true }),
    ).toBe(true);
    expect(
      balancedExact({ order: 2, highest_zoneidx: 1, zones: [low, high], balanced: true }),
    ).toBe(false);
  });
});
