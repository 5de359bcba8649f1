/**
 * The values each closed rule field may take. The models read such a field
 * with `===` against one or two of its values, so anything else (a typo in a
 * user's JavaScript policy, say) would silently take some other branch:
 * every rule set is checked against these lists before it runs.
 */
import { CC_KINDS } from './dma/device.ts';
import type { DmaDirectRules } from './dma/direct_rules.ts';
import type { DmaPoolRules } from './dma/rules.ts';
import type { PageAllocRules } from './page_alloc/rules.ts';
import type { Policy } from './policy.ts';
import type { ReservePoolRules } from './reserve_pool/rules.ts';

/** One list per field of R whose type is a union of string literals (TypeScript keeps it complete). */
type Choices<R> = {
  readonly [K in keyof R as R[K] extends string
    ? string extends R[K]
      ? never
      : K
    : never]: readonly R[K][];
};

/** Nested and list fields, by `field.key` path or by list field name. */
type More = Readonly<Record<string, readonly string[]>>;

const PAGE_ALLOC: Choices<PageAllocRules> = {
  id: ['5.4', '6.1.0', '6.1', '6.18'],
  setup_per_zone_wmarks_movable: ['proportional', 'highmem_clamp'],
  setup_per_zone_lowmem_reserve: ['per_upper_zone', 'cumulative_clear_empty'],
  alloc_flags: ['harder', 'non_block'],
  unusable_highatomic: ['nr_reserved_highatomic', 'nr_free_highatomic'],
  zone_watermark_fast_order0: ['ignores_highatomic', 'subtracts_unusable'],
  boost_exemption: ['gfp_atomic', 'alloc_min_reserve', 'none'],
  classzone_idx: ['preferred_zone', 'highest_zoneidx'],
  reserve_highatomic_pageblock: ['managed_div_100_plus_block', 'aligned_cap_whole_range'],
  rmqueue_fallback: ['steal_suitable_fallback', 'claim_or_steal'],
  move_to_free_list: ['head', 'tail'],
  free_one_page_merge: ['isolate_only', 'same_or_both_mergeable', 'both_mergeable_retype'],
  should_reclaim_retry_unreserve: ['after_max_retries', 'whenever_giving_up'],
  allow_direct_reclaim_skip: ['no_reclaimable', 'no_reclaimable_and_free'],
  wake_all_kswapds: ['first_eligible', 'first_managed'],
  nofail_warnings: ['rmqueue_and_nopage', 'slowpath_entry'],
  nofail_fallback: ['harder', 'min_reserve'],
};

const POOL_CREATED = ['always', 'kconfig', 'zone-managed'];

const DMA_POOL: Choices<DmaPoolRules> & More = {
  version: ['v5.8', '6.1', 'mainline'],
  atomic_pool_size_default: ['128K-per-GiB', '128K-per-16M', '256K'],
  'pools_created.kernel': POOL_CREATED,
  'pools_created.dma': POOL_CREATED,
  'pools_created.dma32': POOL_CREATED,
  dma_guess_pool: ['device-mask', 'gfp-dma32-first', 'gfp-fallback-chain'],
  check_phys_ok: ['always', 'when-given'],
  warn_on_failure: ['unsuitable-always', 'exhausted-or-missing'],
  expand_source: ['buddy', 'cma-in-zone-then-buddy'],
  cma_in_zone_dma32_limit: ['dma32', 'max-dma32-zone-dma'],
  expand_decrypt_failure: ['free', 'leak'],
  expand_add_failure: ['free', 'leak'],
  dma_free_from_pool: ['device-chain', 'stop-at-null-kernel', 'all-existing'],
};

const DMA_DIRECT: Choices<DmaDirectRules> & More = {
  version: ['v5.4', 'v5.8', '6.1', 'mainline'],
  force_dma_unencrypted_platforms: CC_KINDS,
  dma_direct_alloc_from_pool_when: [
    'never',
    'dma_should_alloc_from_pool',
    'dma_direct_use_pool',
    'not-blocking',
  ],
  set_memory_decrypted_failure: ['ignore', 'free', 'leak'],
  set_memory_encrypted_failure: ['ignore', 'leak'],
  dma_set_memory_count: ['order', 'pfn_up'],
  free_unaddressable_page: ['dma_free_contiguous', '__free_pages'],
  dma_direct_cma_retry: ['once', 'every-zone'],
  dma_alloc_contiguous_size: ['page-aligned', 'caller-size'],
  'dma_direct_alloc_pages.pool_returns': ['cpu_addr', 'page'],
};

const RESERVE_POOL: Choices<ReservePoolRules> = {
  order_targets: ['equal-pages', 'one-each-then-order0'],
  refill_threshold: ['below-target', 'below-half-target'],
  warn_on_failure: ['unless-nowarn', 'always'],
  refill_failure: ['skip-zone-this-pass', 'stop-pass'],
  give_back: ['above-twice-target', 'never'],
};

/** The first value of `rules` outside its field's list, as `field: 'value' is not one of …`, or null. */
function invalidIn(rules: object, choices: More, where: string): string | null {
  for (const [path, allowed] of Object.entries(choices)) {
    const [field, key] = path.split('.') as [string, string | undefined];
    const value: unknown = (rules as Record<string, unknown>)[field];
    // a nested field whose object is null is switched off as a whole
    const inner =
      key === undefined || value === null ? value : (value as Record<string, unknown>)[key];
    const values = Array.isArray(inner) ? inner : inner === null ? [] : [inner];
    for (const v of values)
      if (!allowed.includes(v as string))
        return `${where}.${path} is ${v === undefined ? 'missing' : JSON.stringify(v)}: one of ${allowed.join(', ')}`;
  }
  return null;
}

/** The first rule of `policy` outside the values the models know, or null when all are known. */
export function invalidRule(policy: Policy): string | null {
  return (
    invalidIn(policy.pageAlloc, PAGE_ALLOC, 'pageAlloc') ??
    (policy.dmaPool && invalidIn(policy.dmaPool, DMA_POOL, 'dmaPool')) ??
    invalidIn(policy.dmaDirect, DMA_DIRECT, 'dmaDirect') ??
    (policy.reservePool && invalidIn(policy.reservePool, RESERVE_POOL, 'reservePool'))
  );
}
