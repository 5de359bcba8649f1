/**
 * The world's step entry points (models/world/world.ts): the context each
 * step runs in (what no-sleep-in-atomic and direct-finds-memory read: a
 * driver's GFP_ATOMIC request runs `atomic`, a free, a GFP_KERNEL request
 * and a sysctl write `task`, the pool worker `worker`), the buffers a step
 * hands out, and another kernel user's bursts of alloc_pages() (`count`
 * blocks, __GFP_NOWARN, from the highest zone its gfp allows first) and
 * __free_pages(), and its page-cache growth.
 */
import { describe, expect, it } from 'vitest';
import { __GFP_NOWARN } from '../../../models/page_alloc/gfp.ts';
import { page_owner } from '../../../models/page_alloc/page_alloc.ts';
import {
  type World,
  world_alloc_pages,
  world_arm_fault,
  world_dma_alloc_coherent,
  world_dma_alloc_pages,
  world_dma_free_coherent,
  world_dma_free_pages,
  world_free_pages,
  world_page_cache,
  world_pool_worker,
} from '../../../models/world/world.ts';
import { coherent, freeEvent, run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
/** First pfns of ZONE_DMA32 (16 MiB) and ZONE_NORMAL (4 GiB). */
const DMA32_PFN = 2 ** 24 / PAGE;
const NORMAL_PFN = 2 ** 32 / PAGE;

describe('the context of each step', () => {
  it('an atomic dma_alloc_pages() runs atomic; dma_free_coherent() runs as a task', () => {
    const w = run([]);
    world_dma_alloc_pages(w, 0, PAGE, true);
    expect(w.context).toBe('atomic');
    const r = world_dma_alloc_coherent(w, 0, PAGE, true, false);
    expect(w.context).toBe('atomic');
    if (!r.buffer) throw new Error('no buffer');
    world_dma_free_coherent(w, r.buffer);
    expect(w.context).toBe('task');
  });

  it("another user's alloc_pages() runs in the context it asked for; its __free_pages() and page-cache growth as a task", () => {
    const w = run([]);
    world_alloc_pages(w, false, 'normal', 0, 1);
    expect(w.context).toBe('task');
    world_alloc_pages(w, true, 'normal', 0, 1);
    expect(w.context).toBe('atomic');
    world_free_pages(w, 0, 1);
    expect(w.context).toBe('task');
    world_alloc_pages(w, true, 'normal', 0, 1);
    world_page_cache(w, 0, false);
    expect(w.context).toBe('task');
  });

  it('dma_free_pages() and arming a fault run as a task, whatever ran before', () => {
    const w = run([]);
    const r = world_dma_alloc_pages(w, 0, PAGE, true);
    expect(w.context).toBe('atomic');
    if (!r.buffer) throw new Error('no buffer');
    world_dma_free_pages(w, r.buffer);
    expect(w.context).toBe('task');
    world_dma_alloc_pages(w, 0, PAGE, true);
    world_arm_fault(w, { at: 'set_memory_decrypted', order: -1 });
    expect(w.context).toBe('task');
  });

  it('the pool worker runs as the worker', () => {
    // the atomic request leaves the pool below atomic_pool_size: the work is queued
    const w = run([coherent(PAGE, true)]);
    expect(w.pools?.atomic_pool_work.pending).toBe(true);
    expect(world_pool_worker(w)).not.toBeNull();
    expect(w.context).toBe('worker');
  });
});

describe('the buffers a driver holds', () => {
  it('each buffer handed out gets the next id, from 1 (the #N of a report)', () => {
    const w = run([coherent(PAGE, true), coherent(PAGE, false), coherent(2 * PAGE, true)]);
    expect(w.buffers.map((b) => b.id)).toEqual([1, 2, 3]);
  });

  it('dma_alloc_pages() passes the driver gfp as is: GFP_KERNEL or GFP_ATOMIC, no __GFP_NOWARN', () => {
    const w = run([]);
    const task = world_dma_alloc_pages(w, 0, PAGE, false);
    expect(task.gfp).toBe(w.pa.gfp.GFP_KERNEL);
    const atomic = world_dma_alloc_pages(w, 0, PAGE, true);
    expect(atomic.gfp).toBe(w.pa.gfp.GFP_ATOMIC);
    expect(task.gfp & __GFP_NOWARN).toBe(0);
  });
});

describe("another kernel user's alloc_pages() burst", () => {
  const big = { config: { machine: '4G' } };
  const zonePfn = (w: World, zone: 'normal' | 'dma32' | 'dma'): number => {
    expect(world_alloc_pages(w, true, zone, 0, 1)).toBe(1);
    const b = w.kernelPages.at(-1);
    if (!b) throw new Error('no block');
    return b.pfn;
  };

  it('on the 4G guest: GFP_DMA from ZONE_DMA, GFP_DMA32 from ZONE_DMA32, no zone bit from ZONE_NORMAL', () => {
    const w = run([], big);
    expect(zonePfn(w, 'dma')).toBeLessThan(DMA32_PFN);
    const dma32 = zonePfn(w, 'dma32');
    expect(dma32).toBeGreaterThanOrEqual(DMA32_PFN);
    expect(dma32).toBeLessThan(NORMAL_PFN);
    expect(zonePfn(w, 'normal')).toBeGreaterThanOrEqual(NORMAL_PFN);
  });

  it('returns how many of the `count` blocks it got, each on the user list and logged as a kernel allocation', () => {
    const w = run([]);
    expect(world_alloc_pages(w, true, 'normal', 1, 3)).toBe(3);
    expect(w.kernelPages).toHaveLength(3);
    expect(w.events).toEqual(
      w.kernelPages.map((b) => ({ kind: 'alloc', by: 'kernel', pfn: b.pfn, npages: 2 })),
    );
  });

  it('a burst that runs ZONE_DMA dry stops at the first failure, silently (__GFP_NOWARN)', () => {
    const w = run([]);
    const got = world_alloc_pages(w, true, 'dma', 0, 100000);
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(100000);
    expect(w.kernelPages).toHaveLength(got);
    expect(w.stepAllocs.map((r) => r.pfn).at(-1)).toBeNull();
    expect(w.stepAllocs).toHaveLength(got + 1);
    expect(w.events.filter((e) => e.kind !== 'alloc')).toEqual([]);
  });
});

describe("another kernel user's __free_pages() burst", () => {
  const three = () => {
    const w = run([{ op: 'alloc_pages', atomic: false, zone: 'normal', order: 0, count: 3 }]);
    const [a, b, c] = w.kernelPages;
    if (!a || !b || !c) throw new Error('no blocks');
    return { w, a, b, c };
  };

  it('frees `count` blocks from index `pick` of its list (modulo its length), and returns how many', () => {
    const { w, a, b, c } = three();
    expect(world_free_pages(w, 1, 1)).toBe(1);
    expect(w.events).toEqual([freeEvent(b.pfn, 1, 'kernel')]);
    expect(w.kernelPages).toEqual([a, c]);
    // pick 3 of the two left is index 1
    expect(world_free_pages(w, 3, 1)).toBe(1);
    expect(w.events).toEqual([freeEvent(c.pfn, 1, 'kernel')]);
    expect(w.kernelPages).toEqual([a]);
  });

  it('two from index 1 of three: the second and, the list closing up, the third', () => {
    const { w, a, b, c } = three();
    expect(world_free_pages(w, 1, 2)).toBe(2);
    expect(w.events).toEqual([freeEvent(b.pfn, 1, 'kernel'), freeEvent(c.pfn, 1, 'kernel')]);
    expect(w.kernelPages).toEqual([a]);
  });

  it('asked for more blocks than it holds, it frees what it holds', () => {
    const { w, a, b, c } = three();
    expect(world_free_pages(w, 0, 5)).toBe(3);
    expect(w.events).toEqual([a, b, c].map((x) => freeEvent(x.pfn, 1, 'kernel')));
    expect(w.kernelPages).toEqual([]);
  });
});

describe('page-cache growth', () => {
  it('filemap_add_folio(): a page-cache folio of 2^order pages on its zone LRU (dirty or clean); its pfn', () => {
    const w = run([]);
    const dirtyBefore = w.pa.zones.reduce((n, z) => n + z.nr_dirty, 0);
    const pfn = world_page_cache(w, 2, true);
    if (pfn === null) throw new Error('no folio');
    for (let p = pfn; p < pfn + 4; p++) expect(page_owner(w.pa, p)).toBe('page-cache');
    expect(w.pa.zones.reduce((n, z) => n + z.nr_dirty, 0)).toBe(dirtyBefore + 4);
  });
});
