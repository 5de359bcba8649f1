/**
 * Free-list bookkeeping, pfn by pfn (6.1 mm/page_alloc.c, 5.4 where a rule
 * differs): the list links of add_to_free_list() / del_page_from_free_list()
 * at pfn 0 (-1 ends a list, 0 is a pfn like any other), move_to_free_list()'s
 * head or tail, find_suitable_fallback()'s table, steal_suitable_fallback()
 * on a HIGHATOMIC pageblock, the log of inserted heads the per-step checks
 * read, calculate_min_free_kbytes() against the unset user value, and the
 * names the model prints for page owners and encryption states.
 *
 * Most tests start from a zone of tiny (DMA pfns 0-4095, DMA32 4096-8191)
 * with every free page taken (drained.ts), so the only free pages are the
 * ones a test frees back; order-0 frees of even pfns never merge (the odd
 * buddy stays taken).
 */
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../models/dma/device.ts';
import { EIO } from '../../../models/dma/env.ts';
import { apply_set_memory, set_memory_decrypted } from '../../../models/dma/set_memory.ts';
import {
  __rmqueue,
  __rmqueue_smallest,
  find_suitable_fallback,
  reserve_highatomic_pageblock,
} from '../../../models/page_alloc/buddy.ts';
import {
  createPageAlloc,
  type MachineConfig,
  TOUCH_LOG,
} from '../../../models/page_alloc/machine.ts';
import {
  __free_pages,
  page_enc,
  page_owner,
  set_page_enc,
  set_page_owner,
  vm_sysctl_write,
} from '../../../models/page_alloc/page_alloc.ts';
import {
  buddy_order,
  get_pageblock_migratetype,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
} from '../../../models/page_alloc/pages.ts';
import type { PageAllocVersion } from '../../../models/page_alloc/rules.ts';
import {
  nr_free_buffer_pages,
  set_recommended_min_free_kbytes,
} from '../../../models/page_alloc/watermark_setup.ts';
import { drained, free, listOf, unaligned } from './drained.ts';
import { tiny } from './tiny.ts';

describe('add_to_free_list / del_page_from_free_list: a block at pfn 0 is linked like any other', () => {
  it('del_page_from_free_list of the block after pfn 0 keeps 0 at the list head', () => {
    const { pa, z } = drained('6.1', tiny, 0); // DMA, pfns 0-4095
    free(pa, z, 2, 0);
    free(pa, z, 0, 0); // to the head: order-0 MOVABLE list [0, 2]
    // pfn 3 merges with its buddy 2 (prev 0): 2/1 cannot merge on (0 is order 0)
    free(pa, z, 3, 0);
    expect(buddy_order(pa.pages, 2)).toBe(1);
    expect(z.nr_free[0]).toBe(1);
    // 0 still heads the order-0 list: an order-0 request takes it, not a split of 2/1
    expect(__rmqueue_smallest(pa, z, 0, MIGRATE_MOVABLE)).toBe(0);
  });

  it('del_page_from_free_list of the block before pfn 0 unlinks it: 0 is handed out once', () => {
    const { pa, z } = drained('6.1', tiny, 0);
    free(pa, z, 0, 0);
    free(pa, z, 2, 0); // to the head: [2, 0]
    const taken = [0, 1, 2].map(() => __rmqueue_smallest(pa, z, 0, MIGRATE_MOVABLE));
    expect(taken).toEqual([2, 0, -1]);
    expect(z.nr_free[0]).toBe(0);
  });

  it('buddy_order: no pfn below 0 heads a free block (-1 is the list terminator, not a pfn)', () => {
    const { pa, z } = drained('6.1', tiny, 0);
    free(pa, z, 0, 0);
    expect([buddy_order(pa.pages, -1), buddy_order(pa.pages, 0)]).toEqual([-1, 0]);
  });
});

describe('move_to_free_list: 5.4 puts the block at the head, 6.1 and 6.18 at the tail', () => {
  /**
   * An UNMOVABLE order-0 request with free 4096/0, 4200/0 and 4304/3 in the MOVABLE
   * pageblock 4096-4607: the fallback finds 4304/3 (largest first), and the whole
   * pageblock's free blocks move pfn upwards (4096, then 4200, then 4304) to the
   * UNMOVABLE lists; the request takes the order-0 list's head.
   */
  const firstUnmovable = (version: PageAllocVersion) => {
    const { pa, z } = drained(version);
    free(pa, z, 4096, 0);
    free(pa, z, 4200, 0);
    free(pa, z, 4304, 3);
    return __rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, 0);
  };

  it('the request gets the last block moved in 5.4 (list_move), the first in 6.1 (list_move_tail)', () => {
    expect(firstUnmovable('5.4')).toBe(4200); // UNMOVABLE order 0: [4200, 4096]
    expect(firstUnmovable('6.1')).toBe(4096); // [4096, 4200]
    expect(firstUnmovable('6.18')).toBe(4096);
  });
});

describe('find_suitable_fallback', () => {
  it('HIGHATOMIC has no fallback types, even with a free block on every other list', () => {
    const { z, pa } = drained();
    free(pa, z, 4096, 3, MIGRATE_UNMOVABLE);
    free(pa, z, 4608, 3, MIGRATE_MOVABLE);
    free(pa, z, 5120, 3, MIGRATE_RECLAIMABLE);
    expect(find_suitable_fallback(z, 3, MIGRATE_HIGHATOMIC)).toBeNull();
    // UNMOVABLE tries RECLAIMABLE first; order 3 < 4 but UNMOVABLE may always steal
    expect(find_suitable_fallback(z, 3, MIGRATE_UNMOVABLE)).toEqual({
      fallback_mt: MIGRATE_RECLAIMABLE,
      can_steal: true,
    });
  });
});

describe('steal_suitable_fallback', () => {
  it('takes a block of a HIGHATOMIC pageblock alone: no watermark boost, the pageblock keeps its type', () => {
    // unaligned's DMA32 (4096-7999) ends inside pageblock 7680-8191
    const { pa, z } = drained('6.1', unaligned);
    free(pa, z, 7680, 8);
    // reserve_highatomic_pageblock retypes the pageblock, but move_freepages_block refuses
    // one crossing the zone's end: 7680/8 stays on the MOVABLE list
    reserve_highatomic_pageblock(pa, z, 7680, 0);
    expect(get_pageblock_migratetype(pa.pages, 7680)).toBe(MIGRATE_HIGHATOMIC);
    expect(listOf(pa, 7680)).toBe(MIGRATE_MOVABLE);
    // an UNMOVABLE request falls back to it: single_page, then split on the UNMOVABLE lists
    expect(__rmqueue(pa, z, 0, MIGRATE_UNMOVABLE, 0)).toBe(7680);
    expect(z.watermark_boost).toBe(0); // a movable pageblock would have boosted by 512
    expect(get_pageblock_migratetype(pa.pages, 7680)).toBe(MIGRATE_HIGHATOMIC);
    expect(listOf(pa, 7808)).toBe(MIGRATE_UNMOVABLE); // the upper half 7808/7
  });
});

/** tiny twice over: DMA32 4096-16383, room for TOUCH_LOG + 1 separate order-0 frees. */
const wide: MachineConfig = { ...tiny, name: 'wide', memory: [{ start: 0, end: 16384 }] };

describe('add_to_free_list: the log of inserted heads the per-step checks read', () => {
  it('logs TOUCH_LOG (4096) heads; the 4097th sets touched_overflow (check every list)', () => {
    const { pa, z } = drained('6.1', wide, 1);
    // a new step, as the harness starts one
    pa.ntouched = 0;
    pa.touched_overflow = false;
    // 4096, 4098, ..., 12286: 4096 frees, none merges
    for (let i = 0; i < TOUCH_LOG; i++) free(pa, z, 4096 + 2 * i, 0);
    expect([pa.ntouched, pa.touched_overflow]).toEqual([4096, false]);
    expect([pa.touched[0], pa.touched[4095]]).toEqual([4096, 12286]);
    free(pa, z, 12288, 0);
    expect([pa.ntouched, pa.touched_overflow]).toEqual([4096, true]);
  });
});

describe('calculate_min_free_kbytes: user_min_free_kbytes is -1 until a user writes it', () => {
  it('THP set to never on fully boosted zones: sqrt(0) = 0 > -1, so the default drops to the 128 kB clamp', () => {
    const pa = createPageAlloc(tiny); // min_free_kbytes 724 = sqrt(32768 * 16)
    expect(pa.sysctl.min_free_kbytes).toBe(724);
    // watermark_scale_factor 3000 on 4096 managed pages (each of DMA, DMA32): min 90,
    // low 90 + 1228, high 2546; high + boost = 2546 + 3819 > 4096 managed: nothing counts
    vm_sysctl_write(pa, 'watermark_scale_factor', 3000);
    // boost_watermark caps the boost at 2546 * 1.5 = 3819: eight boosts, min(8 * 512, 3819)
    for (const z of pa.zones.slice(0, 2))
      for (let i = 0; i < 8; i++) pa.fns.boost_watermark(z, 15000);
    expect(pa.zones.map((z) => z.watermark_boost)).toEqual([3819, 3819, 0, 0, 0]);
    expect(nr_free_buffer_pages(pa.zones)).toBe(0);
    // echo never > transparent_hugepage/enabled: set_recommended_min_free_kbytes() recomputes
    set_recommended_min_free_kbytes(pa.zones, pa.sysctl, pa.rules, false);
    expect(pa.sysctl.min_free_kbytes).toBe(128);
  });
});

describe('the names the model prints for page owners and encryption states', () => {
  /** Memory 0-1999 and 2100-8191 (pfns 2000-2099 a hole inside DMA), pfns 3000-3009 reserved. */
  const holey: MachineConfig = {
    name: 'holey',
    memory: [
      { start: 0, end: 2000 },
      { start: 2100, end: 8192 },
    ],
    reserved: [{ start: 3000, end: 3010 }],
  };

  it('__free_pages and set_page_owner name a hole and a reserved page (0x802 = 2050, 0xbb8 = 3000)', () => {
    const pa = createPageAlloc(holey);
    expect(__free_pages(pa, 2050, 0)).toBe('bad page: pfn 0x802 is hole, not allocated');
    expect(__free_pages(pa, 3000, 0)).toBe('bad page: pfn 0xbb8 is reserved, not allocated');
    expect(set_page_owner(pa, 3000, 1, 'leaked')).toBe(
      'pfn 0xbb8 is reserved, not held by a caller',
    );
    expect([2050, 3000, 3010].map((p) => page_owner(pa, p))).toEqual([
      'hole',
      'reserved',
      'buddy-free',
    ]);
  });

  it("a set_memory_decrypted() that fails with -EIO leaves its pages 'unknown'", () => {
    const pa = createPageAlloc(tiny);
    const tdx: Platform = {
      cc: 'tdx-guest',
      sme_c_bit: 47,
      CONFIG_ZONE_DMA: true,
      CONFIG_ZONE_DMA32: true,
      CONFIG_DMA_COHERENT_POOL: true,
    };
    apply_set_memory(set_memory_decrypted(tdx, 5000, 2, -EIO), (pfn, state) =>
      set_page_enc(pa, pfn, 1, state),
    );
    expect([4999, 5000, 5001, 5002].map((p) => page_enc(pa, p))).toEqual([
      'encrypted',
      'unknown',
      'unknown',
      'encrypted',
    ]);
  });
});
