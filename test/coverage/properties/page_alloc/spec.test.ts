/**
 * properties/page_alloc/spec.ts, the yardstick the page-allocator
 * properties measure the model with, against the numbers page-alloc.md §8
 * and reclaim-and-gfp.md §5 state: the mark reductions (x -= x/2 leaves the
 * ceiling), the callers with no watermark at all, and pgdat_balanced() on a
 * node with no managed zone; and at its version and list boundaries:
 * __zone_watermark_ok() needs a free block only for order > 0, and a list
 * is empty only when its head is -1 (page-alloc.md §8); 5.4 reduces the
 * mark of a non-blocking caller only for __GFP_ATOMIC, and the boost
 * exemption keys on __GFP_ATOMIC up to 6.1.y but on ALLOC_MIN_RESERVE
 * (__GFP_HIGH) in 6.18 (reclaim-and-gfp.md §5).
 */
import { describe, expect, it } from 'vitest';
import { pageAllocRules } from '../../../../models/page_alloc/rules.ts';
import type { Zone } from '../../../../models/page_alloc/state.ts';
import {
  atomicFloorMark,
  balancedExact,
  F_HIGHATOMIC,
  F_MIN_RESERVE,
  F_NON_BLOCK,
  F_OOM,
  GFP_ATOMIC_BIT,
  GFP_HIGH,
  GFP_KSWAPD_RECLAIM,
  GFP_MEMALLOC,
  GFP_NOMEMALLOC,
  hasReserves,
  highatomicTerm,
  MIGRATE_HIGHATOMIC,
  specReducedMark,
  specWatermarkOk,
} from '../../../../properties/page_alloc/spec.ts';
import { booted, DMA32, zone } from '../../fixtures/page-alloc.ts';

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

/** DMA32 (no reserve, no highatomic) with all free lists empty but the (order, mt) ones headed by `heads`. */
function lists(heads: readonly (readonly [number, number, number])[]): Zone {
  const z = zone(booted(), DMA32);
  const free_head = new Int32Array(z.free_head.length).fill(-1);
  for (const [order, mt, pfn] of heads) free_head[order * 4 + mt] = pfn;
  return { ...z, free_head };
}

describe('specWatermarkOk: the free-list part of the check', () => {
  it('order 0 passes on free pages alone, with every list empty', () => {
    expect(specWatermarkOk(v61, lists([]), 0, 100, DMA32, 0, 200)).toBe(true);
    expect(specWatermarkOk(v61, lists([]), 1, 100, DMA32, 0, 200)).toBe(false);
  });

  it('a list headed by pfn 0 is not empty (-1 is the empty head)', () => {
    expect(specWatermarkOk(v61, lists([[1, 0, 0]]), 1, 100, DMA32, 0, 200)).toBe(true);
  });
});

describe('atomicFloorMark: version differences', () => {
  it('5.4: GFP_NOWAIT keeps 100% of min, __GFP_ATOMIC without __GFP_HIGH 75%', () => {
    expect(atomicFloorMark(v54, 1000, 0, GFP_KSWAPD_RECLAIM, 0)).toBe(1000);
    expect(atomicFloorMark(v54, 1000, 0, GFP_ATOMIC_BIT | GFP_KSWAPD_RECLAIM, 0)).toBe(750);
  });

  it('6.1.y: a non-blocking __GFP_HIGH without __GFP_ATOMIC pays the boost: 1200 -> 600 -> 450', () => {
    expect(atomicFloorMark(v61, 1000, 200, GFP_HIGH | GFP_KSWAPD_RECLAIM, 0)).toBe(450);
    // GFP_NOWAIT: neither bit, no reduction, the boost paid
    expect(atomicFloorMark(v61, 1000, 200, GFP_KSWAPD_RECLAIM, 0)).toBe(1200);
  });

  it('6.18: GFP_ATOMIC (__GFP_HIGH, no __GFP_ATOMIC bit any more) is exempt: 1000 -> 500 -> 375', () => {
    expect(atomicFloorMark(v618, 1000, 200, GFP_HIGH | GFP_KSWAPD_RECLAIM, 0)).toBe(375);
  });
});

describe('the highatomic term and the reserve flags: version differences', () => {
  it('up to 6.1 a non-reserve caller may not count the reserved blocks; 6.18 only the free highatomic pages', () => {
    const z = zone(booted(), DMA32);
    const nr_free_mt = new Int32Array(z.nr_free_mt.length);
    nr_free_mt[MIGRATE_HIGHATOMIC] = 100;
    const held = { ...z, nr_reserved_highatomic: 512, nr_free_mt };
    expect(highatomicTerm(v54, held)).toBe(512);
    expect(highatomicTerm(v61, held)).toBe(512);
    expect(highatomicTerm(v618, held)).toBe(100);
  });

  it('5.4 grants the highatomic reserve to ALLOC_HARDER or ALLOC_OOM only, not to ALLOC_HIGH alone; later kernels to any ALLOC_RESERVES bit', () => {
    for (const f of [F_NON_BLOCK, F_OOM]) expect(hasReserves(v54, f)).toBe(true);
    for (const f of [F_MIN_RESERVE, F_HIGHATOMIC, 0]) expect(hasReserves(v54, f)).toBe(false);
    for (const rules of [v61, v618]) {
      for (const f of [F_NON_BLOCK, F_OOM, F_MIN_RESERVE, F_HIGHATOMIC])
        expect(hasReserves(rules, f)).toBe(true);
      expect(hasReserves(rules, 0)).toBe(false);
    }
  });
});
