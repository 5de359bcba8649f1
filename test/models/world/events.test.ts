/**
 * The world's `bug` events (models/world/world.ts): what the kernel would
 * report as a BUG (a bad page given to __free_pages(), gen_pool_free()'s
 * BUG_ON), and pages the world is asked to mark leaked that no caller holds,
 * are recorded as a `bug` event of the step, naming the call that found it.
 */
import { describe, expect, it } from 'vitest';
import { world_dma_free_coherent, world_free_pages } from '../../../models/world/world.ts';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import { coherent, freeEvent, run, runMutant } from '../../coverage/properties/dma/world.ts';

const hex = (n: number) => `0x${n.toString(16)}`;

describe('bug events', () => {
  it('a kernel user freeing one block twice: the second __free_pages() finds a free page (bad page), a BUG', () => {
    const w = run([{ op: 'alloc_pages', atomic: false, zone: 'normal', order: 0, count: 1 }]);
    const block = w.kernelPages[0];
    if (!block) throw new Error('no kernel block');
    // the same block on the user's list twice: it frees it twice
    w.kernelPages.push({ ...block });
    expect(world_free_pages(w, 0, 2)).toBe(2);
    expect(w.events).toEqual([
      freeEvent(block.pfn, 1, 'kernel'),
      freeEvent(block.pfn, 1, 'kernel'),
      {
        kind: 'bug',
        detail: `__free_pages: bad page: pfn ${hex(block.pfn)} is buddy-free, not allocated`,
      },
    ]);
  });

  it('dma_free_coherent() twice on one pool buffer: gen_pool_free() finds the bits clear, a BUG', () => {
    const w = run([coherent(8192, true), coherent(4096, true)]);
    const [b, other] = w.buffers;
    if (b?.block?.offset !== 0 || !other)
      throw new Error('no pool buffer at the start of its chunk');
    // a driver's double free: the harness frees only live buffers, so call the world directly
    world_dma_free_coherent(w, b);
    expect(w.events).toEqual([]);
    world_dma_free_coherent(w, b);
    const where = `gen_pool_free(${hex(b.phys)}, 8192): bit 0 of chunk ${hex(b.phys)} is not allocated`;
    // one BUG, named by the pool's printk, and no warning for it
    expect(w.events.filter((e) => e.kind === 'bug' || e.kind === 'warn')).toEqual([
      { kind: 'bug', detail: `kernel BUG: ${where}` },
    ]);
    // the other buffer is still live: the second free found nothing to take off the list
    expect(w.buffers).toEqual([other]);
  });

  it('BZ-19 with a refused decryption: the leak covers PFN_UP(size) pages, one more than CMA gave, and the page no caller holds is a BUG', () => {
    const refuse: DmaOp = { op: 'fault', at: 'set_memory_decrypted', order: -1 };
    const w = runMutant('cma-one-page-short', [refuse, coherent(3 * 4096 + 100, false)]);
    const alloc = w.events.find((e) => e.kind === 'alloc');
    // CMA gave size >> PAGE_SHIFT = 3 pages; dma_free_contiguous() would release 4
    expect(alloc).toMatchObject({ by: 'direct', npages: 3, cma: true });
    const pfn = alloc?.pfn ?? -1;
    expect(w.events.slice(-2)).toEqual([
      { kind: 'bug', detail: `leak: pfn ${hex(pfn + 3)} is reserved, not held by a caller` },
      { kind: 'leak', pfn, npages: 4, cause: 'set_memory_decrypted failed' },
    ]);
  });
});
