/**
 * dma-direct's page paths through the world (kernel/dma/direct.c,
 * contiguous.c; dma.md §2.8, §2.9, §4): a blocking dma_alloc_coherent()
 * first asks dma_alloc_contiguous() (a CMA allocation: may sleep); an
 * unaddressable buddy page goes back (mainline: __free_pages()) before the
 * retry in a lower zone; dma_free_coherent() of a forced-unencrypted
 * buffer re-encrypts it (set_memory_encrypted, may sleep) and
 * dma_free_contiguous() releases PFN_UP(size) pages to the CMA area that
 * gave them, else 2^get_order(size) pages to the buddy allocator. A policy
 * with no atomic pool behind a dma-direct that uses one fails an atomic
 * request rather than sleep.
 */
import { describe, expect, it } from 'vitest';
import { PG_FREE } from '../../../models/page_alloc/pages.ts';
import { builtinPolicy } from '../../../models/policies/index.ts';
import type { Policy } from '../../../models/policy.ts';
import { world_dma_alloc_coherent, world_dma_free_coherent } from '../../../models/world/world.ts';
import { coherent, dev, freeEvent, run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
const hex = (n: number) => `0x${n.toString(16)}`;

describe('dma_alloc_coherent() from task context', () => {
  it('asks dma_alloc_contiguous() first (may sleep), then alloc_pages() with __GFP_DIRECT_RECLAIM', () => {
    const w = run([coherent(3 * PAGE, false)], { policy: 'mainline' });
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    const pfn = b.phys / PAGE;
    // no CMA area: the buddy allocator serves get_order(12 KiB) = 2, PFN_UP = 3 pages converted
    expect(w.events).toEqual([
      { kind: 'may_sleep', what: 'dma_alloc_contiguous()' },
      { kind: 'may_sleep', what: 'alloc_pages(order 2, __GFP_DIRECT_RECLAIM)' },
      { kind: 'alloc', by: 'direct', pfn, npages: 4 },
      { kind: 'may_sleep', what: `set_memory_decrypted(pfn ${hex(pfn)}, 3)` },
      { kind: 'convert', op: 'set_memory_decrypted', pfn, npages: 3, ok: true },
      { kind: 'zero', pfn, bytes: 3 * PAGE },
    ]);
  });

  it('mainline, a 30-bit device: the GFP_DMA32 page above 1 GiB goes back with __free_pages(), the GFP_DMA retry serves', () => {
    const w = run([coherent(PAGE, false)], {
      policy: 'mainline',
      config: { machine: '4G', devices: [dev('b43', 30)] },
    });
    const allocs = w.events.filter((e) => e.kind === 'alloc');
    expect(allocs).toHaveLength(2);
    const [first, second] = allocs;
    if (first?.kind !== 'alloc' || second?.kind !== 'alloc') throw new Error('no allocations');
    expect((first.pfn + 1) * PAGE).toBeGreaterThan(2 ** 30);
    // the unaddressable page is back in the buddy allocator, still private
    const i = w.events.indexOf(first);
    expect(w.events[i + 1]).toEqual(freeEvent(first.pfn, 1, 'direct'));
    expect(w.pa.pages.owner[first.pfn]).toBe(PG_FREE);
    // the buffer is the second page, in ZONE_DMA
    expect(w.stepBuffer?.phys).toBe(second.pfn * PAGE);
    expect(second.pfn * PAGE).toBeLessThan(2 ** 24);
  });
});

describe('dma_free_coherent() of a forced-unencrypted buffer', () => {
  it('from the buddy allocator: re-encrypts PFN_UP(size) pages, frees 2^get_order(size) pages to the buddy allocator', () => {
    const w = run([coherent(3 * PAGE, false)], { policy: 'mainline' });
    const b = w.buffers[0];
    if (!b) throw new Error('no buffer');
    const pfn = b.phys / PAGE;
    const effects = world_dma_free_coherent(w, b);
    expect(w.events).toEqual([
      { kind: 'may_sleep', what: `set_memory_encrypted(pfn ${hex(pfn)}, 3)` },
      { kind: 'convert', op: 'set_memory_encrypted', pfn, npages: 3, ok: true },
      freeEvent(pfn, 4, 'direct'),
    ]);
    // dma_free_contiguous() reports where the pages went, and how many
    expect(effects.at(-1)).toEqual({ kind: 'free', to: 'buddy', pfn, npages: 4 });
  });

  it('from the CMA area (cma=64M@2048M): the PFN_UP(size) pages go back to the area, not to the buddy allocator', () => {
    const cma = { base_mib: 2048, size_mib: 64 };
    const w = run([coherent(4 * PAGE, false)], {
      policy: 'mainline',
      config: { machine: '4G', cma },
    });
    const b = w.buffers[0];
    if (!b) throw new Error('no buffer');
    expect(b.source).toBe('cma');
    const pfn = b.phys / PAGE;
    expect(w.events).toContainEqual({ kind: 'alloc', by: 'direct', pfn, npages: 4, cma: true });
    const effects = world_dma_free_coherent(w, b);
    expect(w.events).toEqual([
      { kind: 'may_sleep', what: `set_memory_encrypted(pfn ${hex(pfn)}, 4)` },
      { kind: 'convert', op: 'set_memory_encrypted', pfn, npages: 4, ok: true },
      freeEvent(pfn, 4, 'direct', { into: 'cma', cma: true }),
    ]);
    expect(effects.at(-1)).toEqual({ kind: 'free', to: 'cma', pfn, npages: 4 });
    // cma_release() cleared the bits: the area has those pages again
    const area = w.cma;
    if (!area) throw new Error('no CMA area');
    expect(Array.from(area.bitmap.subarray(pfn - area.base_pfn, pfn - area.base_pfn + 4))).toEqual([
      0, 0, 0, 0,
    ]);
  });
});

describe('no atomic pool behind a pool-using dma-direct', () => {
  // a user policy: v5.4 (no pool.c on x86) with mainline's dma-direct, which sends atomic requests to the pools
  const v5_4 = builtinPolicy('v5.4') as Policy;
  const mainline = builtinPolicy('mainline') as Policy;
  const policy: Policy = { ...v5_4, id: 'v5.4+mainline-direct', dmaDirect: mainline.dmaDirect };

  it('an atomic request of a forced-unencrypted device fails: no page allocated, nothing converted, nothing that sleeps', () => {
    const w = run([], { policy });
    expect(w.pools).toBeNull();
    const r = world_dma_alloc_coherent(w, 0, PAGE, true, false);
    expect(r.buffer).toBeNull();
    expect(r.effects).toEqual([
      { kind: 'pool_alloc', size: PAGE, gfp: expect.any(Number), pfn: null },
    ]);
    expect(w.events).toEqual([]);
  });
});
