/**
 * kswapd backs off (I14, BZ-34): once kswapd_failures reaches
 * MAX_RECLAIM_RETRIES (16) kswapd starts no further balance_pgdat pass
 * until some reclaim makes progress (which resets the count), and no
 * direct reclaimer is throttled on a node whose kswapd has given up.
 */
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';

function check(state: PageAllocState): Violation | null {
  const last = state.last;
  const details = [
    `kswapd ${state.pa.pgdat.kswapd.position}, failures ${state.pa.pgdat.kswapd_failures}`,
  ];
  if (last.kind === 'kswapd') {
    for (const s of last.steps)
      if (s.what === 'K3' && s.kswapd_failures >= 16)
        return {
          subject: 'kswapd',
          message: `balance_pgdat pass started with kswapd_failures ${s.kswapd_failures} >= 16: kswapd spins on a hopeless node`,
          details,
        };
  }
  if (last.kind === 'alloc')
    for (const r of last.results)
      for (const e of r.events) {
        // Stryker disable next-line ConditionalExpression: only throttle events carry kswapd_failures
        if (e.kind !== 'throttle') continue;
        if (e.kswapd_failures >= 16)
          return {
            subject: 'pfmemalloc_wait',
            message: `direct reclaimer throttled with kswapd_failures ${e.kswapd_failures} >= 16: nobody will wake it`,
            details,
          };
      }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/kswapd-backs-off',
  ref: 'I14',
  statement:
    'With kswapd_failures >= MAX_RECLAIM_RETRIES (16) kswapd starts no balance_pgdat pass (prepare_kswapd_sleep lets it sleep, wakeup_kswapd ignores it) and allow_direct_reclaim() never throttles a reclaimer (c73322d098e4; the 2017 throttle fix; 5.4/6.1/6.18).',
  system: 'page-alloc',
  after: ['kswapd', 'alloc_pages', 'filemap_add_folio'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'kswapd' &&
    state.last.steps.some((s) => s.what === 'sleep-full' && s.kswapd_failures >= 16),
  catches: [
    { mutant: 'kswapd-never-backs-off', zoo: 'BZ-34' },
    { mutant: 'throttle-ignores-backoff', zoo: 'BZ-34' },
  ],
});
