/**
 * page-alloc/atomic-floor (I12, reclaim-and-gfp.md §5) on recorded
 * allocations: a non-blocking success may go down to its reduced min plus
 * lowmem_reserve and no further; a __GFP_MEMALLOC caller has no watermark at
 * all, so it is never judged.
 */
import { describe, expect, it } from 'vitest';
import type { AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import prop from '../../../../properties/page_alloc/atomic-floor.ts';
import { GFP_MEMALLOC } from '../../../../properties/page_alloc/spec.ts';
import type { PageAllocState } from '../../../../src/systems/page_alloc/system.ts';
import { booted, ctx, drainDma32 } from '../../fixtures/page-alloc.ts';

const op = drainDma32[0] as (typeof drainDma32)[number];

/** The drained state and its first success that came through the slowpath. */
function slowSuccess(): { s: PageAllocState; r: AllocResult } {
  const s = booted(drainDma32);
  if (s.last.kind !== 'alloc') throw new Error('no allocation');
  const r = s.last.results.find((x) => x.pfn !== null && x.slow_flags >= 0);
  if (!r?.won) throw new Error('no slowpath success');
  return { s, r };
}

function checkAs(s: PageAllocState, r: AllocResult) {
  s.last = { kind: 'alloc', results: [r] };
  return prop.check?.(ctx(s, op)) ?? null;
}

describe('atomic-floor', () => {
  it('holds on the GFP_ATOMIC drain', () => {
    const { s } = slowSuccess();
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('says nothing about a step that allocated nothing', () => {
    const s = booted();
    s.last = { kind: 'sysctl', ret: 0 };
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('GFP_ATOMIC taking DMA32 to 0 free pages is below its floor; with __GFP_MEMALLOC it is allowed', () => {
    const { s, r } = slowSuccess();
    const won = r.won as NonNullable<AllocResult['won']>;
    // min 416, GFP_ATOMIC: 416 -> 208 -> 156; DMA32 keeps no lowmem_reserve for itself
    expect([won.watermark[0], won.reserve, won.boost]).toEqual([416, 0, 0]);
    const emptied = { ...r, won: { ...won, free: 1 } };
    expect(checkAs(s, emptied)?.message).toBe(
      'non-blocking order-0 success left free 0 < allowed 156 (reduced min + reserve 0)',
    );
    expect(checkAs(s, { ...emptied, gfp: r.gfp | GFP_MEMALLOC })).toBeNull();
  });
});
