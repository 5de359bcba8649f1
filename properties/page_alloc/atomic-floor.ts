/**
 * Atomic floor (I12 for callers that cannot block; reclaim-and-gfp.md §5):
 * a request without __GFP_DIRECT_RECLAIM never takes a zone below the
 * fraction of min its gfp allows in this version.
 */
import type { AllocResult } from '../../models/page_alloc/page_alloc.ts';
import type { Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { atomicFloorMark, GFP_DIRECT_RECLAIM, zoneViolation } from './spec.ts';

function floorOf(state: PageAllocState, r: AllocResult): number | null {
  const w = r.won as NonNullable<AllocResult['won']>;
  const m = atomicFloorMark(state.pa.rules, w.watermark[0], w.boost, r.gfp, r.order);
  return m === null ? null : m + w.reserve;
}

function check(state: PageAllocState): Violation | null {
  if (state.last.kind !== 'alloc') return null;
  for (const r of state.last.results) {
    if (r.won === null || r.gfp & GFP_DIRECT_RECLAIM) continue;
    const floor = floorOf(state, r);
    // Stryker disable next-line ConditionalExpression: with no floor `after < null` reads `after < 0`, and a success leaves after >= 0
    if (floor === null) continue;
    const after = r.won.free - 2 ** r.order;
    if (after < floor)
      return zoneViolation(
        state.pa,
        state.pa.zones[r.zone] as Zone,
        `non-blocking order-${r.order} success left free ${after} < allowed ${floor} (reduced min + reserve ${r.won.reserve})`,
      );
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/atomic-floor',
  ref: 'I12',
  statement:
    "A request without __GFP_DIRECT_RECLAIM leaves free >= M' + lowmem_reserve_Z[gfp_zone], M' = (min + boost, or min alone for the order-0 boost exemption) reduced as its gfp allows: __GFP_HIGH x-=x/2, then (6.1+: non-blocking; 5.4: __GFP_ATOMIC) x-=x/4 when not __GFP_NOMEMALLOC; GFP_NOWAIT keeps 100% (5.4, 6.1, 6.18).",
  system: 'page-alloc',
  after: ['alloc_pages'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'alloc' &&
    state.last.results.some((r) => {
      if (r.won === null || r.gfp & GFP_DIRECT_RECLAIM) return false;
      const floor = floorOf(state, r);
      // it went below plain min + reserve, into the reserve its flags grant
      return floor !== null && r.won.free - 2 ** r.order < r.won.watermark[0] + r.won.reserve;
    }),
  catches: [{ mutant: 'atomic-oom-cut' }],
});
