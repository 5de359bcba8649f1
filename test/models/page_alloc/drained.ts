/**
 * States for the migratetype-fallback tests (steal.test.ts, claim-steal.test.ts):
 * a zone with every free page taken, into which a test frees chosen blocks
 * back pfn by pfn. Taken pages are neither free nor page cache, i.e.
 * "unmovable" to the claim rule.
 */
import { __free_one_page, __rmqueue_smallest } from '../../../models/page_alloc/buddy.ts';
import { createPageAlloc, type MachineConfig } from '../../../models/page_alloc/machine.ts';
import {
  MAX_PAGE_ORDER,
  MIGRATE_MOVABLE,
  set_pageblock_migratetype,
} from '../../../models/page_alloc/pages.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { tiny } from './tiny.ts';

/** tiny with memory at pfns 100-7999: DMA starts inside pageblock 0, DMA32 ends inside 7680-8191. */
export const unaligned: MachineConfig = {
  ...tiny,
  name: 'unaligned',
  memory: [{ start: 100, end: 8000 }],
};

/**
 * Zone `zone` (default tiny's DMA32, pfns 4096-8191) of a fresh `config`
 * booted under `version`'s rules, with every free page taken. All of a
 * booted zone's free pages are MOVABLE; NR_FREE_PAGES is left as booted.
 */
export function drained(
  version: PageAllocVersion = '6.1',
  config: MachineConfig = tiny,
  zone = 1,
): { pa: PageAlloc; z: Zone } {
  const pa = createPageAlloc(config, pageAllocRules[version]);
  const z = pa.zones[zone] as Zone;
  for (let o = MAX_PAGE_ORDER; o >= 0; o--) {
    let pfn = __rmqueue_smallest(pa, z, o, MIGRATE_MOVABLE);
    while (pfn >= 0) pfn = __rmqueue_smallest(pa, z, o, MIGRATE_MOVABLE);
  }
  return { pa, z };
}

/** Frees pfn/order onto `mt`'s lists, `mt` being its pageblock's type (as __free_pages_ok does). */
export function free(
  pa: PageAlloc,
  z: Zone,
  pfn: number,
  order: number,
  mt = MIGRATE_MOVABLE,
): void {
  set_pageblock_migratetype(pa.pages, pfn, mt);
  __free_one_page(pa, z, pfn, order, mt, false);
}

/** The migratetype list a free block is on. */
export const listOf = (pa: PageAlloc, pfn: number): number | undefined => pa.pages.list_mt[pfn];
