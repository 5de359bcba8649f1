/**
 * page-alloc/reserve-floor (I12, page-alloc.md §13) on hand-written
 * GFP_KERNEL successes won at min 400 (no boost, reserve or highatomic):
 * free after the allocation equal to the floor is allowed, one page less is
 * not; and its witness, a covered success past the fast path that left the
 * zone within 2^order + 64 pages of its floor.
 */
import { describe, expect, it } from 'vitest';
import type { AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import prop from '../../../../properties/page_alloc/reserve-floor.ts';
import { booted } from '../../fixtures/page-alloc.ts';
import { afterAlloc, afterKswapd, request, success } from './hand.ts';

const s = booted();
const { GFP_ATOMIC, GFP_KERNEL } = s.pa.gfp;
const witness = (results: readonly AllocResult[]) => prop.witness?.(afterAlloc(s, results));

describe('reserve-floor: the floor of a slowpath GFP_KERNEL success (min 400)', () => {
  it('free left at 400 is allowed, 399 is not', () => {
    expect(prop.check?.(afterAlloc(s, [success(GFP_KERNEL, { free: 401 })]))).toBeNull();
    expect(prop.check?.(afterAlloc(s, [success(GFP_KERNEL, { free: 400 })]))?.message).toBe(
      'order-0 slowpath success left free 399 < floor 400 (mark+boost, reserve 0, highatomic)',
    );
  });
});

describe('reserve-floor: its witness (within 2^order + 64 pages of the floor, past the fast path)', () => {
  it('64 pages above the floor of an order-0 request is it, even after a failure', () => {
    expect(witness([success(GFP_KERNEL, { free: 465 })])).toBe(true);
    expect(witness([success(GFP_KERNEL, { free: 465 }), request({ gfp: GFP_KERNEL })])).toBe(true);
  });

  it('65 pages above it is not', () => {
    expect(witness([success(GFP_KERNEL, { free: 466 })])).toBe(false);
  });

  it('a fast-path success at its floor (low 500) is not: the low mark leaves min untested', () => {
    expect(witness([success(GFP_KERNEL, { stage: 'fast', free: 501 })])).toBe(false);
  });

  it('a GFP_ATOMIC success at min is not: it has reserves and is not covered', () => {
    expect(witness([success(GFP_ATOMIC, { free: 401 })])).toBe(false);
  });

  it('a step that allocated nothing is not', () => {
    expect(prop.witness?.(afterKswapd(s, []))).toBe(false);
  });
});
