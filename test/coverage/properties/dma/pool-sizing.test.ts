/**
 * dma/pool-sizing (I8) with a coherent_pool= parameter, as dma.md §2.1
 * states it: the parameter goes through memparse unclamped ("300K" is
 * 307200 bytes), 0 means the default (128 KiB per GiB, at least 128 KiB),
 * and every pool starts with one chunk of 4096 << min(get_order(size), 10)
 * bytes ("coherent_pool=300K -> 512 KiB").
 */
import { describe, expect, it } from 'vitest';
import prop, { expectedAtomicPoolSize } from '../../../../properties/dma/pool-sizing.ts';
import { poolsOf } from '../../../../properties/dma/pools.ts';
import { worldAfter } from '../../fixtures/dma.ts';

const bootWith = (coherent_pool: string) => worldAfter([], 'sev-guest', coherent_pool);

describe('pool-sizing with coherent_pool=', () => {
  it('300K: atomic_pool_size 307200 bytes, each pool one 512 KiB chunk', () => {
    const w = bootWith('300K');
    expect(expectedAtomicPoolSize(w)).toBe(300 * 1024);
    const pools = w.pools ? poolsOf(w.pools) : [];
    expect(pools.length).toBeGreaterThan(0);
    for (const p of pools) expect(p.chunks.map((c) => c.size)).toEqual([512 * 1024]);
    expect(prop.atEnd?.(w)).toBeNull();
  });

  it('0 means the default: 256M of RAM gives the 128 KiB floor', () => {
    const w = bootWith('0');
    const totalram = w.pa.zones.reduce((a, z) => a + z.managed_pages, 0);
    // 52688 managed pages / 8192 = 6 pages, below the 128 KiB floor
    expect(Math.floor(totalram / 8192) * 4096).toBeLessThan(128 * 1024);
    expect(expectedAtomicPoolSize(w)).toBe(128 * 1024);
    expect(prop.atEnd?.(w)).toBeNull();
  });

  it('a first chunk of another size is reported', () => {
    const w = bootWith('300K');
    const p = w.pools ? poolsOf(w.pools)[0] : undefined;
    const first = p?.chunks[0];
    if (!p || !first) throw new Error('no pool chunk');
    p.chunks[0] = { ...first, size: 256 * 1024 };
    expect(prop.atEnd?.(w)).toEqual({
      subject: `pool ${p.name}#0`,
      message: 'first chunk 262144 bytes, not 524288',
    });
  });
});
