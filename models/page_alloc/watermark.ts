/**
 * mm/page_alloc.c (6.1; 5.4 and 6.18 as rules): the watermark checks and
 * the watermark boost.
 *
 * Models: __zone_watermark_unusable_free(), __zone_watermark_ok(),
 * zone_watermark_fast() with the atomic boost exemption, zone_watermark_ok(),
 * zone_watermark_ok_safe(), boost_watermark().
 * All arithmetic is signed: free may go negative after the unusable pages
 * are subtracted, and the comparison is strict (free == min + reserve fails).
 * Left out: CMA pages (none), unaccepted memory, the per-cpu counter drift
 * (zone_watermark_ok_safe() is exact here, so it equals zone_watermark_ok()).
 * Context: any; never sleeps.
 */
import {
  ALLOC_HIGHATOMIC,
  ALLOC_MIN_RESERVE,
  ALLOC_NON_BLOCK,
  ALLOC_OOM,
  ALLOC_RESERVES,
  ALLOC_WMARK_MASK,
  ALLOC_WMARK_MIN,
} from './alloc_flags.ts';
import { __GFP_ATOMIC } from './gfp.ts';
import {
  MAX_PAGE_ORDER,
  MIGRATE_HIGHATOMIC,
  MIGRATE_PCPTYPES,
  MIGRATE_TYPES,
  pageblock_nr_pages,
} from './pages.ts';
import type { PageAllocRules } from './rules.ts';
import type { PageAlloc, Zone } from './state.ts';
import { mult_frac } from './watermark_setup.ts';
import { WMARK_HIGH, WMARK_MIN } from './zone.ts';

/** What the checks need of the allocator. */
export type WatermarkCtx = Pick<PageAlloc, 'rules' | 'fns'>;

/**
 * __zone_watermark_unusable_free(), 6.1: the pages a request cannot count,
 * 2^order - 1 plus, for callers without reserve flags, the highatomic
 * reserve (6.1: reserved blocks, free or not; 6.12+: free highatomic pages).
 */
export function __zone_watermark_unusable_free(
  rules: PageAllocRules,
  z: Zone,
  order: number,
  alloc_flags: number,
): number {
  let unusable = 2 ** order - 1;
  const reserves =
    rules.alloc_flags === 'non_block'
      ? alloc_flags & ALLOC_RESERVES
      : alloc_flags & (ALLOC_NON_BLOCK | ALLOC_OOM); // ALLOC_HARDER | ALLOC_OOM
  if (!reserves)
    unusable +=
      rules.unusable_highatomic === 'nr_free_highatomic'
        ? (z.nr_free_mt[MIGRATE_HIGHATOMIC] as number)
        : z.nr_reserved_highatomic;
  return unusable;
}

/** The mark after the caller's reductions (x -= x/2 etc.; the `min` of __zone_watermark_ok()). */
export function reducedMark(rules: PageAllocRules, mark: number, alloc_flags: number): number {
  let min = mark;
  if (rules.alloc_flags === 'non_block') {
    // Stryker disable next-line ConditionalExpression: every flag tested inside is in ALLOC_RESERVES (the kernel's fast path)
    if (alloc_flags & ALLOC_RESERVES) {
      if (alloc_flags & ALLOC_MIN_RESERVE) {
        min -= Math.floor(min / 2);
        if (alloc_flags & ALLOC_NON_BLOCK) min -= Math.floor(min / 4);
      }
      if (alloc_flags & ALLOC_OOM) min -= Math.floor(min / 2);
    }
  } else {
    // 5.4 / 6.1.0: ALLOC_HIGH halves; then ALLOC_OOM halves, else ALLOC_HARDER takes a quarter
    if (alloc_flags & ALLOC_MIN_RESERVE) min -= Math.floor(min / 2);
    if (alloc_flags & ALLOC_OOM) min -= Math.floor(min / 2);
    else if (alloc_flags & ALLOC_NON_BLOCK) min -= Math.floor(min / 4);
  }
  return min;
}

/** Whether the caller may take from the highatomic free lists in the high-order test. */
function mayUseHighatomic(rules: PageAllocRules, alloc_flags: number): boolean {
  if (rules.alloc_flags === 'non_block')
    return (alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) !== 0;
  return (alloc_flags & (ALLOC_NON_BLOCK | ALLOC_OOM)) !== 0;
}

/**
 * __zone_watermark_ok(), 6.1: passes when free minus the unusable pages is
 * strictly above the reduced mark plus lowmem_reserve[highest_zoneidx], and,
 * for order > 0, some free list of order >= `order` of a usable type is
 * non-empty.
 */
export function __zone_watermark_ok(
  ctx: WatermarkCtx,
  z: Zone,
  order: number,
  mark: number,
  highest_zoneidx: number,
  alloc_flags: number,
  free_pages: number,
): boolean {
  const rules = ctx.rules;
  const free = free_pages - __zone_watermark_unusable_free(rules, z, order, alloc_flags);
  const min = reducedMark(rules, mark, alloc_flags);
  if (free <= min + (z.lowmem_reserve[highest_zoneidx] ?? 0)) return false;
  if (order === 0) return true;
  const highatomic = mayUseHighatomic(rules, alloc_flags);
  for (let o = order; o <= MAX_PAGE_ORDER; o++) {
    // Stryker disable next-line ConditionalExpression: an order with no free page has every list empty (the kernel's shortcut)
    if (z.nr_free[o] === 0) continue;
    const base = o * MIGRATE_TYPES;
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++)
      if ((z.free_head[base + mt] as number) >= 0) return true;
    // with four migrate types (no ISOLATE), a non-empty order whose three lists are empty has
    // its block on the highatomic list
    // Stryker disable next-line ConditionalExpression: see above
    if (highatomic && (z.free_head[base + MIGRATE_HIGHATOMIC] as number) >= 0) return true;
  }
  return false;
}

/** Whether a request qualifies for the unboosted retry at WMARK_MIN (f80b08fc4453). */
function boostExempt(rules: PageAllocRules, alloc_flags: number, gfp: number): boolean {
  return rules.boost_exemption === 'gfp_atomic'
    ? (gfp & __GFP_ATOMIC) !== 0
    : rules.boost_exemption === 'alloc_min_reserve' && (alloc_flags & ALLOC_MIN_RESERVE) !== 0;
}

/**
 * zone_watermark_fast(), 6.1: an order-0 shortcut on the raw mark, then
 * __zone_watermark_ok(), then, for qualifying order-0 requests at
 * WMARK_MIN in a boosted zone, a retry at the unboosted min.
 */
export function zone_watermark_fast(
  ctx: WatermarkCtx,
  z: Zone,
  order: number,
  mark: number,
  highest_zoneidx: number,
  alloc_flags: number,
  gfp: number,
): boolean {
  const rules = ctx.rules;
  const free = z.nr_free_pages;
  const reserve = z.lowmem_reserve[highest_zoneidx] ?? 0;
  if (order === 0) {
    if (rules.zone_watermark_fast_order0 === 'subtracts_unusable') {
      const unusable = __zone_watermark_unusable_free(rules, z, 0, alloc_flags);
      // clamped at zero: the reserve may over-estimate
      if (free - Math.min(free, unusable) > mark + reserve) return true;
    } else if (free > mark + reserve) return true;
  }
  if (ctx.fns.__zone_watermark_ok(ctx, z, order, mark, highest_zoneidx, alloc_flags, free))
    return true;
  if (
    order === 0 &&
    z.watermark_boost !== 0 &&
    (alloc_flags & ALLOC_WMARK_MASK) === ALLOC_WMARK_MIN &&
    boostExempt(rules, alloc_flags, gfp)
  )
    return ctx.fns.__zone_watermark_ok(
      ctx,
      z,
      order,
      z._watermark[WMARK_MIN] ?? 0,
      highest_zoneidx,
      alloc_flags,
      free,
    );
  return false;
}

/** zone_watermark_ok(), 6.1: __zone_watermark_ok() on NR_FREE_PAGES. */
export function zone_watermark_ok(
  ctx: WatermarkCtx,
  z: Zone,
  order: number,
  mark: number,
  highest_zoneidx: number,
  alloc_flags: number,
): boolean {
  return ctx.fns.__zone_watermark_ok(
    ctx,
    z,
    order,
    mark,
    highest_zoneidx,
    alloc_flags,
    z.nr_free_pages,
  );
}

/** zone_watermark_ok_safe(), 6.1: flags 0 on an exact free count (exact here anyway). */
export function zone_watermark_ok_safe(
  ctx: WatermarkCtx,
  z: Zone,
  order: number,
  mark: number,
  highest_zoneidx: number,
): boolean {
  return ctx.fns.__zone_watermark_ok(ctx, z, order, mark, highest_zoneidx, 0, z.nr_free_pages);
}

/**
 * boost_watermark(), 6.1: after a fragmenting fallback, raise the boost by
 * a pageblock up to factor/10000 of the unboosted high watermark (at least
 * a pageblock). False when boosting is off or the zone too small.
 */
export function boost_watermark(z: Zone, watermark_boost_factor: number): boolean {
  // Stryker disable next-line ConditionalExpression: a factor of 0 gives max_boost 0, refused below (the sysctl refuses a negative one)
  if (!watermark_boost_factor) return false;
  if (pageblock_nr_pages * 4 > z.managed_pages) return false;
  let max_boost = mult_frac(z._watermark[WMARK_HIGH] ?? 0, watermark_boost_factor, 10000);
  if (!max_boost) return false;
  max_boost = Math.max(pageblock_nr_pages, max_boost);
  z.watermark_boost = Math.min(z.watermark_boost + pageblock_nr_pages, max_boost);
  return true;
}
