/**
 * __alloc_pages() around the slowpath rounds, late 6.1.y (reclaim-and-gfp.md §2, §4 S6-S14, §7;
 * page-alloc.md): the order check and the result of a refused request, should_fail_alloc_page(),
 * S6's reserve flags and attempt, S8's direct reclaim (its event, the attempt after progress, the
 * unreserve_highatomic_pageblock(force false) and second attempt), S14's __alloc_pages_may_oom()
 * (its NOFAIL fallback, the skip rules, the OOM victim's exit), __free_pages(), page cache ages
 * from filemap_add_folio(), set_page_owner()/page_owner(), and the ALLOC_* names.
 *
 * Numbers are tiny's (tiny.ts): DMA pfns 0-4095, DMA32 4096-8191, 4096 managed pages each,
 * min/low/high 90/112/134. min_free_kbytes m gives each zone min m/8 pages (m/4 pages split by
 * managed pages): 40000 -> 5000 (starved), 16000 -> 2000, 10400 -> 1300, 6400 -> 800. Readahead
 * that may not reclaim (filemap_add_folio(..., 0)) fills DMA32 down to 90 free (4006 folios),
 * then DMA; the folios take ages 1, 2, ... and reclaim frees the oldest first.
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_CMA,
  ALLOC_CPUSET,
  ALLOC_HIGHATOMIC,
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NO_WATERMARKS,
  ALLOC_NOFRAGMENT,
  ALLOC_NON_BLOCK,
  ALLOC_OOM,
  ALLOC_WMARK_HIGH,
  ALLOC_WMARK_MIN,
  allocFlagsName,
} from '../../../models/page_alloc/alloc_flags.ts';
import { reserve_highatomic_pageblock } from '../../../models/page_alloc/buddy.ts';
import {
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_MEMALLOC,
  __GFP_NOFAIL,
  __GFP_NOMEMALLOC,
  __GFP_NORETRY,
  __GFP_NOWARN,
  __GFP_RETRY_MAYFAIL,
  __GFP_THISNODE,
} from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc } from '../../../models/page_alloc/machine.ts';
import {
  __alloc_pages,
  __free_pages,
  type AllocEvent,
  type AllocResult,
  filemap_add_folio,
  inject_alloc_failure,
  page_owner,
  set_page_owner,
  vm_sysctl_write,
} from '../../../models/page_alloc/page_alloc.ts';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { ZONE_DMA, ZONE_DMA32 } from '../../../models/page_alloc/zone.ts';
import { drained, free } from './drained.ts';
import { starved, tiny, withParallelExit } from './tiny.ts';

const fresh = (): PageAlloc => createPageAlloc(tiny, pageAllocRules['6.1']);

/** The events of one kind. */
function events<K extends AllocEvent['kind']>(r: AllocResult, kind: K) {
  return r.events.filter((e): e is Extract<AllocEvent, { kind: K }> => e.kind === kind);
}

/** `zone` (DMA or DMA32) emptied by an emergency caller (__GFP_MEMALLOC): four order-10 blocks. */
function emptyZone(pa: PageAlloc, zone: number): PageAlloc {
  const gfp = pa.gfp.GFP_KERNEL | __GFP_MEMALLOC | (zone === ZONE_DMA ? __GFP_DMA : __GFP_DMA32);
  for (let i = 0; i < 4; i++) __alloc_pages(pa, { gfp, order: 10 });
  expect(pa.zones[zone]?.nr_free_pages).toBe(0);
  return pa;
}

/**
 * fresh tiny with the pageblocks at `highatomic` in DMA reserved (reserve_highatomic_pageblock(),
 * each moving its free order-10 block, 1024 pages, to HIGHATOMIC and counting 512), then filled
 * with clean page cache by readahead that may not reclaim, then `echo mfk > min_free_kbytes`.
 */
function cached(mfk: number, highatomic: readonly number[] = []): PageAlloc {
  const pa = fresh();
  const dma = pa.zones[ZONE_DMA] as Zone;
  for (const pfn of highatomic) reserve_highatomic_pageblock(pa, dma, pfn, 1);
  while (filemap_add_folio(pa, 0, false, 0).pfn !== null);
  vm_sysctl_write(pa, 'min_free_kbytes', mfk);
  return pa;
}

describe('__alloc_pages (6.1): an order >= MAX_ORDER (11) is refused before anything else', () => {
  it('order 11 returns NULL with the warning; no attempt, no zone', () => {
    const pa = fresh();
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 11 });
    expect(r.events).toEqual([{ kind: 'bad_request', text: 'order 11 >= MAX_ORDER' }]);
    // result(): no prepare_alloc_pages() ran, so no highest_zoneidx (-1) and no slowpath (-1)
    expect([r.pfn, r.zone, r.highest_zoneidx, r.slow_flags]).toEqual([null, -1, -1, -1]);
    expect(pa.zones.map((z) => z.nr_free_pages).slice(0, 2)).toEqual([4096, 4096]);
  });

  it('__GFP_NOWARN silences the warning; the request still fails', () => {
    const pa = fresh();
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOWARN, order: 11 });
    expect([r.pfn, r.events]).toEqual([null, []]);
  });

  it('invalid zone modifiers (__GFP_DMA | __GFP_DMA32): GFP_ZONE_BAD, the mask in hex', () => {
    const pa = fresh();
    // GFP_KERNEL 0xcc0 | __GFP_DMA 0x1 | __GFP_DMA32 0x4 = 0xcc5
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_DMA32, order: 0 });
    expect(r.events).toEqual([{ kind: 'bad_request', text: 'invalid zone modifiers in 0xcc5' }]);
    expect(r.pfn).toBeNull();
  });
});

describe('should_fail_alloc_page (fail_page_alloc, 6.1)', () => {
  it("order 'any' fails the next request of every order, once per `times`", () => {
    const pa = fresh();
    inject_alloc_failure(pa, 'any', 1);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 3 });
    expect([r.pfn, r.events]).toEqual([null, [{ kind: 'fail_page_alloc' }]]);
    expect(__alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 3 }).pfn).not.toBeNull();
  });
});

describe('__alloc_pages_slowpath S6 (late 6.1.y): reserve flags replace alloc_flags only when non-zero', () => {
  it('GFP_KERNEL keeps its slowpath flags WMARK_MIN|CPUSET|KSWAPD at every retry attempt', () => {
    // starved DMA32 request: 4096 free < min 5000 in both zones; reclaim 0 frees nothing.
    // should_reclaim_retry() retries for loops 1..16 (4096 + 4096 > 5000), so 17 S6 attempts.
    const pa = starved('6.1');
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 0, reclaim: 0 });
    const flags = ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_KSWAPD;
    expect(r.slow_flags).toBe(flags);
    const retry = events(r, 'attempt').filter((e) => e.stage === 'retry');
    expect(retry).toEqual(
      Array.from({ length: 17 }, () => ({
        kind: 'attempt',
        stage: 'retry',
        alloc_flags: flags,
        ok: false,
      })),
    );
  });
});

describe('__alloc_pages_slowpath S8 (late 6.1.y): direct reclaim', () => {
  it('rounds without progress: one direct_reclaim line (the first), no attempt nor plain unreserve', () => {
    // the same starved DMA32 request: 17 rounds, each reclaiming 0 pages. The only unreserve is
    // should_reclaim_retry()'s forced one when it gives up at loops 17 (no highatomic block).
    const pa = starved('6.1');
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA32, order: 0, reclaim: 0 });
    expect(r.reclaim_rounds).toBe(17);
    expect(events(r, 'direct_reclaim')).toEqual([{ kind: 'direct_reclaim', reclaimed: 0 }]);
    expect(events(r, 'unreserve_highatomic')).toEqual([
      { kind: 'unreserve_highatomic', force: true, released: false },
    ]);
  });

  it('rounds with progress: a line per round, the attempt, then unreserve (force false) and again', () => {
    // cached(16000): DMA 106 free and 3990 clean folios (pfns 0.., the oldest DMA folios), min
    // 2000. GFP_KERNEL | __GFP_DMA reclaims only DMA, 32 pages a round: after round n DMA has
    // 106 + 32n free; 59 rounds give 1994 <= 2000, 60 give 2026 > 2000. The 59 failed rounds
    // each unreserve (nothing reserved: released false) and attempt again; order 0 progress
    // keeps should_reclaim_retry() retrying. Round 60's first attempt takes pfn 0: the 32
    // folios freed first (pfns 0-31) merged into one block, stolen for UNMOVABLE.
    const pa = cached(16000);
    expect([pa.zones[ZONE_DMA]?.nr_free_pages, pa.zones[ZONE_DMA]?.nr_clean]).toEqual([106, 3990]);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA, order: 0 });
    expect([r.pfn, r.won?.stage, r.zone, r.reclaim_rounds, r.reclaimed]).toEqual([
      0,
      'reclaim',
      ZONE_DMA,
      60,
      60 * 32,
    ]);
    expect(events(r, 'direct_reclaim')).toEqual(
      Array.from({ length: 60 }, () => ({ kind: 'direct_reclaim', reclaimed: 32 })),
    );
    expect(events(r, 'unreserve_highatomic')).toEqual(
      Array.from({ length: 59 }, () => ({
        kind: 'unreserve_highatomic',
        force: false,
        released: false,
      })),
    );
  });

  it('the attempt after unreserve_highatomic_pageblock(force false) takes the released block', () => {
    // cached(10400, [0, 1024]): two DMA highatomic blocks (2048 free pages, 1024 reserved), so
    // readahead filled the other 2048 DMA pages; min 1300. Late 6.1.y counts the reserved
    // pages unusable without ALLOC_RESERVES: before reclaim 2048 - 1024 = 1024 < 1300; after
    // one round (32) 1056 < 1300. 1024 reserved > one pageblock (512), so the unforced
    // unreserve releases a block: 2080 - 512 = 1568 > 1300, and the second attempt takes pfn 0.
    const pa = cached(10400, [0, 1024]);
    expect([pa.zones[ZONE_DMA]?.nr_free_pages, pa.zones[ZONE_DMA]?.nr_reserved_highatomic]).toEqual(
      [2048, 1024],
    );
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA, order: 0 });
    expect(events(r, 'unreserve_highatomic')).toEqual([
      { kind: 'unreserve_highatomic', force: false, released: true },
    ]);
    expect([r.pfn, r.won?.stage, r.reclaim_rounds]).toEqual([0, 'reclaim', 1]);
  });

  it('unreserve_highatomic_pageblock(force false) keeps a reserve of one pageblock', () => {
    // cached(6400, [0]): one DMA highatomic block (1024 free, 512 reserved), 3072 DMA folios;
    // min 800. After round n DMA has 1024 + 32n free, 512 of them unusable: 512 + 32n > 800
    // first at n = 10 (832). Rounds 1-9 unreserve without force, which leaves a reserve of
    // 512 <= one pageblock alone (force would have freed it, 1056 > 800, in round 1).
    const pa = cached(6400, [0]);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA, order: 0 });
    expect(events(r, 'unreserve_highatomic')).toEqual(
      Array.from({ length: 9 }, () => ({
        kind: 'unreserve_highatomic',
        force: false,
        released: false,
      })),
    );
    expect([r.won?.stage, r.reclaim_rounds]).toEqual(['reclaim', 10]);
    expect(pa.zones[ZONE_DMA]?.nr_reserved_highatomic).toBe(512);
  });
});

describe('__alloc_pages_may_oom (6.1) and S14', () => {
  it('NOFAIL: out_of_memory() then the reserves without watermarks; that page ends the request', () => {
    // starved, DMA32 emptied: GFP_KERNEL | __GFP_NOFAIL fails S6 17 times (DMA 4096 < 5000),
    // then S14 kills and takes a page with ALLOC_NO_WATERMARKS: DMA32 has none, DMA gives pfn 0
    const pa = emptyZone(starved('6.1'), ZONE_DMA32);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_NOFAIL, order: 0, reclaim: 0 });
    expect([r.pfn, r.zone, r.won?.stage, r.won?.alloc_flags]).toEqual([
      0,
      ZONE_DMA,
      'oom',
      ALLOC_NO_WATERMARKS | ALLOC_CPUSET,
    ]);
    expect(events(r, 'oom')).toEqual([{ kind: 'oom', what: 'kill' }]);
    expect(r.reclaim_rounds).toBe(17);
  });

  it('the last-chance attempt at HIGH takes pfn 0 freed by a parallel exit: a page, no kill', () => {
    // GFP_KERNEL | __GFP_NORETRY takes DMA32 down to 90 and DMA to 106 (pfns 0-3989 held), an
    // emergency caller the last 106 DMA pages. Just before the one WMARK_HIGH check a parallel
    // exit frees pfns 0-255 (one order-8 block): DMA32 90 < high 134; DMA 256 > 134 + 16
    // (lowmem_reserve[Normal]), and the only UNMOVABLE-usable block starts at pfn 0
    const { pa, held, arm } = withParallelExit(256);
    const fill = pa.gfp.GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
    for (;;) {
      const r = __alloc_pages(pa, { gfp: fill, order: 0, reclaim: 0 });
      if (r.pfn === null) break;
      if (r.zone === ZONE_DMA) held.push(r.pfn);
    }
    const emergency = pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_MEMALLOC;
    while (__alloc_pages(pa, { gfp: emergency, order: 0 }).pfn !== null);
    expect([held.slice(0, 256), pa.zones[ZONE_DMA]?.nr_free_pages]).toEqual([
      Array.from({ length: 256 }, (_, i) => i),
      0,
    ]);
    arm();
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0, reclaim: 0 });
    expect([r.pfn, r.zone, r.won?.stage, r.won?.alloc_flags]).toEqual([
      0,
      ZONE_DMA,
      'oom',
      ALLOC_WMARK_HIGH | ALLOC_CPUSET,
    ]);
    expect([events(r, 'oom'), r.oom_victim]).toEqual([[], false]);
  });

  it.each([
    ['GFP_DMA32 (highest_zoneidx < ZONE_NORMAL)', __GFP_DMA32],
    ['__GFP_RETRY_MAYFAIL', __GFP_RETRY_MAYFAIL],
    ['__GFP_THISNODE', __GFP_THISNODE],
  ])('order 0 with %s: no OOM kill, the caller is no victim and fails', (_, flag) => {
    // starved: 17 rounds (4096 + 4096 > 5000 retries for loops 1..16), then S14 bails out
    const pa = starved('6.1');
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | flag, order: 0, reclaim: 0 });
    expect(events(r, 'oom')).toEqual([{ kind: 'oom', what: 'skip' }]);
    expect([r.pfn, r.oom_victim, r.reclaim_rounds]).toEqual([null, false, 17]);
  });

  it('order 3 (PAGE_ALLOC_COSTLY_ORDER) is not costly: the kill, then a page as OOM victim', () => {
    // starved GFP_KERNEL order 3: S10 lets it through, S14 kills; the next S6 uses ALLOC_OOM
    // (min 5000 halved: 2500), which DMA32's 4096 free pages pass
    const pa = starved('6.1');
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 3, reclaim: 0 });
    expect(events(r, 'oom')).toEqual([{ kind: 'oom', what: 'kill' }]);
    expect([r.pfn, r.won?.stage, r.oom_victim]).toEqual([4096, 'retry', true]);
    expect(r.won?.alloc_flags).toBe(ALLOC_OOM | ALLOC_KSWAPD);
  });

  it('an OOM victim whose ALLOC_OOM attempt fails gives up (no second retry)', () => {
    // starved with both zones emptied: round 1 kills; round 2 tries ALLOC_OOM, fails,
    // __alloc_pages_may_oom() reports the victim; ALLOC_OOM is set, so nopage
    const pa = emptyZone(emptyZone(starved('6.1'), ZONE_DMA32), ZONE_DMA);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0, reclaim: 0 });
    expect(events(r, 'oom')).toEqual([
      { kind: 'oom', what: 'kill' },
      { kind: 'oom', what: 'victim' },
    ]);
    expect([r.pfn, r.oom_victim, r.reclaim_rounds]).toEqual([null, true, 2]);
    expect(events(r, 'livelock')).toEqual([]);
  });

  it('a __GFP_NOMEMALLOC victim never gets ALLOC_OOM and gives up right after its kill', () => {
    const pa = emptyZone(emptyZone(starved('6.1'), ZONE_DMA32), ZONE_DMA);
    const r = __alloc_pages(pa, {
      gfp: pa.gfp.GFP_KERNEL | __GFP_NOMEMALLOC,
      order: 0,
      reclaim: 0,
    });
    expect(events(r, 'oom')).toEqual([{ kind: 'oom', what: 'kill' }]);
    expect([r.pfn, r.oom_victim, r.reclaim_rounds]).toEqual([null, true, 1]);
  });
});

describe('__free_pages (6.1)', () => {
  it('the freed page goes to the head of its free list (FPI_NONE): the next request reuses it', () => {
    // GFP_HIGHUSER_MOVABLE order 0 three times splits DMA32's first block: 4096, 4097, 4098
    // (4099 stays free at order 0). Freeing 4096 cannot merge (4097 is held), and its order-1
    // buddy block 4098 is not free, so buddy_merge_likely() is false: head, before 4099.
    const pa = fresh();
    const gfp = pa.gfp.GFP_HIGHUSER_MOVABLE;
    const got = [0, 1, 2].map(() => __alloc_pages(pa, { gfp, order: 0 }).pfn);
    expect(got).toEqual([4096, 4097, 4098]);
    expect(__free_pages(pa, 4096, 0)).toBeNull();
    expect(__alloc_pages(pa, { gfp, order: 0 }).pfn).toBe(4096);
  });

  it('a negative order is a bad request, and nothing changes', () => {
    const pa = fresh();
    expect(__free_pages(pa, 5000, -1)).toBe('bad request: pfn 5000 order -1');
    expect(pa.zones[ZONE_DMA32]?.nr_free_pages).toBe(4096);
  });

  it('a pool chunk is held by a caller and can be freed', () => {
    const pa = fresh();
    const pfn = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 2 }).pfn as number;
    expect(set_page_owner(pa, pfn, 4, 'pool-chunk')).toBeNull();
    expect(page_owner(pa, pfn)).toBe('pool-chunk');
    expect(__free_pages(pa, pfn, 2)).toBeNull();
    expect(page_owner(pa, pfn)).toBe('buddy-free');
  });
});

describe('set_page_owner / page_owner', () => {
  it('pfn 0 is a page (DMA), not a hole; a pool chunk handed back is plain allocated', () => {
    const pa = fresh();
    expect(page_owner(pa, 0)).toBe('buddy-free');
    expect(page_owner(pa, -1)).toBe('hole');
    const pfn = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL, order: 0 }).pfn as number;
    expect(set_page_owner(pa, pfn, 1, 'pool-chunk')).toBeNull();
    expect(set_page_owner(pa, pfn, 1, 'allocated')).toBeNull();
    expect(page_owner(pa, pfn)).toBe('allocated');
  });
});

describe('filemap_add_folio (6.1): folio_add_lru() ages', () => {
  it('each new folio is younger than the last: ages 1, 2, 3 on a fresh node', () => {
    const pa = fresh();
    for (let i = 0; i < 3; i++) filemap_add_folio(pa, 0, i === 1);
    expect(pa.pgdat.lru_seq).toBe(3);
    const z = pa.zones[ZONE_DMA32] as Zone;
    expect([z.lru_clean.seq[0], z.lru_dirty.seq[0], z.lru_clean.seq[1]]).toEqual([1, 2, 3]);
  });
});

describe('allocFlagsName: every ALLOC_* bit under its late 6.1.y name', () => {
  it.each([
    [ALLOC_NO_WATERMARKS, 'NO_WATERMARKS'],
    [ALLOC_OOM, 'OOM'],
    [ALLOC_NON_BLOCK, 'NON_BLOCK'],
    [ALLOC_MIN_RESERVE, 'MIN_RESERVE'],
    [ALLOC_CPUSET, 'CPUSET'],
    [ALLOC_CMA, 'CMA'],
    [ALLOC_NOFRAGMENT, 'NOFRAGMENT'],
    [ALLOC_HIGHATOMIC, 'HIGHATOMIC'],
    [ALLOC_KSWAPD, 'KSWAPD'],
  ])('bit %i alone prints WMARK_MIN|%s', (bit, name) => {
    expect(allocFlagsName(ALLOC_WMARK_MIN | bit, 'non_block')).toBe(`WMARK_MIN|${name}`);
  });

  it('all bits: mm/internal.h order, lowest bit first', () => {
    expect(allocFlagsName(0xbfc, 'non_block')).toBe(
      'WMARK_MIN|NO_WATERMARKS|OOM|NON_BLOCK|MIN_RESERVE|CPUSET|CMA|NOFRAGMENT|HIGHATOMIC|KSWAPD',
    );
  });
});

describe('__alloc_pages_slowpath: a round that finds a page', () => {
  it('S6 with ALLOC_NO_WATERMARKS returns the page it found, whatever its pfn (here 2)', () => {
    // DMA drained, then only pfn 2 freed: the fast path (LOW) and S4 (MIN) fail on 1 free
    // page, the first slowpath round's S6 takes it with the MEMALLOC reserve flags
    const { pa, z } = drained('6.1', tiny, ZONE_DMA);
    z.nr_free_pages = 0;
    free(pa, z, 2, 0);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_KERNEL | __GFP_DMA | __GFP_MEMALLOC, order: 0 });
    expect([r.pfn, r.won?.stage, r.reclaim_rounds]).toEqual([2, 'retry', 0]);
  });
});
