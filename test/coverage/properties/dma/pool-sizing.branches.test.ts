/**
 * dma/pool-sizing, branch by branch (I8, dma.md §2.1): atomic_pool_size is
 * coherent_pool= when given and non-zero, else max(min(totalram / 8192,
 * 1024) pages, 128 KiB); each pool's first chunk is 4096 << min(get_order(
 * atomic_pool_size), 10) bytes; later chunks and pools without chunks are
 * not judged.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../../../models/world/world.ts';
import prop, { expectedAtomicPoolSize } from '../../../../properties/dma/pool-sizing.ts';
import { availOf, poolsOf } from '../../../../properties/dma/pools.ts';
import { coherent, run, runMutant, work } from './world.ts';

const atEnd = (w: World) => prop.atEnd?.(w) ?? null;
const KiB = 1024;

/** The world's zones made to manage `total` pages in all. */
function withTotalram(w: World, total: number): World {
  w.pa.zones.forEach((z, i) => {
    Object.assign(z, { managed_pages: i === 1 ? total : 0 });
  });
  return w;
}

describe('expectedAtomicPoolSize: the documented rule', () => {
  it.each([
    [8192 * 33 - 1, 128 * KiB], // 32 pages: exactly the floor
    [8192 * 33, 33 * 4096], // one page over the floor: rounded down, not up
    [8192 * 40 - 1, 39 * 4096],
    [8192 * 1024, 1024 * 4096], // exactly the cap
    [8192 * 1025, 1024 * 4096], // above the cap
    [8192 * 1023, 1023 * 4096],
    [0, 128 * KiB],
  ])('with %i managed pages and no coherent_pool=: %i bytes', (total, bytes) => {
    expect(expectedAtomicPoolSize(withTotalram(run([]), total))).toBe(bytes);
  });

  it('totalram counts every zone', () => {
    const w = run([]);
    w.pa.zones.forEach((z, i) => {
      Object.assign(z, { managed_pages: i < 2 ? 8192 * 20 : 0 });
    });
    expect(expectedAtomicPoolSize(w)).toBe(40 * 4096);
  });

  it('coherent_pool= given and non-zero wins, even below the floor; 0 is the default', () => {
    const w = withTotalram(run([]), 8192 * 100);
    Object.assign(w.config, { coherent_pool: '64K' });
    expect(expectedAtomicPoolSize(w)).toBe(64 * KiB);
    Object.assign(w.config, { coherent_pool: '1' });
    expect(expectedAtomicPoolSize(w)).toBe(1);
    Object.assign(w.config, { coherent_pool: '0' });
    expect(expectedAtomicPoolSize(w)).toBe(100 * 4096);
  });
});

describe('pool-sizing at the end', () => {
  it('without pools (v5.4) nothing is judged', () => {
    expect(atEnd(run([], { policy: 'v5.4' }))).toBeNull();
  });

  it('128 KiB per 16 MiB (v5.8-rc1) on the 256M machine is reported', () => {
    const w = runMutant('pool-128k-per-16m', []);
    const size = w.pools?.atomic_pool_size;
    expect(size).not.toBe(128 * KiB);
    expect(atEnd(w)).toEqual({
      subject: 'atomic_pool_size',
      message: `${size} bytes, the documented rule gives ${128 * KiB}`,
    });
  });

  it('atomic_pool_size one byte off is reported, whatever the chunks', () => {
    const w = run([]);
    const s = w.pools;
    if (!s) throw new Error('no pools');
    s.atomic_pool_size += 1;
    expect(atEnd(w)?.subject).toBe('atomic_pool_size');
  });

  it.each([
    ['256K', 256 * KiB], // get_order exactly 6
    ['257K', 512 * KiB], // one byte over: order 7
    ['4M', 4096 * KiB], // order 10
    ['8M', 4096 * KiB], // order 11, capped at 10
  ])('coherent_pool=%s on the 4G machine: first chunks of %i bytes hold', (param, chunk) => {
    const w = run([], { config: { machine: '4G', coherent_pool: param } });
    const pools = w.pools ? poolsOf(w.pools) : [];
    expect(pools.length).toBeGreaterThan(0);
    for (const p of pools) expect(p.chunks[0]?.size).toBe(chunk);
    expect(atEnd(w)).toBeNull();
  });

  it('an 8M pool whose first chunk was not capped (8 MiB) is reported', () => {
    const w = run([], { config: { machine: '4G', coherent_pool: '8M' } });
    const p = w.pools?.atomic_pool_kernel;
    const first = p?.chunks[0];
    if (!p || !first) throw new Error('no kernel chunk');
    p.chunks[0] = { ...first, size: 8192 * KiB };
    expect(atEnd(w)).toEqual({
      subject: 'pool kernel#0',
      message: `first chunk ${8192 * KiB} bytes, not ${4096 * KiB}`,
    });
  });

  it('every pool is read: the last one (kernel) with a bad first chunk', () => {
    const w = run([]);
    const p = w.pools?.atomic_pool_kernel;
    const first = p?.chunks[0];
    if (!p || !first) throw new Error('no kernel chunk');
    p.chunks[0] = { ...first, size: first.size + 4096 };
    expect(atEnd(w)?.subject).toBe('pool kernel#0');
  });

  it('a pool without chunks is not judged', () => {
    const w = run([]);
    const dma = w.pools?.atomic_pool_dma;
    if (!dma) throw new Error('no dma pool');
    dma.chunks.length = 0;
    expect(atEnd(w)).toBeNull();
  });

  it('later chunks (doubling expansions) are not judged', () => {
    const w = run([coherent(128 * KiB, true), work()]);
    const s = w.pools;
    if (!s) throw new Error('no pools');
    const grown = poolsOf(s).find((p) => p.chunks.length > 1);
    const second = grown?.chunks[1];
    if (!grown || !second) throw new Error('no second chunk');
    expect(availOf(grown)).toBeGreaterThanOrEqual(s.atomic_pool_size);
    expect(atEnd(w)).toBeNull();
    grown.chunks[1] = { ...second, size: second.size * 2 };
    expect(atEnd(w)).toBeNull();
  });
});
