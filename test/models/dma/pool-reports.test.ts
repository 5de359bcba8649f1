/**
 * models/dma/pool.ts: what each entry point reports (the calls it made and
 * whether they may sleep, its messages, its return value), the boundaries of
 * cma_in_zone and dma_coherent_ok, and dma_guess_pool's per-version walks
 * with missing pools (spec/dma.md §2, §4).
 */
import { describe, expect, it } from 'vitest';
import {
  atomic_pool_expand,
  atomic_pool_expand_begin,
  atomic_pool_expand_step,
  atomic_pool_work_fn,
  cma_in_zone,
  createDmaPoolState,
  DMA_BIT_MASK,
  type DmaPoolState,
  dma_alloc_from_pool,
  dma_atomic_pool_init,
  dma_coherent_ok,
  dma_free_from_pool,
  dma_guess_pool,
  flush_work,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_DMA32,
  GFP_KERNEL,
  type PoolDevice,
  type PoolEnv,
} from '../../../models/dma/pool.ts';
import type { DmaPoolRules } from '../../../models/dma/rules.ts';
import { D64, dev, fakeEnv, MEM_1G, MEM_5G, R58, R61, RML } from './pool-fake.ts';

function boot(rules: DmaPoolRules, env: PoolEnv = fakeEnv(), mem = MEM_5G): DmaPoolState {
  const s = createDmaPoolState(rules);
  dma_atomic_pool_init(s, env, mem);
  return s;
}

describe('dma_atomic_pool_init reports', () => {
  it('returns 0 and pr_info()s "preallocated" for each pool when every first expansion succeeds', () => {
    const s = createDmaPoolState(R61);
    const r = dma_atomic_pool_init(s, fakeEnv(), MEM_5G);
    expect(r.ret).toBe(0);
    expect(s.messages.map((m) => [m.kind, m.level])).toEqual([
      ['preallocated', 'info'],
      ['preallocated', 'info'],
      ['preallocated', 'info'],
    ]);
  });

  it('destroys a pool whose first expansion failed without sleeping (no chunk: gen_pool_destroy only kfree()s), pr_err()s and returns -ENOMEM', () => {
    const env = fakeEnv();
    env.maxOrder.dma = -1;
    const s = createDmaPoolState(R61);
    const r = dma_atomic_pool_init(s, env, MEM_5G);
    expect(r.ret).toBe(-12);
    expect(r.calls.filter((c) => c.fn === 'gen_pool_destroy')).toEqual([
      { fn: 'gen_pool_destroy', mayBlock: false, pool: 'dma' },
    ]);
    expect(s.messages[1]).toEqual({
      kind: 'init-failed',
      level: 'err',
      text: 'DMA: failed to allocate 608 KiB GFP_KERNEL|GFP_DMA pool for atomic allocation',
    });
  });
});

describe('cma_in_zone', () => {
  it('a CMA area whose last byte is the last byte of ZONE_DMA lies in the DMA zone', () => {
    const env = fakeEnv();
    const s = createDmaPoolState(R61);
    // 8 MiB .. 16 MiB - 1: end == DMA_BIT_MASK(24)
    env.cma = { base: 0x800000, size: 0x800000 };
    expect(cma_in_zone(s, env, GFP_KERNEL | GFP_DMA)).toBe(true);
    env.cma = { base: 0x800000, size: 0x801000 };
    expect(cma_in_zone(s, env, GFP_KERNEL | GFP_DMA)).toBe(false);
  });
});

describe('atomic_pool_expand reports', () => {
  it('dma_alloc_from_contiguous is reported as a call that may sleep (cma_alloc migrates pages under cma_mutex)', () => {
    const env = fakeEnv();
    env.cma = { base: 0x800000, size: 0x400000 };
    const s = createDmaPoolState(R61);
    const r = dma_atomic_pool_init(s, env, MEM_1G);
    // calls[0] is the kernel pool's gen_pool_create; its first chunk comes from CMA
    expect(r.calls[1]).toMatchObject({ fn: 'dma_alloc_from_contiguous', mayBlock: true });
  });

  it('v5.8 (no __GFP_NOWARN) logs warn_alloc "page allocation failure" at KERN_WARNING per failed order', () => {
    const env = fakeEnv();
    const s = boot(R58, env, MEM_1G);
    env.maxOrder.kernel = 0;
    const before = s.messages.length;
    atomic_pool_expand(s, env, s.atomic_pool_kernel!, 8192, GFP_KERNEL);
    expect(s.messages.slice(before)).toEqual([
      {
        kind: 'page-allocation-failure',
        level: 'warn',
        text: 'page allocation failure: order:1, mode:0xcc0(GFP_KERNEL)',
      },
    ]);
  });

  it('gen_pool_add_virt may sleep even when its allocation fails (F4: chunk allocated with GFP_KERNEL)', () => {
    const env = fakeEnv();
    const s = boot(R61, env);
    env.addFails = 1;
    const r = atomic_pool_expand(s, env, s.atomic_pool_kernel!, 4096, GFP_KERNEL);
    expect(r.calls.find((c) => c.fn === 'gen_pool_add_virt')).toMatchObject({
      mayBlock: true,
      ret: -12,
    });
  });

  it('__free_pages of a block abandoned after a failed decrypt does not sleep', () => {
    const env = fakeEnv(true);
    const s = boot(R61, env);
    env.decryptErr = -5;
    const r = atomic_pool_expand(s, env, s.atomic_pool_kernel!, 4096, GFP_KERNEL);
    expect(r.calls.map((c) => [c.fn, c.mayBlock])).toEqual([
      ['alloc_pages', true],
      ['set_memory_decrypted', true],
      ['__free_pages', false],
    ]);
  });

  it('an expansion may sleep when any of its calls may: GFP_KERNEL alloc_pages without memory encryption', () => {
    const env = fakeEnv(false);
    const s = boot(R61, env);
    const r = atomic_pool_expand(s, env, s.atomic_pool_kernel!, 4096, GFP_KERNEL);
    // set_memory_decrypted is a no-op without encryption: not every call may sleep
    expect(r.calls.map((c) => c.mayBlock)).toEqual([true, false, true]);
    expect(r.mayBlock).toBe(true);
  });

  it('the worker starts atomic_pool_expand at order get_order(gen_pool_size) with no block taken yet', () => {
    const env = fakeEnv();
    const s = boot(R61, env, MEM_1G);
    expect(dma_alloc_from_pool(s, D64, 8192, GFP_ATOMIC, null).queued).toBe(true);
    // dma and dma32 are full; the kernel pool is below 128 KiB
    const checks = [1, 2, 3].map(() => atomic_pool_work_fn(s, env));
    expect(checks.map((st) => [st.pool, st.below])).toEqual([
      ['dma', false],
      ['dma32', false],
      ['kernel', true],
    ]);
    const x = s.atomic_pool_work.running?.expand;
    expect(x).toMatchObject({
      target: s.atomic_pool_kernel,
      gfp: GFP_KERNEL,
      pool_size: 128 << 10,
      phase: 'alloc',
      order: 5,
      phys: 0,
      cma: false,
      ret: 0,
    });
  });

  it('a threshold check calls nothing; a worker sub-step may sleep when any of its calls may', () => {
    const env = fakeEnv(true);
    const s = boot(R61, env, MEM_1G);
    dma_alloc_from_pool(s, D64, 8192, GFP_ATOMIC, null);
    env.addFails = 1;
    const steps = flush_work(s, env).steps;
    for (const st of steps.filter((x) => x.step === 'check')) expect(st.calls).toEqual([]);
    // the failed add is undone: set_memory_encrypted (may sleep under encryption), then __free_pages
    const undo = steps.find((st) => st.calls.some((c) => c.fn === 'set_memory_encrypted'));
    expect(undo?.calls.map((c) => [c.fn, c.mayBlock])).toEqual([
      ['set_memory_encrypted', true],
      ['__free_pages', false],
    ]);
    expect(undo?.mayBlock).toBe(true);
  });

  it('stepping an expansion that has returned does nothing', () => {
    const env = fakeEnv();
    const s = boot(R61, env);
    const x = atomic_pool_expand_begin(s.atomic_pool_kernel!, 4096, GFP_KERNEL);
    while (x.phase !== 'done') atomic_pool_expand_step(s, env, x);
    const calls = env.log.length;
    expect(atomic_pool_expand_step(s, env, x)).toEqual([]);
    expect(env.log.length).toBe(calls);
    expect(x).toMatchObject({ phase: 'done', ret: 0 });
  });
});

describe('dma_guess_pool walks', () => {
  it('6.1: GFP_DMA falls to the kernel pool when ZONE_DMA has no managed pages (no DMA pool)', () => {
    const s = boot(R61, fakeEnv(), { ...MEM_5G, managed: { ...MEM_5G.managed, DMA: 0 } });
    expect(s.atomic_pool_dma).toBeNull();
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA)).toBe('kernel');
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC | GFP_DMA, null).tried).toEqual(['kernel']);
  });

  it('mainline: GFP_DMA tries dma, then dma32, then kernel, each only if created', () => {
    const s = boot(RML);
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA)).toBe('dma');
    s.atomic_pool_dma = null;
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA)).toBe('dma32');
    s.atomic_pool_dma32 = null;
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA)).toBe('kernel');
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC | GFP_DMA, null).tried).toEqual(['kernel']);
  });

  it('mainline: GFP_DMA32 tries dma32, then dma, then kernel, each only if created', () => {
    const s = boot(RML);
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA32)).toBe('dma32');
    s.atomic_pool_dma32 = null;
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA32)).toBe('dma');
    s.atomic_pool_dma = null;
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA32)).toBe('kernel');
  });

  it('mainline: without a zone bit tries kernel, then dma32, then dma, each only if created', () => {
    const s = boot(RML);
    expect(dma_guess_pool(s, null, GFP_ATOMIC)).toBe('kernel');
    s.atomic_pool_kernel = null;
    expect(dma_guess_pool(s, null, GFP_ATOMIC)).toBe('dma32');
    s.atomic_pool_dma32 = null;
    expect(dma_guess_pool(s, null, GFP_ATOMIC)).toBe('dma');
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null).tried).toEqual(['dma']);
  });

  it('v5.8: a device with coherent_dma_mask 0 is placed by its bus limit (min_not_zero)', () => {
    const s = boot(R58);
    // dma_direct_optimal_gfp_mask() takes min_not_zero(0, bus limit): GFP_DMA32
    const busOnly: PoolDevice = {
      name: 'ehci',
      coherent_dma_mask: 0,
      bus_dma_limit: DMA_BIT_MASK(32),
    };
    expect(dma_guess_pool(s, null, GFP_ATOMIC, busOnly)).toBe('dma32');
  });
});

describe('dma_coherent_ok', () => {
  it('accepts a buffer whose last byte is exactly the mask, and nothing past it', () => {
    const d = dev(32);
    // last byte 0xffffffff == DMA_BIT_MASK(32)
    expect(dma_coherent_ok(d, 0xfffff000, 0x1000)).toBe(true);
    expect(dma_coherent_ok(d, 0xfffff000, 0x1001)).toBe(false);
    expect(dma_coherent_ok(d, 0x100000000, 0x1000)).toBe(false);
  });
});

describe('dma_alloc_from_pool failure reports', () => {
  it('v5.8: the "Failed to get suitable pool" WARN names dma_alloc_from_pool', () => {
    const s = boot(R58);
    const r = dma_alloc_from_pool(s, D64, 8 << 20, GFP_ATOMIC, null);
    // v5.8 knows no pool.c line for its WARN (warn_site null)
    expect(r.warning).toEqual({
      kind: 'no-suitable-pool',
      level: 'warn',
      text: 'Failed to get suitable pool for nvme0',
      warn: { function: 'dma_alloc_from_pool', site: null },
    });
  });

  it('6.1: with no pool to try, the WARN names dma_alloc_from_pool at pool.c:284', () => {
    const s = boot(R61);
    // 6.1 returns the NULL dma32 pool for GFP_DMA32: the walk is empty (T7)
    s.atomic_pool_dma32 = null;
    const r = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC | GFP_DMA32, null);
    expect(r.warning?.warn).toEqual({
      function: 'dma_alloc_from_pool',
      site: 'kernel/dma/pool.c:284',
    });
  });

  it('mainline: the exhausted and missing WARNs name dma_alloc_from_pool and no pool.c line (none traced)', () => {
    const s = boot(RML);
    const exhausted = dma_alloc_from_pool(s, D64, 8 << 20, GFP_ATOMIC, null);
    expect(exhausted.warning?.warn).toEqual({ function: 'dma_alloc_from_pool', site: null });
    s.atomic_pool_kernel = null;
    s.atomic_pool_dma32 = null;
    s.atomic_pool_dma = null;
    const missing = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    expect(missing.warning).toMatchObject({
      kind: 'no-suitable-pool',
      warn: { function: 'dma_alloc_from_pool', site: null },
    });
  });

  it('a failed allocation schedules no work and does not sleep', () => {
    const s = boot(R61);
    // larger than any pool: every pool tried, none serves
    const r = dma_alloc_from_pool(s, D64, 8 << 20, GFP_ATOMIC, null);
    expect(r).toEqual({
      block: null,
      tried: ['kernel', 'dma32', 'dma'],
      scheduled: false,
      queued: false,
      warning: r.warning,
      mayBlock: false,
    });
    expect(s.atomic_pool_work.pending).toBe(false);
  });
});

describe('dma_free_from_pool, mainline (first existing of kernel, dma32, dma)', () => {
  it('frees a kernel-pool block in the kernel pool', () => {
    const s = boot(RML);
    const a = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    expect(dma_free_from_pool(s, D64, a.block!.phys, 4096).block).toEqual(a.block);
    expect(a.block?.pool).toBe('kernel');
  });

  it('frees into the DMA pool when it is the only pool (no DMA32 or Normal pages)', () => {
    const s = boot(RML, fakeEnv(), {
      totalram_pages: 3840,
      managed: { DMA: 3840, DMA32: 0, Normal: 0 },
    });
    expect([s.atomic_pool_kernel, s.atomic_pool_dma32]).toEqual([null, null]);
    const a = dma_alloc_from_pool(s, dev(24), 4096, GFP_ATOMIC | GFP_DMA, null);
    expect(a.block?.pool).toBe('dma');
    const r = dma_free_from_pool(s, dev(24), a.block!.phys, 4096);
    expect(r).toMatchObject({ freed: true, block: a.block });
  });
});
