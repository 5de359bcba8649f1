/**
 * models/dma/pool.ts beyond the traces: the per-version decisions of
 * rules.ts, every expand error path, CMA, the worker's sub-steps, and the
 * alloc/free walks with missing pools (spec/dma.md §2, §5, §6).
 */
import { describe, expect, it } from 'vitest';
import {
  atomic_pool_expand,
  atomic_pool_work_fn,
  cma_in_zone,
  createDmaPoolState,
  DMA_BIT_MASK,
  type DmaPoolConfig,
  type DmaPoolState,
  dma_alloc_from_pool,
  dma_atomic_pool_init,
  dma_coherent_ok,
  dma_free_from_pool,
  dma_guess_pool,
  early_coherent_pool,
  flush_work,
  GFP_ATOMIC,
  GFP_DMA,
  GFP_DMA32,
  GFP_KERNEL,
  get_order,
  type PoolDevice,
  type PoolEnv,
  poolOf,
  schedule_work,
  X86_64_CONFIG,
} from '../../../models/dma/pool.ts';
import type { DmaPoolRules } from '../../../models/dma/rules.ts';
import { gen_pool_avail, gen_pool_size } from '../../../models/genpool/index.ts';
import { __GFP_NOWARN } from '../../../models/page_alloc/gfp.ts';
import { BASE, D64, dev, fakeEnv, MEM_1G, MEM_5G, R58, R61, RML } from './pool-fake.ts';

function boot(
  rules: DmaPoolRules,
  env: PoolEnv = fakeEnv(),
  mem = MEM_1G,
  coherent_pool?: string,
  config: DmaPoolConfig = X86_64_CONFIG,
): DmaPoolState {
  const s = createDmaPoolState(rules, config);
  if (coherent_pool !== undefined) early_coherent_pool(s, coherent_pool);
  dma_atomic_pool_init(s, env, mem);
  return s;
}

function texts(s: DmaPoolState): (string | null)[] {
  return s.messages.map((m) => m.text);
}

describe('get_order (x86_64)', () => {
  it.each([
    [0, 52],
    [1, 0],
    [4096, 0],
    [4097, 1],
    [8192, 1],
    [8193, 2],
    [372736, 7],
    [4 << 20, 10],
    [(4 << 20) + 1, 11],
  ])('get_order(%d) = %d', (size, order) => {
    expect(get_order(size)).toBe(order);
  });
});

describe('dma_atomic_pool_init', () => {
  it('creates kernel, dma, dma32 in that order with one power-of-two chunk each; schedules nothing', () => {
    const s = boot(R61, fakeEnv(), MEM_5G);
    expect(s.atomic_pool_size).toBe(152 * 4096);
    expect(texts(s)).toEqual([
      'DMA: preallocated 1024 KiB GFP_KERNEL pool for atomic allocations',
      'DMA: preallocated 1024 KiB GFP_KERNEL|GFP_DMA pool for atomic allocations',
      'DMA: preallocated 1024 KiB GFP_KERNEL|GFP_DMA32 pool for atomic allocations',
    ]);
    for (const name of ['dma', 'dma32', 'kernel'] as const) {
      const p = poolOf(s, name)!;
      expect(p.chunks).toEqual([{ seq: 0, phys: BASE[name], size: 1 << 20, order: 8, cma: false }]);
    }
    expect([s.pool_size_dma, s.pool_size_dma32, s.pool_size_kernel]).toEqual([
      1 << 20,
      1 << 20,
      1 << 20,
    ]);
    expect(s.atomic_pool_work).toEqual({ pending: false, running: null });
  });

  it('creates pools per version: 6.1 dma iff ZONE_DMA managed, v5.8 by Kconfig, mainline per zone', () => {
    const mem = { totalram_pages: 250000, managed: { DMA: 0, DMA32: 0, Normal: 0 } };
    const exist = (s: DmaPoolState) =>
      (['dma', 'dma32', 'kernel'] as const).filter((n) => poolOf(s, n) !== null);
    expect(exist(boot(R61, fakeEnv(), mem))).toEqual(['dma32', 'kernel']);
    expect(exist(boot(R58, fakeEnv(), mem))).toEqual(['dma', 'dma32', 'kernel']);
    expect(exist(boot(RML, fakeEnv(), mem))).toEqual([]);
    expect(exist(boot(RML, fakeEnv(), MEM_1G))).toEqual(['dma', 'dma32']);
    expect(exist(boot(RML, fakeEnv(), MEM_5G))).toEqual(['dma', 'dma32', 'kernel']);
    const noZones = { ...X86_64_CONFIG, CONFIG_ZONE_DMA: false, CONFIG_ZONE_DMA32: false };
    for (const r of [R58, R61, RML])
      expect(exist(boot(r, fakeEnv(), MEM_5G, undefined, noZones))).toEqual(
        r === RML ? ['kernel'] : ['kernel'],
      );
  });

  it('leaves a pool NULL with pr_err of the unrounded size when its first expansion fails; others still come', () => {
    const env = fakeEnv();
    env.maxOrder.dma = -1;
    const s = boot(R61, env, { ...MEM_1G, totalram_pages: 3 * 262144 }, undefined);
    expect(s.atomic_pool_dma).toBeNull();
    expect(texts(s)).toEqual([
      'DMA: preallocated 512 KiB GFP_KERNEL pool for atomic allocations',
      'DMA: failed to allocate 384 KiB GFP_KERNEL|GFP_DMA pool for atomic allocation',
      'DMA: preallocated 512 KiB GFP_KERNEL|GFP_DMA32 pool for atomic allocations',
    ]);
    const env2 = fakeEnv();
    env2.maxOrder.dma = -1;
    const s2 = createDmaPoolState(R61);
    expect(dma_atomic_pool_init(s2, env2, MEM_1G).ret).toBe(-12);
  });

  it('leaves a pool NULL and silent when gen_pool_create fails (F6)', () => {
    const env = fakeEnv();
    env.createFails = 1;
    const s = createDmaPoolState(R61);
    const r = dma_atomic_pool_init(s, env, MEM_1G);
    expect(r.ret).toBe(-12);
    expect(s.atomic_pool_kernel).toBeNull();
    expect(s.messages).toHaveLength(2);
    expect(r.calls[0]).toMatchObject({ fn: 'gen_pool_create', ret: -12, mayBlock: true });
    expect(r.mayBlock).toBe(true);
  });

  it('keeps an empty live pool when gen_pool_add fails at init (T4); its first expansion asks 4 MiB', () => {
    const env = fakeEnv();
    env.addFails = 1;
    const s = boot(R61, env);
    expect(s.atomic_pool_kernel?.chunks).toEqual([]);
    expect(texts(s)[0]).toBe('DMA: preallocated 0 KiB GFP_KERNEL pool for atomic allocations');
    expect(env.freed).toEqual([{ phys: BASE.kernel, order: 5 }]);
    expect(s.pool_size_kernel).toBe(0);
    // empty: avail 0 < threshold; a successful allocation elsewhere queues the worker
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null).block?.pool).toBe('dma32');
    flush_work(s, env);
    expect(s.atomic_pool_kernel?.chunks[0]).toMatchObject({ seq: 0, size: 4 << 20, order: 10 });
  });
});

describe('atomic_pool_expand', () => {
  it('falls back one order at a time; v5.8 logs a page allocation failure per failed order, 6.1 none', () => {
    for (const [rules, warnings] of [
      [R58, 6],
      [R61, 0],
    ] as const) {
      const env = fakeEnv();
      const s = boot(rules, env, MEM_1G);
      env.maxOrder.dma32 = 2;
      const p = s.atomic_pool_dma32!;
      const r = atomic_pool_expand(s, env, p, 1 << 20, GFP_KERNEL | GFP_DMA32);
      expect(r.ret).toBe(0);
      const orders = r.calls.filter((c) => c.fn === 'alloc_pages').map((c) => c.order);
      expect(orders).toEqual([8, 7, 6, 5, 4, 3, 2]);
      const before = 3;
      expect(s.messages.length - before).toBe(warnings);
      if (warnings > 0)
        expect(s.messages[before]?.text).toBe(
          'page allocation failure: order:8, mode:0xcc4(GFP_KERNEL|GFP_DMA32)',
        );
      const nowarn = r.calls.every((c) => c.fn !== 'alloc_pages' || (c.gfp! & __GFP_NOWARN) !== 0);
      expect(nowarn).toBe(rules === R61);
      expect(p.chunks[1]).toMatchObject({ seq: 1, size: 4096 * 4, order: 2 });
      expect(s.pool_size_dma32).toBe((128 << 10) + 16384);
    }
  });

  it('returns -ENOMEM with nothing to undo when order 0 fails too', () => {
    const env = fakeEnv();
    const s = boot(R61, env);
    env.maxOrder.kernel = -1;
    const r = atomic_pool_expand(s, env, s.atomic_pool_kernel!, 8192, GFP_KERNEL);
    expect(r.ret).toBe(-12);
    expect(r.calls.map((c) => c.order)).toEqual([1, 0]);
    expect(env.freed).toEqual([]);
    expect(s.atomic_pool_kernel?.chunks).toHaveLength(1);
  });

  it('on a decrypt failure frees the block in v5.8/6.1 (BZ-10b) and leaks it in mainline', () => {
    for (const rules of [R58, R61, RML]) {
      const env = fakeEnv(true);
      const s = boot(rules, env, MEM_5G);
      env.decryptErr = -5;
      const p = s.atomic_pool_dma!;
      const r = atomic_pool_expand(s, env, p, 1 << 20, GFP_KERNEL | GFP_DMA);
      expect(r.ret).toBe(-5);
      expect(p.chunks).toHaveLength(1);
      const phys = r.calls.find((c) => c.fn === 'set_memory_decrypted')?.phys;
      if (rules === RML) {
        expect(env.freed).toEqual([]);
        expect(s.leaked).toEqual([{ phys, order: 8, cause: 'decrypt-failed' }]);
      } else {
        expect(env.freed).toEqual([{ phys, order: 8 }]);
        expect(s.leaked).toEqual([]);
      }
      expect(r.calls.find((c) => c.fn === 'set_memory_decrypted')?.mayBlock).toBe(true);
    }
  });

  it('after a failed add re-encrypts and frees, returning 0 with nothing added (F4, T4)', () => {
    const env = fakeEnv();
    const s = boot(R61, env);
    env.addFails = 1;
    const r = atomic_pool_expand(s, env, s.atomic_pool_kernel!, 128 << 10, GFP_KERNEL);
    expect(r.ret).toBe(0);
    expect(r.calls.map((c) => c.fn)).toEqual([
      'alloc_pages',
      'set_memory_decrypted',
      'gen_pool_add_virt',
      'set_memory_encrypted',
      '__free_pages',
    ]);
    expect(r.calls.find((c) => c.fn === 'set_memory_encrypted')?.mayBlock).toBe(false);
    expect(s.atomic_pool_kernel?.chunks).toHaveLength(1);
    expect(s.pool_size_kernel).toBe(128 << 10);
    // the v6.6-2026 x86 variant leaks instead (BZ-10a)
    const env2 = fakeEnv();
    const s2 = boot({ ...RML, expand_add_failure: 'leak' }, env2, MEM_5G);
    env2.addFails = 1;
    expect(atomic_pool_expand(s2, env2, s2.atomic_pool_kernel!, 4096, GFP_KERNEL).ret).toBe(0);
    expect(s2.leaked[0]?.cause).toBe('add-failed');
    expect(env2.freed).toEqual([]);
  });

  it('leaks the block with one WARN_ON_ONCE when re-encryption fails too', () => {
    const env = fakeEnv(true);
    const s = boot(R61, env);
    env.addFails = 2;
    env.encryptErr = -5;
    const p = s.atomic_pool_dma32!;
    const r1 = atomic_pool_expand(s, env, p, 4096, GFP_KERNEL | GFP_DMA32);
    const r2 = atomic_pool_expand(s, env, p, 4096, GFP_KERNEL | GFP_DMA32);
    expect([r1.ret, r2.ret]).toEqual([-5, -5]);
    expect(s.leaked.map((l) => l.cause)).toEqual(['reencrypt-failed', 'reencrypt-failed']);
    const warns = s.messages.filter((m) => m.kind === 'reencrypt-failed');
    expect(warns).toEqual([
      {
        kind: 'reencrypt-failed',
        level: 'warn',
        text: null,
        warn: { function: 'atomic_pool_expand', site: null },
      },
    ]);
    expect(env.freed).toEqual([]);
  });

  it('takes CMA first where cma_in_zone (6.1, mainline), never in v5.8; a CMA block is freed to buddy (BZ-11)', () => {
    const below16M = { base: 0x800000, size: 0x400000 };
    for (const rules of [R58, R61]) {
      const env = fakeEnv();
      env.cma = below16M;
      const s = boot(rules, env, MEM_1G);
      // init order kernel, dma, dma32: each takes the next 128 KiB of the area
      (['kernel', 'dma', 'dma32'] as const).forEach((name, k) => {
        const c = poolOf(s, name)!.chunks[0]!;
        expect(c.cma).toBe(rules === R61);
        expect(c.phys).toBe(rules === R61 ? 0x800000 + k * (128 << 10) : BASE[name]);
      });
    }
    const env = fakeEnv();
    env.cma = below16M;
    const s = boot(R61, env, MEM_1G);
    env.decryptErr = -5;
    atomic_pool_expand(s, env, s.atomic_pool_kernel!, 4096, GFP_KERNEL);
    expect(env.freed).toEqual([{ phys: 0x800000 + 3 * (128 << 10), order: 0 }]);
    // CMA empty: the buddy allocator at the same order
    env.cmaFails = true;
    env.decryptErr = 0;
    const r = atomic_pool_expand(s, env, s.atomic_pool_kernel!, 4096, GFP_KERNEL);
    expect(r.calls.map((c) => c.fn).slice(0, 2)).toEqual([
      'dma_alloc_from_contiguous',
      'alloc_pages',
    ]);
    expect(s.atomic_pool_kernel?.chunks[1]?.cma).toBe(false);
  });

  it('cma_in_zone: the area end against the zone limit; mainline widens DMA32 to a larger DMA zone', () => {
    const env = fakeEnv();
    const s = createDmaPoolState(R61);
    expect(cma_in_zone(s, env, GFP_KERNEL)).toBe(false);
    env.cma = { base: 0x100000000, size: 0 };
    expect(cma_in_zone(s, env, GFP_KERNEL)).toBe(false);
    env.cma = { base: 0xff000000, size: 0x1000000 };
    expect(cma_in_zone(s, env, GFP_KERNEL | GFP_DMA32)).toBe(true);
    expect(cma_in_zone(s, env, GFP_KERNEL | GFP_DMA)).toBe(false);
    expect(cma_in_zone(s, env, GFP_KERNEL)).toBe(true);
    env.cma = { base: 0x100000000, size: 0x1000000 };
    expect(cma_in_zone(s, env, GFP_KERNEL | GFP_DMA32)).toBe(false);
    const wide = { ...X86_64_CONFIG, zone_dma_bits: 34 };
    expect(cma_in_zone(createDmaPoolState(R61, wide), env, GFP_KERNEL | GFP_DMA32)).toBe(false);
    expect(cma_in_zone(createDmaPoolState(RML, wide), env, GFP_KERNEL | GFP_DMA32)).toBe(true);
    const noDma = { ...X86_64_CONFIG, CONFIG_ZONE_DMA: false, CONFIG_ZONE_DMA32: false };
    expect(cma_in_zone(createDmaPoolState(R61, noDma), env, GFP_KERNEL | GFP_DMA)).toBe(true);
  });
});

describe('atomic_pool_work_fn and flush_work', () => {
  it('is idle unless queued', () => {
    const s = boot(R61);
    expect(atomic_pool_work_fn(s, fakeEnv())).toEqual({
      step: 'idle',
      pool: null,
      calls: [],
      mayBlock: false,
      done: true,
    });
    expect(flush_work(s, fakeEnv())).toEqual({ pending: false, steps: [] });
  });

  it('runs as sub-steps: check each pool, then alloc, decrypt, add for one below the threshold', () => {
    const env = fakeEnv(true);
    const s = boot(R61, env);
    const r = dma_alloc_from_pool(s, dev(32), 8192, GFP_ATOMIC | GFP_DMA32, null);
    expect(r).toMatchObject({ scheduled: true, queued: true, mayBlock: false });
    expect(s.atomic_pool_work.pending).toBe(true);
    const steps = [];
    for (;;) {
      const st = atomic_pool_work_fn(s, env);
      steps.push([
        st.step,
        st.pool,
        st.below ?? st.calls.map((c) => c.fn).join(','),
        st.mayBlock,
        st.done,
      ]);
      if (st.done) break;
    }
    expect(steps).toEqual([
      ['check', 'dma', false, false, false],
      ['check', 'dma32', true, false, false],
      ['expand', 'dma32', 'alloc_pages', true, false],
      ['expand', 'dma32', 'set_memory_decrypted', true, false],
      ['expand', 'dma32', 'gen_pool_add_virt', true, false],
      ['check', 'kernel', false, false, true],
    ]);
    expect(gen_pool_size(s.atomic_pool_dma32!.pool)).toBe(256 << 10);
    expect(s.atomic_pool_work).toEqual({ pending: false, running: null });
  });

  it('checks each pool when the worker reaches it, not when work was queued (T5)', () => {
    const env = fakeEnv();
    const s = boot(R61, env);
    const a = dma_alloc_from_pool(s, D64, 8192, GFP_ATOMIC, null);
    expect(a.block?.pool).toBe('kernel');
    // freed back before the worker runs: no chunk for kernel
    dma_free_from_pool(s, D64, a.block!.phys, 8192);
    // dma never queued anything, but is below the threshold when checked: it grows
    dma_alloc_from_pool(s, dev(24), 4096, GFP_ATOMIC | GFP_DMA, null);
    expect(flush_work(s, env).pending).toBe(true);
    expect(s.atomic_pool_dma?.chunks).toHaveLength(2);
    expect(s.atomic_pool_kernel?.chunks).toHaveLength(1);
  });

  it('clears pending as a run starts: an allocation during the run queues it again', () => {
    const env = fakeEnv();
    const s = boot(R61, env);
    dma_alloc_from_pool(s, D64, 8192, GFP_ATOMIC, null);
    atomic_pool_work_fn(s, env);
    expect(s.atomic_pool_work.pending).toBe(false);
    expect(s.atomic_pool_work.running).not.toBeNull();
    const again = dma_alloc_from_pool(s, dev(32), 4096, GFP_ATOMIC | GFP_DMA32, null);
    expect(again.queued).toBe(true);
    expect(schedule_work(s)).toBe(false);
    // flush waits for the running instance and the queued one
    const f = flush_work(s, env);
    expect(f.pending).toBe(true);
    expect(f.steps.filter((st) => st.done)).toHaveLength(2);
    expect(s.atomic_pool_kernel?.chunks).toHaveLength(2);
    expect(s.atomic_pool_dma32?.chunks).toHaveLength(2);
  });

  it('grows one chunk per pool per run: doubling to 4 MiB chunks, then 4 MiB a run', () => {
    const env = fakeEnv();
    const s = boot(R61, env, MEM_1G, '64M');
    const kernel = s.atomic_pool_kernel!;
    const sizes = [];
    for (let run = 0; run < 4; run++) {
      dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
      flush_work(s, env);
      sizes.push(kernel.chunks.at(-1)?.size);
    }
    expect(kernel.chunks[0]?.size).toBe(4 << 20);
    expect(sizes).toEqual([4 << 20, 4 << 20, 4 << 20, 4 << 20]);
    const small = boot(R61, env, MEM_1G, '128M');
    expect(small.atomic_pool_kernel?.chunks[0]?.size).toBe(4 << 20);
    const t = boot(R61, fakeEnv(), MEM_1G, '8K');
    const seen = [];
    for (let run = 0; run < 5; run++) {
      // allocate until the pool drops below the 8 KiB threshold
      while (!dma_alloc_from_pool(t, D64, 4096, GFP_ATOMIC, null).scheduled);
      flush_work(t, env);
      seen.push(gen_pool_size(t.atomic_pool_kernel!.pool));
    }
    expect(seen).toEqual([16384, 32768, 65536, 131072, 262144]);
  });

  it('skips the zone pools that are not configured', () => {
    const cfg = { ...X86_64_CONFIG, CONFIG_ZONE_DMA: false };
    const env = fakeEnv();
    const s = boot(R58, env, MEM_1G, undefined, cfg);
    dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    const steps = flush_work(s, env).steps;
    expect(steps.map((st) => st.pool)).toEqual(['dma32', 'kernel', 'kernel', 'kernel', 'kernel']);
    // a worker with nothing configured to visit ends at once
    const none = boot(R61, fakeEnv(), MEM_1G, undefined, { ...cfg, CONFIG_ZONE_DMA32: false });
    none.atomic_pool_work.pending = true;
    none.atomic_pool_kernel = null;
    expect(flush_work(none, env).steps.map((st) => [st.step, st.done])).toEqual([['check', true]]);
  });
});

describe('dma_alloc_from_pool', () => {
  it('serves from the newest chunk first and reports chunk index, offset and phys', () => {
    const env = fakeEnv();
    const s = boot(R61, env);
    dma_alloc_from_pool(s, D64, 8192, GFP_ATOMIC, null);
    flush_work(s, env);
    const r = dma_alloc_from_pool(s, D64, 12288, GFP_ATOMIC, null);
    const c1 = s.atomic_pool_kernel!.chunks[1]!;
    expect(r.block).toEqual({ pool: 'kernel', chunk: 1, offset: 0, phys: c1.phys });
    const r2 = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    expect(r2.block).toMatchObject({ chunk: 1, offset: 0x3000 });
  });

  it('queues work only when the serving pool ends strictly below atomic_pool_size', () => {
    const s = boot(R61, fakeEnv(), MEM_1G, '96K');
    const r1 = dma_alloc_from_pool(s, D64, 32768, GFP_ATOMIC, null);
    expect(r1).toMatchObject({ scheduled: false, queued: false });
    const r2 = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    expect(r2).toMatchObject({ scheduled: true, queued: true });
    const r3 = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    expect(r3).toMatchObject({ scheduled: true, queued: false });
  });

  it('frees a block that fails the address check and tries the next pool, queueing nothing', () => {
    const s = boot(R61, fakeEnv(), MEM_5G);
    const ok = (d: PoolDevice, phys: number, size: number) => dma_coherent_ok(d, phys, size);
    const r = dma_alloc_from_pool(s, dev(32), 4096, GFP_ATOMIC, ok);
    expect(r.tried).toEqual(['kernel', 'dma32']);
    expect(r.block?.pool).toBe('dma32');
    expect(gen_pool_avail(s.atomic_pool_kernel!.pool)).toBe(
      gen_pool_size(s.atomic_pool_kernel!.pool),
    );
    const low = dma_alloc_from_pool(s, dev(24), 4096, GFP_ATOMIC, ok);
    expect(low.tried).toEqual(['kernel', 'dma32', 'dma']);
    expect(low.block?.pool).toBe('dma');
  });

  it('6.1: exhausted warns unless __GFP_NOWARN; a missing first pool warns always (T7)', () => {
    const s = boot(R61, fakeEnv());
    const big = 8 << 20;
    expect(dma_alloc_from_pool(s, D64, big, GFP_ATOMIC | __GFP_NOWARN, null).warning).toBeNull();
    const w = dma_alloc_from_pool(s, D64, big, GFP_ATOMIC, null).warning;
    expect(w).toEqual({
      kind: 'exhausted',
      level: 'warn',
      text: 'DMA pool exhausted for nvme0',
      warn: { function: 'dma_alloc_from_pool', site: 'kernel/dma/pool.c:282' },
    });
    s.atomic_pool_dma32 = null;
    const m = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC | GFP_DMA32 | __GFP_NOWARN, null);
    expect(m.tried).toEqual([]);
    expect(m.warning).toMatchObject({
      kind: 'no-suitable-pool',
      text: 'Failed to get suitable pool for nvme0',
    });
    s.atomic_pool_kernel = null;
    // the kernel pool missing ends a K walk at once, although dma exists
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null).tried).toEqual([]);
  });

  it('mainline: the first existing pool of the chain; v5.8: WARN on every failure, NOWARN ignored', () => {
    const s = boot(RML, fakeEnv(), MEM_1G);
    expect(s.atomic_pool_kernel).toBeNull();
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null).tried).toEqual(['dma32']);
    s.atomic_pool_dma = null;
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC | GFP_DMA, null).block?.pool).toBe('dma32');
    s.atomic_pool_dma32 = null;
    expect(dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC | GFP_DMA32, null).warning?.kind).toBe(
      'no-suitable-pool',
    );
    const v58 = boot(R58, fakeEnv(), MEM_5G);
    const w = dma_alloc_from_pool(v58, D64, 8 << 20, GFP_ATOMIC | __GFP_NOWARN, null).warning;
    expect(w).toMatchObject({
      kind: 'no-suitable-pool',
      text: 'Failed to get suitable pool for nvme0',
    });
  });

  it('v5.8: the first pool from the device mask, and the address always checked (BZ-06)', () => {
    const s = boot(R58, fakeEnv(), MEM_5G);
    expect(dma_guess_pool(s, null, GFP_ATOMIC, dev(24))).toBe('dma');
    expect(dma_guess_pool(s, null, GFP_ATOMIC, dev(30))).toBe('dma32');
    expect(dma_guess_pool(s, null, GFP_ATOMIC, dev(64, DMA_BIT_MASK(32)))).toBe('dma32');
    expect(dma_guess_pool(s, null, GFP_ATOMIC | GFP_DMA, D64)).toBe('kernel');
    expect(dma_guess_pool(s, null, GFP_ATOMIC)).toBe('kernel');
    // no phys_addr_ok given (an IOMMU caller), yet v5.8 checks against the mask
    const iommuDev = { ...dev(64), bus_dma_limit: DMA_BIT_MASK(33) };
    s.atomic_pool_dma32 = null;
    const r = dma_alloc_from_pool(s, iommuDev, 4096, GFP_ATOMIC, null);
    expect(r.tried).toEqual(['kernel', 'dma']);
    expect(r.block?.pool).toBe('dma');
    expect(
      dma_alloc_from_pool(boot(R61, fakeEnv(), MEM_5G), iommuDev, 4096, GFP_ATOMIC, null).block
        ?.pool,
    ).toBe('kernel');
    const noDma = boot(R58, fakeEnv(), MEM_5G, undefined, {
      ...X86_64_CONFIG,
      CONFIG_ZONE_DMA: false,
    });
    expect(dma_guess_pool(noDma, null, 0, dev(24))).toBe('kernel');
  });
});

describe('dma_free_from_pool', () => {
  it('6.1 stops at a NULL kernel pool (T7); mainline walks every existing pool', () => {
    for (const [rules, freed] of [
      [R61, false],
      [RML, true],
    ] as const) {
      const s = boot(rules, fakeEnv(), MEM_5G);
      const a = dma_alloc_from_pool(s, dev(32), 4096, GFP_ATOMIC | GFP_DMA32, null);
      s.atomic_pool_kernel = null;
      const r = dma_free_from_pool(s, dev(32), a.block!.phys, 4096);
      expect(r.freed).toBe(freed);
      expect(r.mayBlock).toBe(false);
      if (freed)
        expect(r.block).toEqual({ pool: 'dma32', chunk: 0, offset: 0, phys: a.block!.phys });
      else expect(r.block).toBeNull();
    }
  });

  it('v5.8 walks only the device chain: a 24-bit device cannot free a kernel-pool block', () => {
    const s = boot(R58, fakeEnv(), MEM_5G);
    const a = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    expect(dma_free_from_pool(s, dev(24), a.block!.phys, 4096).freed).toBe(false);
    expect(dma_free_from_pool(s, D64, a.block!.phys, 4096).freed).toBe(true);
  });

  it('refuses a range that leaves its chunk, and records a double free as the BUG it is', () => {
    const s = boot(R61, fakeEnv(), MEM_5G);
    const a = dma_alloc_from_pool(s, D64, 4096, GFP_ATOMIC, null);
    const phys = a.block!.phys;
    expect(dma_free_from_pool(s, D64, phys, (1 << 20) + 1).freed).toBe(false);
    expect(dma_free_from_pool(s, D64, phys, 4096).bug).toBeNull();
    const again = dma_free_from_pool(s, D64, phys, 4096);
    expect(again.freed).toBe(true);
    expect(again.bug).toMatch(/not allocated/);
    expect(s.messages.at(-1)).toMatchObject({ kind: 'bug', level: 'err' });
  });
});
