/**
 * The bug zoo's DMA variants: each puts one known kernel bug back into the
 * DMA world, as a policy override of a named rule (models/dma/rules.ts,
 * direct_rules.ts) or a world variant (models/world/world.ts), on mainline.
 * Where a bug is still open, the variant is mainline as it is. Test-only
 * mutants (test/mutants/dma) import these rather than copy them.
 */
import { mainline } from '../../models/policies/mainline.ts';
import type { Policy } from '../../models/policy.ts';
import type { WorldVariant } from '../../models/world/world.ts';

/** A broken DMA world: a policy, a world variant, and the shipped scenario it shows in. */
export interface DmaVariant {
  readonly id: string;
  /** The bug-zoo entry it puts back. */
  readonly zoo?: string;
  /** What is wrong, in one line. */
  readonly why: string;
  /** How it is built: the rule overridden or the world knob set. */
  readonly how: string;
  readonly policy: Policy;
  readonly variant?: WorldVariant;
  /** A shipped scenario (data/scenarios) it needs; absent: the default `sev-4g-nvme`. */
  readonly scenario?: string;
}

const base = mainline;
const pool = base.dmaPool as NonNullable<Policy['dmaPool']>;
const withPool = (o: Partial<typeof pool>): Policy => ({ ...base, dmaPool: { ...pool, ...o } });
const withDirect = (o: Partial<Policy['dmaDirect']>): Policy => ({
  ...base,
  dmaDirect: { ...base.dmaDirect, ...o },
});

export const atomicDecryptsInPlace: DmaVariant = {
  id: 'atomic-decrypts-in-place',
  zoo: 'BZ-01',
  why: 'non-blocking requests skip the pools and decrypt fresh pages in the caller context',
  how: "direct rule dma_direct_alloc_from_pool_when: 'never' (v5.4)",
  policy: withDirect({ dma_direct_alloc_from_pool_when: 'never' }),
};

export const expandCmaAnyZone: DmaVariant = {
  id: 'expand-cma-any-zone',
  zoo: 'BZ-03',
  why: 'atomic_pool_expand() takes the CMA area whatever zone the pool serves',
  how: 'world variant expand_cma_any_zone, CMA in ZONE_NORMAL',
  policy: base,
  variant: { expand_cma_any_zone: true },
  scenario: 'sev-4g-cma',
};

export const expandIgnoresZone: DmaVariant = {
  id: 'expand-ignores-zone',
  zoo: 'BZ-03',
  why: 'pool expansion takes pages from any zone (as the CMA area did)',
  how: 'world variant expand_ignores_zone (gfp zone bits dropped)',
  policy: base,
  variant: { expand_ignores_zone: true },
};

export const poolSkipsAddressCheck: DmaVariant = {
  id: 'pool-skips-address-check',
  zoo: 'BZ-05',
  why: 'dma-direct passes no phys_addr_ok check to dma_alloc_from_pool()',
  how: 'world variant pool_skips_phys_ok',
  policy: base,
  variant: { pool_skips_phys_ok: true },
};

export const freeMissesPool: DmaVariant = {
  id: 'free-misses-pool',
  zoo: 'BZ-05',
  why: 'dma_free_from_pool() misses the pool, so the block goes to the buddy allocator',
  how: 'world variant pool_free_misses',
  policy: base,
  variant: { pool_free_misses: true },
};

export const expandStalePage: DmaVariant = {
  id: 'expand-stale-page',
  zoo: 'BZ-07',
  why: "atomic_pool_expand() adopts the previous expansion's page it never allocated",
  how: 'world variant expand_stale_page',
  policy: base,
  variant: { expand_stale_page: true },
};

export const poolForEmptyZone: DmaVariant = {
  id: 'pool-for-empty-zone',
  zoo: 'BZ-08',
  why: 'dma_atomic_pool_init() creates the GFP_DMA pool whenever CONFIG_ZONE_DMA is set',
  how: "pool rule pools_created.dma: 'kconfig' (v5.8), kdump layout",
  policy: withPool({ pools_created: { ...pool.pools_created, dma: 'kconfig' } }),
  scenario: 'kdump-sev-4g',
};

export const expandFreesUnknownPages: DmaVariant = {
  id: 'expand-frees-unknown-pages',
  zoo: 'BZ-10',
  why: 'atomic_pool_expand() frees a block whose decryption failed',
  how: "pool rule expand_decrypt_failure: 'free' (v5.8, 6.1)",
  policy: withPool({ expand_decrypt_failure: 'free' }),
};

export const expandLeaksOnAddFailure: DmaVariant = {
  id: 'expand-leaks-on-add-failure',
  zoo: 'BZ-10',
  why: 'atomic_pool_expand() leaks a re-encrypted block after gen_pool_add_virt() fails',
  how: "pool rule expand_add_failure: 'leak' (x86 v6.6-2026)",
  policy: withPool({ expand_add_failure: 'leak' }),
};

export const cmaChunkToBuddy: DmaVariant = {
  id: 'cma-chunk-to-buddy',
  zoo: 'BZ-11',
  why: 'a CMA chunk whose gen_pool_add_virt() failed goes back with __free_pages()',
  how: 'mainline as it is (the bug is open), NVMe only, CMA in ZONE_DMA32',
  policy: base,
  scenario: 'sev-4g-cma-nvme',
};

export const warnIgnoresNowarn: DmaVariant = {
  id: 'warn-ignores-nowarn',
  zoo: 'BZ-14',
  why: 'a failed pool allocation warns whatever __GFP_NOWARN says (v5.8, 6.1.0)',
  how: "pool rule warn_on_failure: 'unsuitable-always'",
  policy: withPool({ warn_on_failure: 'unsuitable-always' }),
};

export const expandWarnsEachOrder: DmaVariant = {
  id: 'expand-warns-each-order',
  zoo: 'BZ-14',
  why: 'every order atomic_pool_expand() falls back from prints a page-allocation failure',
  how: 'pool rule expand_nowarn: false (before 463d439becb8)',
  policy: withPool({ expand_nowarn: false }),
};

export const poolForEveryAtomic: DmaVariant = {
  id: 'pool-for-every-atomic',
  zoo: 'BZ-15',
  why: 'every non-blocking request takes the pools, forced to unencrypted DMA or not',
  how: "direct rule dma_direct_alloc_from_pool_when: 'not-blocking', no encryption",
  policy: withDirect({ dma_direct_alloc_from_pool_when: 'not-blocking' }),
  scenario: 'host-4g-noenc',
};

export const decryptFailureIgnored: DmaVariant = {
  id: 'decrypt-failure-ignored',
  zoo: 'BZ-17',
  why: 'dma-direct returns the buffer when set_memory_decrypted() fails',
  how: "direct rule set_memory_decrypted_failure: 'ignore' (v5.4)",
  policy: withDirect({ set_memory_decrypted_failure: 'ignore' }),
};

export const decryptFailureFrees: DmaVariant = {
  id: 'decrypt-failure-frees',
  zoo: 'BZ-17',
  why: 'dma-direct frees the unknown-state pages when set_memory_decrypted() fails',
  how: "direct rule set_memory_decrypted_failure: 'free' (v5.8, 6.1.0)",
  policy: withDirect({ set_memory_decrypted_failure: 'free' }),
};

export const cmaOnePageShort: DmaVariant = {
  id: 'cma-one-page-short',
  zoo: 'BZ-19',
  why: 'CMA gives size >> PAGE_SHIFT pages; decrypt and memset cover PAGE_ALIGN(size)',
  how: "direct rules dma_alloc_contiguous_size: 'caller-size', no PAGE_ALIGN",
  policy: withDirect({
    dma_alloc_contiguous_size: 'caller-size',
    dma_direct_alloc_page_align: false,
  }),
  scenario: 'sev-4g-cma',
};

export const cmaRetriedEveryZone: DmaVariant = {
  id: 'cma-retried-every-zone',
  zoo: 'BZ-23',
  why: 'each zone retry asks CMA again, which returns the same unaddressable area',
  how: "direct rule dma_direct_cma_retry: 'every-zone' (b1d2dc009dec)",
  policy: withDirect({ dma_direct_cma_retry: 'every-zone' }),
  scenario: 'sev-4g-cma',
};

/** Every DMA variant the zoo ships, in bug order. */
export const zooDmaVariants: readonly DmaVariant[] = [
  atomicDecryptsInPlace,
  expandCmaAnyZone,
  expandIgnoresZone,
  poolSkipsAddressCheck,
  freeMissesPool,
  expandStalePage,
  poolForEmptyZone,
  expandFreesUnknownPages,
  expandLeaksOnAddFailure,
  cmaChunkToBuddy,
  warnIgnoresNowarn,
  expandWarnsEachOrder,
  poolForEveryAtomic,
  decryptFailureIgnored,
  decryptFailureFrees,
  cmaOnePageShort,
  cmaRetriedEveryZone,
];
