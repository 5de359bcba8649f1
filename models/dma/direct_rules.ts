/**
 * kernel/dma/direct.c decisions per version, as plain data: v5.4 (release),
 * v5.8 (release), 6.1 (Debian 6.1.192, i.e. 6.1.y after the backport of
 * b9fa16949d18) and mainline (direct.c at 94a04ad732c9). `direct.ts` holds
 * the mechanism and reads these fields wherever the versions differ; a
 * mutant or a user policy overrides a field and keeps the rest. Facts:
 * spec/dma.md §2.8-§2.10, §3, §5; x86 only (coherent devices, no REMAP).
 */
import type { CcKind } from './device.ts';
import type { DmaSetMemoryCount } from './set_memory.ts';

export type DmaDirectVersion = 'v5.4' | 'v5.8' | '6.1' | 'mainline';

export interface DmaDirectRules {
  readonly version: DmaDirectVersion;
  /** The tree this rule set was read from, in one line. */
  readonly source: string;
  /**
   * force_dma_unencrypted(): the platforms this kernel knows. TDX guests
   * exist from v5.19; a platform outside the list is refused (an error, not
   * a silent "no encryption").
   */
  readonly force_dma_unencrypted_platforms: readonly CcKind[];
  /**
   * dma_direct_alloc(): PAGE_ALIGN(size) at entry (v5.8+, 633d5fce78a6).
   * false = v5.4: only the page allocation is rounded; the address check,
   * the decrypt count and the memset use the caller's size (T8).
   */
  readonly dma_direct_alloc_page_align: boolean;
  /**
   * When dma_direct_alloc() takes memory from the atomic pools instead of
   * converting fresh pages (the fix of the 2019 bug): `never` (v5.4, x86),
   * `dma_should_alloc_from_pool` (v5.8: CONFIG_DMA_COHERENT_POOL, not
   * blocking, forced unencrypted), `dma_direct_use_pool` (6.1, mainline:
   * forced unencrypted and not blocking; without CONFIG_DMA_COHERENT_POOL
   * the pool path warns once and fails), `not-blocking` (every non-blocking
   * request, forced or not: the RFC v1 x86 wiring of March 2020 that review
   * rejected, never merged: BZ-15).
   */
  readonly dma_direct_alloc_from_pool_when:
    | 'never'
    | 'dma_should_alloc_from_pool'
    | 'dma_direct_use_pool'
    | 'not-blocking';
  /**
   * dma_direct_alloc_from_pool(): OR the device's optimal zone into gfp
   * before asking the pools (5.9+: the pool is guessed from gfp). false =
   * v5.8, which passes the caller's gfp (its pool is guessed from the mask).
   */
  readonly dma_direct_alloc_from_pool_optimal_gfp: boolean;
  /**
   * dma_direct_alloc()/dma_direct_alloc_pages() when set_memory_decrypted()
   * fails: `ignore` the result and return the buffer (v5.4), `free` the
   * pages, now unknown, and fail (56fccf21d196: v5.8, 6.1.0), `leak` them
   * and fail (b9fa16949d18: 6.1.86+, mainline).
   */
  readonly set_memory_decrypted_failure: 'ignore' | 'free' | 'leak';
  /**
   * dma_direct_free()/dma_direct_free_pages() when set_memory_encrypted()
   * fails: `ignore` it and free the pages (v5.4, v5.8), or warn "leaking DMA
   * memory that can't be re-encrypted" and `leak` them (v5.18+).
   */
  readonly set_memory_encrypted_failure: 'ignore' | 'leak';
  /** dma_set_decrypted()/dma_set_encrypted() page count: `order` (< v5.19) or `pfn_up` (4a37f3dd9a83). */
  readonly dma_set_memory_count: DmaSetMemoryCount;
  /**
   * __dma_direct_alloc_pages(): how a buddy page that failed
   * dma_coherent_ok() goes back: `dma_free_contiguous` (until f689a3ab7b8e,
   * ~v6.12) or `__free_pages`.
   */
  readonly free_unaddressable_page: 'dma_free_contiguous' | '__free_pages';
  /**
   * __dma_direct_alloc_pages(): where CMA sits in the zone retry. `once`:
   * dma_alloc_contiguous() is tried once, before the buddy allocator's zone
   * retry, and an unaddressable CMA block goes back (90ae409f9eb3, v5.3-rc6,
   * every version here). `every-zone`: b1d2dc009dec until that fix, where
   * dma_alloc_contiguous() (CMA, else alloc_pages_node()) is retried at each
   * zone step, so the same unaddressable CMA area answers every retry (BZ-23).
   */
  readonly dma_direct_cma_retry: 'once' | 'every-zone';
  /**
   * __dma_direct_alloc_pages(): the size dma_alloc_contiguous() gets.
   * `page-aligned`: PAGE_ALIGN(size) (v5.4 rounds there, v5.8+ callers
   * round first). `caller-size`: the v5.8-rc window before 633d5fce78a6,
   * where cma_alloc() took size >> PAGE_SHIFT pages, one page short of what
   * the decrypt and memset then cover (BZ-19).
   */
  readonly dma_alloc_contiguous_size: 'page-aligned' | 'caller-size';
  /** dma_direct_free(): dma_should_free_from_pool(), i.e. try the atomic pools first (v5.8+, CONFIG_DMA_COHERENT_POOL). */
  readonly dma_should_free_from_pool: boolean;
  /**
   * dma_direct_alloc_pages(), the page API (v5.10+, 5b138c534fda): null
   * where it does not exist. `pool_returns`: what its pool path hands back
   * as the struct page: `cpu_addr` (the CPU address, T15: v5.10 until
   * 94a04ad732c9) or `page` (mainline).
   */
  readonly dma_direct_alloc_pages: null | { readonly pool_returns: 'cpu_addr' | 'page' };
}

/** v5.4 release: no pools on x86; forced-unencrypted buffers are decrypted in the caller's context (BZ-01). */
const v5_4: DmaDirectRules = {
  version: 'v5.4',
  source: 'v5.4: kernel/dma/direct.c (with 90ae409f9eb3)',
  force_dma_unencrypted_platforms: ['none', 'sme-host', 'sev-guest'],
  dma_direct_alloc_page_align: false,
  dma_direct_alloc_from_pool_when: 'never',
  // Stryker disable next-line BooleanLiteral: v5.4 never asks the pools, so no gfp is passed to them
  dma_direct_alloc_from_pool_optimal_gfp: false,
  set_memory_decrypted_failure: 'ignore',
  set_memory_encrypted_failure: 'ignore',
  dma_set_memory_count: 'order',
  free_unaddressable_page: 'dma_free_contiguous',
  dma_direct_cma_retry: 'once',
  dma_alloc_contiguous_size: 'page-aligned',
  dma_should_free_from_pool: false,
  dma_direct_alloc_pages: null,
};

/** v5.8 release: the pool series, 633d5fce78a6, 1a2b3357e860, 56fccf21d196, 96a539fa3bb7. */
const v5_8: DmaDirectRules = {
  version: 'v5.8',
  source: 'v5.8: kernel/dma/direct.c (633d5fce78a6, 56fccf21d196)',
  force_dma_unencrypted_platforms: ['none', 'sme-host', 'sev-guest'],
  dma_direct_alloc_page_align: true,
  dma_direct_alloc_from_pool_when: 'dma_should_alloc_from_pool',
  dma_direct_alloc_from_pool_optimal_gfp: false,
  set_memory_decrypted_failure: 'free',
  set_memory_encrypted_failure: 'ignore',
  dma_set_memory_count: 'order',
  free_unaddressable_page: 'dma_free_contiguous',
  dma_direct_cma_retry: 'once',
  dma_alloc_contiguous_size: 'page-aligned',
  dma_should_free_from_pool: true,
  dma_direct_alloc_pages: null,
};

/** 6.1: Debian 6.1.192, with b9fa16949d18 (leak on decrypt failure); the page API still has T15. */
const v6_1: DmaDirectRules = {
  version: '6.1',
  source: 'Debian 6.1.192: kernel/dma/direct.c with b9fa16949d18',
  force_dma_unencrypted_platforms: ['none', 'sme-host', 'sev-guest', 'tdx-guest'],
  dma_direct_alloc_page_align: true,
  dma_direct_alloc_from_pool_when: 'dma_direct_use_pool',
  dma_direct_alloc_from_pool_optimal_gfp: true,
  set_memory_decrypted_failure: 'leak',
  set_memory_encrypted_failure: 'leak',
  dma_set_memory_count: 'pfn_up',
  free_unaddressable_page: 'dma_free_contiguous',
  dma_direct_cma_retry: 'once',
  dma_alloc_contiguous_size: 'page-aligned',
  dma_should_free_from_pool: true,
  dma_direct_alloc_pages: { pool_returns: 'cpu_addr' },
};

/** mainline: torvalds/linux kernel/dma/direct.c at 94a04ad732c9 (T15 fixed). */
const mainline: DmaDirectRules = {
  version: 'mainline',
  source: 'torvalds/linux kernel/dma/direct.c at 94a04ad732c9',
  force_dma_unencrypted_platforms: ['none', 'sme-host', 'sev-guest', 'tdx-guest'],
  dma_direct_alloc_page_align: true,
  dma_direct_alloc_from_pool_when: 'dma_direct_use_pool',
  dma_direct_alloc_from_pool_optimal_gfp: true,
  set_memory_decrypted_failure: 'leak',
  set_memory_encrypted_failure: 'leak',
  dma_set_memory_count: 'pfn_up',
  free_unaddressable_page: '__free_pages',
  dma_direct_cma_retry: 'once',
  dma_alloc_contiguous_size: 'page-aligned',
  dma_should_free_from_pool: true,
  dma_direct_alloc_pages: { pool_returns: 'page' },
};

/** The direct.c rules of each DMA policy, by policy id. */
export const dmaDirectRules: Readonly<Record<DmaDirectVersion, DmaDirectRules>> = {
  'v5.4': v5_4,
  'v5.8': v5_8,
  '6.1': v6_1,
  mainline,
};
