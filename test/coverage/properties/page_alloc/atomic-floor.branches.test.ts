/**
 * page-alloc/atomic-floor (I12, reclaim-and-gfp.md §5) on its boundary:
 * GFP_ATOMIC (6.1.y: MIN_RESERVE then NON_BLOCK) may take min 400 to
 * 400 - 200 - 50 = 150, plus lowmem_reserve; free after the allocation
 * equal to that floor is allowed, one page less is not. __GFP_MEMALLOC has
 * no watermark at all, and blocking callers are reserve-floor's.
 */
import { describe, expect, it } from 'vitest';
import { __GFP_MEMALLOC } from '../../../../models/page_alloc/gfp.ts';
import type { AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import prop from '../../../../properties/page_alloc/atomic-floor.ts';
import { booted, DMA } from '../../fixtures/page-alloc.ts';
import { afterAlloc, afterKswapd, request, success } from './hand.ts';

const s = booted();
const { GFP_ATOMIC, GFP_KERNEL } = s.pa.gfp;
/** DMA as a DMA32 request sees it: the winning check's min 400 and lowmem_reserve 190. */
const dma = { zone: DMA, reserve: 190 };

const check = (results: readonly AllocResult[]) => prop.check?.(afterAlloc(s, results)) ?? null;
const witness = (results: readonly AllocResult[]) => prop.witness?.(afterAlloc(s, results));

describe('atomic-floor: the floor of GFP_ATOMIC', () => {
  it('free left at 150 + reserve 190 = 340 is allowed', () => {
    expect(check([success(GFP_ATOMIC, { ...dma, free: 341 })])).toBeNull();
  });

  it('339 is one page into the reserve GFP_ATOMIC may not touch', () => {
    const v = check([request(), success(GFP_ATOMIC, { ...dma, free: 340 })]);
    expect(v?.subject).toBe('zone DMA');
    expect(v?.message).toBe(
      'non-blocking order-0 success left free 339 < allowed 340 (reduced min + reserve 190)',
    );
  });

  it('__GFP_MEMALLOC has no watermark: it may take DMA below the reserve itself', () => {
    expect(check([success(GFP_ATOMIC | __GFP_MEMALLOC, { ...dma, free: 101 })])).toBeNull();
  });

  it('a blocking caller is not judged here (reserve-floor is its property)', () => {
    expect(check([success(GFP_KERNEL, { ...dma, free: 101 })])).toBeNull();
  });
});

describe('atomic-floor: its witness (a non-blocking success below plain min + reserve)', () => {
  it('GFP_ATOMIC leaving DMA at 589 < min 400 + reserve 190 is it, even after a failure', () => {
    expect(witness([success(GFP_ATOMIC, { ...dma, free: 590 })])).toBe(true);
    expect(witness([success(GFP_ATOMIC, { ...dma, free: 590 }), request()])).toBe(true);
  });

  it('leaving exactly min + reserve (590) is not', () => {
    expect(witness([success(GFP_ATOMIC, { ...dma, free: 591 })])).toBe(false);
  });

  it('__GFP_MEMALLOC far below min is not: it has no floor to approach', () => {
    expect(witness([success(GFP_ATOMIC | __GFP_MEMALLOC, { ...dma, free: 100 })])).toBe(false);
  });

  it('a failure, or a blocking success below min, is not', () => {
    expect(witness([request({ gfp: GFP_ATOMIC })])).toBe(false);
    expect(witness([success(GFP_KERNEL, { ...dma, free: 100 })])).toBe(false);
  });

  it('a step that allocated nothing is not', () => {
    expect(prop.witness?.(afterKswapd(s, []))).toBe(false);
  });
});
