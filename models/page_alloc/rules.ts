/**
 * The page allocator's version rules: mm/page_alloc.c, mm/vmscan.c and
 * include/linux/gfp.h as four kernels decide them (late 5.4.y with the boost
 * exemption of 5.4.80+, the v6.1 release, late 6.1.y as in Debian 6.1.192,
 * and 6.18).
 *
 * Plain data only. Each field is one decision, named after the kernel
 * function (or header) that makes it; the models read the field and never
 * ask which version they run. Mechanisms identical in all versions have no
 * field here.
 */

/** The rule sets the policies select: `v5.4` -> 5.4, `v5.8` -> 6.1.0, `6.1` -> 6.1, `mainline` -> 6.18. */
export type PageAllocVersion = '5.4' | '6.1.0' | '6.1' | '6.18';

export interface PageAllocRules {
  readonly id: PageAllocVersion;
  /** The tree the rules were read in, for reports. */
  readonly source: string;
  /** calculate_min_free_kbytes(): upper clamp of the default (5.4: 65536). */
  readonly min_free_kbytes_max: number;
  /** watermark_scale_factor_sysctl_handler(): largest accepted value (5.4: 1000). */
  readonly watermark_scale_factor_max: number;
  /** __setup_per_zone_wmarks(): ZONE_MOVABLE proportional, or the highmem clamp (6.18). */
  readonly setup_per_zone_wmarks_movable: 'proportional' | 'highmem_clamp';
  /** __setup_per_zone_wmarks(): a WMARK_PROMO watermark exists (absent in 5.4). */
  readonly wmark_promo: boolean;
  /**
   * setup_per_zone_lowmem_reserve(): 5.4 walks each upper zone downwards and
   * reserves even in an empty lower zone; 6.1/6.18 clear empty or ratio-0 zones.
   */
  readonly setup_per_zone_lowmem_reserve: 'per_upper_zone' | 'cumulative_clear_empty';
  /** include/linux/gfp_types.h: GFP_ATOMIC carries __GFP_ATOMIC (gone in 6.3). */
  readonly gfp_atomic_has_atomic_bit: boolean;
  /** include/linux/gfp_types.h: GFP_NOWAIT carries __GFP_NOWARN (about 6.10). */
  readonly gfp_nowait_has_nowarn: boolean;
  /**
   * gfp_to_alloc_flags(): `harder` = ALLOC_HIGH + ALLOC_HARDER from __GFP_ATOMIC
   * (5.4, 6.1.0); `non_block` = ALLOC_MIN_RESERVE + ALLOC_NON_BLOCK +
   * ALLOC_HIGHATOMIC (6.3+, backported to late 6.1.y). The same scheme decides
   * __zone_watermark_ok()'s reductions, rmqueue()'s highatomic lists and
   * get_page_from_freelist()'s reserve_highatomic_pageblock() call.
   */
  readonly alloc_flags: 'harder' | 'non_block';
  /** gfp_to_alloc_flags(): ALLOC_HIGHATOMIC also needs ALLOC_MIN_RESERVE (6.1.157+, 6.18). */
  readonly highatomic_needs_min_reserve: boolean;
  /** __zone_watermark_unusable_free(): reserved highatomic blocks, or free highatomic pages (6.12+). */
  readonly unusable_highatomic: 'nr_reserved_highatomic' | 'nr_free_highatomic';
  /** zone_watermark_fast(): the order-0 shortcut ignores highatomic (5.4) or subtracts it clamped. */
  readonly zone_watermark_fast_order0: 'ignores_highatomic' | 'subtracts_unusable';
  /** zone_watermark_fast(): who may retry at the unboosted min (f80b08fc4453). */
  readonly boost_exemption: 'gfp_atomic' | 'alloc_min_reserve' | 'none';
  /** prepare_alloc_pages(): the lowmem_reserve index (5.4 classzone_idx = preferred zone). */
  readonly classzone_idx: 'preferred_zone' | 'highest_zoneidx';
  /**
   * reserve_highatomic_pageblock() and unreserve_highatomic_pageblock(): cap
   * managed/100 + one block (5.4, 6.1), or 6.18's aligned cap (none below 100
   * pageblocks), whole ranges for order >= pageblock_order, and no reserve of a
   * pageblock that is not wholly in the zone.
   */
  readonly reserve_highatomic_pageblock: 'managed_div_100_plus_block' | 'aligned_cap_whole_range';
  /**
   * __rmqueue(): when the request's own lists are empty, `steal_suitable_fallback`
   * (5.4, 6.1: __rmqueue_fallback() takes the found block and moves its pageblock's
   * free pages even when it does not claim it) or `claim_or_steal` (6.15+:
   * __rmqueue_claim() moves pages only when it claims the pageblock, else
   * __rmqueue_steal() takes the smallest fallback block with no boost and no move).
   */
  readonly rmqueue_fallback: 'steal_suitable_fallback' | 'claim_or_steal';
  /** rmqueue_buddy(): NON_BLOCK/OOM callers fall back to highatomic lists (late 6.1.y, 6.18). */
  readonly rmqueue_highatomic_fallback: boolean;
  /** rmqueue(): the ZONE_BOOSTED_WATERMARK wake needs ALLOC_KSWAPD in the request (6.6+). */
  readonly rmqueue_boost_wake_needs_kswapd: boolean;
  /** move_to_free_list(): 5.4's move_to_free_area() puts the block at the head, 5.10+ at the tail. */
  readonly move_to_free_list: 'head' | 'tail';
  /** __free_one_page(): merging at and past pageblock_order. */
  readonly free_one_page_merge: 'isolate_only' | 'same_or_both_mergeable' | 'both_mergeable_retype';
  /** should_reclaim_retry(): unreserve highatomic only after MAX_RECLAIM_RETRIES, or whenever giving up. */
  readonly should_reclaim_retry_unreserve: 'after_max_retries' | 'whenever_giving_up';
  /** zone_reclaimable_pages(): NR_FREE_PAGES when the LRU sum is 0 (6aaced5abd32, stable only). */
  readonly zone_reclaimable_pages_free_fallback: boolean;
  /** allow_direct_reclaim(): skip zones without reclaimable pages, or only those also with free > 0 (2025). */
  readonly allow_direct_reclaim_skip: 'no_reclaimable' | 'no_reclaimable_and_free';
  /**
   * wake_all_kswapds(): wakeup_kswapd() on the node's first eligible zone,
   * which returns at once when that zone is unmanaged (5.4), or on its first
   * managed zone (6.1+).
   */
  readonly wake_all_kswapds: 'first_eligible' | 'first_managed';
  /** __alloc_pages_slowpath(): reserve flags keep ALLOC_KSWAPD (6.1+; 5.4 replaces all flags). */
  readonly reserve_flags_keep_kswapd: boolean;
  /** __alloc_pages_slowpath(): a costly order without __GFP_IO gives up (6.8, stable). */
  readonly costly_retry_needs_io: boolean;
  /**
   * Where __GFP_NOFAIL misuse warns: rmqueue() (order > 1) and the slowpath's
   * nopage (a caller that cannot block, a costly order) in 5.4 and 6.1, or
   * the slowpath's entry (order > 1, a caller that cannot block; 6.12+).
   */
  readonly nofail_warnings: 'rmqueue_and_nopage' | 'slowpath_entry';
  /** __alloc_pages_slowpath(): S0's and nopage's one-time warnings are WARN_ON_ONCE_GFP, silent under __GFP_NOWARN (5.19+). */
  readonly warn_on_once_gfp: boolean;
  /** __alloc_pages_slowpath(): the NOFAIL fallback adds ALLOC_HARDER (5.4) or ALLOC_MIN_RESERVE. */
  readonly nofail_fallback: 'harder' | 'min_reserve';
}

const v5_4: PageAllocRules = {
  id: '5.4',
  source: 'linux-5.4.y (5.4.80+: boost exemption): mm/page_alloc.c, mm/vmscan.c',
  min_free_kbytes_max: 65536,
  watermark_scale_factor_max: 1000,
  setup_per_zone_wmarks_movable: 'proportional',
  wmark_promo: false,
  setup_per_zone_lowmem_reserve: 'per_upper_zone',
  gfp_atomic_has_atomic_bit: true,
  gfp_nowait_has_nowarn: false,
  alloc_flags: 'harder',
  // Stryker disable next-line BooleanLiteral: read only under alloc_flags 'non_block'
  highatomic_needs_min_reserve: false,
  unusable_highatomic: 'nr_reserved_highatomic',
  zone_watermark_fast_order0: 'ignores_highatomic',
  boost_exemption: 'gfp_atomic',
  classzone_idx: 'preferred_zone',
  reserve_highatomic_pageblock: 'managed_div_100_plus_block',
  rmqueue_fallback: 'steal_suitable_fallback',
  rmqueue_highatomic_fallback: false,
  rmqueue_boost_wake_needs_kswapd: false,
  move_to_free_list: 'head',
  free_one_page_merge: 'isolate_only',
  should_reclaim_retry_unreserve: 'after_max_retries',
  zone_reclaimable_pages_free_fallback: true,
  allow_direct_reclaim_skip: 'no_reclaimable',
  wake_all_kswapds: 'first_eligible',
  reserve_flags_keep_kswapd: false,
  costly_retry_needs_io: true,
  nofail_warnings: 'rmqueue_and_nopage',
  warn_on_once_gfp: false,
  nofail_fallback: 'harder',
};

const v6_1: PageAllocRules = {
  id: '6.1',
  source: 'late 6.1.y (Debian 6.1.192): mm/page_alloc.c, mm/vmscan.c',
  min_free_kbytes_max: 262144,
  watermark_scale_factor_max: 3000,
  setup_per_zone_wmarks_movable: 'proportional',
  wmark_promo: true,
  setup_per_zone_lowmem_reserve: 'cumulative_clear_empty',
  gfp_atomic_has_atomic_bit: true,
  gfp_nowait_has_nowarn: false,
  alloc_flags: 'non_block',
  highatomic_needs_min_reserve: true,
  unusable_highatomic: 'nr_reserved_highatomic',
  zone_watermark_fast_order0: 'subtracts_unusable',
  boost_exemption: 'gfp_atomic',
  classzone_idx: 'highest_zoneidx',
  reserve_highatomic_pageblock: 'managed_div_100_plus_block',
  rmqueue_fallback: 'steal_suitable_fallback',
  rmqueue_highatomic_fallback: true,
  rmqueue_boost_wake_needs_kswapd: false,
  move_to_free_list: 'tail',
  free_one_page_merge: 'same_or_both_mergeable',
  should_reclaim_retry_unreserve: 'whenever_giving_up',
  zone_reclaimable_pages_free_fallback: true,
  allow_direct_reclaim_skip: 'no_reclaimable',
  wake_all_kswapds: 'first_managed',
  reserve_flags_keep_kswapd: true,
  costly_retry_needs_io: true,
  nofail_warnings: 'rmqueue_and_nopage',
  warn_on_once_gfp: true,
  nofail_fallback: 'min_reserve',
};

/**
 * The v6.1 release, before the stable backports of late 6.1.y
 * (reclaim-and-gfp.md §10, column 6.1.0): 5.4's ALLOC_HARDER scheme and
 * NOFAIL fallback, no highatomic fallback in rmqueue_buddy(), no unreserve
 * whenever should_reclaim_retry() gives up, no costly-order IO rule, and no
 * NR_FREE_PAGES fallback in zone_reclaimable_pages().
 */
const v6_1_0: PageAllocRules = {
  ...v6_1,
  id: '6.1.0',
  source: 'v6.1 release: mm/page_alloc.c, mm/vmscan.c',
  alloc_flags: 'harder',
  // Stryker disable next-line BooleanLiteral: read only under alloc_flags 'non_block'
  highatomic_needs_min_reserve: false,
  rmqueue_highatomic_fallback: false,
  should_reclaim_retry_unreserve: 'after_max_retries',
  zone_reclaimable_pages_free_fallback: false,
  costly_retry_needs_io: false,
  nofail_fallback: 'harder',
};

const v6_18: PageAllocRules = {
  ...v6_1,
  id: '6.18',
  source: 'v6.18: mm/page_alloc.c, mm/vmscan.c',
  setup_per_zone_wmarks_movable: 'highmem_clamp',
  gfp_atomic_has_atomic_bit: false,
  gfp_nowait_has_nowarn: true,
  unusable_highatomic: 'nr_free_highatomic',
  boost_exemption: 'alloc_min_reserve',
  reserve_highatomic_pageblock: 'aligned_cap_whole_range',
  rmqueue_fallback: 'claim_or_steal',
  rmqueue_boost_wake_needs_kswapd: true,
  free_one_page_merge: 'both_mergeable_retype',
  zone_reclaimable_pages_free_fallback: false,
  allow_direct_reclaim_skip: 'no_reclaimable_and_free',
  nofail_warnings: 'slowpath_entry',
};

/** The rule sets, by version. */
export const pageAllocRules: Readonly<Record<PageAllocVersion, PageAllocRules>> = {
  '5.4': v5_4,
  '6.1.0': v6_1_0,
  '6.1': v6_1,
  '6.18': v6_18,
};
