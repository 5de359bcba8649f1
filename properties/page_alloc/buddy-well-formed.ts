/**
 * Buddy well-formedness: every free block is aligned to its order, inside
 * its zone and starts and ends with free pages; no two free buddies of one order below
 * pageblock_order are left unmerged (below a pageblock every kernel merges
 * regardless of migratetype); and the counts match the lists. Checked on
 * the blocks each step inserted, and on every list at the end of a run.
 */
import { pfn_zone } from '../../models/page_alloc/page_alloc.ts';
import { buddy_order, PG_FREE } from '../../models/page_alloc/pages.ts';
import type { PageAlloc, Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { MIGRATE_TYPES, zoneViolation } from './spec.ts';

const PAGEBLOCK_ORDER = 9;

/** Checks one free block (head `pfn`, `order`). */
function checkBlock(pa: PageAlloc, z: Zone, pfn: number, order: number): Violation | null {
  const size = 2 ** order;
  const where = `free block pfn 0x${pfn.toString(16)} order ${order}`;
  if (pfn % size !== 0) return zoneViolation(pa, z, `${where} is not aligned to its order`);
  if (pfn < z.zone_start_pfn || pfn + size > z.zone_start_pfn + z.spanned_pages)
    return zoneViolation(pa, z, `${where} is not inside the zone`);
  if (order < PAGEBLOCK_ORDER) {
    const buddy = Math.floor(pfn / size) % 2 === 0 ? pfn + size : pfn - size;
    if (buddy_order(pa.pages, buddy) === order && pfn_zone(pa, buddy) === z)
      return zoneViolation(
        pa,
        z,
        `${where} and its buddy 0x${buddy.toString(16)} are both free, unmerged`,
      );
  }
  return null;
}

/** The blocks inserted since the step began (those still free). */
function checkTouched(pa: PageAlloc): Violation | null {
  if (pa.touched_overflow) return checkAll(pa);
  for (let i = 0; i < pa.ntouched; i++) {
    const pfn = pa.touched[i] as number;
    const order = buddy_order(pa.pages, pfn);
    if (order < 0) continue;
    const z = pfn_zone(pa, pfn);
    if (!z)
      return { subject: `pfn 0x${pfn.toString(16)}`, message: 'free block outside every zone' };
    const v = checkBlock(pa, z, pfn, order);
    if (v) return v;
  }
  return null;
}

/** Walks every list of every zone: links, orders, types, pages, counts. */
export function checkAll(pa: PageAlloc): Violation | null {
  const a = pa.pages;
  for (const z of pa.zones) {
    let pages = 0;
    const perType = new Array<number>(MIGRATE_TYPES).fill(0);
    for (let order = 0; order <= 10; order++) {
      let blocks = 0;
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        let mtPages = 0;
        let prev = -1;
        for (
          let pfn = z.free_head[order * MIGRATE_TYPES + mt] as number;
          pfn >= 0;
          pfn = a.next[pfn] as number
        ) {
          if (buddy_order(a, pfn) !== order || a.list_mt[pfn] !== mt)
            return zoneViolation(
              pa,
              z,
              `pfn 0x${pfn.toString(16)} on the order-${order} list ${mt} is not a free block of that order`,
            );
          if (a.prev[pfn] !== prev)
            return zoneViolation(pa, z, `broken list links at pfn 0x${pfn.toString(16)}`);
          const v = checkBlock(pa, z, pfn, order);
          if (v) return v;
          // first and last page: O(blocks), not O(free pages)
          const lastPage = pfn + 2 ** order - 1;
          if (a.owner[pfn] !== PG_FREE || a.owner[lastPage] !== PG_FREE)
            return zoneViolation(
              pa,
              z,
              `free block 0x${pfn.toString(16)} order ${order} holds pages that are not free`,
            );
          // no loop guard needed: a cycle revisits a pfn whose prev link then mismatches
          blocks += 1;
          mtPages += 2 ** order;
          prev = pfn;
        }
        if (prev !== z.free_tail[order * MIGRATE_TYPES + mt])
          return zoneViolation(pa, z, `order-${order} list ${mt}: tail is not the last block`);
        pages += mtPages;
        perType[mt] = (perType[mt] as number) + mtPages;
      }
      if (blocks !== z.nr_free[order])
        return zoneViolation(
          pa,
          z,
          `free_area[${order}].nr_free ${z.nr_free[order]} but ${blocks} blocks listed`,
        );
    }
    for (let mt = 0; mt < MIGRATE_TYPES; mt++)
      if (perType[mt] !== z.nr_free_mt[mt])
        return zoneViolation(
          pa,
          z,
          `nr_free_mt[${mt}] ${z.nr_free_mt[mt]} but ${perType[mt]} pages on that type's lists`,
        );
    if (pages !== z.nr_free_pages)
      return zoneViolation(
        pa,
        z,
        `NR_FREE_PAGES ${z.nr_free_pages} but ${pages} pages on the free lists`,
      );
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/buddy-well-formed',
  ref: 'PA-10',
  statement:
    'Every free block is aligned to 2^order, inside its zone and made of free pages; no free block below pageblock_order has its buddy (pfn ^ 2^order) free at the same order; free_area[order].nr_free, the per-migratetype free counts and NR_FREE_PAGES equal what the lists hold (__free_one_page, expand, 5.4/6.1/6.18).',
  system: 'page-alloc',
  after: 'every-step',
  check: ({ state }) => checkTouched(state.pa),
  atEnd: (state) => checkAll(state.pa),
  witness: ({ state, op }) => op.op === '__free_pages' && state.pa.ntouched > 0,
  catches: [{ mutant: 'free-no-merge' }],
});
