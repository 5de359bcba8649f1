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
import { afterAlloc, allocOp, request, success } from './hand.ts';

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

describe('boost-neutral-atomic: only slowpath outcomes count', () => {
  const { GFP_ATOMIC } = booted().pa.gfp;

  it('a fast-path win in a boosted zone is no witness: the exemption lives in the slowpath', () => {
    const s = booted();
    const fast = success(GFP_ATOMIC, { stage: 'fast', boost: 10 });
    expect(fast.slow_flags).toBe(-1);
    expect(boostNeutral.witness?.(afterAlloc(s, [fast]))).toBe(false);
  });

  it('a failure that never reached the slowpath (injected) is not judged; the same failure from the slowpath is', () => {
    const s = booted();
    // DMA32 boosted, with free pages far above its unboosted min
    zone(s, DMA32).watermark_boost = 10;
    const injected = request({ gfp: GFP_ATOMIC, slow_flags: -1 });
    expect(boostNeutral.check?.(afterAlloc(s, [injected]))).toBeNull();
    const slow = request({ gfp: GFP_ATOMIC, slow_flags: 0 });
    expect(boostNeutral.check?.(afterAlloc(s, [slow]))?.message).toMatch(
      /^order-0 GFP_ATOMIC failed although free \d+ passes the unboosted min \d+ \(boost 10\)$/,
    );
  });
});

describe('lowmem-reserve-formula: an unmanaged lower zone', () => {
  it('reserves nothing whatever the ratio (setup_per_zone_lowmem_reserve clears it)', () => {
    const s = booted([defaults]);
    const d = zone(s, DMA);
    d.managed_pages = 0;
    d.lowmem_reserve.fill(0);
    expect(reserve.check?.(ctx(s, defaults))).toBeNull();
    d.lowmem_reserve[DMA32] = 190;
    expect(reserve.check?.(ctx(s, defaults))?.message).toMatch(
      /^lowmem_reserve\[1\] = 190, expected 0 /,
    );
  });
});
