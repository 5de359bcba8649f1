/**
 * What a freshly booted world records of dma_atomic_pool_init() (kernel/dma/
 * pool.c, postcore, process context; dma.md §2.1 and §4): on mainline's 256M
 * SEV guest, one pool per managed zone (dma, then dma32; ZONE_NORMAL is
 * empty), each created, given an order-5 block by a GFP_KERNEL alloc_pages()
 * (may sleep), converted to shared by set_memory_decrypted() (may sleep: the
 * encryption is active) and added to its gen_pool. The boot is the world's
 * first step: its events, its calls and its page allocations are exactly
 * these, nothing before them.
 */
import { describe, expect, it } from 'vitest';
import { type PoolName, poolOf } from '../../../models/dma/pool.ts';
import { ZONE_DMA, ZONE_DMA32 } from '../../../models/page_alloc/zone.ts';
import type { World, WorldEvent } from '../../../models/world/world.ts';
import { run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;

const boot = (): World => run([], { policy: 'mainline' });

function chunk(w: World, name: PoolName): { readonly pfn: number; readonly phys: number } {
  const c = w.pools ? poolOf(w.pools, name)?.chunks[0] : undefined;
  if (!c) throw new Error(`no ${name} chunk`);
  expect(c.size).toBe(32 * PAGE);
  return { pfn: c.phys / PAGE, phys: c.phys };
}

describe('dma_atomic_pool_init() on the 256M SEV guest (mainline)', () => {
  it('the boot events: per pool, a may-sleep order-5 allocation and a may-sleep decryption of the 32 pages', () => {
    const w = boot();
    expect(w.context).toBe('boot');
    const expected = (['dma', 'dma32'] as const).flatMap((name): WorldEvent[] => {
      const { pfn } = chunk(w, name);
      return [
        { kind: 'may_sleep', what: 'alloc_pages(order 5, __GFP_DIRECT_RECLAIM)' },
        { kind: 'alloc', by: 'pool', pfn, npages: 32 },
        { kind: 'may_sleep', what: `set_memory_decrypted(pfn 0x${pfn.toString(16)}, 32)` },
        { kind: 'convert', op: 'set_memory_decrypted', pfn, npages: 32, ok: true },
      ];
    });
    expect(w.events).toEqual(expected);
  });

  it('the boot calls, in order, each with whether it may sleep: all of them may (GFP_KERNEL, active encryption)', () => {
    const w = boot();
    const expected = (['dma', 'dma32'] as const).flatMap((pool) => {
      const { phys } = chunk(w, pool);
      return [
        { fn: 'gen_pool_create', mayBlock: true, pool, ret: 0 },
        { fn: 'alloc_pages', mayBlock: true, pool, order: 5, ret: phys },
        { fn: 'set_memory_decrypted', mayBlock: true, pool, phys, ret: 0 },
        { fn: 'gen_pool_add_virt', mayBlock: true, pool, phys, ret: 0 },
      ];
    });
    expect(w.bootCalls).toMatchObject(expected);
  });

  it("the boot step's page allocations: each pool's block, order 5, from its own zone", () => {
    const w = boot();
    expect(w.stepAllocs).toMatchObject([
      { pfn: chunk(w, 'dma').pfn, order: 5, zone: ZONE_DMA },
      { pfn: chunk(w, 'dma32').pfn, order: 5, zone: ZONE_DMA32 },
    ]);
  });

  it('no other kernel user holds pages, no fault is armed, no buffer is live', () => {
    const w = boot();
    expect(w.kernelPages).toEqual([]);
    expect(w.faults).toEqual([]);
    expect(w.buffers).toEqual([]);
  });
});
