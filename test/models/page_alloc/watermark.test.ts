/** __zone_watermark_ok, zone_watermark_fast and boost_watermark: arithmetic edges per version. */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_HIGHATOMIC,
  ALLOC_MIN_RESERVE,
  ALLOC_NON_BLOCK,
  ALLOC_OOM,
  ALLOC_WMARK_MIN,
} from '../../../models/page_alloc/alloc_flags.ts';
import {
  __rmqueue_smallest,
  reserve_highatomic_pageblock,
} from '../../../models/page_alloc/buddy.ts';
import { __GFP_ATOMIC, gfpComposites } from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc } from '../../../models/page_alloc/machine.ts';
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE } from '../../../models/page_alloc/pages.ts';
import { type PageAllocRules, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import {
  __zone_watermark_ok,
  boost_watermark,
  reducedMark,
  zone_watermark_fast,
} from '../../../models/page_alloc/watermark.ts';
import { tiny } from './tiny.ts';

const R61 = pageAllocRules['6.1'];
const R54 = pageAllocRules['5.4'];
const R618 = pageAllocRules['6.18'];
const ATOMIC = ALLOC_WMARK_MIN | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK;

function zone(rules: PageAllocRules = R61): { pa: PageAlloc; z: Zone } {
  const pa = createPageAlloc(tiny, rules);
  return { pa, z: pa.zones[1] as Zone };
}

describe('reductions of the min mark (x -= x/2 leaves the ceiling)', () => {
  it('GFP_ATOMIC: 263 -> 132 -> 99 in 6.1 and in 5.4 (HIGH, then HARDER)', () => {
    expect(reducedMark(R61, 263, ATOMIC)).toBe(99);
    expect(reducedMark(R54, 263, ATOMIC)).toBe(99);
    expect(reducedMark(R61, 1272, ATOMIC)).toBe(477);
  });

  it('NON_BLOCK alone gives nothing in 6.1 but a quarter (HARDER) in 5.4', () => {
    expect(reducedMark(R61, 100, ALLOC_NON_BLOCK)).toBe(100);
    expect(reducedMark(R54, 100, ALLOC_NON_BLOCK)).toBe(75);
  });

  it('OOM halves after the others; M = 0, 1, 3 stay exact', () => {
    expect(reducedMark(R61, 263, ALLOC_OOM)).toBe(132);
    expect(reducedMark(R61, 263, ALLOC_OOM | ALLOC_MIN_RESERVE)).toBe(66);
    expect([0, 1, 3].map((m) => reducedMark(R61, m, ATOMIC))).toEqual([0, 1, 2]);
  });
});

describe('__zone_watermark_ok', () => {
  it('strict: free equal to min + reserve + unusable fails, one more passes', () => {
    const { pa, z } = zone();
    z.lowmem_reserve[2] = 50;
    expect(__zone_watermark_ok(pa, z, 0, 100, 2, 0, 150)).toBe(false);
    expect(__zone_watermark_ok(pa, z, 0, 100, 2, 0, 151)).toBe(true);
    expect(__zone_watermark_ok(pa, z, 3, 100, 2, 0, 157)).toBe(false);
    expect(__zone_watermark_ok(pa, z, 3, 100, 2, 0, 158)).toBe(true);
  });

  it('free minus the highatomic reserve may go negative: signed comparison', () => {
    const { pa, z } = zone();
    reserve_highatomic_pageblock(pa, z, 4096, 1);
    expect(__zone_watermark_ok(pa, z, 0, 0, 1, 0, 100)).toBe(false); // 100 - 512 < 0
    expect(__zone_watermark_ok(pa, z, 0, 0, 1, ATOMIC, 100)).toBe(true); // reserves: not charged
  });

  it('6.18 charges free highatomic pages, not reserved blocks', () => {
    const { pa, z } = zone(R618);
    z.nr_reserved_highatomic = 4096; // reserved blocks are not what 6.18 subtracts
    expect(__zone_watermark_ok(pa, z, 0, 0, 1, 0, 100)).toBe(true);
  });

  it('high orders need a usable free block; highatomic lists only with HIGHATOMIC or OOM', () => {
    const { pa, z } = zone();
    for (let i = 0; i < 4; i++) __rmqueue_smallest(pa, z, 10, MIGRATE_MOVABLE);
    expect(__zone_watermark_ok(pa, z, 3, 0, 1, 0, 5000)).toBe(false);
    // a free order-3 block on the highatomic list
    pa.fns.__free_one_page(pa, z, 4096, 3, MIGRATE_HIGHATOMIC, false);
    expect(__zone_watermark_ok(pa, z, 3, 0, 1, ATOMIC, 5000)).toBe(false);
    expect(__zone_watermark_ok(pa, z, 3, 0, 1, ATOMIC | ALLOC_HIGHATOMIC, 5000)).toBe(true);
    expect(__zone_watermark_ok(pa, z, 3, 0, 1, ALLOC_OOM, 5000)).toBe(true);
  });
});

describe('zone_watermark_fast', () => {
  function boosted(rules: PageAllocRules) {
    const { pa, z } = zone(rules);
    z._watermark[0] = 100;
    z.watermark_boost = 512;
    z.nr_free_pages = 200;
    return { pa, z };
  }

  it('an order-0 GFP_ATOMIC request ignores the boost at min (5.4.80+, 6.1 via __GFP_ATOMIC)', () => {
    for (const rules of [R54, R61]) {
      const { pa, z } = boosted(rules);
      const gfp = gfpComposites(rules).GFP_ATOMIC;
      expect(zone_watermark_fast(pa, z, 0, 612, 1, ATOMIC, gfp)).toBe(true);
      expect(zone_watermark_fast(pa, z, 0, 612, 1, ATOMIC, gfp & ~__GFP_ATOMIC)).toBe(false);
    }
  });

  it('6.18 keys the exemption on ALLOC_MIN_RESERVE; GFP_NOWAIT never qualifies', () => {
    const { pa, z } = boosted(R618);
    expect(zone_watermark_fast(pa, z, 0, 612, 1, ATOMIC, 0)).toBe(true);
    expect(zone_watermark_fast(pa, z, 0, 612, 1, ALLOC_NON_BLOCK, 0)).toBe(false);
  });

  it('no exemption when the rules say none (before f80b08fc4453)', () => {
    const { pa, z } = boosted({ ...R61, boost_exemption: 'none' });
    expect(zone_watermark_fast(pa, z, 0, 612, 1, ATOMIC, gfpComposites(R61).GFP_ATOMIC)).toBe(
      false,
    );
  });

  it("5.4's order-0 shortcut does not subtract the highatomic reserve; 6.1's does", () => {
    for (const [rules, ok] of [
      [R54, true],
      [R61, false],
    ] as const) {
      const { pa, z } = zone(rules);
      reserve_highatomic_pageblock(pa, z, 4096, 1);
      z.nr_free_pages = 500;
      expect(zone_watermark_fast(pa, z, 0, 100, 1, 0, 0)).toBe(ok);
    }
  });
});

describe('boost_watermark', () => {
  it('adds a pageblock up to 1.5 x high (factor 15000), at least a pageblock', () => {
    const { z } = zone();
    z._watermark[2] = 1000;
    expect(boost_watermark(z, 15000)).toBe(true);
    expect(z.watermark_boost).toBe(512);
    boost_watermark(z, 15000);
    boost_watermark(z, 15000);
    expect(z.watermark_boost).toBe(1500);
  });

  it('not when the factor is 0, the zone is under 4 pageblocks, or high is 0', () => {
    const { pa, z } = zone();
    z._watermark[2] = 1000;
    expect(boost_watermark(z, 0)).toBe(false);
    expect(boost_watermark(pa.zones[0] as Zone, 15000)).toBe(true); // 4096 managed
    const small = { ...z, managed_pages: 2047 };
    expect(boost_watermark(small, 15000)).toBe(false);
    z._watermark[2] = 0;
    expect(boost_watermark(z, 15000)).toBe(false);
  });
});
