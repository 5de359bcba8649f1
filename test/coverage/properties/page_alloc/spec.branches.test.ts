/**
 * properties/page_alloc/spec.ts at its version and list boundaries:
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
  F_HIGHATOMIC,
  F_MIN_RESERVE,
  F_NON_BLOCK,
  F_OOM,
  GFP_ATOMIC_BIT,
  GFP_HIGH,
  GFP_KSWAPD_RECLAIM,
  hasReserves,
  highatomicTerm,
  MIGRATE_HIGHATOMIC,
  specWatermarkOk,
} from '../../../../properties/page_alloc/spec.ts';
import { booted, DMA32, zone } from '../../fixtures/page-alloc.ts';

const v54 = pageAllocRules['5.4'];
const v61 = pageAllocRules['6.1'];
const v618 = pageAllocRules['6.18'];

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
