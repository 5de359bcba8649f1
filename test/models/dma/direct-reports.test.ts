/**
 * What dma-direct (models/dma/direct.ts) reports: the may-sleep reasons, the
 * warnings and their once-ness, the pfns of page and pool allocations, and
 * the rule branches no shipped version takes (BZ-15's pool predicate,
 * BZ-23's CMA retry) next to the ones they do. Expected values come from
 * spec/dma.md (§2.8-§2.10, §4, T13, T15) and spec/bug-zoo.md, never from
 * the model.
 */
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../models/dma/device.ts';
import {
  type DirectEffect,
  dma_alloc_attrs,
  dma_alloc_pages,
  dma_free_attrs,
  dma_free_pages,
  type StructPage,
} from '../../../models/dma/direct.ts';
import { type DmaDirectRules, dmaDirectRules } from '../../../models/dma/direct_rules.ts';
import { DMA_ATTR_NO_KERNEL_MAPPING, EIO, ENOMEM } from '../../../models/dma/env.ts';
import { __GFP_DMA, __GFP_DMA32 } from '../../../models/page_alloc/gfp.ts';
import {
  dev32,
  dev36,
  type FakeScript,
  fakeEnv,
  GFP_ATOMIC,
  GFP_KERNEL,
  GiB,
  nvme,
  PAGE,
  PLAIN,
  pageAllocs,
  SEV,
  SME,
  TDX,
} from './direct-fake.ts';

// Addresses: DMA32 below 4 GiB, Normal above; dev36 reaches 64 GiB - 1.
const DMA32_PAGE = 2 * GiB;
const CMA_LOW = 3 * GiB;
const NORMAL_PAGE = 32 * GiB;
const BEYOND_DEV36 = 128 * GiB;
const POOL_BLOCK = 1 * GiB;

function sleepReasons(fx: readonly DirectEffect[]) {
  return fx.flatMap((e) => (e.kind === 'may_sleep' ? [{ op: e.op, why: e.why }] : []));
}
function warns(fx: readonly DirectEffect[]) {
  return fx.flatMap((e) => (e.kind === 'warn' ? [e] : []));
}
function started(calls: readonly string[], prefix: string): string[] {
  return calls.filter((c) => c.startsWith(prefix));
}

// The reasons dma.md §4 gives for each may-sleep row.
const WHY_SET_MEMORY =
  'vm_unmap_aliases() takes vmap_purge_lock; a large-page split allocates with GFP_KERNEL';
const WHY_CMA = 'cma_alloc() takes a mutex and migrates pages';
const WHY_RECLAIM = '__GFP_DIRECT_RECLAIM: direct reclaim and compaction';

// ---------------------------------------------------------------------------

describe('why each call may sleep (dma.md §4)', () => {
  it('v5.4 GFP_ATOMIC on an SEV guest: set_memory_decrypted() may sleep because vm_unmap_aliases() takes vmap_purge_lock (BZ-01)', () => {
    const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
    const r = dma_alloc_attrs(dmaDirectRules['v5.4'], f.env, nvme, PAGE, GFP_ATOMIC, 0);
    expect(r.ok).toBe(true);
    expect(sleepReasons(r.effects)).toEqual([{ op: 'set_memory_decrypted', why: WHY_SET_MEMORY }]);
  });

  it('a blocking request may sleep in cma_alloc() (mutex, migration) and then in direct reclaim, in that order', () => {
    const f = fakeEnv(PLAIN, { zones: { normal: [NORMAL_PAGE] } });
    const r = dma_alloc_attrs(dmaDirectRules.mainline, f.env, nvme, PAGE, GFP_KERNEL, 0);
    expect(r.ok).toBe(true);
    expect(sleepReasons(r.effects)).toEqual([
      { op: 'dma_alloc_contiguous', why: WHY_CMA },
      { op: 'alloc_pages', why: WHY_RECLAIM },
    ]);
  });

  it('freeing a forced device non-pool buffer may sleep in set_memory_encrypted() for the same reason', () => {
    const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
    const rules = dmaDirectRules['6.1'];
    const a = dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_KERNEL, 0);
    if (!a.ok) throw new Error('allocation failed');
    const r = dma_free_attrs(rules, f.env, nvme, PAGE, a.cpu_addr, a.dma_handle, 0);
    expect(sleepReasons(r.effects)).toEqual([{ op: 'set_memory_encrypted', why: WHY_SET_MEMORY }]);
  });
});

describe('warnings: text and once-ness (dma.md §2.8-§2.10)', () => {
  it('a TDX hook failure (-EIO) is a WARN_ONCE: "CPA VMM failure to convert memory", once per boot', () => {
    const f = fakeEnv(TDX, { zones: { normal: [NORMAL_PAGE] }, decrypt: [-EIO] });
    const r = dma_alloc_attrs(dmaDirectRules.mainline, f.env, nvme, PAGE, GFP_KERNEL, 0);
    expect(r.ok).toBe(false);
    expect(warns(r.effects)).toEqual([
      {
        kind: 'warn',
        text: `CPA VMM failure to convert memory (pfn 0x${(NORMAL_PAGE / PAGE).toString(16)}, numpages=1) to shared`,
        once: true,
      },
    ]);
  });

  it('6.1 dma_set_encrypted() failure is pr_warn_ratelimited, not once: every leaking free warns', () => {
    const f = fakeEnv(SEV, {
      zones: { normal: [NORMAL_PAGE, NORMAL_PAGE + 1 * GiB] },
      encrypt: [-ENOMEM, -ENOMEM],
    });
    const rules = dmaDirectRules['6.1'];
    for (let i = 0; i < 2; i++) {
      const a = dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_KERNEL, 0);
      if (!a.ok) throw new Error('allocation failed');
      const r = dma_free_attrs(rules, f.env, nvme, PAGE, a.cpu_addr, a.dma_handle, 0);
      expect(warns(r.effects)).toEqual([
        { kind: 'warn', text: "leaking DMA memory that can't be re-encrypted", once: false },
      ]);
    }
  });

  it('6.1 without CONFIG_DMA_COHERENT_POOL: dma_direct_alloc_from_pool() hits its WARN_ON_ONCE and fails', () => {
    const f = fakeEnv(
      { ...SEV, CONFIG_DMA_COHERENT_POOL: false },
      { zones: { normal: [NORMAL_PAGE] } },
    );
    const r = dma_alloc_attrs(dmaDirectRules['6.1'], f.env, nvme, PAGE, GFP_ATOMIC, 0);
    expect(r).toEqual({
      ok: false,
      effects: [
        {
          kind: 'warn',
          text: 'WARNING: at kernel/dma/direct.c:? dma_direct_alloc_from_pool',
          once: true,
        },
      ],
    });
  });

  it('dma_alloc_pages() with a zone bit hits the WARN_ON_ONCE in __dma_alloc_pages (mapping.c)', () => {
    const f = fakeEnv(SEV, { zones: { dma32: [DMA32_PAGE] } });
    const r = dma_alloc_pages(dmaDirectRules.mainline, f.env, nvme, PAGE, GFP_KERNEL | __GFP_DMA32);
    expect(r).toEqual({
      ok: false,
      effects: [
        { kind: 'warn', text: 'WARNING: at kernel/dma/mapping.c:? __dma_alloc_pages', once: true },
      ],
    });
    expect(f.calls).toEqual([]);
  });
});

describe('allocation reports name the pages they got (dma.md §2.5, §2.8)', () => {
  it('v5.8 asks the pools with the caller gfp (no optimal zone OR-ed in) and reports the block it got', () => {
    // v5.8 dma_alloc_from_pool() guesses the pool from the device mask, so
    // dma-direct passes gfp untouched; 5.9+ OR in the zone (tested in direct.test.ts).
    const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
    const r = dma_alloc_attrs(dmaDirectRules['v5.8'], f.env, dev32, PAGE, GFP_ATOMIC, 0);
    expect(r.ok).toBe(true);
    expect(r.effects).toEqual([
      { kind: 'pool_alloc', size: PAGE, gfp: GFP_ATOMIC, pfn: POOL_BLOCK / PAGE },
    ]);
  });

  it('mainline page API, atomic and forced: one pool allocation and nothing else', () => {
    const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
    const r = dma_alloc_pages(dmaDirectRules.mainline, f.env, nvme, PAGE, GFP_ATOMIC);
    expect(r.ok).toBe(true);
    expect(r.effects).toEqual([
      { kind: 'pool_alloc', size: PAGE, gfp: GFP_ATOMIC, pfn: POOL_BLOCK / PAGE },
    ]);
  });

  it('an empty zonelist: alloc_pages_node() returns NULL, reported as no pfn', () => {
    const f = fakeEnv(PLAIN);
    const r = dma_alloc_attrs(dmaDirectRules.mainline, f.env, nvme, PAGE, GFP_ATOMIC, 0);
    expect(r).toEqual({
      ok: false,
      effects: [{ kind: 'page_alloc', source: 'buddy', gfp: GFP_ATOMIC, npages: 1, pfn: null }],
    });
  });

  it('v5.4 hands dma_alloc_contiguous() PAGE_ALIGN(size): 5000 bytes ask CMA for 2 pages (BZ-19 is the v5.8-rc window only)', () => {
    const f = fakeEnv(PLAIN, { cma: [CMA_LOW] });
    const r = dma_alloc_attrs(dmaDirectRules['v5.4'], f.env, nvme, 5000, GFP_KERNEL, 0);
    expect(r.ok).toBe(true);
    expect(started(f.calls, 'dma_alloc_contiguous')).toEqual([
      `dma_alloc_contiguous(${2 * PAGE}, 0x${GFP_KERNEL.toString(16)})`,
    ]);
    expect(pageAllocs(r.effects)).toEqual([
      { kind: 'page_alloc', source: 'cma', gfp: GFP_KERNEL, npages: 2, pfn: CMA_LOW / PAGE },
    ]);
  });
});

describe('BZ-23: CMA in every zone step (b1d2dc009dec) against CMA once (90ae409f9eb3)', () => {
  // The pre-fix wiring (v5.3-rc) as a rule variant on the v5.4 rules, the closest release.
  const everyZone: DmaDirectRules = {
    ...dmaDirectRules['v5.4'],
    dma_direct_cma_retry: 'every-zone',
  };
  // One CMA area beyond dev36, asked again at each step; an addressable Normal page waits.
  const script = (): FakeScript => ({
    cma: [BEYOND_DEV36, BEYOND_DEV36, BEYOND_DEV36],
    zones: { normal: [NORMAL_PAGE] },
  });

  it('before the fix an unaddressable CMA area answers every zone step and the request fails without trying Normal', () => {
    const f = fakeEnv(PLAIN, script());
    const r = dma_alloc_attrs(everyZone, f.env, dev36, PAGE, GFP_KERNEL, 0);
    expect(r.ok).toBe(false);
    expect(started(f.calls, 'dma_alloc_contiguous')).toEqual(
      [GFP_KERNEL, GFP_KERNEL | __GFP_DMA32, GFP_KERNEL | __GFP_DMA].map(
        (g) => `dma_alloc_contiguous(${PAGE}, 0x${g.toString(16)})`,
      ),
    );
    expect(started(f.calls, 'alloc_pages_node')).toEqual([]);
  });

  it('after the fix CMA is asked once, and the buddy allocator then serves the Normal page', () => {
    const f = fakeEnv(PLAIN, script());
    const r = dma_alloc_attrs(dmaDirectRules['v5.4'], f.env, dev36, PAGE, GFP_KERNEL, 0);
    expect(r.ok && r.buffer).toEqual({ phys: NORMAL_PAGE, size: PAGE, source: 'buddy' });
    expect(started(f.calls, 'dma_alloc_contiguous')).toHaveLength(1);
  });

  it('before the fix an addressable CMA block is still used at once', () => {
    const f = fakeEnv(PLAIN, { cma: [DMA32_PAGE] });
    const r = dma_alloc_attrs(everyZone, f.env, dev32, PAGE, GFP_KERNEL, 0);
    expect(r.ok && r.buffer).toEqual({ phys: DMA32_PAGE, size: PAGE, source: 'cma' });
    expect(started(f.calls, 'dma_alloc_contiguous')).toHaveLength(1);
    expect(started(f.calls, 'alloc_pages_node')).toEqual([]);
  });
});

describe('BZ-15: the RFC pool predicate "not blocking" without the encryption conjunct', () => {
  const rfc: DmaDirectRules = {
    ...dmaDirectRules['v5.8'],
    dma_direct_alloc_from_pool_when: 'not-blocking',
  };

  it('an atomic request of a device that needs no decryption consumes pool memory (the over-use)', () => {
    const f = fakeEnv(PLAIN, { pool: [POOL_BLOCK], zones: { normal: [NORMAL_PAGE] } });
    const r = dma_alloc_attrs(rfc, f.env, nvme, PAGE, GFP_ATOMIC, 0);
    expect(r.ok && r.buffer.source).toBe('pool');
  });

  it('a blocking request still takes fresh pages: the predicate kept !blocking', () => {
    const f = fakeEnv(PLAIN, { pool: [POOL_BLOCK], zones: { normal: [NORMAL_PAGE] } });
    const r = dma_alloc_attrs(rfc, f.env, nvme, PAGE, GFP_KERNEL, 0);
    expect(r.ok && r.buffer.source).toBe('buddy');
    expect(started(f.calls, 'dma_alloc_from_pool')).toEqual([]);
  });

  it('without CONFIG_DMA_COHERENT_POOL the predicate is false: fresh pages, no pool warning', () => {
    const noPool: Platform = { ...PLAIN, CONFIG_DMA_COHERENT_POOL: false };
    const f = fakeEnv(noPool, { zones: { normal: [NORMAL_PAGE] } });
    const r = dma_alloc_attrs(rfc, f.env, nvme, PAGE, GFP_ATOMIC, 0);
    expect(r.ok && r.buffer.source).toBe('buddy');
    expect(warns(r.effects)).toEqual([]);
  });
});

describe('frees (dma.md §2.9, T13, T15)', () => {
  for (const v of ['v5.4', 'v5.8', '6.1', 'mainline'] as const) {
    it(`${v}: a forced device's DMA_ATTR_NO_KERNEL_MAPPING buffer is linear and decrypted, so its free re-encrypts before freeing`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
      const rules = dmaDirectRules[v];
      const attrs = DMA_ATTR_NO_KERNEL_MAPPING;
      const a = dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_KERNEL, attrs);
      if (!a.ok) throw new Error('allocation failed');
      expect(a.cpu_addr.mapping).toBe('linear');
      f.calls.length = 0;
      dma_free_attrs(rules, f.env, nvme, PAGE, a.cpu_addr, a.dma_handle, attrs);
      const hex = NORMAL_PAGE.toString(16);
      // v5.8+ first offer every buffer to the pools, which do not hold it.
      const pool = v === 'v5.4' ? [] : [`dma_free_from_pool(0x${hex}, ${PAGE})`];
      expect(f.calls).toEqual([
        ...pool,
        `set_memory_encrypted(0x${hex}, 1)`,
        `dma_free_contiguous(0x${hex}, ${PAGE})`,
      ]);
    });
  }

  it('6.1 T15 page of a device not forced to unencrypted DMA: dma_set_encrypted() is a no-op, so the free does not sleep', () => {
    // An SME host's 64-bit device reaches the C-bit: not forced. The page is
    // built by hand; on x86 6.1 only forced devices reach the pool path.
    const f = fakeEnv(SME);
    const page: StructPage = { kind: 'cpu_addr', pfn: POOL_BLOCK / PAGE };
    const r = dma_free_pages(dmaDirectRules['6.1'], f.env, nvme, PAGE, page, POOL_BLOCK);
    expect(sleepReasons(r.effects)).toEqual([]);
    expect(r.effects.flatMap((e) => (e.kind === 'wild' ? [e.op] : []))).toEqual([
      'dma_free_from_pool',
      'dma_free_contiguous',
    ]);
  });

  for (const v of ['6.1', 'mainline'] as const) {
    it(`${v} without CONFIG_DMA_COHERENT_POOL: dma_direct_free_pages() never looks in the pools (IS_ENABLED guard)`, () => {
      const f = fakeEnv(
        { ...SEV, CONFIG_DMA_COHERENT_POOL: false },
        { zones: { normal: [NORMAL_PAGE] } },
      );
      const rules = dmaDirectRules[v];
      const a = dma_alloc_pages(rules, f.env, nvme, PAGE, GFP_KERNEL);
      if (!a.ok) throw new Error('allocation failed');
      dma_free_pages(rules, f.env, nvme, PAGE, a.page, a.dma_handle);
      expect(started(f.calls, 'dma_free_from_pool')).toEqual([]);
      expect(started(f.calls, 'dma_free_contiguous')).toHaveLength(1);
    });
  }
});
