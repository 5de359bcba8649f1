/**
 * Reserve floor (I12 for blocking callers; page-alloc.md §13): a
 * successful allocation by a caller that may reclaim and has no reserve
 * (no __GFP_HIGH, no __GFP_MEMALLOC, not an OOM victim) leaves its zone at
 * or above the mark its attempt used plus the request's lowmem_reserve plus
 * the highatomic term.
 */
import type { AllocResult } from '../../models/page_alloc/page_alloc.ts';
import type { PageAllocRules } from '../../models/page_alloc/rules.ts';
import type { Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { GFP_DIRECT_RECLAIM, GFP_HIGH, GFP_MEMALLOC, zoneViolation } from './spec.ts';

/** A result that won a watermark check (and so has its pages). */
export type Won = AllocResult & { readonly won: NonNullable<AllocResult['won']> };

/** Whether `r` is a blocking, reserve-less success this property covers. */
export function covered(r: AllocResult): r is Won {
  return (
    r.won !== null &&
    (r.gfp & GFP_DIRECT_RECLAIM) !== 0 &&
    (r.gfp & (GFP_HIGH | GFP_MEMALLOC)) === 0 &&
    !r.oom_victim
  );
}

/** The floor the kernel guarantees after the successful check of `r` (free after >= floor). */
export function reserveFloor(rules: PageAllocRules, r: AllocResult): number {
  const w = r.won as NonNullable<AllocResult['won']>;
  // the fast path checks low, the OOM path high, every other attempt min; all with the boost
  const idx = w.stage === 'fast' ? 1 : w.stage === 'oom' ? 2 : 0;
  const mark = (w.watermark[idx] as number) + w.boost;
  // 5.4's order-0 fast path does not subtract the highatomic reserve
  const ht =
    rules.id === '5.4' && r.order === 0
      ? 0
      : rules.id === '6.18'
        ? w.nr_free_highatomic
        : w.nr_reserved_highatomic;
  return mark + w.reserve + ht;
}

function check(state: PageAllocState): Violation | null {
  if (state.last.kind !== 'alloc') return null;
  const pa = state.pa;
  for (const r of state.last.results) {
    if (!covered(r)) continue;
    const w = r.won as NonNullable<AllocResult['won']>;
    const after = w.free - 2 ** r.order;
    const floor = reserveFloor(pa.rules, r);
    if (after < floor)
      return zoneViolation(
        pa,
        pa.zones[r.zone] as Zone,
        `order-${r.order} ${w.stage} success left free ${after} < floor ${floor} (mark+boost, reserve ${w.reserve}, highatomic)`,
      );
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/reserve-floor',
  ref: 'I12',
  statement:
    'A blocking caller without reserves (no __GFP_HIGH/MEMALLOC, not an OOM victim) that gets 2^order pages from zone Z leaves free >= wmark(Z) + boost + lowmem_reserve_Z[gfp_zone] + highatomic (reserved blocks <= 6.1, free highatomic 6.18; 5.4 order 0: none), wmark = low on the fast path, high on the OOM attempt, min otherwise.',
  system: 'page-alloc',
  after: ['alloc_pages', 'filemap_add_folio'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'alloc' &&
    state.last.results.some(
      (r) =>
        covered(r) &&
        r.won.stage !== 'fast' &&
        r.won.free - 2 ** r.order - reserveFloor(state.pa.rules, r) < 2 ** r.order + 64,
    ),
  catches: [{ mutant: 'classzone-own-zone' }],
});
