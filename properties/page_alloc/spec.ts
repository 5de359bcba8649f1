/**
 * The page-allocator predicates as page-alloc.md §8 and reclaim-and-gfp.md
 * §5 state them, written again here from the spec (not imported from the
 * models), so a property compares the model with the kernel's rule and a
 * variant that breaks the model cannot also break the yardstick. Version
 * differences key on the rule set's id ('5.4', '6.1.0', '6.1', '6.18').
 */
import type { PageAllocRules } from '../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../models/page_alloc/state.ts';
import type { BalanceObs } from '../../models/vmscan/kswapd.ts';
import type { Violation } from '../property.ts';

/** alloc_flags bits (mm/internal.h). */
export const F_OOM = 0x08;
export const F_NON_BLOCK = 0x10; // ALLOC_HARDER in 5.4
export const F_MIN_RESERVE = 0x20; // ALLOC_HIGH in 5.4
export const F_HIGHATOMIC = 0x200;
/** gfp bits (gfp_types.h). */
export const GFP_HIGH = 0x20;
export const GFP_ATOMIC_BIT = 0x200;
export const GFP_DIRECT_RECLAIM = 0x400;
export const GFP_KSWAPD_RECLAIM = 0x800;
export const GFP_MEMALLOC = 0x20000;
export const GFP_NOMEMALLOC = 0x80000;
export const MIGRATE_HIGHATOMIC = 3;
export const MIGRATE_TYPES = 4;
export const MAX_ORDER_INCL = 10;

/** Whether the version grants reserves through ALLOC_HARDER (5.4, 6.1.0) rather than ALLOC_NON_BLOCK. */
function harder(rules: PageAllocRules): boolean {
  return rules.id === '5.4' || rules.id === '6.1.0';
}

/** The highatomic pages a non-reserve caller may not count: reserved blocks (<= 6.1), free highatomic pages (6.12+). */
export function highatomicTerm(rules: PageAllocRules, z: Zone): number {
  return rules.id === '6.18'
    ? (z.nr_free_mt[MIGRATE_HIGHATOMIC] as number)
    : z.nr_reserved_highatomic;
}

/** Whether `flags` carry a reserve bit (5.4: HARDER or OOM; later: ALLOC_RESERVES). */
export function hasReserves(rules: PageAllocRules, flags: number): boolean {
  if (harder(rules)) return (flags & (F_NON_BLOCK | F_OOM)) !== 0;
  return (flags & (F_NON_BLOCK | F_MIN_RESERVE | F_HIGHATOMIC | F_OOM)) !== 0;
}

/** x -= x/2: what is left is the ceiling of half. */
function half(x: number): number {
  return x - Math.floor(x / 2);
}

/** x -= x/4. */
function threeQuarters(x: number): number {
  return x - Math.floor(x / 4);
}

/** The mark after the caller's reductions, §8 step 2 (x -= x/2 leaves the ceiling). */
export function specReducedMark(rules: PageAllocRules, mark: number, flags: number): number {
  let m = mark;
  if (harder(rules)) {
    if (flags & F_MIN_RESERVE) m = half(m);
    if (flags & F_OOM) m = half(m);
    else if (flags & F_NON_BLOCK) m = threeQuarters(m);
    return m;
  }
  // Stryker disable next-line ConditionalExpression: without reserve flags no reduction below applies either
  if (!hasReserves(rules, flags)) return m;
  if (flags & F_MIN_RESERVE) {
    m = half(m);
    if (flags & F_NON_BLOCK) m = threeQuarters(m);
  }
  if (flags & F_OOM) m = half(m);
  return m;
}

/**
 * __zone_watermark_ok() as §8 states it: signed free minus (2^order - 1)
 * minus the highatomic term (unless reserves) must be strictly above the
 * reduced mark plus lowmem_reserve[hz]; order > 0 also needs a free block
 * of a mergeable type at or above the order (highatomic with
 * HIGHATOMIC/OOM, 5.4: HARDER/OOM).
 */
export function specWatermarkOk(
  rules: PageAllocRules,
  z: Zone,
  order: number,
  mark: number,
  hz: number,
  flags: number,
  free: number,
): boolean {
  let f = free - (2 ** order - 1);
  if (!hasReserves(rules, flags)) f -= highatomicTerm(rules, z);
  if (f <= specReducedMark(rules, mark, flags) + (z.lowmem_reserve[hz] as number)) return false;
  if (order === 0) return true;
  const ha = harder(rules)
    ? (flags & (F_NON_BLOCK | F_OOM)) !== 0
    : (flags & (F_HIGHATOMIC | F_OOM)) !== 0;
  for (let o = order; o <= MAX_ORDER_INCL; o++)
    // Stryker disable next-line EqualityOperator: `<=` also reads the next order's first list, which the loop reads next anyway
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      if (mt === MIGRATE_HIGHATOMIC && !ha) continue;
      if ((z.free_head[o * MIGRATE_TYPES + mt] as number) >= 0) return true;
    }
  return false;
}

/**
 * The mark a non-blocking caller may go down to (reclaim-and-gfp.md §5,
 * order 0 and up): min (with boost, or without it when the boost exemption
 * applies) reduced by the flags its gfp gives in this version. Null for
 * callers with no watermark at all (__GFP_MEMALLOC).
 */
export function atomicFloorMark(
  rules: PageAllocRules,
  minRaw: number,
  boost: number,
  gfp: number,
  order: number,
): number | null {
  if (gfp & GFP_MEMALLOC && !(gfp & GFP_NOMEMALLOC)) return null;
  let flags = 0;
  if (gfp & GFP_HIGH) flags |= F_MIN_RESERVE;
  if (harder(rules)) {
    if (gfp & GFP_ATOMIC_BIT && !(gfp & GFP_NOMEMALLOC)) flags |= F_NON_BLOCK;
  } else if (!(gfp & GFP_NOMEMALLOC)) flags |= F_NON_BLOCK;
  const exempt =
    order === 0 &&
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the exemption only drops the boost; with boost 0 there is none to drop
    boost > 0 &&
    (rules.id === '6.18' ? (gfp & GFP_HIGH) !== 0 : (gfp & GFP_ATOMIC_BIT) !== 0);
  const min = minRaw + (exempt ? 0 : boost);
  return specReducedMark(rules, min, flags);
}

/** pgdat_balanced() re-evaluated on its recorded observation: ANY zone passes at high with flags 0. */
export function balancedExact(obs: BalanceObs): boolean {
  if (obs.zones.length === 0) return true;
  return obs.zones.some(
    (z) => z.free - z.unusable > z.mark + z.reserve && (obs.order === 0 || z.hasBlock),
  );
}

function kb(pages: number): string {
  return `${pages * 4}kB`;
}

/** A zone's state as violation details (show_mem style, kB). */
export function zoneDetails(pa: PageAlloc, z: Zone): string[] {
  const w = z._watermark;
  return [
    `${z.name} free:${kb(z.nr_free_pages)} boost:${kb(z.watermark_boost)} managed:${kb(z.managed_pages)}`,
    `  min:${kb(w[0] as number)} low:${kb(w[1] as number)} high:${kb(w[2] as number)}`,
    `  lowmem_reserve[]: ${z.lowmem_reserve.join(' ')} highatomic:${kb(z.nr_reserved_highatomic)}`,
    `  kswapd ${pa.pgdat.kswapd.position}, failures ${pa.pgdat.kswapd_failures}`,
  ];
}

/** A violation about zone `z`. */
export function zoneViolation(pa: PageAlloc, z: Zone, message: string): Violation {
  return { subject: `zone ${z.name}`, message, details: zoneDetails(pa, z) };
}
