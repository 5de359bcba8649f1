/**
 * page-alloc/boost-neutral-atomic (I15, BZ-28) on hand-written results:
 * a failed order-0 GFP_ATOMIC request is charged only to a zone whose
 * watermark_boost is non-zero (an unboosted zone is another property's
 * business), and its witness is one slowpath atomic win among the results
 * that was taken against a boosted mark.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/page_alloc/boost-neutral-atomic.ts';
import { booted, ctx, DMA32, zone } from '../../fixtures/page-alloc.ts';
import { afterAlloc, allocOp, request, success } from './hand.ts';

const s = booted();
const ATOMIC = s.pa.gfp.GFP_ATOMIC;
/** An order-0 GFP_ATOMIC request for DMA32 that failed in the slowpath. */
const failed = request({ gfp: ATOMIC, slow_flags: 0 });

describe('boost-neutral-atomic: only boosted zones are evidence', () => {
  it('DMA32 far above its min but unboosted is not judged; boosted, it is', () => {
    const z = zone(s, DMA32);
    expect(z.nr_free_pages).toBeGreaterThan(z._watermark[0] as number);
    z.watermark_boost = 0;
    expect(prop.check?.(afterAlloc(s, [failed]))).toBeNull();
    z.watermark_boost = 512;
    expect(prop.check?.(afterAlloc(s, [failed]))?.message).toMatch(
      /^order-0 GFP_ATOMIC failed although free \d+ passes the unboosted min 416 \(boost 512\)$/,
    );
    z.watermark_boost = 0;
  });
});

describe('boost-neutral-atomic: witness', () => {
  const w = (results: Parameters<typeof afterAlloc>[1]) => prop.witness?.(afterAlloc(s, results));

  it('one boosted slowpath atomic win among other results is it', () => {
    expect(w([request(), success(ATOMIC, { boost: 64 })])).toBe(true);
  });

  it('an unboosted win, a failure, or a non-alloc step is not', () => {
    expect(w([success(ATOMIC, { boost: 0 })])).toBe(false);
    expect(w([failed])).toBe(false);
    s.last = { kind: 'none' };
    expect(prop.witness?.(ctx(s, allocOp))).toBe(false);
  });
});
