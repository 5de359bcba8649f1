/**
 * page-alloc/highatomic-accounting (I16): the cap and bound it allows per
 * version, from page-alloc.md §9: managed/100 + 512 up to 6.1 (a block is
 * added while below the cap, so the count may reach the cap rounded up to
 * 512); 6.18 has no reserve below 512 pages of 1%, else a cap of
 * ALIGN(managed/100, 512), which an order >= 9 block may pass by 512.
 */
import { describe, expect, it } from 'vitest';
import prop, {
  highatomicBound,
  highatomicCap,
} from '../../../../properties/page_alloc/highatomic-accounting.ts';
import { machine4G } from '../../../../src/systems/page_alloc/machines.ts';
import { booted, ctx, DMA, DMA32, zone } from '../../fixtures/page-alloc.ts';

const alloc = { op: 'alloc_pages', gfp: 'GFP_ATOMIC', order: 1, count: 1, reclaim: 0 } as const;

describe('highatomic cap and bound', () => {
  it('6.1 on 256M: DMA 3840 managed -> 38 + 512, DMA32 48848 -> 488 + 512', () => {
    const s = booted();
    expect(highatomicCap(s.pa, zone(s, DMA))).toBe(550);
    expect(highatomicBound(s.pa, zone(s, DMA))).toBe(1024);
    expect(highatomicCap(s.pa, zone(s, DMA32))).toBe(1000);
    expect(highatomicBound(s.pa, zone(s, DMA32))).toBe(1024);
  });

  it('6.18 on 4G: none in DMA; DMA32 754602 managed -> 7546 aligned up to 7680, bound 8192', () => {
    const s = booted([], '6.18', machine4G);
    expect(highatomicCap(s.pa, zone(s, DMA))).toBe(0);
    expect(highatomicBound(s.pa, zone(s, DMA))).toBe(0);
    expect(zone(s, DMA32).managed_pages).toBe(754602);
    expect(highatomicCap(s.pa, zone(s, DMA32))).toBe(7680);
    expect(highatomicBound(s.pa, zone(s, DMA32))).toBe(8192);
  });

  it('6.18: a count past the bound is reported, one at the bound is not', () => {
    const s = booted([], '6.18', machine4G);
    const z = zone(s, DMA32);
    z.nr_reserved_highatomic = 8192;
    expect(prop.check?.(ctx(s, alloc))).toBeNull();
    z.nr_reserved_highatomic = 8192 + 512;
    expect(prop.check?.(ctx(s, alloc))?.message).toBe(
      'nr_reserved_highatomic 8704 outside [0, 8192] (cap 7680 checked before each block)',
    );
  });
});
