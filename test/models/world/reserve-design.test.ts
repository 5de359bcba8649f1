/**
 * The 2019 reserve-pool design in the world (spec/thread-2019.md, design 2;
 * models/reserve_pool): at boot each managed zone's pool (DMA, DMA32) is
 * filled with pre-decrypted blocks, one alloc_pages() and one
 * set_memory_decrypted() per block, logged under the pool that made them;
 * an atomic request takes a block in place of dma_alloc_from_pool() and a
 * list left below its target wakes kswapd; dma_free_coherent() gives the
 * block back to its pool (dma_free_from_pool()'s contract): no
 * re-encryption, nothing for the buddy allocator.
 */
import { describe, expect, it } from 'vitest';
import { ENC_ENCRYPTED } from '../../../models/page_alloc/pages.ts';
import { type ReservePool, reservePoolOf } from '../../../models/reserve_pool/reserve_pool.ts';
import { type World, world_dma_free_coherent, world_kswapd } from '../../../models/world/world.ts';
import { coherent, run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
const policy = 'reserve-pool-2019';

function pool(w: World, zone: 'DMA' | 'DMA32'): ReservePool {
  const p = w.reserve ? reservePoolOf(w.reserve, zone) : null;
  if (!p) throw new Error(`no ${zone} reserve pool`);
  return p;
}

const blocks = (p: ReservePool) => p.free_list.reduce((n, l) => n + l.length, 0);

describe('boot on the 4G SEV guest: both pools filled', () => {
  it('each pool is named on its own calls: one alloc_pages() and one set_memory_decrypted() per block on its lists', () => {
    const w = run([], { policy, config: { machine: '4G' } });
    const dma = blocks(pool(w, 'DMA'));
    const dma32 = blocks(pool(w, 'DMA32'));
    expect(dma).toBeGreaterThan(0);
    expect(dma32).toBeGreaterThan(0);
    const count = (p: string, fn: string) =>
      w.bootCalls.filter((c) => c.pool === p && c.fn === fn).length;
    expect(count('dma', 'alloc_pages')).toBe(dma);
    expect(count('dma', 'set_memory_decrypted')).toBe(dma);
    expect(count('dma32', 'alloc_pages')).toBe(dma32);
    expect(count('dma32', 'set_memory_decrypted')).toBe(dma32);
    expect(w.bootCalls).toHaveLength(2 * (dma + dma32));
  });

  it("each alloc_pages() call got a block its pool's zone can hold: the dma pool's below 16 MiB, the dma32 pool's below 4 GiB", () => {
    const w = run([], { policy, config: { machine: '4G' } });
    const calls = w.bootCalls.filter((c) => c.fn === 'alloc_pages');
    const allocs = w.events.filter((e) => e.kind === 'alloc');
    expect(allocs).toHaveLength(calls.length);
    calls.forEach((c, i) => {
      const a = allocs[i];
      if (a?.kind !== 'alloc') throw new Error('no alloc event');
      const end = (a.pfn + a.npages) * PAGE;
      expect(end).toBeLessThanOrEqual(c.pool === 'dma' ? 2 ** 24 : 2 ** 32);
    });
    // the dma32 pool's blocks are not all DMA pages
    const dma32 = allocs.filter((_, i) => calls[i]?.pool === 'dma32');
    expect(dma32.some((a) => a.kind === 'alloc' && a.pfn * PAGE >= 2 ** 24)).toBe(true);
  });
});

describe('an atomic buffer from the DMA reserve pool (256M SEV guest)', () => {
  it('the order-0 list falls below its target: the pool wakes kswapd, whose next step is the refill', () => {
    const w = run([], { policy });
    expect(w.pa.pgdat.kswapd.position).toBe('full_sleep');
    const target = pool(w, 'DMA').target[0] as number;
    const w2 = run([coherent(PAGE, true)], { policy });
    expect(w2.stepBuffer?.source).toBe('pool');
    expect(pool(w2, 'DMA').free_list[0]).toHaveLength(target - 1);
    expect(w2.pa.pgdat.kswapd.position).toBe('running');
    const step = world_kswapd(w2, 32);
    expect(step !== null && 'reserve' in step).toBe(true);
  });

  it('dma_free_coherent() gives the block back to its list: shared as it was, no conversion, no page freed', () => {
    const w = run([coherent(PAGE, true)], { policy });
    const b = w.buffers[0];
    if (!b) throw new Error('no buffer');
    const pfn = b.phys / PAGE;
    const list = pool(w, 'DMA').free_list[0] as number[];
    const before = list.length;
    const effects = world_dma_free_coherent(w, b);
    expect(effects).toEqual([{ kind: 'free', to: 'pool', pfn, npages: 1 }]);
    expect(w.events).toEqual([]);
    expect(list).toHaveLength(before + 1);
    expect(list.at(-1)).toBe(b.phys);
    expect(w.pa.pages.enc[pfn]).not.toBe(ENC_ENCRYPTED);
  });
});

describe("the 2019 pool's warnings", () => {
  it('a warning is an event of the step that printed it, not of the steps after it', () => {
    // order 4 is above the pool's max order: reserve_pool_alloc() warns
    const first = run([coherent(16 * PAGE, true)], { policy });
    const warning = first.events.filter((e) => e.kind === 'warn');
    expect(warning).toEqual([
      {
        kind: 'warn',
        text: expect.stringMatching(/^DMA reserve pool: order 4 above max order \d+ for /),
      },
    ]);
    const next = run([coherent(16 * PAGE, true), coherent(PAGE, true)], { policy });
    expect(next.stepBuffer).not.toBeNull();
    expect(next.events.filter((e) => e.kind === 'warn')).toEqual([]);
  });
});
