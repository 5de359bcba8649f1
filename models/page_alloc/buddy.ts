/**
 * mm/page_alloc.c (6.1; 5.4 and 6.18 differences as rules): the buddy
 * allocator's free lists, split and merge, migratetype fallback and
 * stealing, and the highatomic reserve.
 *
 * Models: add_to_free_list(), del_page_from_free_list(), move_to_free_list(),
 * expand(), __free_one_page() with buddy_merge_likely(), __rmqueue_smallest(),
 * find_suitable_fallback(), __rmqueue_fallback(), steal_suitable_fallback(),
 * move_freepages_block(), change_pageblock_range(), __rmqueue(),
 * reserve_highatomic_pageblock(), unreserve_highatomic_pageblock().
 *
 * A free block is its head pfn: buddy order, list links and list
 * migratetype live in the per-page arrays (pages.ts); list heads and tails
 * per (order, migratetype) in the zone. NR_FREE_PAGES is adjusted by the
 * callers (__free_one_page on the way in, rmqueue on the way out), as in
 * the kernel.
 * Left out: guard pages (debug_pagealloc), page shuffling, compaction
 * capture, CMA and ISOLATE pageblocks, mobility grouping being disabled
 * (only below ~3000 pages). 6.18's claim/steal split of the fallback is a
 * rule (rmqueue_fallback). Callers' pages never count as movable when a block is stolen (they
 * are not on an LRU); page-cache pages do.
 * Context: all under zone->lock, never sleeps.
 */
import { ALLOC_KSWAPD, ALLOC_NOFRAGMENT } from './alloc_flags.ts';
import {
  buddy_order,
  get_pageblock_migratetype,
  MAX_PAGE_ORDER,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  type PageArrays,
  PG_PAGECACHE,
  pageblock_nr_pages,
  pageblock_order,
  set_pageblock_migratetype,
  touch,
} from './pages.ts';
import type { PageAlloc, Zone } from './state.ts';

/** What the buddy functions need of the allocator (the boot-image builder passes a stand-in). */
export interface BuddyCtx
  extends Pick<
    PageAlloc,
    'rules' | 'touched' | 'ntouched' | 'touched_overflow' | 'sysctl' | 'fns'
  > {
  readonly pages: PageArrays;
}

/** Fallback migratetypes, in the order __rmqueue_fallback() tries them (6.1 fallbacks[]). */
const FALLBACKS: readonly (readonly number[])[] = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE], // UNMOVABLE
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE], // MOVABLE
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE], // RECLAIMABLE
  [], // HIGHATOMIC never falls back
];

/** is_migrate_movable() family: UNMOVABLE, MOVABLE, RECLAIMABLE merge and can be reserved. */
export function migratetype_is_mergeable(mt: number): boolean {
  return mt < MIGRATE_HIGHATOMIC;
}

/** The zone spans `pfn` (zone_spans_pfn()). */
export function zone_spans_pfn(z: Zone, pfn: number): boolean {
  return pfn >= z.zone_start_pfn && pfn < z.zone_start_pfn + z.spanned_pages;
}

function listIdx(order: number, mt: number): number {
  return order * MIGRATE_TYPES + mt;
}

function logInsert(ctx: BuddyCtx, pfn: number): void {
  if (ctx.ntouched < ctx.touched.length) ctx.touched[ctx.ntouched++] = pfn;
  else ctx.touched_overflow = true;
}

/** add_to_free_list() (at the head) / add_to_free_list_tail() (`tail`) with set_buddy_order(), 6.1. */
export function add_to_free_list(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  order: number,
  mt: number,
  // Stryker disable next-line BooleanLiteral: only expand() takes the default, and the lists it fills are empty (an empty list's tail is its head)
  tail = false,
): void {
  const a = ctx.pages;
  const li = listIdx(order, mt);
  touch(a, pfn);
  a.buddy[pfn] = order + 1;
  a.list_mt[pfn] = mt;
  const head = z.free_head[li] as number;
  if (head < 0) {
    a.next[pfn] = -1;
    a.prev[pfn] = -1;
    z.free_head[li] = pfn;
    z.free_tail[li] = pfn;
  } else if (tail) {
    const last = z.free_tail[li] as number;
    touch(a, last);
    a.next[last] = pfn;
    a.prev[pfn] = last;
    a.next[pfn] = -1;
    z.free_tail[li] = pfn;
  } else {
    touch(a, head);
    a.prev[head] = pfn;
    a.next[pfn] = head;
    a.prev[pfn] = -1;
    z.free_head[li] = pfn;
  }
  z.nr_free[order] = (z.nr_free[order] as number) + 1;
  z.nr_free_mt[mt] = (z.nr_free_mt[mt] as number) + (1 << order);
  logInsert(ctx, pfn);
}

/** del_page_from_free_list(), 6.1: unlinks a free head and clears its buddy order. */
export function del_page_from_free_list(ctx: BuddyCtx, z: Zone, pfn: number, order: number): void {
  const a = ctx.pages;
  const mt = a.list_mt[pfn] as number;
  const li = listIdx(order, mt);
  const next = a.next[pfn] as number;
  const prev = a.prev[pfn] as number;
  touch(a, pfn);
  if (prev >= 0) {
    touch(a, prev);
    a.next[prev] = next;
  } else z.free_head[li] = next;
  if (next >= 0) {
    touch(a, next);
    a.prev[next] = prev;
  } else z.free_tail[li] = prev;
  a.buddy[pfn] = 0;
  z.nr_free[order] = (z.nr_free[order] as number) - 1;
  z.nr_free_mt[mt] = (z.nr_free_mt[mt] as number) - (1 << order);
}

/** move_to_free_list(), 6.1 (tail; 5.4's move_to_free_area() moved to the head). */
export function move_to_free_list(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  order: number,
  mt: number,
): void {
  del_page_from_free_list(ctx, z, pfn, order);
  add_to_free_list(ctx, z, pfn, order, mt, ctx.rules.move_to_free_list === 'tail');
}

/** expand(), 6.1: splits a block of `high` down to `low`, freeing the upper halves at the list heads. */
export function expand(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  low: number,
  high: number,
  mt: number,
): void {
  while (high > low) {
    high -= 1;
    add_to_free_list(ctx, z, pfn + 2 ** high, high, mt);
  }
}

/** __find_buddy_pfn(): pfn ^ 2^order (pfns stay below 2^31: machine.ts checks it). */
export function __find_buddy_pfn(pfn: number, order: number): number {
  return pfn ^ (1 << order);
}

/** page_is_buddy(): `pfn` heads a free block of exactly `order` in zone `z`. */
export function page_is_buddy(a: PageArrays, z: Zone, pfn: number, order: number): boolean {
  return zone_spans_pfn(z, pfn) && a.buddy[pfn] === order + 1;
}

/** buddy_merge_likely(), 6.1: the merged block's own buddy is free, so put it at the tail. */
function buddy_merge_likely(a: PageArrays, z: Zone, pfn: number, order: number): boolean {
  if (order >= MAX_PAGE_ORDER - 1) return false;
  // the block the merge would make, and that block's own buddy
  const higher = pfn & ~((1 << (order + 1)) - 1);
  const higherBuddy = higher ^ (1 << (order + 1));
  return page_is_buddy(a, z, higherBuddy, order + 1);
}

/**
 * __free_one_page(), 6.1: account the pages, merge with free buddies
 * (buddy = pfn ^ 2^order) up to MAX_ORDER - 1, and insert the result.
 * At and past pageblock_order the merge follows the rules'
 * free_one_page_merge. `toTail` is FPI_TO_TAIL (boot-time freeing).
 */
export function __free_one_page(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  order: number,
  mt: number,
  toTail: boolean,
): void {
  const a = ctx.pages;
  z.nr_free_pages += 2 ** order;
  while (order < MAX_PAGE_ORDER) {
    const buddy = __find_buddy_pfn(pfn, order);
    if (!page_is_buddy(a, z, buddy, order)) break;
    if (order >= pageblock_order) {
      const buddy_mt = get_pageblock_migratetype(a, buddy);
      if (buddy_mt !== mt) {
        const rule = ctx.rules.free_one_page_merge;
        // 5.4 only refuses ISOLATE pageblocks, which this model has none of
        if (
          rule !== 'isolate_only' &&
          (!migratetype_is_mergeable(mt) || !migratetype_is_mergeable(buddy_mt))
        )
          break;
        if (rule === 'both_mergeable_retype') set_pageblock_migratetype(a, buddy, mt);
      }
    }
    del_page_from_free_list(ctx, z, buddy, order);
    pfn &= buddy;
    order += 1;
  }
  const tail = toTail || buddy_merge_likely(a, z, pfn, order);
  add_to_free_list(ctx, z, pfn, order, mt, tail);
}

/** __rmqueue_smallest(), 6.1: the smallest free block of `mt` at or above `order`, split. Returns pfn or -1. */
export function __rmqueue_smallest(ctx: BuddyCtx, z: Zone, order: number, mt: number): number {
  for (let o = order; o <= MAX_PAGE_ORDER; o++) {
    const pfn = z.free_head[listIdx(o, mt)] as number;
    if (pfn < 0) continue;
    del_page_from_free_list(ctx, z, pfn, o);
    expand(ctx, z, pfn, order, o, mt);
    return pfn;
  }
  return -1;
}

/** can_steal_fallback(), 6.1 (should_try_claim_block() in 6.18, the same test). */
function can_steal_fallback(order: number, start_mt: number): boolean {
  return (
    // C's integer division: from order 4 a block is worth claiming for any type
    order >= pageblock_order >> 1 ||
    start_mt === MIGRATE_RECLAIMABLE ||
    start_mt === MIGRATE_UNMOVABLE
  );
}

/** find_suitable_fallback(), 6.1 (only_stealable false): the first fallback type with a free block. */
export function find_suitable_fallback(
  z: Zone,
  order: number,
  mt: number,
): { fallback_mt: number; can_steal: boolean } | null {
  // nr_free[order] counts the blocks on the order's lists (add and del keep both), so
  // the loop would find none either: the kernel's shortcut, kept
  // Stryker disable next-line ConditionalExpression: see above
  if (z.nr_free[order] === 0) return null;
  for (const f of FALLBACKS[mt] as readonly number[]) {
    if ((z.free_head[listIdx(order, f)] as number) < 0) continue;
    return { fallback_mt: f, can_steal: can_steal_fallback(order, mt) };
  }
  return null;
}

/**
 * move_freepages_block(), 6.1: move every free block of the pageblock of
 * `pfn` to `mt`'s lists. Returns the pages moved and the movable
 * (page-cache) pages seen; 0 moved when the block crosses the zone's end.
 */
export function move_freepages_block(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  mt: number,
): { moved: number; movable: number } {
  let start = pfn - (pfn % pageblock_nr_pages);
  const end = start + pageblock_nr_pages;
  if (!zone_spans_pfn(z, start)) start = pfn;
  if (!zone_spans_pfn(z, end - 1)) return { moved: 0, movable: 0 };
  const { free, movable } = scanPageblock(ctx.pages, start, end, (p, o) =>
    move_to_free_list(ctx, z, p, o, mt),
  );
  return { moved: free, movable };
}

/**
 * The free pages (each free block handed to `visit`) and the movable
 * (page-cache) pages of pfns [start, end), as move_freepages_block() and
 * prep_move_freepages_block() count them.
 */
function scanPageblock(
  a: PageArrays,
  start: number,
  end: number,
  visit?: (pfn: number, order: number) => void,
): { free: number; movable: number } {
  let free = 0;
  let movable = 0;
  for (let p = start; p < end; ) {
    const o = buddy_order(a, p);
    if (o < 0) {
      if (a.owner[p] === PG_PAGECACHE) movable += 1;
      p += 1;
      continue;
    }
    visit?.(p, o);
    p += 2 ** o;
    free += 2 ** o;
  }
  return { free, movable };
}

/**
 * The claim rule of steal_suitable_fallback() (6.1) and try_to_claim_block()
 * (6.18): a pageblock of `block_type` goes to `start_type` when its free pages
 * and the pages compatible with the request make up at least half of it.
 */
function worthClaiming(
  start_type: number,
  block_type: number,
  free: number,
  movable: number,
): boolean {
  let alike = 0;
  if (start_type === MIGRATE_MOVABLE) alike = movable;
  else if (block_type === MIGRATE_MOVABLE) alike = pageblock_nr_pages - (free + movable);
  return free + alike >= pageblock_nr_pages / 2;
}

/** boost_watermark() after a fragmenting fallback; ZONE_BOOSTED_WATERMARK only with ALLOC_KSWAPD. */
function boostForFallback(ctx: BuddyCtx, z: Zone, alloc_flags: number): void {
  if (ctx.fns.boost_watermark(z, ctx.sysctl.watermark_boost_factor) && alloc_flags & ALLOC_KSWAPD)
    z.boosted_watermark = true;
}

/** change_pageblock_range(), 6.1: retype every pageblock of a block of `order` >= pageblock_order. */
export function change_pageblock_range(
  a: PageArrays,
  pfn: number,
  order: number,
  mt: number,
): void {
  const n = 2 ** Math.max(0, order - pageblock_order);
  for (let i = 0; i < n; i++) set_pageblock_migratetype(a, pfn + i * pageblock_nr_pages, mt);
}

/**
 * steal_suitable_fallback(), 6.1: take the found block for `start_type`;
 * for blocks below a pageblock, boost the watermarks and, when allowed,
 * move the whole pageblock's free pages and claim it if at least half of it
 * is free or compatible.
 */
export function steal_suitable_fallback(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  alloc_flags: number,
  start_type: number,
  whole_block: boolean,
): void {
  const a = ctx.pages;
  const current_order = buddy_order(a, pfn);
  const old_block_type = get_pageblock_migratetype(a, pfn);
  if (old_block_type !== MIGRATE_HIGHATOMIC) {
    if (current_order >= pageblock_order) {
      change_pageblock_range(a, pfn, current_order, start_type);
    } else {
      boostForFallback(ctx, z, alloc_flags);
      if (whole_block) {
        const { moved, movable } = move_freepages_block(ctx, z, pfn, start_type);
        if (moved > 0) {
          if (worthClaiming(start_type, old_block_type, moved, movable))
            set_pageblock_migratetype(a, pfn, start_type);
          return;
        }
      }
    }
  }
  move_to_free_list(ctx, z, pfn, current_order, start_type);
}

/**
 * The smallest fallback order __rmqueue_fallback() and __rmqueue_claim() look at:
 * under ALLOC_NOFRAGMENT only whole pageblocks (the order test since 5.14; 5.4
 * also cut an order-10 request's search at 9, which __alloc_pages never reaches:
 * its watermark check first needs a free order-10 block, which
 * __rmqueue_smallest or the claim then takes).
 */
function fallbackMinOrder(order: number, alloc_flags: number): number {
  return alloc_flags & ALLOC_NOFRAGMENT ? Math.max(order, pageblock_order) : order;
}

/**
 * __rmqueue_fallback(), 6.1: search the largest fallback block first (down
 * to pageblock_order under ALLOC_NOFRAGMENT); a movable request that may
 * not steal takes the smallest suitable block instead. True when a block
 * was moved to `start_mt`'s lists.
 */
export function __rmqueue_fallback(
  ctx: BuddyCtx,
  z: Zone,
  order: number,
  start_mt: number,
  alloc_flags: number,
): boolean {
  const min_order = fallbackMinOrder(order, alloc_flags);
  let found: { o: number; fallback_mt: number; can_steal: boolean } | null = null;
  for (let o = MAX_PAGE_ORDER; o >= min_order; o--) {
    const f = find_suitable_fallback(z, o, start_mt);
    if (!f) continue;
    if (!f.can_steal) {
      // the smallest suitable block instead. The kernel also asks for a MOVABLE request
      // and o > order: only a MOVABLE request can fail to steal, and only at an order
      // below 4 where o >= order, so the upward search ends at o at the latest
      let s = order;
      let g = find_suitable_fallback(z, s, start_mt);
      while (!g) g = find_suitable_fallback(z, ++s, start_mt);
      found = { o: s, ...g };
    } else found = { o, ...f };
    break;
  }
  if (!found) return false;
  const pfn = z.free_head[listIdx(found.o, found.fallback_mt)] as number;
  steal_suitable_fallback(ctx, z, pfn, alloc_flags, start_mt, found.can_steal);
  return true;
}

/**
 * prep_move_freepages_block(), 6.18: the free and movable (page-cache) pages
 * of `pfn`'s pageblock, or null when the pageblock is not wholly in the zone.
 */
function prep_move_freepages_block(
  a: PageArrays,
  z: Zone,
  pfn: number,
): { start: number; free: number; movable: number } | null {
  const start = pfn - (pfn % pageblock_nr_pages);
  const end = start + pageblock_nr_pages;
  if (!zone_spans_pfn(z, start) || !zone_spans_pfn(z, end - 1)) return null;
  return { start, ...scanPageblock(a, start, end) };
}

/**
 * try_to_claim_block(), 6.18: take the fallback block at `pfn` for
 * `start_type` if its order reaches a pageblock, or if at least half of its
 * pageblock is free or compatible (then the pageblock's free pages move and
 * the request comes from its own lists). Returns the pfn, or -1 and nothing
 * moved; the watermark boost happens either way below pageblock_order.
 */
function try_to_claim_block(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  current_order: number,
  order: number,
  start_type: number,
  alloc_flags: number,
): number {
  const a = ctx.pages;
  if (current_order >= pageblock_order) {
    del_page_from_free_list(ctx, z, pfn, current_order);
    change_pageblock_range(a, pfn, current_order, start_type);
    expand(ctx, z, pfn, order, current_order, start_type);
    return pfn;
  }
  boostForFallback(ctx, z, alloc_flags);
  const block = prep_move_freepages_block(a, z, pfn);
  if (!block) return -1;
  const block_type = get_pageblock_migratetype(a, pfn);
  if (!worthClaiming(start_type, block_type, block.free, block.movable)) return -1;
  move_freepages_block(ctx, z, block.start, start_type);
  set_pageblock_migratetype(a, block.start, start_type);
  return __rmqueue_smallest(ctx, z, order, start_type);
}

/** __rmqueue_claim(), 6.18: claim a fallback pageblock, largest block first. Returns pfn or -1. */
function __rmqueue_claim(
  ctx: BuddyCtx,
  z: Zone,
  order: number,
  start_mt: number,
  alloc_flags: number,
): number {
  const min_order = fallbackMinOrder(order, alloc_flags);
  for (let o = MAX_PAGE_ORDER; o >= min_order; o--) {
    const f = find_suitable_fallback(z, o, start_mt);
    if (!f) continue;
    // orders too small to claim for this type: the rest of the search is the steal's
    if (!f.can_steal) break;
    const pfn = z.free_head[listIdx(o, f.fallback_mt)] as number;
    const got = try_to_claim_block(ctx, z, pfn, o, order, start_mt, alloc_flags);
    if (got >= 0) return got;
  }
  return -1;
}

/** __rmqueue_steal(), 6.18: the smallest fallback block, split in place; its pageblock keeps its type. */
function __rmqueue_steal(ctx: BuddyCtx, z: Zone, order: number, start_mt: number): number {
  // Stryker disable next-line EqualityOperator: __rmqueue_claim() has already claimed any fallback block of order >= pageblock_order
  for (let o = order; o <= MAX_PAGE_ORDER; o++) {
    const f = find_suitable_fallback(z, o, start_mt);
    if (!f) continue;
    const pfn = z.free_head[listIdx(o, f.fallback_mt)] as number;
    del_page_from_free_list(ctx, z, pfn, o);
    expand(ctx, z, pfn, order, o, f.fallback_mt);
    return pfn;
  }
  return -1;
}

/** __rmqueue() without CMA (6.1, and 6.18 by rmqueue_fallback): the request's own type, else a fallback. */
export function __rmqueue(
  ctx: BuddyCtx,
  z: Zone,
  order: number,
  mt: number,
  alloc_flags: number,
): number {
  if (ctx.rules.rmqueue_fallback === 'claim_or_steal') {
    const own = __rmqueue_smallest(ctx, z, order, mt);
    if (own >= 0) return own;
    const claimed = __rmqueue_claim(ctx, z, order, mt, alloc_flags);
    if (claimed >= 0 || alloc_flags & ALLOC_NOFRAGMENT) return claimed;
    return __rmqueue_steal(ctx, z, order, mt);
  }
  for (;;) {
    const pfn = __rmqueue_smallest(ctx, z, order, mt);
    if (pfn >= 0) return pfn;
    if (!__rmqueue_fallback(ctx, z, order, mt, alloc_flags)) return -1;
  }
}

/** The highatomic cap of reserve_highatomic_pageblock(); 0 means the zone never reserves (6.18 small zones). */
export function highatomic_cap(ctx: Pick<BuddyCtx, 'rules'>, z: Zone): number {
  const pct = Math.floor(z.managed_pages / 100);
  if (ctx.rules.reserve_highatomic_pageblock === 'managed_div_100_plus_block')
    return pct + pageblock_nr_pages;
  if (pct < pageblock_nr_pages) return 0;
  return Math.ceil(pct / pageblock_nr_pages) * pageblock_nr_pages;
}

/**
 * reserve_highatomic_pageblock(), 6.1: after a high-order atomic success,
 * retype the allocation's pageblock to HIGHATOMIC (and move its free pages)
 * while the zone holds fewer than its cap. 6.18 retypes the whole range of
 * an order >= pageblock_order allocation and counts 2^order.
 */
export function reserve_highatomic_pageblock(
  ctx: BuddyCtx,
  z: Zone,
  pfn: number,
  order: number,
): void {
  const max_managed = highatomic_cap(ctx, z);
  if (z.nr_reserved_highatomic >= max_managed) return;
  const a = ctx.pages;
  const mt = get_pageblock_migratetype(a, pfn);
  if (!migratetype_is_mergeable(mt)) return;
  if (ctx.rules.reserve_highatomic_pageblock === 'aligned_cap_whole_range') {
    // Stryker disable next-line EqualityOperator: at order 9 both ways retype the one (allocated) pageblock and count 512
    if (order >= pageblock_order) {
      change_pageblock_range(a, pfn, order, MIGRATE_HIGHATOMIC);
      z.nr_reserved_highatomic += 2 ** order;
      return;
    }
    // 6.18's move_freepages_block() refuses a pageblock not wholly in the zone
    if (!prep_move_freepages_block(a, z, pfn)) return;
  }
  z.nr_reserved_highatomic += pageblock_nr_pages;
  set_pageblock_migratetype(a, pfn, MIGRATE_HIGHATOMIC);
  move_freepages_block(ctx, z, pfn, MIGRATE_HIGHATOMIC);
}

/**
 * unreserve_highatomic_pageblock(), 6.1: in each zone up to
 * `highest_zoneidx` (a zone keeps its last block unless `force`), give the
 * first free highatomic block's pageblock back to `mt`. True when free
 * pages moved.
 */
export function unreserve_highatomic_pageblock(
  ctx: BuddyCtx,
  zones: readonly Zone[],
  zonelist: readonly number[],
  highest_zoneidx: number,
  mt: number,
  force: boolean,
): boolean {
  const a = ctx.pages;
  for (const zi of zonelist) {
    if (zi > highest_zoneidx) continue;
    const z = zones[zi] as Zone;
    if (!force && z.nr_reserved_highatomic <= pageblock_nr_pages) continue;
    for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
      const pfn = z.free_head[listIdx(order, MIGRATE_HIGHATOMIC)] as number;
      if (pfn < 0) continue;
      const v618 = ctx.rules.reserve_highatomic_pageblock === 'aligned_cap_whole_range';
      // Stryker disable next-line EqualityOperator: a free order-9 block is its whole pageblock, so both ways uncount 512 and move just that block
      const wholeRange = v618 && order >= pageblock_order;
      // 6.1 uncounts only a block still typed HIGHATOMIC; 6.18's lists agree with the types
      if (v618 || get_pageblock_migratetype(a, pfn) === MIGRATE_HIGHATOMIC) {
        const size = wholeRange ? 2 ** order : pageblock_nr_pages;
        z.nr_reserved_highatomic -= Math.min(size, z.nr_reserved_highatomic);
      }
      if (wholeRange) {
        change_pageblock_range(a, pfn, order, mt);
        move_to_free_list(ctx, z, pfn, order, mt);
        return true;
      }
      set_pageblock_migratetype(a, pfn, mt);
      if (move_freepages_block(ctx, z, pfn, mt).moved > 0) return true;
    }
  }
  return false;
}
