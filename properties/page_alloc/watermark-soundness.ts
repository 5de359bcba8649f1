/**
 * Watermark check soundness (I12): the __zone_watermark_ok() in use agrees
 * with page-alloc.md §8's predicate, in signed arithmetic, at the request's
 * order, flags and reserve index, around every boundary of the zone's
 * current state; so it is monotone in free pages (less free never turns a
 * failure into a pass).
 */
import type { AllocResult } from '../../models/page_alloc/page_alloc.ts';
import type { PageAlloc, Zone } from '../../models/page_alloc/state.ts';
import type { PageAllocOp } from '../../src/systems/page_alloc/ops.ts';
import type { PageAllocState } from '../../src/systems/page_alloc/system.ts';
import { property, type Violation } from '../property.ts';
import {
  hasReserves,
  highatomicTerm,
  specReducedMark,
  specWatermarkOk,
  zoneViolation,
} from './spec.ts';

/** Free counts worth probing: the state's own, and each side of every boundary of the predicate. */
function probes(
  pa: PageAlloc,
  z: Zone,
  order: number,
  mark: number,
  hz: number,
  flags: number,
): number[] {
  const unusable =
    2 ** order - 1 + (hasReserves(pa.rules, flags) ? 0 : highatomicTerm(pa.rules, z));
  const edge = specReducedMark(pa.rules, mark, flags) + (z.lowmem_reserve[hz] as number) + unusable;
  const out = [z.nr_free_pages, edge, edge + 1, 0];
  // free below the unusable pages: the signed difference goes negative
  if (unusable > 0) out.push(unusable - 1);
  return out;
}

function checkZone(
  pa: PageAlloc,
  z: Zone,
  order: number,
  hz: number,
  flags: number,
): Violation | null {
  const mark = (z._watermark[0] as number) + z.watermark_boost;
  // the spec's predicate is monotone in free, so agreeing with it at every probe is the monotony
  for (const f of probes(pa, z, order, mark, hz, flags).sort((a, b) => a - b)) {
    const model = pa.fns.__zone_watermark_ok(pa, z, order, mark, hz, flags, f);
    const spec = specWatermarkOk(pa.rules, z, order, mark, hz, flags, f);
    if (model !== spec)
      return zoneViolation(
        pa,
        z,
        `__zone_watermark_ok(order ${order}, mark ${mark}, hz ${hz}, flags 0x${flags.toString(16)}, free ${f}) = ${model}, spec says ${spec}`,
      );
  }
  return null;
}

function check(state: PageAllocState): Violation | null {
  if (state.last.kind !== 'alloc') return null;
  const pa = state.pa;
  // a burst repeats one request on the zones as they are now: its last result stands for all
  const results = state.last.results as AllocResult[];
  for (const r of results.slice(-1)) {
    // Stryker disable next-line ConditionalExpression: with highest_zoneidx -1 every zone is skipped below anyway
    if (r.highest_zoneidx < 0) continue;
    // Stryker disable next-line EqualityOperator: slow flags 0 add a second check with flags 0, the same check (the opposite `<` is killed)
    const flagSets = r.slow_flags >= 0 ? [0, r.slow_flags] : [0];
    for (const zi of pa.zonelist) {
      if (zi > r.highest_zoneidx) continue;
      for (const flags of flagSets) {
        const v = checkZone(pa, pa.zones[zi] as Zone, r.order, r.highest_zoneidx, flags);
        if (v) return v;
      }
    }
  }
  return null;
}

export default property<PageAllocState, PageAllocOp>({
  id: 'page-alloc/watermark-soundness',
  ref: 'I12',
  statement:
    '__zone_watermark_ok(z, order, mark, hz, flags, free) is true iff free - (2^order - 1) - highatomic (unless reserve flags) > mark reduced by the flags + lowmem_reserve[hz] in signed arithmetic and, for order > 0, a usable free list at or above order is non-empty; hence monotone in free (5.4, 6.1, 6.18 terms per page-alloc.md §8).',
  system: 'page-alloc',
  after: ['alloc_pages'],
  check: ({ state }) => check(state),
  witness: ({ state }) =>
    state.last.kind === 'alloc' &&
    state.last.results.some(
      (r) => r.order > 0 || state.pa.zones.some((z) => z.nr_reserved_highatomic > 0),
    ),
  catches: [{ mutant: 'unsigned-free' }],
});
