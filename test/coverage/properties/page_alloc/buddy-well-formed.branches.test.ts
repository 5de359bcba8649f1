/**
 * page-alloc/buddy-well-formed (PA-10, page-alloc.md §10) at its edges: a
 * zone is pfns [zone_start_pfn, zone_start_pfn + spanned_pages), so DMA32's
 * first pfn (4096 = DMA's end) is DMA32's and no pfn outside a zone is a
 * buddy; buddies merge below pageblock_order only; the per-step check reads
 * exactly the ntouched heads a step inserted (all lists after an overflow);
 * and its witness is a free that inserted a block.
 */
import { describe, expect, it } from 'vitest';
import { PG_ALLOCATED } from '../../../../models/page_alloc/pages.ts';
import prop, { checkAll } from '../../../../properties/page_alloc/buddy-well-formed.ts';
import type { PageAllocOp } from '../../../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { booted, ctx, DMA, DMA32, firstList, zone } from '../../fixtures/page-alloc.ts';
import { allocOp } from './hand.ts';

const free = { op: '__free_pages', pick: 0 } as const;
const DMA32_START = 4096;

/** A booted allocator whose pfns `orders` head free blocks of those orders (buddy = order + 1). */
function withFree(orders: Readonly<Record<number, number>>): PageAllocState {
  const s = booted();
  for (const [pfn, order] of Object.entries(orders)) s.pa.pages.buddy[Number(pfn)] = order + 1;
  return s;
}

/** The per-step check after a step that inserted the heads `pfns` (`ntouched` of them counted). */
function afterInsert(
  s: PageAllocState,
  pfns: number[],
  ntouched = pfns.length,
  op: PageAllocOp = free,
) {
  pfns.forEach((pfn, i) => {
    s.pa.touched[i] = pfn;
  });
  s.pa.ntouched = ntouched;
  return ctx(s, op);
}

const stepCheck = (s: PageAllocState, pfns: number[], ntouched?: number) =>
  prop.check?.(afterInsert(s, pfns, ntouched)) ?? null;

/** `s` with pfn `pfn` made the only block of zone `zi`'s empty order-0 Unmovable list. */
function listAlone(s: PageAllocState, zi: number, pfn: number): void {
  const z = zone(s, zi);
  const a = s.pa.pages;
  expect(z.free_head[0]).toBe(-1);
  a.buddy[pfn] = 1;
  a.list_mt[pfn] = 0;
  a.prev[pfn] = -1;
  a.next[pfn] = -1;
  z.free_head[0] = pfn;
  z.free_tail[0] = pfn;
}

describe('buddy-well-formed: zone spans', () => {
  it("a free page at DMA32's first pfn (DMA's end) is inside DMA32", () => {
    expect(stepCheck(withFree({ [DMA32_START]: 0 }), [DMA32_START])).toBeNull();
  });

  it("a free page at DMA's first pfn is inside DMA, and pfn 0 below it is not its buddy", () => {
    expect(zone(booted(), DMA).zone_start_pfn).toBe(1);
    expect(stepCheck(withFree({ 1: 0 }), [1])).toBeNull();
    // pfn 0 is in no zone: free-looking or not, the kernel never merges across a zone boundary
    expect(stepCheck(withFree({ 0: 0, 1: 0 }), [1])).toBeNull();
  });

  it('a DMA page on a DMA32 free list is not inside DMA32', () => {
    const s = booted();
    listAlone(s, DMA32, 2);
    expect(checkAll(s.pa)?.message).toBe('free block pfn 0x2 order 0 is not inside the zone');
  });

  it('a list headed by pfn 0 is walked (0 is a pfn; -1 ends a list)', () => {
    const s = booted();
    listAlone(s, DMA, 0);
    const v = checkAll(s.pa);
    expect(v?.subject).toBe('zone DMA');
    expect(v?.message).toBe('free block pfn 0x0 order 0 is not inside the zone');
  });
});

describe('buddy-well-formed: merging stops at pageblock_order', () => {
  it('two free order-9 buddies (3072 and 3584) may stay apart: types may keep them so', () => {
    const s = booted();
    expect(s.pa.pages.buddy[3584]).toBe(10);
    s.pa.pages.buddy[3072] = 10;
    expect(stepCheck(s, [3584])).toBeNull();
  });

  it('two free order-8 buddies may not', () => {
    const v = stepCheck(withFree({ 3584: 8, 3840: 8 }), [3584]);
    expect(v?.message).toBe(
      'free block pfn 0xe00 order 8 and its buddy 0xf00 are both free, unmerged',
    );
  });
});

describe('buddy-well-formed: which heads the per-step check reads', () => {
  it('only the first ntouched: a stale entry past them is not read', () => {
    expect(stepCheck(withFree({ 4097: 1 }), [4097], 0)).toBeNull();
  });

  it('every one of them: a bad second head is reported', () => {
    const s = withFree({ 4097: 1 });
    const good = firstList(zone(s, DMA32)).head;
    expect(stepCheck(s, [good, 4097])?.message).toBe(
      'free block pfn 0x1001 order 1 is not aligned to its order',
    );
  });

  it('a touched pfn that heads no free block is skipped, even outside every zone', () => {
    const s = booted();
    expect(s.pa.pages.buddy[0]).toBe(0);
    expect(stepCheck(s, [0])).toBeNull();
  });

  it('after an overflow of the touched list every list is walked', () => {
    const s = booted();
    const z = zone(s, DMA32);
    z.nr_free_pages += 1;
    s.pa.touched_overflow = true;
    expect(stepCheck(s, [], 0)?.message).toBe(
      `NR_FREE_PAGES ${z.nr_free_pages} but ${z.nr_free_pages - 1} pages on the free lists`,
    );
  });
});

describe('buddy-well-formed: per-migratetype free counts', () => {
  it("nr_free_mt must equal the pages on that type's lists (6.18 reads it for highatomic)", () => {
    const s = booted();
    const z = zone(s, DMA32);
    const movable = z.nr_free_mt[1] as number;
    z.nr_free_mt[1] = movable - 1;
    expect(checkAll(s.pa)?.message).toBe(
      `nr_free_mt[1] ${movable - 1} but ${movable} pages on that type's lists`,
    );
  });
});

describe('buddy-well-formed: the pages of a listed block', () => {
  it('a listed block whose first page is allocated holds pages that are not free', () => {
    const s = booted();
    const { head, order } = firstList(zone(s, DMA32), 9);
    expect(order).toBeGreaterThan(0);
    s.pa.pages.owner[head] = PG_ALLOCATED;
    expect(checkAll(s.pa)?.message).toBe(
      `free block 0x${head.toString(16)} order ${order} holds pages that are not free`,
    );
  });
});

describe('buddy-well-formed: its witness (a free that inserted a block)', () => {
  it('a free with an inserted head is it; a free with none, or another op with one, is not', () => {
    const s = booted();
    expect(prop.witness?.(afterInsert(s, [DMA32_START], 1))).toBe(true);
    expect(prop.witness?.(afterInsert(s, [], 0))).toBe(false);
    expect(prop.witness?.(afterInsert(s, [DMA32_START], 1, allocOp))).toBe(false);
  });
});
