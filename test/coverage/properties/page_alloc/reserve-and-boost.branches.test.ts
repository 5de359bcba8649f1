/**
 * page-alloc/lowmem-reserve-formula (I13, page-alloc.md §4) and
 * page-alloc/boost-neutral-atomic (I15) at their edges: DMA's reserve for
 * a DMA32 request is floor(48848 / 256) = 190, checked after each sysctl
 * write and at the end of a run; the reserve witness is a ratio write that
 * leaves some reserve; the boost witness is a GFP_ATOMIC success in a
 * boosted zone, and a boost of 0 is none.
 */
import { describe, expect, it } from 'vitest';
import boostNeutral from '../../../../properties/page_alloc/boost-neutral-atomic.ts';
import reserve from '../../../../properties/page_alloc/lowmem-reserve-formula.ts';
import type { PageAllocOp } from '../../../../src/systems/page_alloc/ops.ts';
import { booted, ctx, DMA, DMA32, zone } from '../../fixtures/page-alloc.ts';
import { afterAlloc, allocOp, success } from './hand.ts';

const ratio = (value: readonly number[]): PageAllocOp => ({
  op: 'sysctl',
  name: 'lowmem_reserve_ratio',
  value,
});
const defaults = ratio([256, 256, 32, 0, 0]);

describe('lowmem-reserve-formula', () => {
  it('a DMA reserve one page off the formula is reported after the write and at the end', () => {
    const s = booted([defaults]);
    expect(reserve.check?.(ctx(s, defaults))).toBeNull();
    zone(s, DMA).lowmem_reserve[DMA32] = 191;
    const want =
      'lowmem_reserve[1] = 191, expected 190 (managed of zones 1..1 = 48848 / ratio 256)';
    expect(reserve.check?.(ctx(s, defaults))?.message).toBe(want);
    expect(reserve.atEnd?.(s)?.message).toBe(want);
    expect(reserve.after).toContain('sysctl');
  });

  it('its witness is a ratio write that leaves a reserve somewhere', () => {
    const s = booted([defaults]);
    expect(reserve.witness?.(ctx(s, defaults))).toBe(true);
    expect(reserve.witness?.(ctx(s, { op: 'sysctl', name: 'min_free_kbytes', value: 4096 }))).toBe(
      false,
    );
    expect(reserve.witness?.(ctx(s, allocOp))).toBe(false);
  });

  it('ratios of 0 clear every reserve: the formula holds and the witness is not there', () => {
    const zeros = ratio([0, 0, 0, 0, 0]);
    const s = booted([zeros]);
    expect(zone(s, DMA).lowmem_reserve).toEqual([0, 0, 0, 0, 0]);
    expect(reserve.check?.(ctx(s, zeros))).toBeNull();
    expect(reserve.witness?.(ctx(s, zeros))).toBe(false);
  });
});

describe('boost-neutral-atomic: its witness', () => {
  const s = booted();
  const { GFP_ATOMIC } = s.pa.gfp;

  it('an order-0 GFP_ATOMIC slowpath success in a zone boosted by 10 pages is it; unboosted it is not', () => {
    expect(boostNeutral.witness?.(afterAlloc(s, [success(GFP_ATOMIC, { boost: 10 })]))).toBe(true);
    expect(boostNeutral.witness?.(afterAlloc(s, [success(GFP_ATOMIC, { boost: 0 })]))).toBe(false);
  });
});
