/**
 * dma/pool-accounting (I9): each pool's gen_pool_size() is the sum of the
 * chunks it was given, and debugfs pool_size_<name> shows the same number.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/dma/pool-accounting.ts';
import { poolsOf } from '../../../../properties/dma/pools.ts';
import { ctx, worldAfter } from '../../fixtures/dma.ts';

const work = { op: 'atomic_pool_work_fn' } as const;

describe('pool-accounting', () => {
  it('holds after boot: one 128 KiB chunk per pool', () => {
    const w = worldAfter([]);
    expect(prop.check?.(ctx(w, work))).toBeNull();
  });

  it('a chunk on record that the gen_pool never received is reported', () => {
    const w = worldAfter([]);
    const p = w.pools ? poolsOf(w.pools)[0] : undefined;
    const first = p?.chunks[0];
    if (!p || !first) throw new Error('no pool chunk');
    p.chunks.push({ ...first, seq: 1 });
    expect(prop.check?.(ctx(w, work))).toEqual({
      subject: `pool ${p.name}`,
      message: `gen_pool_size ${128 * 1024} != chunks added ${256 * 1024}`,
    });
  });
});
