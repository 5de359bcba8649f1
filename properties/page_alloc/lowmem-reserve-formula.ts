/**
 * lowmem_reserve formula (I13): after every write of the reserve sysctls,
 * zone i keeps back from a request whose highest zone is j the managed
 * pages of zones i+1..j divided by its own ratio (0 for an empty zone or a
 * ratio of 0), truncating; so the reserve never falls as j rises.
 */
import type { PageAlloc, Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import { zoneViolation } from './spec.ts';

function check(pa: PageAlloc): Violation | null {
  const ratio = pa.sysctl.lowmem_reserve_ratio;
  for (const z of pa.zones) {
    const r = ratio[z.idx] as number;
    let sum = 0;
    // the formula's value only grows with j, so matching it at every j is the monotony too
    for (let j = z.idx + 1; j < pa.zones.length; j++) {
      sum += (pa.zones[j] as Zone).managed_pages;
      const expected = r > 0 && z.managed_pages > 0 ? Math.floor(sum / r) : 0;
      const got = z.lowmem_reserve[j] as number;
      if (got !== expected)
        return zoneViolation(
          pa,
          z,
          `lowmem_reserve[${j}] = ${got}, expected ${expected} (managed of zones ${z.idx + 1}..${j} = ${sum} / ratio ${r})`,
        );
    }
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/lowmem-reserve-formula',
  ref: 'I13',
  statement:
    'lowmem_reserve[j] of zone i = floor((managed[i+1] + ... + managed[j]) / lowmem_reserve_ratio[i]) when that ratio > 0 and zone i is managed, else 0 (setup_per_zone_lowmem_reserve, 5.4/6.1/6.18), hence non-decreasing in j; on one node it depends only on gfp_zone (BZ-31 needs two nodes: out of scope).',
  system: 'page-alloc',
  after: ['sysctl'],
  check: ({ state }) => check(state.pa),
  atEnd: (state) => check(state.pa),
  witness: ({ state, op }) =>
    // Stryker disable next-line ConditionalExpression: only a sysctl op has a name
    op.op === 'sysctl' &&
    op.name === 'lowmem_reserve_ratio' &&
    state.pa.zones.some((z) => z.lowmem_reserve.some((v) => v > 0)),
  catches: [{ mutant: 'reserve-upper-ratio' }, { mutant: 'reserve-rounding' }],
});
