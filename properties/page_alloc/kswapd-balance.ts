/**
 * kswapd reclaims by the kernel's balance predicate (I14): every
 * pgdat_balanced() answer kswapd acts on in a balance_pgdat round, or in a
 * sleep check that keeps it awake, equals "ANY managed eligible zone meets
 * its high watermark plus lowmem_reserve[hz]", never "all zones". The
 * checks that send it to sleep are page-alloc/kswapd-sleeps-balanced's
 * (kswapd-sleep.ts), which also allows a hopeless node.
 */
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { balancedExact } from './spec.ts';

function check(state: PageAllocState): Violation | null {
  if (state.last.kind !== 'kswapd') return null;
  for (const s of state.last.steps) {
    if (s.obs === null || s.what === 'sleep-short' || s.what === 'sleep-full') continue;
    const exact = balancedExact(s.obs);
    if (s.obs.balanced !== exact)
      return {
        subject: 'kswapd',
        message: `${s.what}: pgdat_balanced(order ${s.obs.order}, hz ${s.obs.highest_zoneidx}) = ${s.obs.balanced}, any-zone high check = ${exact}`,
        details: s.obs.zones.map(
          (z) =>
            `zone ${z.zone}: free ${z.free} - unusable ${z.unusable} vs high ${z.mark} + reserve ${z.reserve}`,
        ),
      };
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/kswapd-balance-any-zone',
  ref: 'I14',
  statement:
    'Each balance_pgdat round of kswapd, and each sleep check that keeps it awake, acts on pgdat_balanced(order, hz) = ANY managed zone i <= hz passes zone_watermark_ok_safe(i, order, high_wmark(i), hz) (boost included, flags 0), true when none is managed (5.4/6.1/6.18).',
  system: 'page-alloc',
  after: ['kswapd'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'kswapd' &&
    state.last.steps.some(
      (s) => s.obs?.balanced && s.obs.zones.some((z) => z.free - z.unusable <= z.mark + z.reserve),
    ),
  catches: [{ mutant: 'all-zones-balance' }],
});
