/**
 * The pure pieces under dma-direct: the device helpers (models/dma/device.ts),
 * set_memory_{de,en}crypted (models/dma/set_memory.ts), the page arithmetic
 * (models/dma/env.ts) and the shape of the per-version rules. Expected values
 * come from spec/dma.md §2.8, §2.10 and the Notation paragraph.
 */
import { describe, expect, it } from 'vitest';
import {
  type Device,
  DMA_BIT_MASK,
  dma_coherent_ok,
  dma_direct_limit,
  dma_direct_optimal_gfp_mask,
  force_dma_unencrypted,
  min_not_zero,
  type Platform,
} from '../../../models/dma/device.ts';
import { dma_direct_use_pool, dma_should_alloc_from_pool } from '../../../models/dma/direct.ts';
import { dmaDirectRules } from '../../../models/dma/direct_rules.ts';
import { EBUSY, EIO, ENOMEM, get_order, PAGE_ALIGN, PFN_UP } from '../../../models/dma/env.ts';
import {
  apply_set_memory,
  dma_set_memory_numpages,
  type EncState,
  mem_encrypt_active,
  set_memory_decrypted,
  set_memory_encrypted,
  set_memory_source_state,
} from '../../../models/dma/set_memory.ts';
import {
  __GFP_ATOMIC,
  __GFP_DIRECT_RECLAIM,
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_HIGH,
  __GFP_KSWAPD_RECLAIM,
} from '../../../models/page_alloc/gfp.ts';

const GiB = 2 ** 30;
const GFP_ATOMIC = __GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM;
const GFP_KERNEL_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;

const base = {
  sme_c_bit: 47,
  CONFIG_ZONE_DMA: true,
  CONFIG_ZONE_DMA32: true,
  CONFIG_DMA_COHERENT_POOL: true,
};
const platform = (cc: Platform['cc']): Platform => ({ ...base, cc });

function dev(bits: number, bus = 0): Device {
  return {
    name: `dev${bits}`,
    coherent_dma_mask: DMA_BIT_MASK(bits),
    bus_dma_limit: bus,
    iommu: false,
    coherent: true,
  };
}

describe('page arithmetic (dma.md Notation)', () => {
  it('get_order: least k with 4096 * 2^k >= n; get_order(0) = 52', () => {
    expect(get_order(0)).toBe(52);
    expect(get_order(1)).toBe(0);
    expect(get_order(4096)).toBe(0);
    expect(get_order(4097)).toBe(1);
    expect(get_order(12 * 1024)).toBe(2);
    expect(get_order(4 * 1024 * 1024)).toBe(10);
  });

  it('PAGE_ALIGN and PFN_UP round up to whole pages', () => {
    expect(PAGE_ALIGN(5000)).toBe(8192);
    expect(PAGE_ALIGN(8192)).toBe(8192);
    expect(PFN_UP(5000)).toBe(2);
    expect(PFN_UP(1)).toBe(1);
  });
});

describe('device helpers (dma.md §1, §2.8)', () => {
  it('the limit is min_not_zero(mask, bus limit)', () => {
    expect(min_not_zero(0, 5)).toBe(5);
    expect(min_not_zero(5, 0)).toBe(5);
    expect(min_not_zero(7, 5)).toBe(5);
    expect(dma_direct_limit(dev(64, 2 ** 40 - 1))).toBe(2 ** 40 - 1);
    expect(dma_direct_limit(dev(32))).toBe(2 ** 32 - 1);
  });

  it('DMA_BIT_MASK(64) stays above every physical address and above DMA_BIT_MASK(63)', () => {
    expect(DMA_BIT_MASK(64)).toBeGreaterThan(DMA_BIT_MASK(63));
    expect(DMA_BIT_MASK(52)).toBe(2 ** 52 - 1);
  });

  it('optimal zone: <= 24 bits GFP_DMA, <= 32 bits GFP_DMA32, else none', () => {
    expect(dma_direct_optimal_gfp_mask(dev(24)).gfp).toBe(__GFP_DMA);
    expect(dma_direct_optimal_gfp_mask(dev(30)).gfp).toBe(__GFP_DMA32);
    expect(dma_direct_optimal_gfp_mask(dev(32)).gfp).toBe(__GFP_DMA32);
    expect(dma_direct_optimal_gfp_mask(dev(33)).gfp).toBe(0);
    // a bus limit below the mask decides
    expect(dma_direct_optimal_gfp_mask(dev(64, 2 ** 24 - 1))).toEqual({
      gfp: __GFP_DMA,
      phys_limit: 2 ** 24 - 1,
    });
  });

  it('dma_coherent_ok: the last byte at or below the limit', () => {
    const p = platform('sev-guest');
    expect(dma_coherent_ok(dev(32), p, 4 * GiB - 8192, 8192)).toBe(true);
    expect(dma_coherent_ok(dev(32), p, 4 * GiB - 4096, 8192)).toBe(false);
    expect(dma_coherent_ok(dev(64), p, 2 ** 51, 4096)).toBe(true);
  });

  it('force_dma_unencrypted: guests always, SME hosts by the C-bit mask test, else never', () => {
    for (const bits of [24, 32, 47, 48, 64]) {
      expect(force_dma_unencrypted(dev(bits), platform('none'))).toBe(false);
      expect(force_dma_unencrypted(dev(bits), platform('sev-guest'))).toBe(true);
      expect(force_dma_unencrypted(dev(bits), platform('tdx-guest'))).toBe(true);
      // limit <= DMA_BIT_MASK(47) <=> the device cannot address the C-bit
      expect(force_dma_unencrypted(dev(bits), platform('sme-host'))).toBe(bits <= 47);
    }
  });
});

describe('the pool decisions (dma.md §2.8)', () => {
  it('v5.8 dma_should_alloc_from_pool: pool configured, not blocking, forced unencrypted', () => {
    const sev = platform('sev-guest');
    expect(dma_should_alloc_from_pool(dev(64), sev, GFP_ATOMIC)).toBe(true);
    expect(dma_should_alloc_from_pool(dev(64), sev, GFP_KERNEL_RECLAIM)).toBe(false);
    expect(dma_should_alloc_from_pool(dev(64), platform('none'), GFP_ATOMIC)).toBe(false);
    expect(
      dma_should_alloc_from_pool(dev(64), { ...sev, CONFIG_DMA_COHERENT_POOL: false }, GFP_ATOMIC),
    ).toBe(false);
  });

  it('6.1 dma_direct_use_pool: exactly "may not block"', () => {
    expect(dma_direct_use_pool(dev(64), GFP_ATOMIC)).toBe(true);
    expect(dma_direct_use_pool(dev(64), GFP_KERNEL_RECLAIM)).toBe(false);
  });
});

describe('set_memory_{de,en}crypted (dma.md §2.10)', () => {
  it('without memory encryption: 0, nothing changes, nothing sleeps, even with a fault injected', () => {
    const p = platform('none');
    expect(mem_encrypt_active(p)).toBe(false);
    for (const injected of [0, -ENOMEM, -EIO]) {
      const o = set_memory_decrypted(p, 10, 4, injected);
      expect(o).toMatchObject({ ret: 0, may_sleep: false, state: null, warning: null });
    }
  });

  it('with encryption: may sleep; success converts every page of the range', () => {
    for (const cc of ['sme-host', 'sev-guest', 'tdx-guest'] as const) {
      const p = platform(cc);
      expect(mem_encrypt_active(p)).toBe(true);
      expect(set_memory_decrypted(p, 10, 4)).toMatchObject({
        op: 'set_memory_decrypted',
        ret: 0,
        may_sleep: true,
        state: 'decrypted',
      });
      expect(set_memory_encrypted(p, 10, 4)).toMatchObject({
        op: 'set_memory_encrypted',
        ret: 0,
        may_sleep: true,
        state: 'encrypted',
      });
    }
  });

  it('each conversion starts from the other state: decrypting from encrypted, encrypting from decrypted', () => {
    expect(set_memory_source_state('set_memory_decrypted')).toBe('encrypted');
    expect(set_memory_source_state('set_memory_encrypted')).toBe('decrypted');
  });

  it('a failure leaves every page unknown; -EIO (VMM hook) also WARNs once', () => {
    const p = platform('tdx-guest');
    const cpa = set_memory_encrypted(p, 0x10, 2, -ENOMEM);
    expect(cpa).toMatchObject({ ret: -ENOMEM, may_sleep: true, state: 'unknown', warning: null });
    const hook = set_memory_decrypted(p, 0x10, 2, -EIO);
    expect(hook).toMatchObject({ ret: -EIO, state: 'unknown' });
    expect(hook.warning).toMatch(/^CPA VMM failure to convert memory .* to shared$/);
    expect(set_memory_encrypted(p, 0x10, 2, -EIO).warning).toMatch(/to private$/);
  });

  it('mainline -EBUSY: the trylock fails first, so nothing changes and nothing sleeps', () => {
    const o = set_memory_decrypted(platform('sev-guest'), 0x10, 2, -EBUSY);
    expect(o).toMatchObject({ ret: -EBUSY, may_sleep: false, state: null });
  });

  it('apply_set_memory writes the range and only the range', () => {
    const states = new Map<number, EncState>();
    apply_set_memory(set_memory_decrypted(platform('sev-guest'), 100, 3, -ENOMEM), (pfn, s) =>
      states.set(pfn, s),
    );
    expect([...states.entries()]).toEqual([
      [100, 'unknown'],
      [101, 'unknown'],
      [102, 'unknown'],
    ]);
    apply_set_memory(set_memory_decrypted(platform('none'), 100, 3), (pfn, s) =>
      states.set(pfn, s),
    );
    expect(states.get(100)).toBe('unknown');
  });

  it('dma-direct page counts: 2^get_order(size) before v5.19, PFN_UP(size) after', () => {
    for (const size of [1, 4096, 5000, 12 * 1024, 20 * 1024]) {
      let k = 0;
      while (4096 * 2 ** k < size) k++;
      expect(dma_set_memory_numpages('order', size)).toBe(2 ** k);
      expect(dma_set_memory_numpages('pfn_up', size)).toBe(Math.ceil(size / 4096));
    }
  });
});

describe('the rules table (dma.md §3)', () => {
  it('follows the version table row by row', () => {
    const r = dmaDirectRules;
    expect(r['v5.4'].dma_direct_alloc_from_pool_when).toBe('never');
    expect(r['v5.8'].dma_direct_alloc_from_pool_when).toBe('dma_should_alloc_from_pool');
    expect(r['6.1'].dma_direct_alloc_from_pool_when).toBe('dma_direct_use_pool');
    expect(r.mainline.dma_direct_alloc_from_pool_when).toBe('dma_direct_use_pool');
    // "direct: decrypt fails": ignored | free | (6.1.86+) leak | leak
    expect(
      ['v5.4', 'v5.8', '6.1', 'mainline'].map(
        (v) => r[v as keyof typeof r].set_memory_decrypted_failure,
      ),
    ).toEqual(['ignore', 'free', 'leak', 'leak']);
    // "direct: encrypt fails on free": ignored, freed | ignored, freed | leak + warn | leak + warn
    expect(
      ['v5.4', 'v5.8', '6.1', 'mainline'].map(
        (v) => r[v as keyof typeof r].set_memory_encrypted_failure,
      ),
    ).toEqual(['ignore', 'ignore', 'leak', 'leak']);
    // "page API pool path": n/a | n/a | returns VA as page | fixed
    expect(r['v5.4'].dma_direct_alloc_pages).toBeNull();
    expect(r['v5.8'].dma_direct_alloc_pages).toBeNull();
    expect(r['6.1'].dma_direct_alloc_pages?.pool_returns).toBe('cpu_addr');
    expect(r.mainline.dma_direct_alloc_pages?.pool_returns).toBe('page');
  });
});
