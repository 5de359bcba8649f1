/**
 * kernel/dma/pool.c decisions per version (v5.8, 6.1 = Debian 6.1.192, mainline
 * = 0510cb5b2303), as plain data. `pool.ts` holds the mechanism and reads
 * these fields wherever the versions differ; a mutant or a user policy
 * overrides a field and keeps the rest. Facts: spec/dma.md §2.1-§2.6, §3, §5.
 *
 * Leaves out: the v5.8-rc1 variants (CMA-only expansion, the single guessed
 * pool, WARN_ONCE "pool depleted"), the v6.6-2026 mainline leak on every
 * expand error path, and everything that needs CONFIG_DMA_DIRECT_REMAP
 * (vmap of the chunk): the model is x86, where the chunk VA is the linear map.
 */

export type DmaPoolVersion = 'v5.8' | '6.1' | 'mainline';

/** Which rule decides whether one pool is created at init. */
export type PoolCreation =
  /** Created whatever the memory layout (the GFP_KERNEL pool in v5.8 and 6.1). */
  | 'always'
  /** Created if the zone is configured (IS_ENABLED(CONFIG_ZONE_DMA{,32})). */
  | 'kconfig'
  /** Created if the zone has managed pages (has_managed_dma() and friends). */
  | 'zone-managed';

export interface DmaPoolRules {
  readonly version: DmaPoolVersion;
  /** The tree this rule set was read from, in one line. */
  readonly source: string;
  /**
   * dma_atomic_pool_init(): the default `atomic_pool_size` when
   * `coherent_pool=` is absent or 0. `128K-per-GiB`: max(min(T/8192, 1024)
   * pages, 128 KiB) (3ee06a6d532f); `128K-per-16M`: as first merged in
   * v5.8-rc1 (1d659236fb43); `256K`: the fixed size before it.
   */
  readonly atomic_pool_size_default: '128K-per-GiB' | '128K-per-16M' | '256K';
  /** dma_atomic_pool_init(): when each of the three pools is created. */
  readonly pools_created: {
    readonly kernel: 'always' | 'zone-managed';
    readonly dma: 'kconfig' | 'zone-managed';
    readonly dma32: 'kconfig' | 'zone-managed';
  };
  /**
   * dma_guess_pool(): `device-mask` (v5.8, first pool from the device's
   * coherent mask), `gfp-dma32-first` (v5.9 … 6.1: DMA32 bit tested first,
   * a NULL candidate ends the walk), `gfp-fallback-chain` (mainline
   * b31ac41b59b6: the first existing pool of a per-zone chain).
   */
  readonly dma_guess_pool: 'device-mask' | 'gfp-dma32-first' | 'gfp-fallback-chain';
  /**
   * dma_alloc_from_pool(): the address check. `always`: v5.8 calls
   * dma_coherent_ok() itself, also for IOMMU callers (BZ-06); `when-given`:
   * only the caller's `phys_addr_ok` callback, if any (9420139f516d).
   */
  readonly check_phys_ok: 'always' | 'when-given';
  /**
   * dma_alloc_from_pool() failure: `unsuitable-always` = WARN(1, "Failed to
   * get suitable pool") on every failure, __GFP_NOWARN ignored (v5.8, 6.1.0);
   * `exhausted-or-missing` = "DMA pool exhausted" unless __GFP_NOWARN when
   * some pool was tried, else the unconditional "Failed to get suitable pool"
   * (56c430c7f06d; mainline and Debian 6.1.192 by backport).
   */
  readonly warn_on_failure: 'unsuitable-always' | 'exhausted-or-missing';
  /**
   * The `file:line` the kernel's WARNING line names for each dma_alloc_from_pool
   * warning, or null where unknown (the text then says `pool.c:?`). Only the
   * 6.1.192 exhausted site is read off a kernel (the traces).
   */
  readonly warn_site: { readonly exhausted: string | null; readonly missing: string | null };
  /**
   * atomic_pool_expand(): page source. `buddy`: alloc_pages only (v5.8
   * release, d9765e41d8e9); `cma-in-zone-then-buddy`: the default CMA area
   * first when cma_in_zone(gfp), then alloc_pages (d7e673ec2c8e, v5.9+).
   */
  readonly expand_source: 'buddy' | 'cma-in-zone-then-buddy';
  /**
   * cma_in_zone() upper bound for GFP_DMA32: `dma32` = 4 GiB - 1 (6.1);
   * `max-dma32-zone-dma` = max(4 GiB - 1, DMA zone limit) (mainline).
   */
  readonly cma_in_zone_dma32_limit: 'dma32' | 'max-dma32-zone-dma';
  /** atomic_pool_expand(): __GFP_NOWARN on the buddy attempt (463d439becb8). */
  readonly expand_nowarn: boolean;
  /**
   * atomic_pool_expand(), set_memory_decrypted() fails: `free` the block to
   * buddy in an unknown state (v5.8, 6.1: BZ-10b) or `leak` it (0510cb5b2303).
   */
  readonly expand_decrypt_failure: 'free' | 'leak';
  /**
   * atomic_pool_expand(), gen_pool_add_virt() fails and re-encryption works:
   * the block is freed (every version here; `leak` is the x86 v6.6-2026
   * behaviour, BZ-10a). The function returns 0 either way (T4).
   */
  readonly expand_add_failure: 'free' | 'leak';
  /**
   * dma_free_from_pool() walk: `device-chain` (v5.8: the device's first pool,
   * then safer ones); `stop-at-null-kernel` (6.1: kernel first, a NULL kernel
   * pool ends the walk at once); `all-existing` (mainline: first existing of
   * kernel, dma32, dma, then down).
   */
  readonly dma_free_from_pool: 'device-chain' | 'stop-at-null-kernel' | 'all-existing';
}

/** v5.8 release: the pool series with every rc fix through d9765e41d8e9. */
const v5_8: DmaPoolRules = {
  version: 'v5.8',
  source: 'v5.8: kernel/dma/pool.c (48b6703858dd, 81e9d894e03f, d9765e41d8e9)',
  atomic_pool_size_default: '128K-per-GiB',
  pools_created: { kernel: 'always', dma: 'kconfig', dma32: 'kconfig' },
  dma_guess_pool: 'device-mask',
  check_phys_ok: 'always',
  warn_on_failure: 'unsuitable-always',
  warn_site: { exhausted: null, missing: null },
  expand_source: 'buddy',
  cma_in_zone_dma32_limit: 'dma32',
  expand_nowarn: false,
  expand_decrypt_failure: 'free',
  expand_add_failure: 'free',
  dma_free_from_pool: 'device-chain',
};

/**
 * 6.1: Debian 6.1.192 (late 6.1.y) with the backports of 56c430c7f06d
 * (exhausted vs missing) and 463d439becb8 (NOWARN expansion): the traces show both.
 */
const v6_1: DmaPoolRules = {
  version: '6.1',
  source: 'Debian 6.1.192: kernel/dma/pool.c with 56c430c7f06d and 463d439becb8',
  atomic_pool_size_default: '128K-per-GiB',
  pools_created: { kernel: 'always', dma: 'zone-managed', dma32: 'kconfig' },
  dma_guess_pool: 'gfp-dma32-first',
  check_phys_ok: 'when-given',
  warn_on_failure: 'exhausted-or-missing',
  // 282 is read off the traces; the "missing" WARN is two lines below it in
  // the same if/else (not observed: every traced boot has all three pools).
  warn_site: { exhausted: 'kernel/dma/pool.c:282', missing: 'kernel/dma/pool.c:284' },
  expand_source: 'cma-in-zone-then-buddy',
  cma_in_zone_dma32_limit: 'dma32',
  expand_nowarn: true,
  expand_decrypt_failure: 'free',
  expand_add_failure: 'free',
  dma_free_from_pool: 'stop-at-null-kernel',
};

/** mainline: torvalds/linux kernel/dma/pool.c at 0510cb5b2303. */
const mainline: DmaPoolRules = {
  version: 'mainline',
  source: 'torvalds/linux kernel/dma/pool.c at 0510cb5b2303',
  atomic_pool_size_default: '128K-per-GiB',
  pools_created: { kernel: 'zone-managed', dma: 'zone-managed', dma32: 'zone-managed' },
  dma_guess_pool: 'gfp-fallback-chain',
  check_phys_ok: 'when-given',
  warn_on_failure: 'exhausted-or-missing',
  warn_site: { exhausted: null, missing: null },
  expand_source: 'cma-in-zone-then-buddy',
  cma_in_zone_dma32_limit: 'max-dma32-zone-dma',
  expand_nowarn: true,
  expand_decrypt_failure: 'leak',
  expand_add_failure: 'free',
  dma_free_from_pool: 'all-existing',
};

/** The pool.c rules of each DMA policy, by policy id. */
export const dmaPoolRules: Readonly<Record<DmaPoolVersion, DmaPoolRules>> = {
  'v5.8': v5_8,
  '6.1': v6_1,
  mainline,
};
