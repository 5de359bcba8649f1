/**
 * 6.18's migratetype fallback, pfn by pfn (rule rmqueue_fallback:
 * 'claim_or_steal', mm/page_alloc.c since 6.15): __rmqueue() tries the
 * request's own lists, then __rmqueue_claim() (largest fallback block first;
 * try_to_claim_block() takes a block of pageblock_order or more whole, and a
 * smaller one only when free + compatible pages of its pageblock reach 256 of
 * 512, moving them then and nothing otherwise), then, unless
 * ALLOC_NOFRAGMENT, __rmqueue_steal() (the smallest fallback block, split on
 * its own type's lists: no retype, no boost, no move).
 *
 * Each case runs one __rmqueue() on the same state under 6.18 and under
 * 6.1 (steal_suitable_fallback, pinned in steal.test.ts) and compares what
 * it returned and left behind. States come from drained.ts: tiny's DMA32
 * (pfns 4096-8191, pageblocks 4096, 4608, ... 7680) with every free page
 * taken, so the only free pages are the ones a case frees back. Taken pages
 * are neither free nor page cache: "unmovable" to the claim rule. tiny's
 * DMA32 boosts by a pageblock capped at max(512, 134 * 15000 / 10000) = 512,
 * so one boost or several all read 512.
 */
import { describe, expect, it } from 'vitest';
import { ALLOC_KSWAPD, ALLOC_NOFRAGMENT } from '../../../models/page_alloc/alloc_flags.ts';
import { __rmqueue } from '../../../models/page_alloc/buddy.ts';
import type { MachineConfig } from '../../../models/page_alloc/machine.ts';
import {
  buddy_order,
  get_pageblock_migratetype,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  PG_PAGECACHE,
  pageblock_nr_pages,
  setOwner,
} from '../../../models/page_alloc/pages.ts';
import type { PageAllocVersion } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { drained, free, unaligned } from './drained.ts';
import { tiny } from './tiny.ts';

const U = MIGRATE_UNMOVABLE;
const M = MIGRATE_MOVABLE;
const R = MIGRATE_RECLAIMABLE;
/** Migratetype letters for the outcome strings. */
const LETTER = ['U', 'M', 'R', 'H'];

/** A state to fall back from: what a case frees into the drained zone, and where. */
interface Scenario {
  /** The machine (default tiny) and zone index (default 1, DMA32). */
  readonly config?: MachineConfig;
  readonly zone?: number;
  /** Frees the case's blocks and marks its page cache. */
  readonly setup: (pa: PageAlloc, z: Zone) => void;
  /** The pageblocks (their first pfns) whose types and free blocks the outcome lists. */
  readonly watch: readonly number[];
}

/** What one __rmqueue() returned and left behind. */
interface Outcome {
  /** The pfn returned, -1 for none. */
  pfn: number;
  /** z->watermark_boost, and ZONE_BOOSTED_WATERMARK (the kswapd wake). */
  boost: number;
  kswapd: boolean;
  /** The watched pageblocks' types, as letters. */
  types: string;
  /** Their free blocks, lowest pfn first: `pfn/order` and the list's type letter. */
  free: string[];
}

/** Runs __rmqueue(order, mt, flags) once on a fresh `s` booted under `version`. */
function run(
  version: PageAllocVersion,
  s: Scenario,
  order: number,
  mt: number,
  flags = 0,
): Outcome {
  const { pa, z } = drained(version, s.config ?? tiny, s.zone ?? 1);
  s.setup(pa, z);
  const pfn = __rmqueue(pa, z, order, mt, flags);
  const freeBlocks: string[] = [];
  for (const start of s.watch) {
    for (let p = start; p < start + pageblock_nr_pages; ) {
      const o = buddy_order(pa.pages, p);
      if (o < 0) {
        p += 1;
        continue;
      }
      freeBlocks.push(`${p}/${o} ${LETTER[pa.pages.list_mt[p] as number]}`);
      p += 2 ** o;
    }
  }
  return {
    pfn,
    boost: z.watermark_boost,
    kswapd: z.boosted_watermark,
    types: s.watch.map((p) => LETTER[get_pageblock_migratetype(pa.pages, p)]).join(''),
    free: freeBlocks,
  };
}

/** The free blocks expand() leaves when it splits pfn/high down to `low`: pfn + 2^k for k < high. */
function halves(pfn: number, low: number, high: number, letter: string): string[] {
  const out: string[] = [];
  for (let k = low; k < high; k++) out.push(`${pfn + 2 ** k}/${k} ${letter}`);
  return out;
}

describe('__rmqueue', () => {
  it("serves the request's own lists first (__rmqueue_smallest), fallback blocks untouched", () => {
    const s: Scenario = {
      setup: (pa, z) => {
        free(pa, z, 4096, 3, M);
        free(pa, z, 4608, 5, U);
      },
      watch: [4096, 4608],
    };
    const own: Outcome = {
      pfn: 4096,
      boost: 0,
      kswapd: false,
      types: 'MU',
      free: [...halves(4096, 0, 3, 'M'), '4608/5 U'],
    };
    expect(run('6.18', s, 0, M)).toEqual(own);
    expect(run('6.1', s, 0, M)).toEqual(own);
  });

  it('takes pfn 0 as a page, not as "none": own, claimed (tiny DMA, pfns 0-4095)', () => {
    const at0 = (mt: number): Scenario => ({
      zone: 0,
      setup: (pa, z) => free(pa, z, 0, 3, mt),
      watch: [0],
    });
    // own lists: 0/3 split for MOVABLE
    expect(run('6.18', at0(M), 0, M)).toMatchObject({ pfn: 0, free: halves(0, 0, 3, 'M') });
    // claimed: 8 free + (512 - 8) alike >= 256, then __rmqueue_smallest gives 0 again
    expect(run('6.18', at0(M), 0, U)).toEqual({
      pfn: 0,
      boost: 512,
      kswapd: false,
      types: 'U',
      free: halves(0, 0, 3, 'U'),
    });
  });
});

describe('__rmqueue_claim fails, __rmqueue_steal takes the smallest block', () => {
  // RECLAIMABLE 4096/5 and 4608/2; UNMOVABLE counts nothing of a RECLAIMABLE block alike,
  // so try_to_claim_block needs 256 free: 32 and 4 both fail
  const s: Scenario = {
    setup: (pa, z) => {
      free(pa, z, 4096, 5, R);
      free(pa, z, 4608, 2, R);
    },
    watch: [4096, 4608],
  };

  it('6.18: nothing moves; 4608/2 is split on RECLAIMABLE lists, both pageblocks stay RECLAIMABLE', () => {
    // an order-1 request: claim tries orders 5 and 2 (each boosts), the steal starts at order 1
    expect(run('6.18', s, 1, U)).toEqual({
      pfn: 4608,
      boost: 512,
      kswapd: false,
      types: 'RR',
      free: ['4096/5 R', '4610/1 R'],
    });
  });

  it("6.1: steal_suitable_fallback moves the largest block's pageblock to UNMOVABLE lists without claiming it", () => {
    expect(run('6.1', s, 1, U)).toEqual({
      pfn: 4096,
      boost: 512,
      kswapd: false,
      types: 'RR',
      free: [...halves(4096, 1, 5, 'U'), '4608/2 R'],
    });
  });

  it('the boost of a failed try_to_claim_block sets ZONE_BOOSTED_WATERMARK only with ALLOC_KSWAPD', () => {
    for (const v of ['6.18', '6.1'] as const) {
      expect(run(v, s, 1, U)).toMatchObject({ boost: 512, kswapd: false });
      expect(run(v, s, 1, U, ALLOC_KSWAPD)).toMatchObject({ boost: 512, kswapd: true });
    }
  });
});

describe('should_try_claim_block: a MOVABLE request below order 4', () => {
  // an UNMOVABLE pageblock with only 4096/3 free
  const s: Scenario = { setup: (pa, z) => free(pa, z, 4096, 3, U), watch: [4096] };

  it('6.18: __rmqueue_claim stops at order 3; __rmqueue_steal splits 4096/3 on UNMOVABLE lists, no boost', () => {
    expect(run('6.18', s, 0, M, ALLOC_KSWAPD)).toEqual({
      pfn: 4096,
      boost: 0,
      kswapd: false,
      types: 'U',
      free: halves(4096, 0, 3, 'U'),
    });
  });

  it('6.1: takes the smallest block to MOVABLE lists and boosts (with ALLOC_KSWAPD, the kswapd flag too)', () => {
    expect(run('6.1', s, 0, M, ALLOC_KSWAPD)).toEqual({
      pfn: 4096,
      boost: 512,
      kswapd: true,
      types: 'U',
      free: halves(4096, 0, 3, 'M'),
    });
  });
});

describe('try_to_claim_block below pageblock_order: free + alike >= 256', () => {
  /** `start_mt`'s pageblock 4096 with 4096/`order` free and the last `cache` pages page cache. */
  const cached = (mt: number, order: number, cache: number): Scenario => ({
    setup: (pa, z) => {
      setOwner(pa.pages, 4608 - cache, cache, PG_PAGECACHE);
      // page cache just past the pageblock, which prep_move_freepages_block must not count
      setOwner(pa.pages, 4608, 1, PG_PAGECACHE);
      free(pa, z, 4096, order, mt);
    },
    watch: [4096],
  });

  it('UNMOVABLE from MOVABLE counts free and non-movable pages: claims at 256, not at 255', () => {
    // 256 page cache: 8 free + (512 - 8 - 256) = 248 alike = 256: claimed in both
    const claimed: Outcome = {
      pfn: 4096,
      boost: 512,
      kswapd: false,
      types: 'U',
      free: halves(4096, 0, 3, 'U'),
    };
    expect(run('6.18', cached(M, 3, 256), 0, U)).toEqual(claimed);
    expect(run('6.1', cached(M, 3, 256), 0, U)).toEqual(claimed);
    // 257: 8 + 247 = 255. 6.18 steals 4096/3 and splits it on MOVABLE lists;
    // 6.1 moves the free pages to UNMOVABLE lists all the same
    expect(run('6.18', cached(M, 3, 257), 0, U)).toEqual({
      ...claimed,
      types: 'M',
      free: halves(4096, 0, 3, 'M'),
    });
    expect(run('6.1', cached(M, 3, 257), 0, U)).toEqual({ ...claimed, types: 'M' });
  });

  it('MOVABLE from UNMOVABLE counts free and page-cache pages: claims at 256, not at 255', () => {
    // 32 free + 224 page cache = 256: claimed, 4096/5 split on MOVABLE lists
    const claimed: Outcome = {
      pfn: 4096,
      boost: 512,
      kswapd: false,
      types: 'M',
      free: halves(4096, 0, 5, 'M'),
    };
    expect(run('6.18', cached(U, 5, 224), 0, M)).toEqual(claimed);
    expect(run('6.1', cached(U, 5, 224), 0, M)).toEqual(claimed);
    // 32 + 223 = 255: order 5 may be claimed (>= 4) but is not; 6.18 steals it in place
    expect(run('6.18', cached(U, 5, 223), 0, M)).toEqual({
      ...claimed,
      types: 'U',
      free: halves(4096, 0, 5, 'U'),
    });
    expect(run('6.1', cached(U, 5, 223), 0, M)).toEqual({ ...claimed, types: 'U' });
  });

  /** RECLAIMABLE pageblock 4096 with 4096/7 + 4224/6 + ... + 4348/1 + 4350/0 (255) free, and 4352/0 if `more`. */
  const pieces = (more: boolean): Scenario => ({
    setup: (pa, z) => {
      for (let o = 7, p = 4096; o >= 0; p += 2 ** o, o--) free(pa, z, p, o, R);
      if (more) free(pa, z, 4352, 0, R);
    },
    watch: [4096],
  });
  /** The nine (or eight) free blocks on `letter`'s lists, less the one allocated. */
  const rest = (letter: string, more: boolean): string[] => {
    const out: string[] = [];
    for (let o = 7, p = 4096; o >= 1; p += 2 ** o, o--) out.push(`${p}/${o} ${letter}`);
    return more ? [...out, `4352/0 ${letter}`] : out;
  };

  it('UNMOVABLE from RECLAIMABLE counts free pages of every order: 256 claims and moves them all', () => {
    // 128 + 64 + 32 + 16 + 8 + 4 + 2 + 1 + 1 = 256 free, nothing alike; claimed at order 7,
    // every free block moves to UNMOVABLE lists (in pfn order, to the tail), and
    // __rmqueue_smallest takes the first order-0 one, 4350
    const claimed: Outcome = {
      pfn: 4350,
      boost: 512,
      kswapd: false,
      types: 'U',
      free: rest('U', true),
    };
    expect(run('6.18', pieces(true), 0, U)).toEqual(claimed);
    expect(run('6.1', pieces(true), 0, U)).toEqual(claimed);
  });

  it('UNMOVABLE from RECLAIMABLE at 255 free: 6.18 fails at every order and steals 4350/0; 6.1 moves all', () => {
    expect(run('6.18', pieces(false), 0, U)).toEqual({
      pfn: 4350,
      boost: 512,
      kswapd: false,
      types: 'R',
      free: rest('R', false),
    });
    expect(run('6.1', pieces(false), 0, U)).toEqual({
      pfn: 4350,
      boost: 512,
      kswapd: false,
      types: 'R',
      free: rest('U', false),
    });
  });

  it("moves every free block of the pageblock and serves the request from them; tiny's last pageblock ends at the zone's", () => {
    // MOVABLE pageblock 7680-8191 (prep_move_freepages_block: its end 8191 is the zone's last pfn)
    // with 7680/3, 8000/1 and 8191/0 free: 11 free + 501 alike. The claim is made at order 3,
    // all three move, and the order-0 request gets 8191
    const s: Scenario = {
      setup: (pa, z) => {
        free(pa, z, 7680, 3);
        free(pa, z, 8000, 1);
        free(pa, z, 8191, 0);
      },
      watch: [7680],
    };
    const claimed: Outcome = {
      pfn: 8191,
      boost: 512,
      kswapd: false,
      types: 'U',
      free: ['7680/3 U', '8000/1 U'],
    };
    expect(run('6.18', s, 0, U)).toEqual(claimed);
    expect(run('6.1', s, 0, U)).toEqual(claimed);
  });
});

describe('__rmqueue_claim falls through a failing order to a lower one', () => {
  // RECLAIMABLE 4096/5 (32 free, nothing alike: fails) and MOVABLE 4608/2 (4 free + 508 alike)
  const s: Scenario = {
    setup: (pa, z) => {
      free(pa, z, 4096, 5, R);
      free(pa, z, 4608, 2, M);
    },
    watch: [4096, 4608],
  };

  it('6.18: order 5 fails, order 2 claims pageblock 4608 for UNMOVABLE; 4096/5 stays RECLAIMABLE', () => {
    expect(run('6.18', s, 0, U)).toEqual({
      pfn: 4608,
      boost: 512,
      kswapd: false,
      types: 'RU',
      free: ['4096/5 R', ...halves(4608, 0, 2, 'U')],
    });
  });

  it('6.1: the largest block is taken at order 5, its free pages moved; 4608/2 untouched', () => {
    expect(run('6.1', s, 0, U)).toEqual({
      pfn: 4096,
      boost: 512,
      kswapd: false,
      types: 'RM',
      free: [...halves(4096, 0, 5, 'U'), '4608/2 M'],
    });
  });
});

describe('try_to_claim_block at pageblock_order and above: the whole block, no boost', () => {
  it('an order-10 block retypes both its pageblocks and is split on the request lists', () => {
    const s: Scenario = { setup: (pa, z) => free(pa, z, 4096, 10), watch: [4096, 4608] };
    // change_pageblock_range(): 2^(10 - 9) = 2 pageblocks; expand() leaves 4097/0 ... 4608/9
    const claimed: Outcome = {
      pfn: 4096,
      boost: 0,
      kswapd: false,
      types: 'UU',
      free: halves(4096, 0, 10, 'U'),
    };
    expect(run('6.18', s, 0, U, ALLOC_KSWAPD)).toEqual(claimed);
    expect(run('6.1', s, 0, U, ALLOC_KSWAPD)).toEqual(claimed);
  });

  it('an order-9 block: one pageblock, no boost; its neighbour keeps its type', () => {
    const s: Scenario = {
      setup: (pa, z) => {
        free(pa, z, 4096, 9, M);
        free(pa, z, 4608, 0, M);
      },
      watch: [4096, 4608],
    };
    const claimed: Outcome = {
      pfn: 4096,
      boost: 0,
      kswapd: false,
      types: 'UM',
      free: [...halves(4096, 0, 9, 'U'), '4608/0 M'],
    };
    expect(run('6.18', s, 0, U, ALLOC_KSWAPD)).toEqual(claimed);
    expect(run('6.1', s, 0, U, ALLOC_KSWAPD)).toEqual(claimed);
  });
});

describe('ALLOC_NOFRAGMENT', () => {
  it('6.18 never calls __rmqueue_steal: -1 where only small blocks fall back, nothing boosted or moved', () => {
    // a MOVABLE request below order 4 could only steal 4096/3
    const s: Scenario = { setup: (pa, z) => free(pa, z, 4096, 3, U), watch: [4096] };
    const none: Outcome = { pfn: -1, boost: 0, kswapd: false, types: 'U', free: ['4096/3 U'] };
    expect(run('6.18', s, 0, M, ALLOC_NOFRAGMENT)).toEqual(none);
    expect(run('6.1', s, 0, M, ALLOC_NOFRAGMENT)).toEqual(none);
    expect(run('6.18', s, 0, M)).toMatchObject({ pfn: 4096 }); // stolen without the flag
  });

  it('__rmqueue_claim searches only from pageblock_order: a claimable order-3 block is left', () => {
    // 8 free + 504 alike would be claimed without the flag
    const s: Scenario = { setup: (pa, z) => free(pa, z, 4096, 3, M), watch: [4096] };
    const none: Outcome = { pfn: -1, boost: 0, kswapd: false, types: 'M', free: ['4096/3 M'] };
    expect(run('6.18', s, 0, U, ALLOC_NOFRAGMENT)).toEqual(none);
    expect(run('6.1', s, 0, U, ALLOC_NOFRAGMENT)).toEqual(none);
    expect(run('6.18', s, 0, U)).toMatchObject({ pfn: 4096, types: 'U' });
  });

  it('an order-10 request searches only order 10: a free order-9 block of another type is left', () => {
    // the order test of __rmqueue_fallback() / __rmqueue_claim(): min_order stays the request's
    const s: Scenario = { setup: (pa, z) => free(pa, z, 4096, 9, U), watch: [4096] };
    const none: Outcome = { pfn: -1, boost: 0, kswapd: false, types: 'U', free: ['4096/9 U'] };
    expect(run('6.18', s, 10, M, ALLOC_NOFRAGMENT)).toEqual(none);
    expect(run('6.1', s, 10, M, ALLOC_NOFRAGMENT)).toEqual(none);
  });

  it('an order-9 block is still claimed', () => {
    const s: Scenario = { setup: (pa, z) => free(pa, z, 4096, 9, M), watch: [4096] };
    const claimed: Outcome = {
      pfn: 4096,
      boost: 0,
      kswapd: false,
      types: 'U',
      free: halves(4096, 0, 9, 'U'),
    };
    expect(run('6.18', s, 0, U, ALLOC_NOFRAGMENT)).toEqual(claimed);
    expect(run('6.1', s, 0, U, ALLOC_NOFRAGMENT)).toEqual(claimed);
  });

  it('an order-0 fallback block is claimed without the flag (the claim searches down to the order)', () => {
    // 1 free + 511 alike; without the claim __rmqueue_steal would leave the pageblock MOVABLE
    const s: Scenario = { setup: (pa, z) => free(pa, z, 4096, 0, M), watch: [4096] };
    expect(run('6.18', s, 0, U)).toEqual({
      pfn: 4096,
      boost: 512,
      kswapd: false,
      types: 'U',
      free: [],
    });
  });
});

describe('prep_move_freepages_block: a pageblock not wholly in the zone', () => {
  it("6.18 does not claim the pageblock the zone's end cuts (unaligned DMA32 ends at 7999)", () => {
    // MOVABLE 7936/6 in pageblock 7680-8191: 64 free + 448 alike would claim, but 8191 is
    // outside the zone. The boost comes first, then the steal splits 7936/6 on MOVABLE lists;
    // 6.1 moves nothing (move_freepages_block() gives 0) and takes 7936/6 alone to UNMOVABLE
    const s: Scenario = {
      config: unaligned,
      setup: (pa, z) => free(pa, z, 7936, 6),
      watch: [7680],
    };
    const stolen: Outcome = {
      pfn: 7936,
      boost: 512,
      kswapd: false,
      types: 'M',
      free: halves(7936, 0, 6, 'M'),
    };
    expect(run('6.18', s, 0, U)).toEqual(stolen);
    expect(run('6.1', s, 0, U)).toEqual({ ...stolen, free: halves(7936, 0, 6, 'U') });
  });

  it("6.18 does not claim the pageblock the zone's start cuts; 6.1 clips the start and claims it", () => {
    // unaligned DMA starts at 100 inside pageblock 0-511; MOVABLE 128/7 and 256/8 free.
    // 6.18: both claims refused (pfn 0 is outside the zone), the steal splits 128/7.
    // 6.1: move_freepages_block() scans from 256: 256 moved + (512 - 256) alike = 512, claimed;
    // 256/8 is split on UNMOVABLE lists, 128/7 stays on MOVABLE ones in an UNMOVABLE pageblock
    const s: Scenario = {
      config: unaligned,
      zone: 0,
      setup: (pa, z) => {
        free(pa, z, 128, 7);
        free(pa, z, 256, 8);
      },
      watch: [0],
    };
    expect(run('6.18', s, 0, U)).toEqual({
      pfn: 128,
      boost: 512,
      kswapd: false,
      types: 'M',
      free: [...halves(128, 0, 7, 'M'), '256/8 M'],
    });
    expect(run('6.1', s, 0, U)).toEqual({
      pfn: 256,
      boost: 512,
      kswapd: false,
      types: 'U',
      free: ['128/7 M', ...halves(256, 0, 8, 'U')],
    });
  });
});
