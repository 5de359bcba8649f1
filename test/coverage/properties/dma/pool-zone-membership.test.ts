/**
 * dma/pool-zone-membership (I7, BZ-03): every chunk of the dma pool lies
 * below 16 MiB, every chunk of the dma32 pool below 4 GiB; checked after a
 * worker step and at the end of a run.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/dma/pool-zone-membership.ts';
import { poolsOf } from '../../../../properties/dma/pools.ts';
import { ctx, worldAfter } from '../../fixtures/dma.ts';

const work = { op: 'atomic_pool_work_fn' } as const;

describe('pool-zone-membership', () => {
  it('holds after boot', () => {
    const w = worldAfter([]);
    expect(prop.check?.(ctx(w, work))).toBeNull();
    expect(prop.atEnd?.(w)).toBeNull();
  });

  it('a dma pool chunk that ends above 16 MiB is reported', () => {
    const w = worldAfter([]);
    const dma = w.pools ? poolsOf(w.pools).find((p) => p.name === 'dma') : undefined;
    const first = dma?.chunks[0];
    if (!dma || !first) throw new Error('no dma pool chunk');
    dma.chunks[0] = { ...first, phys: 0x1000000 - 0x10000 };
    expect(prop.check?.(ctx(w, work))).toEqual({
      subject: 'pool dma#0',
      message: 'chunk 0xff0000+0x20000 ends above 0x1000000',
    });
    expect(prop.atEnd?.(w)?.message).toBe('chunk 0xff0000 is outside the zone');
  });
});
