/**
 * page-alloc/buddy-well-formed on corrupted buddy state: each way a free
 * list can go wrong (page-alloc.md: blocks aligned to 2^order inside their
 * zone, made of free pages, buddies merged below pageblock_order, counts
 * equal to the lists) is reported, by the per-step check on the blocks a
 * step inserted and by the end-of-run walk of every list.
 */
import { describe, expect, it } from 'vitest';
import { PG_ALLOCATED } from '../../../../models/page_alloc/pages.ts';
import prop, { checkAll } from '../../../../properties/page_alloc/buddy-well-formed.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { booted, ctx, DMA32, firstList, zone } from '../../fixtures/page-alloc.ts';

const free = { op: '__free_pages', pick: 0 } as const;

/** The per-step check after a step that inserted the free-block heads `pfns`. */
function checkInserted(state: PageAllocState, pfns: number[]) {
  pfns.forEach((pfn, i) => {
    state.pa.touched[i] = pfn;
  });
  state.pa.ntouched = pfns.length;
  return prop.check?.(ctx(state, free)) ?? null;
}

describe('buddy-well-formed: blocks a step inserted', () => {
  it('holds on the booted allocator, touched or not', () => {
    const s = booted();
    expect(checkInserted(s, [])).toBeNull();
    expect(checkInserted(s, [firstList(zone(s, DMA32)).head])).toBeNull();
    expect(checkAll(s.pa)).toBeNull();
  });

  it('a head that is not a free block is skipped', () => {
    const s = booted();
    // pfn 4097 heads nothing after boot (DMA32's blocks start on 1024-page boundaries)
    expect(s.pa.pages.buddy[4097]).toBe(0);
    expect(checkInserted(s, [4097])).toBeNull();
  });

  it('an order-1 block at an odd pfn is not aligned', () => {
    const s = booted();
    s.pa.pages.buddy[4097] = 2; // order 1
    const v = checkInserted(s, [4097]);
    expect(v?.subject).toBe('zone DMA32');
    expect(v?.message).toBe('free block pfn 0x1001 order 1 is not aligned to its order');
  });

  it('an aligned order-10 block that runs past the zone end is not inside it', () => {
    const s = booted();
    // DMA32 ends at pfn 65504; 64512 is 1024-aligned and 64512 + 1024 = 65536
    s.pa.pages.buddy[64512] = 11;
    expect(checkInserted(s, [64512])?.message).toMatch(
      /pfn 0xfc00 order 10 is not inside the zone/,
    );
  });

  it('a block at pfn 0, below ZONE_DMA (which starts at pfn 1), is outside every zone', () => {
    const s = booted();
    s.pa.pages.buddy[0] = 1;
    const v = checkInserted(s, [0]);
    expect(v).toEqual({ subject: 'pfn 0x0', message: 'free block outside every zone' });
  });
});

describe('buddy-well-formed: the end-of-run walk of every list', () => {
  /** A booted allocator and DMA32's first free list below pageblock_order. */
  function withList() {
    const s = booted();
    const z = zone(s, DMA32);
    return { s, z, a: s.pa.pages, ...firstList(z, 9) };
  }

  it('a listed head whose buddy order differs from its list is reported', () => {
    const { s, a, head, order } = withList();
    a.buddy[head] = order + 2;
    expect(prop.atEnd?.(s)?.message).toMatch(
      new RegExp(`on the order-${order} list \\d is not a free block of that order`),
    );
  });

  it('a listed head on the wrong migratetype list is reported', () => {
    const { s, a, head, mt } = withList();
    a.list_mt[head] = (mt + 1) % 4;
    expect(checkAll(s.pa)?.message).toMatch(/is not a free block of that order/);
  });

  it('a head whose prev link is not the list start is a broken link', () => {
    const { s, a, head } = withList();
    a.prev[head] = head;
    expect(checkAll(s.pa)?.message).toBe(`broken list links at pfn 0x${head.toString(16)}`);
  });

  it('a listed block whose buddy is free at the same order was left unmerged', () => {
    const { s, a, head, order } = withList();
    const size = 2 ** order;
    const buddy = Math.floor(head / size) % 2 === 0 ? head + size : head - size;
    a.buddy[buddy] = order + 1;
    expect(checkAll(s.pa)?.message).toMatch(/are both free, unmerged/);
  });

  it('a listed block whose last page is allocated holds pages that are not free', () => {
    const { s, a, head, order } = withList();
    a.owner[head + 2 ** order - 1] = PG_ALLOCATED;
    expect(checkAll(s.pa)?.message).toMatch(/holds pages that are not free/);
  });

  it('a list whose tail is not its last block is reported', () => {
    const { s, z, order, mt } = withList();
    z.free_tail[order * 4 + mt] = -1;
    expect(checkAll(s.pa)?.message).toBe(`order-${order} list ${mt}: tail is not the last block`);
  });

  it('free_area[order].nr_free must count the listed blocks', () => {
    const { s, z, order } = withList();
    const listed = z.nr_free[order] as number;
    z.nr_free[order] = listed + 1;
    expect(checkAll(s.pa)?.message).toBe(
      `free_area[${order}].nr_free ${listed + 1} but ${listed} blocks listed`,
    );
  });

  it('NR_FREE_PAGES must equal the pages on the lists', () => {
    const { s, z } = withList();
    const pages = z.nr_free_pages;
    z.nr_free_pages = pages + 1;
    const v = checkAll(s.pa);
    expect(v?.message).toBe(`NR_FREE_PAGES ${pages + 1} but ${pages} pages on the free lists`);
    // the evidence shows the zone as show_mem would
    expect(v?.details?.[0]).toMatch(/^DMA32 free:\d+kB boost:0kB managed:195392kB$/);
  });
});
