/**
 * atomic_pool_expand() as the world records it (kernel/dma/pool.c, dma.md
 * §2.2 and §5): the worker's page allocation from the buddy allocator or,
 * when cma_in_zone() holds, from the default CMA area; a failed
 * gen_pool_add_virt() re-encrypts the block (set_memory_encrypted) and
 * gives it back with __free_pages(); a refused decryption (mainline) or a
 * refused re-encryption leaks the block, the leak naming atomic_pool_expand
 * and its cause. The pool code sees the CMA area through
 * dev_get_cma_area(), in bytes; when the area cannot serve the block,
 * atomic_pool_expand() falls back to alloc_pages().
 */
import { describe, expect, it } from 'vitest';
import { poolOf } from '../../../models/dma/pool.ts';
import { PG_POOL } from '../../../models/page_alloc/pages.ts';
import { type World, type WorldEvent, world_pool_worker } from '../../../models/world/world.ts';
import type { DmaOp, FaultOp } from '../../../src/systems/dma/ops.ts';
import { coherent, freeEvent, run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
const MiB = 1024 * 1024;

/** Two atomic 64 KiB buffers drain mainline's 128 KiB dma32 pool: the worker is queued. */
const drain: DmaOp = { ...coherent(65536, true), count: 2 };
const fault = (at: FaultOp['at']): FaultOp => ({ op: 'fault', at, order: -1 });

/** Runs the queued worker to the end; every sub-step's events, in order. */
function workerEvents(w: World): WorldEvent[] {
  const out: WorldEvent[] = [];
  while (world_pool_worker(w) !== null) out.push(...w.events);
  return out;
}

/** The world after `ops` on mainline's 256M SEV guest, the worker queued, and the worker's events. */
function expandAfter(ops: readonly DmaOp[]): { w: World; events: WorldEvent[] } {
  const w = run([drain, ...ops], { policy: 'mainline' });
  expect(w.pools?.atomic_pool_work.pending).toBe(true);
  return { w, events: workerEvents(w) };
}

/** The block the worker's expansion allocated (its first `alloc` event). */
function allocated(events: readonly WorldEvent[]): { pfn: number; npages: number } {
  const a = events.find((e) => e.kind === 'alloc');
  if (a?.kind !== 'alloc' || a.by !== 'pool') throw new Error('the worker allocated nothing');
  return { pfn: a.pfn, npages: a.npages };
}

describe('atomic_pool_expand() error paths in the worker', () => {
  it('alloc_pages() finds no page: no block, the expansion tries the next lower order', () => {
    const { w, events } = expandAfter([fault('alloc_pages')]);
    const { pfn, npages } = allocated(events);
    expect(events.slice(0, 4)).toEqual([
      { kind: 'may_sleep', what: 'alloc_pages(order 5, __GFP_DIRECT_RECLAIM)' },
      { kind: 'fault', at: 'alloc_pages' },
      { kind: 'may_sleep', what: 'alloc_pages(order 4, __GFP_DIRECT_RECLAIM)' },
      { kind: 'alloc', by: 'pool', pfn, npages: 16 },
    ]);
    // the new chunk is the order-4 block, not one at phys 0 from the failed call
    const chunks = w.pools ? poolOf(w.pools, 'dma32')?.chunks : undefined;
    expect(chunks?.slice(1)).toEqual([
      { seq: 1, phys: pfn * PAGE, size: npages * PAGE, order: 4, cma: false },
    ]);
  });

  it('gen_pool_add_virt() fails: the block is re-encrypted, then __free_pages() gives it, private, back to the buddy allocator', () => {
    const { w, events } = expandAfter([fault('gen_pool_add')]);
    const { pfn, npages } = allocated(events);
    const after = events.slice(events.findIndex((e) => e.kind === 'fault'));
    expect(after).toEqual([
      { kind: 'fault', at: 'gen_pool_add' },
      { kind: 'may_sleep', what: `set_memory_encrypted(pfn 0x${pfn.toString(16)}, ${npages})` },
      { kind: 'convert', op: 'set_memory_encrypted', pfn, npages, ok: true },
      freeEvent(pfn, npages, 'pool'),
    ]);
    // nothing was added to the pool, nothing leaked
    expect(w.pools ? poolOf(w.pools, 'dma32')?.chunks.length : -1).toBe(1);
    expect(w.leakedPages).toBe(0);
  });

  it('mainline, set_memory_decrypted() refused: the block is leaked, the leak naming atomic_pool_expand and the failed decryption', () => {
    const { w, events } = expandAfter([fault('set_memory_decrypted')]);
    const { pfn, npages } = allocated(events);
    expect(events.at(-1)).toEqual({
      kind: 'leak',
      pfn,
      npages,
      cause: 'atomic_pool_expand: decrypt-failed',
    });
    expect(events.some((e) => e.kind === 'free')).toBe(false);
    expect(w.leakedPages).toBe(npages);
  });

  it('gen_pool_add_virt() fails and the re-encryption is refused: WARN_ON_ONCE, and the possibly shared block is leaked', () => {
    const { w, events } = expandAfter([fault('gen_pool_add'), fault('set_memory_encrypted')]);
    const { pfn, npages } = allocated(events);
    expect(events).toContainEqual({
      kind: 'convert',
      op: 'set_memory_encrypted',
      pfn,
      npages,
      ok: false,
    });
    // the refused conversion's own warning, then atomic_pool_expand()'s bare WARN_ON_ONCE()
    expect(events.filter((e) => e.kind === 'warn')).toEqual([
      {
        kind: 'warn',
        text: `CPA VMM failure to convert memory (pfn 0x${pfn.toString(16)}, numpages=${npages}) to private`,
      },
      { kind: 'warn', text: 'WARN_ON' },
    ]);
    expect(events.at(-1)).toEqual({
      kind: 'leak',
      pfn,
      npages,
      cause: 'atomic_pool_expand: reencrypt-failed',
    });
    expect(events.some((e) => e.kind === 'free')).toBe(false);
    expect(w.leakedPages).toBe(npages);
  });
});

describe('the default CMA area at boot (cma=64M@2048M, inside ZONE_DMA32)', () => {
  const cma = { base_mib: 2048, size_mib: 64 };
  const boot = () => run([], { policy: 'mainline', config: { machine: '4G', cma } });

  it('dev_get_cma_area() reports the area in bytes: its base and its size', () => {
    expect(boot().poolEnv.dev_get_cma_area()).toEqual({ base: 2048 * MiB, size: 64 * MiB });
  });

  it('cma_in_zone(GFP_DMA32) holds: the dma32 pool takes its first chunk from the area, the dma pool from the buddy allocator', () => {
    const w = boot();
    const dma32 = w.pools ? poolOf(w.pools, 'dma32')?.chunks[0] : undefined;
    const dma = w.pools ? poolOf(w.pools, 'dma')?.chunks[0] : undefined;
    if (!dma32 || !dma) throw new Error('no dma32 or dma chunk');
    const pfn = dma32.phys / PAGE;
    const npages = dma32.size / PAGE;
    expect(dma32.cma).toBe(true);
    expect(pfn).toBeGreaterThanOrEqual(cma.base_mib * 256);
    expect(pfn + npages).toBeLessThanOrEqual((cma.base_mib + cma.size_mib) * 256);
    // cma_alloc() may sleep; the pages are the pool's, from the area
    expect(w.events).toContainEqual({ kind: 'may_sleep', what: `cma_alloc(${npages} pages)` });
    expect(w.events).toContainEqual({ kind: 'alloc', by: 'pool', pfn, npages, cma: true });
    // ZONE_DMA lies below the area: its pool is not served by CMA
    expect(dma.cma).toBe(false);
    expect(dma.phys + dma.size).toBeLessThanOrEqual(16 * MiB);
  });
});

describe('the default CMA area too small for a pool (cma=1M@2048M, coherent_pool=1M)', () => {
  const boot = () =>
    run([], {
      policy: 'mainline',
      config: { machine: '4G', coherent_pool: '1M', cma: { base_mib: 2048, size_mib: 1 } },
    });

  it('the kernel pool takes the whole area; the dma32 pool, finding it full, falls back to alloc_pages()', () => {
    const w = boot();
    const kernel = w.pools ? poolOf(w.pools, 'kernel')?.chunks : undefined;
    const dma32 = w.pools ? poolOf(w.pools, 'dma32')?.chunks : undefined;
    if (!kernel || !dma32) throw new Error('no kernel or dma32 pool');
    expect(kernel).toEqual([{ seq: 0, phys: 2048 * MiB, size: MiB, order: 8, cma: true }]);
    // atomic_pool_expand(): dma_alloc_from_contiguous() fails, then alloc_pages() at the same order
    const calls = w.bootCalls.filter((c) => c.pool === 'dma32');
    expect(calls.slice(1, 3)).toMatchObject([
      { fn: 'dma_alloc_from_contiguous', order: 8, ret: null },
      { fn: 'alloc_pages', order: 8, ret: dma32[0]?.phys },
    ]);
    const [chunk] = dma32;
    if (!chunk) throw new Error('no dma32 chunk');
    expect(chunk).toMatchObject({ size: MiB, order: 8, cma: false });
    // a buddy block inside ZONE_DMA32, outside the area (no chunk at phys 0)
    expect(chunk.phys).toBeGreaterThanOrEqual(16 * MiB);
    expect(chunk.phys + chunk.size).toBeLessThanOrEqual(4096 * MiB);
    expect(chunk.phys + chunk.size <= 2048 * MiB || chunk.phys >= 2049 * MiB).toBe(true);
    const pfn = chunk.phys / PAGE;
    // from the buddy allocator: its alloc event names no area, its pages are the pool's
    expect(w.events).toContainEqual({ kind: 'alloc', by: 'pool', pfn, npages: 256 });
    expect(w.pa.pages.owner[pfn]).toBe(PG_POOL);
  });
});
