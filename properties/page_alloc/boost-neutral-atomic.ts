/**
 * Boost-neutral atomic allocations (I15, BZ-28): an order-0 GFP_ATOMIC
 * request fails only when no eligible zone passes the min check without
 * the boost; the watermark boost alone never makes it fail.
 */
import type { AllocResult } from '../../models/page_alloc/page_alloc.ts';
import type { Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { GFP_DIRECT_RECLAIM, specWatermarkOk, zoneViolation } from './spec.ts';

function isAtomicOrder0(state: PageAllocState, r: AllocResult): boolean {
  const atomic = state.pa.gfp.GFP_ATOMIC;
  return (
    r.order === 0 &&
    (r.gfp & atomic) === atomic &&
    !(r.gfp & GFP_DIRECT_RECLAIM) &&
    r.slow_flags >= 0
  );
}

function check(state: PageAllocState): Violation | null {
  if (state.last.kind !== 'alloc') return null;
  const pa = state.pa;
  for (const r of state.last.results) {
    // an injected failure (should_fail_alloc_page) never reaches the slowpath: not judged here
    if (r.pfn !== null || !isAtomicOrder0(state, r)) continue;
    for (const zi of pa.zonelist) {
      if (zi > r.highest_zoneidx) continue;
      const z = pa.zones[zi] as Zone;
      if (z.watermark_boost === 0) continue;
      const min = z._watermark[0] as number;
      if (specWatermarkOk(pa.rules, z, 0, min, r.highest_zoneidx, r.slow_flags, z.nr_free_pages))
        return zoneViolation(
          pa,
          z,
          `order-0 GFP_ATOMIC failed although free ${z.nr_free_pages} passes the unboosted min ${min} (boost ${z.watermark_boost})`,
        );
    }
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/boost-neutral-atomic',
  ref: 'I15',
  statement:
    'An order-0 GFP_ATOMIC allocation fails only if no zone up to gfp_zone passes __zone_watermark_ok at _watermark[WMARK_MIN] without watermark_boost, with its slowpath flags (f80b08fc4453: 5.4.80+, 6.1 via __GFP_ATOMIC; 6.18 via ALLOC_MIN_RESERVE).',
  system: 'page-alloc',
  after: ['alloc_pages'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'alloc' &&
    state.last.results.some(
      (r) =>
        r.won !== null &&
        isAtomicOrder0(state, r) &&
        // a fast-path win never reaches the slowpath, so isAtomicOrder0 has kept only slowpath wins
        r.won.boost > 0,
    ),
  catches: [{ mutant: 'boost-in-atomic-min', zoo: 'BZ-28' }],
});
