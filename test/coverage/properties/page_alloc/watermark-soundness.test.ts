/**
 * page-alloc/watermark-soundness (I12): the model's __zone_watermark_ok()
 * is probed around the boundaries of the zone's state after an allocation,
 * and only after one.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/page_alloc/watermark-soundness.ts';
import { booted, ctx, drainDma32 } from '../../fixtures/page-alloc.ts';

const op = drainDma32[0] as (typeof drainDma32)[number];

describe('watermark-soundness', () => {
  it('holds on the drained allocator, probed with and without the slowpath flags', () => {
    const s = booted(drainDma32);
    expect(s.last.kind).toBe('alloc');
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('says nothing about a step that allocated nothing', () => {
    const s = booted();
    s.last = { kind: 'kswapd', steps: [] };
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });
});
