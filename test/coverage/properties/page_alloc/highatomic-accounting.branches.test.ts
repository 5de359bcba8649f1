/**
 * page-alloc/highatomic-accounting (I16, page-alloc.md §9) on its
 * boundaries: 6.18 reserves nothing below 512 pages of 1% of a zone and
 * caps at ALIGN(managed/100, 512) from there; the counter may never be
 * negative; and at the end of a run it is 512 x the pageblocks typed
 * MIGRATE_HIGHATOMIC in its zone, whether typed at boot, by the run, or
 * typed at boot and given back by the run.
 */
import { describe, expect, it } from 'vitest';
import {
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  set_pageblock_migratetype,
} from '../../../../models/page_alloc/pages.ts';
import prop, {
  highatomicBound,
  highatomicCap,
} from '../../../../properties/page_alloc/highatomic-accounting.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { booted, DMA32, zone } from '../../fixtures/page-alloc.ts';
import { afterAlloc, request } from './hand.ts';

/** DMA32's first pageblock (pfn 4096 = DMA's end) and one further in. */
const FIRST_DMA32_BLOCK = 4096;
const INNER_DMA32_BLOCK = 8192;

/**
 * A booted 6.1 allocator as if its boot image had typed the pageblock of
 * `pfn` HIGHATOMIC and counted it in DMA32 (a new image: nothing touched).
 */
function bootedWithHighatomicBlock(pfn: number): PageAllocState {
  const s = booted();
  const image = s.pa.machine.image;
  const pageblock_mt = image.pages.pageblock_mt.slice();
  pageblock_mt[pfn / 512] = MIGRATE_HIGHATOMIC;
  s.pa.pages.pageblock_mt[pfn / 512] = MIGRATE_HIGHATOMIC;
  zone(s, DMA32).nr_reserved_highatomic = 512;
  const machine = { ...s.pa.machine, image: { ...image, pages: { ...image.pages, pageblock_mt } } };
  return { pa: { ...s.pa, machine }, live: s.live, last: s.last };
}

describe('highatomic-accounting: the 6.18 cap at 512 pages of 1%', () => {
  const s = booted([], '6.18');
  const dma32 = zone(s, DMA32);

  it('managed 51199 (1% = 511 pages) reserves nothing', () => {
    const z = { ...dma32, managed_pages: 51199 };
    expect([highatomicCap(s.pa, z), highatomicBound(s.pa, z)]).toEqual([0, 0]);
  });

  it('managed 51200 (1% = 512 pages) caps at 512, one order-9 block past it at most', () => {
    const z = { ...dma32, managed_pages: 51200 };
    expect([highatomicCap(s.pa, z), highatomicBound(s.pa, z)]).toEqual([512, 1024]);
  });
});

describe('highatomic-accounting: the counter after each step', () => {
  it('a negative count is reported', () => {
    const s = booted();
    zone(s, DMA32).nr_reserved_highatomic = -512;
    expect(prop.check?.(afterAlloc(s, [request()]))?.message).toBe(
      'nr_reserved_highatomic -512 outside [0, 1024] (cap 1000 checked before each block)',
    );
  });

  it('after lists the allocating ops (reserve_highatomic_pageblock runs on a success)', () => {
    expect(prop.after).toEqual(expect.arrayContaining(['alloc_pages', 'filemap_add_folio']));
  });
});

describe('highatomic-accounting: the pageblock scan at the end of a run', () => {
  it("a block the run typed HIGHATOMIC at DMA32's first pfn counts for DMA32, not DMA", () => {
    const s = booted();
    set_pageblock_migratetype(s.pa.pages, FIRST_DMA32_BLOCK, MIGRATE_HIGHATOMIC);
    zone(s, DMA32).nr_reserved_highatomic = 512;
    expect(prop.atEnd?.(s)).toBeNull();
  });

  it('a typed block the counter left out is reported in pages', () => {
    const s = booted();
    set_pageblock_migratetype(s.pa.pages, FIRST_DMA32_BLOCK, MIGRATE_HIGHATOMIC);
    const v = prop.atEnd?.(s);
    expect(v?.subject).toBe('zone DMA32');
    expect(v?.message).toBe(
      'nr_reserved_highatomic 0 but 1 pageblocks typed HIGHATOMIC (512 pages)',
    );
  });

  it('a counter past its bound is reported as such before the scan', () => {
    const s = booted();
    zone(s, DMA32).nr_reserved_highatomic = 2048;
    expect(prop.atEnd?.(s)?.message).toMatch(/^nr_reserved_highatomic 2048 outside \[0, 1024\]/);
  });

  it('a block typed at boot counts, though the run never touched it', () => {
    const s = bootedWithHighatomicBlock(INNER_DMA32_BLOCK);
    expect(prop.atEnd?.(s)).toBeNull();
    zone(s, DMA32).nr_reserved_highatomic = 0;
    expect(prop.atEnd?.(s)?.message).toBe(
      'nr_reserved_highatomic 0 but 1 pageblocks typed HIGHATOMIC (512 pages)',
    );
  });

  it('a block typed at boot and given back by the run no longer counts', () => {
    const s = bootedWithHighatomicBlock(INNER_DMA32_BLOCK);
    set_pageblock_migratetype(s.pa.pages, INNER_DMA32_BLOCK, MIGRATE_MOVABLE);
    zone(s, DMA32).nr_reserved_highatomic = 0;
    expect(prop.atEnd?.(s)).toBeNull();
  });
});

describe('highatomic-accounting: its witness (some zone holds a reserve)', () => {
  it('no reserve anywhere is not it; 512 pages in DMA32 is', () => {
    const s = booted();
    const c = afterAlloc(s, [request()]);
    expect(prop.witness?.(c)).toBe(false);
    zone(s, DMA32).nr_reserved_highatomic = 512;
    expect(prop.witness?.(c)).toBe(true);
  });
});
