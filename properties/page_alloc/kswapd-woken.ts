/**
 * kswapd is woken (I14): an allocation that reaches the slowpath with
 * __GFP_KSWAPD_RECLAIM calls wakeup_kswapd() on its first managed zone
 * with its order and gfp_zone; the request is recorded (zone index max,
 * order max) even when kswapd is not woken; and a sleeping kswapd is woken
 * unless the node is hopeless (16 failures) or balanced and unboosted.
 */
import type { AllocResult } from '../../models/page_alloc/page_alloc.ts';
import type { PageAlloc, Zone } from '../../models/page_alloc/state.ts';
import type { KswapdWake } from '../../models/vmscan/kswapd.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { balancedExact, GFP_KSWAPD_RECLAIM } from './spec.ts';

const SENTINEL = 5;

function subject(pa: PageAlloc): Violation['details'] {
  const p = pa.pgdat;
  return [
    `kswapd ${p.kswapd.position} at ${p.kswapd.pc}, failures ${p.kswapd_failures}`,
    `request: order ${p.kswapd_order}, zone ${p.kswapd_highest_zoneidx === SENTINEL ? 'unset' : p.kswapd_highest_zoneidx}`,
  ];
}

function checkWake(pa: PageAlloc, w: KswapdWake): Violation | null {
  if (w.why === 'unmanaged') return null;
  const expected =
    w.position !== 'running' &&
    w.kswapd_failures < 16 &&
    !(w.obs !== null && balancedExact(w.obs) && !w.boosted);
  if (w.obs !== null && w.obs.balanced !== balancedExact(w.obs))
    return {
      subject: 'kswapd',
      message: `wakeup_kswapd saw pgdat_balanced(order ${w.order}, hz ${w.highest_zoneidx}) = ${w.obs.balanced}, the any-zone high check says ${!w.obs.balanced}`,
      details: subject(pa),
    };
  if (w.woken !== expected)
    return {
      subject: 'kswapd',
      message: `wakeup_kswapd(order ${w.order}, hz ${w.highest_zoneidx}) from ${w.position}: woken ${w.woken}, expected ${expected}`,
      details: subject(pa),
    };
  return null;
}

function check(state: PageAllocState): Violation | null {
  if (state.last.kind !== 'alloc') return null;
  const pa = state.pa;
  for (const r of state.last.results as AllocResult[]) {
    for (const e of r.events)
      if (e.kind === 'wakeup_kswapd') {
        const v = checkWake(pa, e.wake);
        if (v) return v;
      }
    // Stryker disable next-line EqualityOperator: with __GFP_KSWAPD_RECLAIM the slowpath flags hold ALLOC_KSWAPD, never 0
    if (r.slow_flags < 0 || !(r.gfp & GFP_KSWAPD_RECLAIM)) continue;
    const first = pa.zonelist.find(
      (zi) => zi <= r.highest_zoneidx && (pa.zones[zi] as Zone).managed_pages > 0,
    );
    if (first === undefined) continue;
    const woke = r.events.some(
      (e) =>
        e.kind === 'wakeup_kswapd' &&
        e.wake.zone === first &&
        e.wake.highest_zoneidx === r.highest_zoneidx &&
        e.wake.order === r.order,
    );
    if (!woke)
      return {
        subject: 'kswapd',
        message: `slowpath of order-${r.order} request (hz ${r.highest_zoneidx}) never called wakeup_kswapd`,
        details: subject(pa),
      };
    const p = pa.pgdat;
    if (
      p.kswapd_highest_zoneidx === SENTINEL ||
      p.kswapd_highest_zoneidx < r.highest_zoneidx ||
      p.kswapd_order < r.order
    )
      return {
        subject: 'kswapd',
        message: `order-${r.order} request for hz ${r.highest_zoneidx} not recorded in kswapd_order/kswapd_highest_zoneidx`,
        details: subject(pa),
      };
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/kswapd-woken',
  ref: 'I14',
  statement:
    'A slowpath entry with __GFP_KSWAPD_RECLAIM calls wakeup_kswapd(first managed zone, order, gfp_zone), which records kswapd_highest_zoneidx = max and kswapd_order = max even when it does not wake, and wakes a sleeping kswapd unless kswapd_failures >= 16 or (pgdat_balanced(order, hz) and no boost) (5.4, 6.1, 6.18).',
  system: 'page-alloc',
  after: ['alloc_pages', 'filemap_add_folio'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'alloc' &&
    state.last.results.some((r) =>
      r.events.some((e) => e.kind === 'wakeup_kswapd' && e.wake.why === 'running'),
    ),
  catches: [{ mutant: 'kswapd-wake-no-record' }],
});
