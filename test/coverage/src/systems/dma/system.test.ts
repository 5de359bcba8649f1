/**
 * src/systems/dma/system.ts: the ops that repeat (a burst of one request,
 * runs of worker and kswapd sub-steps) and the vm.lowmem_reserve_ratio
 * write, on the 256M machine with one 64-bit device under SEV: what each
 * does, how it reads in a report, and that an op without `count` or
 * `steps` (an older trace) runs once.
 */
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../../../../../models/policies/index.ts';
import type { Policy } from '../../../../../models/policy.ts';
import type { DmaAllocOp, DmaOp } from '../../../../../src/systems/dma/ops.ts';
import { makeDmaSystem } from '../../../../../src/systems/dma/system.ts';

function policy(id: string): Policy {
  const p = builtinPolicy(id);
  if (!p) throw new Error(`no ${id} policy`);
  return p;
}

function system(id: string) {
  return makeDmaSystem(
    { machine: '256M', cc: 'sev-guest', devices: [{ name: 'nvme0', mask_bits: 64 }] },
    policy(id),
  );
}

const atomic = (size: number, count?: number, nowarn = false): DmaAllocOp => ({
  op: 'dma_alloc_coherent',
  cpu: 0,
  atomic: true,
  dev: 0,
  size,
  nowarn,
  ...(count === undefined ? {} : { count }),
});

describe('a burst of dma_alloc_coherent (policy 6.1, 128 KiB pools)', () => {
  it('an op without count is one request, read as before', () => {
    const sys = system('6.1');
    const w = sys.init();
    const once = sys.step(w, atomic(4096));
    expect(once?.call).toBe('dma_alloc_coherent(nvme0, 4 KiB, GFP_ATOMIC)');
    expect(once?.result).toBe('#1 kernel pool #0+0x0, avail 124 KiB');
    expect(sys.step(w, atomic(4096, 1))?.result).toMatch(/^#2 kernel pool/);
    expect(w.buffers.length).toBe(2);
  });

  it('makes the same request count times: the ids it handed out and the last buffer', () => {
    const sys = system('6.1');
    const w = sys.init();
    const r = sys.step(w, atomic(4096, 4));
    expect(r?.call).toBe('dma_alloc_coherent(nvme0, 4 KiB, GFP_ATOMIC) x4');
    expect(r?.result).toBe('4 ok #1..#4, last kernel pool #0+0x3000, avail 112 KiB');
    expect(w.buffers.map((b) => b.id)).toEqual([1, 2, 3, 4]);
  });

  it('stops at the first request that fails', () => {
    const sys = system('6.1');
    const w = sys.init();
    const r = sys.step(w, atomic(32768, 64, true));
    // twelve 32 KiB blocks fill the three 128 KiB pools (kernel, dma32, dma)
    expect(r?.result).toBe('12 ok #1..#12, then NULL');
    expect(w.buffers.length).toBe(12);
    expect(w.stepBuffer).toBeNull();
    expect(sys.step(w, atomic(4 << 20, 8, true))?.result).toBe('0 ok, NULL');
  });

  it('stops after the request where a checkpoint reports a broken property', () => {
    const sys = system('6.1');
    const w = sys.init();
    let asked = 0;
    const r = sys.step(w, atomic(4096, 10), true, () => ++asked === 2);
    expect(asked).toBe(2);
    expect(r?.result).toMatch(/^2 ok #1\.\.#2, last kernel pool/);
    expect(w.buffers.length).toBe(2);
  });

  it('dma_alloc_pages bursts the same way', () => {
    const sys = system('6.1');
    const w = sys.init();
    const op: DmaOp = {
      op: 'dma_alloc_pages',
      cpu: 1,
      atomic: false,
      dev: 0,
      size: 8192,
      count: 2,
    };
    const r = sys.step(w, op);
    expect(r?.call).toBe('dma_alloc_pages(nvme0, 8 KiB, GFP_KERNEL) x2');
    expect(r?.result).toMatch(/^2 ok #1\.\.#2, last fresh pages pfn 0x[0-9a-f]+ \(2 pages\)$/);
  });
});

describe('runs of sub-steps', () => {
  it('the worker runs up to `steps` sub-steps, one line each, and is not enabled when idle', () => {
    const sys = system('6.1');
    const w = sys.init();
    sys.step(w, atomic(32768, 64, true));
    const r = sys.step(w, { op: 'atomic_pool_work_fn', steps: 64 });
    expect(r?.call).toBe('atomic_pool_work_fn x64');
    // check dma, dma32 and kernel, each below its size: alloc, decrypt, add
    expect(r?.result).toBe('12 sub-steps, work idle');
    expect(r?.notes?.[0]).toBe('check dma: below atomic_pool_size: expand');
    expect(r?.notes).toContain('... 6 more lines');
    expect(w.pools?.atomic_pool_kernel?.chunks.length).toBe(2);
    expect(sys.step(w, { op: 'atomic_pool_work_fn', steps: 4 })).toBeNull();
    expect(sys.step(w, { op: 'atomic_pool_work_fn' })).toBeNull();
  });

  it('a worker op without steps is one sub-step, read as before', () => {
    const sys = system('6.1');
    const w = sys.init();
    sys.step(w, atomic(4096));
    const r = sys.step(w, { op: 'atomic_pool_work_fn' });
    expect(r?.call).toBe('atomic_pool_work_fn: check dma');
    expect(r?.result).toBe('at or above atomic_pool_size');
    expect(w.pools?.atomic_pool_work.running).not.toBeNull();
  });

  it('kswapd refills the reserve pools in a run of sub-steps, stopping at a checkpoint', () => {
    const sys = system('reserve-pool-2019');
    const w = sys.init();
    sys.step(w, atomic(32768, 2, true));
    const before = w.reserve?.stats.nr_refilled ?? 0;
    const r = sys.step(w, { op: 'kswapd', steps: 8 });
    expect(r?.call).toBe('kswapd x8');
    expect(r?.result).toMatch(/^8 sub-steps, /);
    expect(r?.notes?.[0]).toBe('reserve_pool_kswapd_step: refill DMA order 3 -> no block');
    expect(w.reserve?.stats.nr_refilled).toBe(before + 2);
    let asked = 0;
    const stopped = sys.step(w, { op: 'kswapd', steps: 8 }, true, () => ++asked === 3);
    expect(stopped?.result).toMatch(/^3 sub-steps, /);
  });
});

describe('sysctl vm.lowmem_reserve_ratio in the DMA world', () => {
  it('recomputes the reserves; a zero clears the reserves above its zone', () => {
    const sys = system('6.1');
    const w = sys.init();
    expect(w.pa.zones[0]?.lowmem_reserve[1]).toBeGreaterThan(0);
    const r = sys.step(w, {
      op: 'sysctl',
      name: 'lowmem_reserve_ratio',
      value: [0, 256, 32, 0, 0],
    });
    expect(r?.call).toBe('sysctl vm.lowmem_reserve_ratio=0 256 32 0 0');
    expect(r?.result).toBe('0');
    expect(r?.notes).toContain('DMA lowmem_reserve[]: 0 0 0 0 0');
    expect(w.pa.sysctl.lowmem_reserve_ratio).toEqual([0, 256, 32, 0, 0]);
  });

  it('a write the handler refuses changes nothing', () => {
    const sys = system('6.1');
    const w = sys.init();
    const reserve = [...(w.pa.zones[0]?.lowmem_reserve ?? [])];
    const r = sys.step(w, {
      op: 'sysctl',
      name: 'lowmem_reserve_ratio',
      value: [1, 1, 1, 1, 1, 1],
    });
    expect(r?.result).toBe('-EINVAL');
    expect(w.pa.zones[0]?.lowmem_reserve).toEqual(reserve);
  });

  it('resizes the 2019 reserve pools, and kswapd then gives back what is above twice the target', () => {
    const sys = system('reserve-pool-2019');
    const w = sys.init();
    const dma = w.reserve?.pool_dma;
    expect(dma?.target_pages).toBeGreaterThan(0);
    const r = sys.step(w, {
      op: 'sysctl',
      name: 'lowmem_reserve_ratio',
      value: [0, 256, 32, 0, 0],
    });
    expect(r?.notes).toContain('reserve pool DMA: target 0 pages, 0 0 0 0');
    expect(dma?.target_pages).toBe(0);
    const held = dma?.nr_pages ?? 0;
    const k = sys.step(w, { op: 'kswapd', steps: 3 });
    expect(k?.notes?.[0]).toMatch(/^reserve_pool_kswapd_step: give-back DMA order 0 -> pfn /);
    expect(w.reserve?.stats.nr_given_back).toBe(1);
    expect(dma?.nr_pages).toBe(held - 1);
  });
});

describe('a buffer of the 2019 reserve pool (policy reserve-pool-2019)', () => {
  it('reads as a reserve-pool buffer, not as fresh pages', () => {
    const sys = system('reserve-pool-2019');
    const w = sys.init();
    const r = sys.step(w, atomic(8192));
    expect(w.buffers[0]?.source).toBe('pool');
    expect(w.buffers[0]?.block).toBeNull();
    expect(r?.result).toMatch(/^#1 reserve pool pfn 0x[0-9a-f]+ \(2 pages\)$/);
  });
});
