/**
 * dma-direct under memory encryption (models/dma/direct.ts), per version,
 * against a small deterministic fake environment. Every expected value is
 * derived here from spec/dma.md (§2.8-§2.10, §3, §4, §5, T8, T9, T12, T15),
 * never read back from the model.
 */
import { describe, expect, it } from 'vitest';
import type { Device, Platform } from '../../../models/dma/device.ts';
import {
  type CpuAddr,
  type DirectAllocResult,
  dma_alloc_attrs,
  dma_alloc_pages,
  dma_direct_alloc,
  dma_direct_alloc_pages,
  dma_direct_free,
  dma_free_attrs,
  dma_free_pages,
} from '../../../models/dma/direct.ts';
import { dmaDirectRules } from '../../../models/dma/direct_rules.ts';
import {
  DMA_ATTR_NO_KERNEL_MAPPING,
  DMA_ATTR_NO_WARN,
  EBUSY,
  EIO,
  ENOMEM,
} from '../../../models/dma/env.ts';
import {
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_NOWARN,
  __GFP_ZERO,
} from '../../../models/page_alloc/gfp.ts';
import {
  converts,
  dev30,
  dev32,
  dev36,
  fakeEnv,
  frees,
  GFP_ATOMIC,
  GFP_KERNEL,
  GFP_NOWAIT,
  GiB,
  KiB,
  kinds,
  leaks,
  MiB,
  nvme,
  ord,
  PAGE,
  PLAIN,
  POOL_VERSIONS,
  pageAllocs,
  SEV,
  SME,
  sleeps,
  TDX,
  VERSIONS,
  warnings,
  zeroes,
} from './direct-fake.ts';

function okOf(r: DirectAllocResult) {
  if (!r.ok) throw new Error('allocation failed');
  return r;
}

// Addresses used below: DMA zone < 16 MiB, DMA32 < 4 GiB, Normal above.
const DMA_PAGE = 8 * MiB;
const DMA32_PAGE = 2 * GiB;
const NORMAL_PAGE = 64 * GiB;
const POOL_BLOCK = 1 * GiB;

// ---------------------------------------------------------------------------

describe('BZ-01: a non-blocking request from an SEV guest device (dma.md §3, §4)', () => {
  it('v5.4 allocates fresh pages and decrypts them in the caller context: a may-sleep op on an atomic path', () => {
    const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
    const r = okOf(dma_alloc_attrs(dmaDirectRules['v5.4'], f.env, nvme, 8 * KiB, GFP_ATOMIC, 0));
    expect(r.buffer.source).toBe('buddy');
    expect(r.buffer.phys).toBe(NORMAL_PAGE);
    // GFP_ATOMIC does not allow blocking, so neither CMA nor reclaim; the decrypt sleeps.
    expect(sleeps(r.effects)).toEqual(['set_memory_decrypted']);
    const [c] = converts(r.effects);
    expect(c).toMatchObject({
      op: 'set_memory_decrypted',
      pfn: NORMAL_PAGE / PAGE,
      npages: 2 ** ord(8 * KiB),
      from: 'encrypted',
      to: 'decrypted',
      ok: true,
    });
    expect(f.calls.some((c) => c.startsWith('dma_alloc_contiguous'))).toBe(false);
    expect(f.calls.some((c) => c.startsWith('dma_alloc_from_pool'))).toBe(false);
    expect(f.enc(NORMAL_PAGE / PAGE)).toBe('decrypted');
  });

  for (const v of POOL_VERSIONS) {
    it(`${v} serves it from the atomic pool with no may-sleep effect`, () => {
      const f = fakeEnv(SEV, { pool: [POOL_BLOCK], zones: { normal: [NORMAL_PAGE] } });
      const r = okOf(dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, 8 * KiB, GFP_ATOMIC, 0));
      expect(r.buffer.source).toBe('pool');
      expect(r.buffer.phys).toBe(POOL_BLOCK);
      expect(r.cpu_addr).toEqual({ mapping: 'linear', phys: POOL_BLOCK });
      expect(r.dma_handle).toBe(POOL_BLOCK);
      expect(sleeps(r.effects)).toEqual([]);
      expect(converts(r.effects)).toEqual([]);
      expect(pageAllocs(r.effects)).toEqual([]);
      // Pool memory is already shared (decrypted when the chunk was added).
      expect(f.enc(POOL_BLOCK / PAGE)).toBe('decrypted');
    });

    it(`${v}: GFP_NOWAIT is non-blocking too, and goes to the pool`, () => {
      const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
      const r = okOf(dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, PAGE, GFP_NOWAIT, 0));
      expect(r.buffer.source).toBe('pool');
      expect(sleeps(r.effects)).toEqual([]);
    });

    it(`${v}: an empty pool fails the request, with no handle and no fallback to fresh pages`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
      const r = dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, 8 * KiB, GFP_ATOMIC, 0);
      expect(r.ok).toBe(false);
      expect('dma_handle' in r).toBe(false);
      expect(kinds(r.effects, 'pool_alloc')).toEqual([
        expect.objectContaining({ kind: 'pool_alloc', pfn: null }),
      ]);
      expect(f.calls.some((c) => c.startsWith('alloc_pages_node'))).toBe(false);
    });
  }

  for (const v of ['6.1', 'mainline'] as const) {
    it(`${v} passes the device's optimal zone to the pools (dma.md §2.4: gfp | optimal)`, () => {
      const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
      const r = okOf(
        dma_alloc_attrs(dmaDirectRules[v], f.env, dev32, PAGE, GFP_ATOMIC, DMA_ATTR_NO_WARN),
      );
      const [p] = kinds(r.effects, 'pool_alloc');
      expect(p).toMatchObject({ gfp: GFP_ATOMIC | __GFP_DMA32 | __GFP_NOWARN });
    });
  }

  for (const v of VERSIONS) {
    it(`${v}: a blocking request takes fresh pages (CMA first), decrypts them, and may sleep`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] }, pool: [POOL_BLOCK] });
      const r = okOf(dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, 8 * KiB, GFP_KERNEL, 0));
      expect(r.buffer.source).toBe('buddy');
      expect(sleeps(r.effects)).toEqual([
        'dma_alloc_contiguous',
        'alloc_pages',
        'set_memory_decrypted',
      ]);
      expect(f.calls.some((c) => c.startsWith('dma_alloc_from_pool'))).toBe(false);
    });
  }

  it('pool decision without CONFIG_DMA_COHERENT_POOL: v5.8 decrypts in place, 6.1/mainline warn once and fail', () => {
    const noPool: Platform = { ...SEV, CONFIG_DMA_COHERENT_POOL: false };
    const f58 = fakeEnv(noPool, { zones: { normal: [NORMAL_PAGE] } });
    const r58 = okOf(dma_alloc_attrs(dmaDirectRules['v5.8'], f58.env, nvme, PAGE, GFP_ATOMIC, 0));
    expect(r58.buffer.source).toBe('buddy');
    expect(sleeps(r58.effects)).toEqual(['set_memory_decrypted']);
    for (const v of ['6.1', 'mainline'] as const) {
      const f = fakeEnv(noPool, { zones: { normal: [NORMAL_PAGE] } });
      const r = dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, PAGE, GFP_ATOMIC, 0);
      expect(r.ok).toBe(false);
      expect(r.effects).toEqual([expect.objectContaining({ kind: 'warn', once: true })]);
      expect(f.calls).toEqual([]);
    }
  });
});

describe('a machine without memory encryption performs no conversion (dma.md §2.10)', () => {
  for (const v of VERSIONS) {
    it(`${v}: atomic and blocking requests take fresh pages, never convert, never use the pools`, () => {
      const f = fakeEnv(PLAIN, {
        zones: { normal: [NORMAL_PAGE, NORMAL_PAGE + MiB] },
        pool: [POOL_BLOCK],
      });
      const rules = dmaDirectRules[v];
      const a = okOf(dma_alloc_attrs(rules, f.env, nvme, 8 * KiB, GFP_ATOMIC, 0));
      expect(a.buffer.source).toBe('buddy');
      expect(sleeps(a.effects)).toEqual([]);
      const b = okOf(dma_alloc_attrs(rules, f.env, nvme, 8 * KiB, GFP_KERNEL, 0));
      expect(sleeps(b.effects)).toEqual(['dma_alloc_contiguous', 'alloc_pages']);
      const free = dma_free_attrs(rules, f.env, nvme, 8 * KiB, a.cpu_addr, a.dma_handle, 0);
      for (const r of [a, b, free]) expect(converts(r.effects)).toEqual([]);
      expect(f.calls.filter((c) => c.startsWith('set_memory'))).toEqual([]);
      expect(f.calls.some((c) => c.startsWith('dma_alloc_from_pool'))).toBe(false);
      expect(frees(free.effects)).toEqual([
        { kind: 'free', to: 'buddy', pfn: NORMAL_PAGE / PAGE, npages: 2 ** ord(8 * KiB) },
      ]);
    });
  }
});

describe('SME host: only devices that cannot reach the C-bit are forced unencrypted (dma.md §2.10)', () => {
  it('6.1: a 32-bit device goes to the pool when atomic; a 64-bit device gets private fresh pages', () => {
    const f = fakeEnv(SME, { zones: { normal: [NORMAL_PAGE] }, pool: [POOL_BLOCK] });
    const rules = dmaDirectRules['6.1'];
    const low = okOf(dma_alloc_attrs(rules, f.env, dev32, PAGE, GFP_ATOMIC, 0));
    expect(low.buffer.source).toBe('pool');
    const high = okOf(dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_ATOMIC, 0));
    expect(high.buffer.source).toBe('buddy');
    expect(converts(high.effects)).toEqual([]);
  });

  it('v5.4: the 32-bit device decrypts fresh DMA32 pages in place', () => {
    const f = fakeEnv(SME, { zones: { dma32: [DMA32_PAGE] } });
    const r = okOf(dma_alloc_attrs(dmaDirectRules['v5.4'], f.env, dev32, PAGE, GFP_ATOMIC, 0));
    expect(converts(r.effects)).toHaveLength(1);
    expect(sleeps(r.effects)).toEqual(['set_memory_decrypted']);
  });
});

describe('__dma_direct_alloc_pages: CMA first, then the zone retry (dma.md §2.8, BZ-23)', () => {
  for (const v of VERSIONS) {
    const rules = dmaDirectRules[v];

    it(`${v}: an unaddressable Normal page is given back and the request retried with GFP_DMA32`, () => {
      const f = fakeEnv(PLAIN, { zones: { normal: [NORMAL_PAGE * 2], dma32: [DMA32_PAGE] } });
      // dev36 reaches 64 GiB: no zone bit at first; 128 GiB is beyond it.
      const r = okOf(dma_alloc_attrs(rules, f.env, dev36, 8 * KiB, GFP_KERNEL, 0));
      expect(pageAllocs(r.effects).map((e) => [e.source, e.gfp, e.pfn])).toEqual([
        ['cma', GFP_KERNEL, null],
        ['buddy', GFP_KERNEL, (NORMAL_PAGE * 2) / PAGE],
        ['buddy', GFP_KERNEL | __GFP_DMA32, DMA32_PAGE / PAGE],
      ]);
      expect(frees(r.effects)).toEqual([
        { kind: 'free', to: 'buddy', pfn: (NORMAL_PAGE * 2) / PAGE, npages: 2 ** ord(8 * KiB) },
      ]);
      expect(r.buffer.phys).toBe(DMA32_PAGE);
      // 6.1 gives it back with dma_free_contiguous; mainline (f689a3ab7b8e) with __free_pages.
      const back = f.calls.find(
        (c) => c.startsWith('dma_free_contiguous') || c.startsWith('__free_pages'),
      );
      expect(back?.startsWith(v === 'mainline' ? '__free_pages' : 'dma_free_contiguous')).toBe(
        true,
      );
    });

    it(`${v}: a device within 32 bits starts at GFP_DMA32 and falls to GFP_DMA (not GFP_DMA|GFP_DMA32)`, () => {
      const f = fakeEnv(PLAIN, { zones: { dma32: [DMA32_PAGE], dma: [DMA_PAGE] } });
      // dev30 reaches 1 GiB; a DMA32 page at 2 GiB is beyond it.
      const r = okOf(dma_alloc_attrs(rules, f.env, dev30, 8 * KiB, GFP_ATOMIC, 0));
      expect(pageAllocs(r.effects).map((e) => [e.gfp, e.pfn])).toEqual([
        [GFP_ATOMIC | __GFP_DMA32, DMA32_PAGE / PAGE],
        [GFP_ATOMIC | __GFP_DMA, DMA_PAGE / PAGE],
      ]);
      expect(r.buffer.phys).toBe(DMA_PAGE);
    });

    it(`${v}: without CONFIG_ZONE_DMA32 the retry goes straight to GFP_DMA; without CONFIG_ZONE_DMA it fails`, () => {
      const noDma32: Platform = { ...PLAIN, CONFIG_ZONE_DMA32: false };
      const f = fakeEnv(noDma32, { zones: { normal: [NORMAL_PAGE * 2], dma: [DMA_PAGE] } });
      const r = okOf(dma_alloc_attrs(rules, f.env, dev36, PAGE, GFP_ATOMIC, 0));
      expect(pageAllocs(r.effects).map((e) => e.gfp)).toEqual([GFP_ATOMIC, GFP_ATOMIC | __GFP_DMA]);

      const noDma: Platform = { ...PLAIN, CONFIG_ZONE_DMA: false };
      const g = fakeEnv(noDma, { zones: { dma32: [DMA32_PAGE] } });
      const s = dma_alloc_attrs(rules, g.env, dev30, PAGE, GFP_ATOMIC, 0);
      expect(s.ok).toBe(false);
      expect(frees(s.effects)).toHaveLength(1);
    });

    it(`${v}: no page at all fails with no handle`, () => {
      const f = fakeEnv(PLAIN);
      const r = dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_ATOMIC, 0);
      expect(r.ok).toBe(false);
      expect('dma_handle' in r).toBe(false);
    });

    it(`${v}: an unaddressable CMA block goes back to CMA, once, then the buddy allocator is used`, () => {
      const f = fakeEnv(PLAIN, { cma: [5 * GiB, 6 * GiB], zones: { dma32: [DMA32_PAGE] } });
      const r = okOf(dma_alloc_attrs(rules, f.env, dev32, 12 * KiB, GFP_KERNEL, 0));
      expect(frees(r.effects)).toEqual([
        { kind: 'free', to: 'cma', pfn: (5 * GiB) / PAGE, npages: 3 },
      ]);
      expect(pageAllocs(r.effects).map((e) => e.source)).toEqual(['cma', 'buddy']);
      expect(r.buffer).toEqual({ phys: DMA32_PAGE, size: 12 * KiB, source: 'buddy' });
    });

    it(`${v}: an addressable CMA block is used`, () => {
      const f = fakeEnv(SEV, { cma: [DMA32_PAGE] });
      const r = okOf(dma_alloc_attrs(rules, f.env, dev32, 12 * KiB, GFP_KERNEL, 0));
      expect(r.buffer.source).toBe('cma');
      expect(f.calls.some((c) => c.startsWith('alloc_pages_node'))).toBe(false);
    });
  }
});

describe('decrypt failure after allocation (dma.md §5 F2, T10, BZ-17)', () => {
  const size = 8 * KiB;
  const pages = 2 ** ord(size);
  const pfn = NORMAL_PAGE / PAGE;

  it('v5.4 ignores it: the buffer is returned although its pages are not shared', () => {
    const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] }, decrypt: [-ENOMEM] });
    const r = okOf(dma_alloc_attrs(dmaDirectRules['v5.4'], f.env, nvme, size, GFP_KERNEL, 0));
    expect(converts(r.effects)).toEqual([
      expect.objectContaining({ ok: false, to: 'unknown', ret: -ENOMEM }),
    ]);
    expect(f.enc(pfn)).toBe('unknown');
    expect(frees(r.effects)).toEqual([]);
    expect(leaks(r.effects)).toEqual([]);
  });

  it('v5.8 frees the pages, now unknown, back to buddy and fails (the bug later versions fix)', () => {
    const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] }, decrypt: [-ENOMEM] });
    const r = dma_alloc_attrs(dmaDirectRules['v5.8'], f.env, nvme, size, GFP_KERNEL, 0);
    expect(r.ok).toBe(false);
    expect(frees(r.effects)).toEqual([{ kind: 'free', to: 'buddy', pfn, npages: pages }]);
    expect(leaks(r.effects)).toEqual([]);
    expect(zeroes(r.effects)).toEqual([]);
    for (let i = 0; i < pages; i++) {
      expect(f.owner(pfn + i)).toBe('buddy');
      expect(f.enc(pfn + i)).toBe('unknown');
    }
  });

  for (const v of ['6.1', 'mainline'] as const) {
    it(`${v} leaks the pages and fails, silently`, () => {
      const f = fakeEnv(TDX, { zones: { normal: [NORMAL_PAGE] }, decrypt: [-EIO] });
      const r = dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, size, GFP_KERNEL, 0);
      expect(r.ok).toBe(false);
      expect(frees(r.effects)).toEqual([]);
      expect(leaks(r.effects)).toEqual([expect.objectContaining({ pfn, size })]);
      expect(zeroes(r.effects)).toEqual([]);
      expect(f.owner(pfn)).toBe('allocated');
      // The only warning is the CPA hook's WARN_ONCE (-EIO), not a dma-direct one.
      expect(warnings(r.effects)).toHaveLength(1);
      expect(warnings(r.effects)[0]).toMatch(/^CPA VMM failure to convert memory/);
    });
  }

  it('mainline: -EBUSY (mem_enc_lock held by kexec) changes nothing, sleeps nothing, and still leaks', () => {
    const g = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] }, decrypt: [-EBUSY] });
    const s = dma_alloc_attrs(dmaDirectRules.mainline, g.env, nvme, size, GFP_KERNEL, 0);
    expect(s.ok).toBe(false);
    expect(sleeps(s.effects)).not.toContain('set_memory_decrypted');
    expect(converts(s.effects)).toEqual([
      expect.objectContaining({ ok: false, from: 'encrypted', to: 'encrypted', ret: -EBUSY }),
    ]);
    expect(g.enc(pfn)).toBe('encrypted');
    expect(leaks(s.effects)).toHaveLength(1);
  });
});

describe('encrypt failure when freeing (dma.md §5 F3, T10)', () => {
  const size = 8 * KiB;
  const pfn = NORMAL_PAGE / PAGE;

  for (const v of VERSIONS) {
    const leaksOnFailure = v === '6.1' || v === 'mainline';
    it(`${v}: ${leaksOnFailure ? 'warns and leaks' : 'ignores it and frees the pages'}`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] }, encrypt: [-ENOMEM] });
      const rules = dmaDirectRules[v];
      const a = okOf(dma_alloc_attrs(rules, f.env, nvme, size, GFP_KERNEL, 0));
      const r = dma_free_attrs(rules, f.env, nvme, size, a.cpu_addr, a.dma_handle, 0);
      expect(sleeps(r.effects)).toEqual(['set_memory_encrypted']);
      expect(converts(r.effects)).toEqual([
        expect.objectContaining({ op: 'set_memory_encrypted', ok: false, to: 'unknown' }),
      ]);
      if (leaksOnFailure) {
        expect(warnings(r.effects)).toEqual(["leaking DMA memory that can't be re-encrypted"]);
        expect(leaks(r.effects)).toEqual([expect.objectContaining({ pfn, size })]);
        expect(frees(r.effects)).toEqual([]);
        expect(f.owner(pfn)).toBe('allocated');
      } else {
        expect(warnings(r.effects)).toEqual([]);
        expect(frees(r.effects)).toEqual([
          { kind: 'free', to: 'buddy', pfn, npages: 2 ** ord(size) },
        ]);
        expect(f.owner(pfn)).toBe('buddy');
        expect(f.enc(pfn)).toBe('unknown');
      }
    });

    it(`${v}: a successful free re-encrypts exactly what was decrypted, then frees`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
      const rules = dmaDirectRules[v];
      const a = okOf(dma_alloc_attrs(rules, f.env, nvme, 12 * KiB, GFP_KERNEL, 0));
      const r = dma_free_attrs(rules, f.env, nvme, 12 * KiB, a.cpu_addr, a.dma_handle, 0);
      const [dec] = converts(a.effects);
      const [encr] = converts(r.effects);
      expect(encr?.npages).toBe(dec?.npages);
      expect(r.effects.findIndex((e) => e.kind === 'convert')).toBeLessThan(
        r.effects.findIndex((e) => e.kind === 'free'),
      );
      expect(f.enc(pfn)).toBe('encrypted');
    });
  }
});

describe('pool buffers go back to the pool, never re-encrypted (dma.md §2.6, §4)', () => {
  for (const v of POOL_VERSIONS) {
    it(`${v}: dma_direct_free of a pool buffer calls dma_free_from_pool and nothing that sleeps`, () => {
      const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
      const rules = dmaDirectRules[v];
      const a = okOf(dma_alloc_attrs(rules, f.env, nvme, 6000, GFP_ATOMIC, 0));
      const r = dma_free_attrs(rules, f.env, nvme, 6000, a.cpu_addr, a.dma_handle, 0);
      expect(r.effects).toEqual([
        { kind: 'free', to: 'pool', pfn: POOL_BLOCK / PAGE, npages: Math.ceil(6000 / PAGE) },
      ]);
      expect(f.calls.at(-1)).toBe(`dma_free_from_pool(0x${POOL_BLOCK.toString(16)}, ${2 * PAGE})`);
    });
  }

  it('v5.4 has no pool to try on free', () => {
    const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
    const rules = dmaDirectRules['v5.4'];
    const a = okOf(dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_KERNEL, 0));
    dma_free_attrs(rules, f.env, nvme, PAGE, a.cpu_addr, a.dma_handle, 0);
    expect(f.calls.some((c) => c.startsWith('dma_free_from_pool'))).toBe(false);
  });
});

describe('conversion page counts: 2^order before v5.19, PFN_UP(size) after (T9)', () => {
  const size = 12 * KiB; // 3 pages, order 2
  for (const v of VERSIONS) {
    const byOrder = v === 'v5.4' || v === 'v5.8';
    const expected = byOrder ? 2 ** ord(size) : Math.ceil(size / PAGE);

    it(`${v}: a 12 KiB buddy buffer converts ${expected} pages`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
      const r = okOf(dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, size, GFP_KERNEL, 0));
      expect(converts(r.effects).map((c) => c.npages)).toEqual([expected]);
      expect(f.enc(NORMAL_PAGE / PAGE + 3)).toBe(byOrder ? 'decrypted' : 'encrypted');
    });

    it(`${v}: a 3-page CMA block ${byOrder ? 'has a neighbour converted too' : 'converts exactly its pages'}`, () => {
      const cmaAt = 3 * GiB;
      const f = fakeEnv(SEV, { cma: [cmaAt] });
      const r = okOf(dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, size, GFP_KERNEL, 0));
      expect(r.buffer.source).toBe('cma');
      const [cma] = pageAllocs(r.effects);
      const [c] = converts(r.effects);
      expect(cma?.npages).toBe(3);
      expect(c?.npages).toBe(expected);
      // The page after the CMA block belongs to someone else.
      expect(f.enc(cmaAt / PAGE + 3)).toBe(byOrder ? 'decrypted' : 'encrypted');
    });
  }
});

describe('zeroing: after decrypting; v5.4 zeroes the unaligned size (T8)', () => {
  for (const v of VERSIONS) {
    it(`${v}: 5000 bytes are zeroed as ${v === 'v5.4' ? 5000 : 2 * PAGE} bytes, after the conversion`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
      const r = okOf(dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, 5000, GFP_KERNEL, 0));
      expect(zeroes(r.effects)).toEqual([
        { kind: 'zero', pfn: NORMAL_PAGE / PAGE, bytes: v === 'v5.4' ? 5000 : 2 * PAGE },
      ]);
      const iConvert = r.effects.findIndex((e) => e.kind === 'convert');
      const iZero = r.effects.findIndex((e) => e.kind === 'zero');
      expect(iConvert).toBeGreaterThanOrEqual(0);
      expect(iConvert).toBeLessThan(iZero);
      expect(r.buffer.size).toBe(v === 'v5.4' ? 5000 : 2 * PAGE);
    });
  }
});

describe('dma_alloc_attrs strips the caller zone bits: the device mask picks the zone (T12)', () => {
  for (const v of VERSIONS) {
    it(`${v}: GFP_KERNEL|GFP_DMA for a 64-bit device asks for any zone; for a 32-bit one, DMA32`, () => {
      const f = fakeEnv(PLAIN, { zones: { normal: [NORMAL_PAGE], dma32: [DMA32_PAGE] } });
      const rules = dmaDirectRules[v];
      const a = okOf(dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_KERNEL | __GFP_DMA, 0));
      const b = okOf(dma_alloc_attrs(rules, f.env, dev32, PAGE, GFP_KERNEL | __GFP_DMA, 0));
      expect(pageAllocs(a.effects).map((e) => e.gfp)).toEqual([GFP_KERNEL, GFP_KERNEL]);
      expect(pageAllocs(b.effects).map((e) => e.gfp)).toEqual([
        GFP_KERNEL | __GFP_DMA32,
        GFP_KERNEL | __GFP_DMA32,
      ]);
      expect(a.buffer.phys).toBe(NORMAL_PAGE);
    });
  }

  it('__GFP_ZERO is never passed to the page allocator: dma-direct zeroes by hand', () => {
    const f = fakeEnv(PLAIN, { zones: { normal: [NORMAL_PAGE] } });
    const r = okOf(
      dma_alloc_attrs(dmaDirectRules['6.1'], f.env, nvme, PAGE, GFP_ATOMIC | __GFP_ZERO, 0),
    );
    expect(pageAllocs(r.effects).map((e) => e.gfp & __GFP_ZERO)).toEqual([0]);
    expect(zeroes(r.effects)).toHaveLength(1);
  });

  it('the page API refuses zone bits with a one-time warning and calls nothing', () => {
    const f = fakeEnv(SEV, { zones: { dma32: [DMA32_PAGE] } });
    const r = dma_alloc_pages(dmaDirectRules['6.1'], f.env, nvme, PAGE, GFP_KERNEL | __GFP_DMA32);
    expect(r.ok).toBe(false);
    expect(r.effects).toEqual([expect.objectContaining({ kind: 'warn', once: true })]);
    expect(f.calls).toEqual([]);
  });
});

describe('DMA_ATTR_NO_KERNEL_MAPPING (T13)', () => {
  it('a device not forced to unencrypted DMA gets the page as a cookie, unzeroed, and frees it directly', () => {
    const f = fakeEnv(PLAIN, { zones: { normal: [NORMAL_PAGE] } });
    const rules = dmaDirectRules['v5.8'];
    const a = okOf(
      dma_alloc_attrs(rules, f.env, nvme, PAGE, GFP_KERNEL, DMA_ATTR_NO_KERNEL_MAPPING),
    );
    expect(a.cpu_addr).toEqual({ mapping: 'page-cookie', phys: NORMAL_PAGE });
    expect(zeroes(a.effects)).toEqual([]);
    const r = dma_free_attrs(
      rules,
      f.env,
      nvme,
      PAGE,
      a.cpu_addr,
      a.dma_handle,
      DMA_ATTR_NO_KERNEL_MAPPING,
    );
    expect(r.effects).toEqual([{ kind: 'free', to: 'buddy', pfn: NORMAL_PAGE / PAGE, npages: 1 }]);
    expect(f.calls.some((c) => c.startsWith('dma_free_from_pool'))).toBe(false);
  });

  for (const v of VERSIONS) {
    it(`${v}: a forced device ignores it and gets a decrypted, zeroed linear buffer`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
      const a = okOf(
        dma_alloc_attrs(
          dmaDirectRules[v],
          f.env,
          nvme,
          PAGE,
          GFP_KERNEL,
          DMA_ATTR_NO_KERNEL_MAPPING,
        ),
      );
      expect(a.cpu_addr.mapping).toBe('linear');
      expect(converts(a.effects)).toHaveLength(1);
      expect(zeroes(a.effects)).toHaveLength(1);
    });
  }
});

describe('the page API (v5.10+) and T15', () => {
  it('v5.4 and v5.8 have no page API', () => {
    for (const v of ['v5.4', 'v5.8'] as const) {
      const f = fakeEnv(SEV);
      expect(() => dma_alloc_pages(dmaDirectRules[v], f.env, nvme, PAGE, GFP_ATOMIC)).toThrow(
        /page API/,
      );
    }
  });

  it('6.1: the atomic pool path returns the CPU address as the struct page; mainline the page', () => {
    for (const v of ['6.1', 'mainline'] as const) {
      const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
      const r = dma_alloc_pages(dmaDirectRules[v], f.env, nvme, PAGE, GFP_ATOMIC);
      if (!r.ok) throw new Error('allocation failed');
      expect(r.page).toEqual({ kind: v === '6.1' ? 'cpu_addr' : 'page', pfn: POOL_BLOCK / PAGE });
      expect(r.dma_handle).toBe(POOL_BLOCK);
      expect(sleeps(r.effects)).toEqual([]);
    }
  });

  it('6.1: freeing that bogus page misses the pool, re-encrypts and frees memory that is not the buffer', () => {
    const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
    const rules = dmaDirectRules['6.1'];
    const a = dma_alloc_pages(rules, f.env, nvme, PAGE, GFP_ATOMIC);
    if (!a.ok) throw new Error('allocation failed');
    const r = dma_free_pages(rules, f.env, nvme, PAGE, a.page, a.dma_handle);
    expect(r.effects.flatMap((e) => (e.kind === 'wild' ? [e.op] : []))).toEqual([
      'dma_free_from_pool',
      'set_memory_encrypted',
      'dma_free_contiguous',
    ]);
    expect(sleeps(r.effects)).toEqual(['set_memory_encrypted']);
    expect(frees(r.effects)).toEqual([]);
    // The pool block was never given back.
    expect(f.owner(POOL_BLOCK / PAGE)).toBe('pool-block');
    expect(f.calls.filter((c) => !c.startsWith('dma_alloc_from_pool'))).toEqual([]);
  });

  it('mainline: the page goes back to the pool', () => {
    const f = fakeEnv(SEV, { pool: [POOL_BLOCK] });
    const rules = dmaDirectRules.mainline;
    const a = dma_alloc_pages(rules, f.env, nvme, PAGE, GFP_ATOMIC);
    if (!a.ok) throw new Error('allocation failed');
    const r = dma_free_pages(rules, f.env, nvme, 100, a.page, a.dma_handle);
    expect(r.effects).toEqual([{ kind: 'free', to: 'pool', pfn: POOL_BLOCK / PAGE, npages: 1 }]);
    expect(f.owner(POOL_BLOCK / PAGE)).toBe('pool-free');
  });

  for (const v of ['6.1', 'mainline'] as const) {
    it(`${v}: a blocking page-API request decrypts PFN_UP(size) pages, zeroes, and frees symmetrically`, () => {
      const f = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] } });
      const rules = dmaDirectRules[v];
      const a = dma_alloc_pages(rules, f.env, nvme, 10_000, GFP_KERNEL);
      if (!a.ok) throw new Error('allocation failed');
      expect(a.page).toEqual({ kind: 'page', pfn: NORMAL_PAGE / PAGE });
      expect(converts(a.effects).map((c) => c.npages)).toEqual([Math.ceil(10_000 / PAGE)]);
      expect(zeroes(a.effects).map((z) => z.bytes)).toEqual([3 * PAGE]);
      const r = dma_free_pages(rules, f.env, nvme, 10_000, a.page, a.dma_handle);
      expect(converts(r.effects).map((c) => [c.op, c.npages])).toEqual([
        ['set_memory_encrypted', 3],
      ]);
      expect(frees(r.effects)).toEqual([
        { kind: 'free', to: 'buddy', pfn: NORMAL_PAGE / PAGE, npages: 2 ** ord(3 * PAGE) },
      ]);
    });

    it(`${v}: page-API decrypt failure leaks; encrypt failure on free warns and leaks`, () => {
      const f = fakeEnv(SEV, {
        zones: { normal: [NORMAL_PAGE, NORMAL_PAGE + MiB] },
        decrypt: [-ENOMEM],
      });
      const rules = dmaDirectRules[v];
      const a = dma_direct_alloc_pages(rules, f.env, nvme, PAGE, GFP_KERNEL);
      expect(a.ok).toBe(false);
      expect(leaks(a.effects)).toHaveLength(1);

      const g = fakeEnv(SEV, { zones: { normal: [NORMAL_PAGE] }, encrypt: [-ENOMEM] });
      const b = dma_direct_alloc_pages(rules, g.env, nvme, PAGE, GFP_KERNEL);
      if (!b.ok) throw new Error('allocation failed');
      const r = dma_free_pages(rules, g.env, nvme, PAGE, b.page, b.dma_handle);
      expect(warnings(r.effects)).toEqual(["leaking DMA memory that can't be re-encrypted"]);
      expect(frees(r.effects)).toEqual([]);
    });

    it(`${v}: an empty pool fails a page-API atomic request`, () => {
      const f = fakeEnv(SEV);
      expect(dma_alloc_pages(dmaDirectRules[v], f.env, nvme, PAGE, GFP_ATOMIC).ok).toBe(false);
      const g = fakeEnv(SEV);
      expect(dma_direct_alloc_pages(dmaDirectRules[v], g.env, nvme, PAGE, GFP_KERNEL).ok).toBe(
        false,
      );
    });
  }
});

describe('configuration errors are loud', () => {
  it('a TDX guest under v5.4/v5.8 is refused (TDX support is v5.19+)', () => {
    for (const v of ['v5.4', 'v5.8'] as const) {
      const f = fakeEnv(TDX, { zones: { normal: [NORMAL_PAGE] } });
      expect(() => dma_alloc_attrs(dmaDirectRules[v], f.env, nvme, PAGE, GFP_KERNEL, 0)).toThrow(
        /tdx-guest/,
      );
    }
  });

  it('IOMMU and non-coherent devices do not reach dma-direct', () => {
    const f = fakeEnv(SEV);
    const rules = dmaDirectRules.mainline;
    const viaIommu: Device = { ...nvme, iommu: true };
    const nonCoherent: Device = { ...nvme, coherent: false };
    expect(() => dma_alloc_attrs(rules, f.env, viaIommu, PAGE, GFP_KERNEL, 0)).toThrow(/dma-iommu/);
    expect(() => dma_direct_alloc(rules, f.env, nonCoherent, PAGE, GFP_KERNEL, 0)).toThrow(
      /non-coherent/,
    );
    const addr: CpuAddr = { mapping: 'linear', phys: NORMAL_PAGE };
    expect(() => dma_direct_free(rules, f.env, viaIommu, PAGE, addr, NORMAL_PAGE, 0)).toThrow();
  });
});
