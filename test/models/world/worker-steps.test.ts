/**
 * The pool worker as the world runs it (world_pool_worker() in
 * models/world/world.ts), with the world variants of its glue: under
 * debugfs-double-count, each chunk a worker sub-step added to a pool is
 * counted once more in that pool's debugfs pool_size_<name> (and only a
 * gen_pool_add_virt() that succeeded adds a chunk: dma_atomic_pool_size_add()
 * runs after it); under worker-gives-up, the work is dropped after the
 * first sub-step and nothing is queued any more.
 */
import { describe, expect, it } from 'vitest';
import { poolOf } from '../../../models/dma/pool.ts';
import { world_pool_worker } from '../../../models/world/world.ts';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import { coherent, runMutant, work } from '../../coverage/properties/dma/world.ts';

const K = 1024;
const PAGE = 4096;
/** The 4G guest: 512 KiB pools, and a kernel pool (ZONE_NORMAL) for the 64-bit device. */
const big = { machine: '4G' as const };
const burst = (count: number): DmaOp => ({ ...coherent(64 * K, true), count });

describe('debugfs-double-count on the kernel pool', () => {
  it('two expansions (512 KiB, then gen_pool_size 1 MiB): pool_size_kernel counts both twice, the boot chunk once; the other pools are untouched', () => {
    // 448 KiB taken leaves 64 KiB: the worker adds 512 KiB; 512 KiB more leaves 64 KiB of 1 MiB: it adds 1 MiB
    const w = runMutant('debugfs-double-count', [burst(7), work(), burst(8), work()], big);
    const s = w.pools;
    const p = s ? poolOf(s, 'kernel') : null;
    if (!s || !p) throw new Error('no kernel pool');
    expect(p.chunks.map((c) => c.size)).toEqual([512 * K, 512 * K, 1024 * K]);
    expect(s.pool_size_kernel).toBe(512 * K + 2 * (512 * K + 1024 * K));
    expect(s.pool_size_dma).toBe(512 * K);
    expect(s.pool_size_dma32).toBe(512 * K);
  });

  it('a failed gen_pool_add_virt() adds no chunk, and nothing is counted', () => {
    const fault: DmaOp = { op: 'fault', at: 'gen_pool_add', order: -1 };
    const w = runMutant('debugfs-double-count', [burst(7), fault, work()], big);
    const s = w.pools;
    const p = s ? poolOf(s, 'kernel') : null;
    if (!s || !p) throw new Error('no kernel pool');
    expect(w.faults).toEqual([]);
    expect(p.chunks.map((c) => c.size)).toEqual([512 * K]);
    expect(s.pool_size_kernel).toBe(512 * K);
  });
});

describe('worker-gives-up', () => {
  it('the first sub-step checks the dma pool, then the work is neither queued nor running: the next call has nothing to do, the drained dma32 pool stays as it is', () => {
    // the 64-bit device on the 256M guest (no ZONE_NORMAL) takes from the dma32 pool
    const w = runMutant('worker-gives-up', [coherent(PAGE, true)]);
    const s = w.pools;
    if (!s) throw new Error('no pools');
    expect(s.atomic_pool_work.pending).toBe(true);
    expect(world_pool_worker(w)).toMatchObject({ step: 'check', pool: 'dma' });
    expect(s.atomic_pool_work).toEqual({ pending: false, running: null });
    expect(world_pool_worker(w)).toBeNull();
    expect(poolOf(s, 'dma32')?.chunks).toHaveLength(1);
  });
});
