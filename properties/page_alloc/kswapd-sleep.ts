/**
 * kswapd sleeps only when balanced (I14): every decision to sleep (short
 * or full) is taken on a hopeless node (kswapd_failures >= 16) or on one
 * where pgdat_balanced() for the order and zone kswapd was asked for holds
 * by the kernel's any-zone high-watermark predicate.
 */
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { balancedExact } from './spec.ts';

function check(state: PageAllocState): Violation | null {
  if (state.last.kind !== 'kswapd') return null;
  for (const s of state.last.steps) {
    if (s.what !== 'sleep-short' && s.what !== 'sleep-full') continue;
    if (s.obs === null) {
      if (s.kswapd_failures >= 16) continue;
      return {
        subject: 'kswapd',
        message: `${s.what} without a balance check (failures ${s.kswapd_failures})`,
      };
    }
    if (!balancedExact(s.obs))
      return {
        subject: 'kswapd',
        message: `${s.what} while no zone up to ${s.highest_zoneidx} meets high + lowmem_reserve at order ${s.order}`,
        details: s.obs.zones.map(
          (z) =>
            `zone ${z.zone}: free ${z.free} - unusable ${z.unusable} vs high ${z.mark} + reserve ${z.reserve}`,
        ),
      };
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/kswapd-sleeps-balanced',
  ref: 'I14',
  statement:
    'kswapd goes to sleep (short or full) only if kswapd_failures >= 16 or some managed zone i <= its highest_zoneidx has free - unusable > high_wmark(i) + lowmem_reserve_i[highest_zoneidx] (with a free block >= its order) (prepare_kswapd_sleep, 5.4/6.1/6.18).',
  system: 'page-alloc',
  after: ['kswapd'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'kswapd' &&
    state.last.steps.some((s) => s.what === 'sleep-full' && s.obs !== null),
  catches: [{ mutant: 'kswapd-sleep-zone-dma' }],
});
