/**
 * The page allocator's state on one node: struct zone and the parts of
 * struct pglist_data that the allocator and kswapd use (include/linux/
 * mmzone.h, 6.1), plus the per-page arena of pages.ts.
 *
 * Plain data: numbers, typed arrays and small records; the only functions
 * are in `fns`, the table of kernel functions a variant may replace (see
 * fns.ts). Everything is deterministic.
 *
 * Left out: per-cpu pagesets (pcp lists and their batches: counters are
 * exact), CMA and isolated pageblocks, NUMA, memcg, cpusets, compaction
 * (a request never gains from it; see page_alloc.ts), MGLRU, anon memory and
 * swap (all reclaimable memory is file page cache).
 */
import type { GfpComposites } from './gfp.ts';
import type { PageArena, PageArrays } from './pages.ts';
import type { PageAllocRules } from './rules.ts';
import type { VmSysctls, ZoneCounts } from './zone.ts';

/**
 * A FIFO of page-cache folios (one LRU list of one zone, oldest first):
 * pfn, order and a node-wide age stamp per folio. Entries are appended at
 * `tail` and consumed at `head`, never rewritten, so a reset only restores
 * the two indices.
 */
export interface FolioQueue {
  pfn: Int32Array;
  order: Uint8Array;
  seq: Float64Array;
  head: number;
  tail: number;
}

/** struct zone, as far as the model goes. */
export interface Zone extends ZoneCounts {
  readonly name: string;
  readonly zone_start_pfn: number;
  /** spanned_pages: the zone is pfns [zone_start_pfn, zone_start_pfn + spanned_pages). */
  readonly spanned_pages: number;
  /** NR_FREE_PAGES: pages on the free lists. */
  nr_free_pages: number;
  /** free_area[order].nr_free (blocks of any migratetype). */
  readonly nr_free: Int32Array;
  /** First and last pfn of free_area[order].free_list[mt], index order * MIGRATE_TYPES + mt; -1 empty. */
  readonly free_head: Int32Array;
  readonly free_tail: Int32Array;
  /** Free pages per free-list migratetype (nr_free_highatomic is entry MIGRATE_HIGHATOMIC). */
  readonly nr_free_mt: Int32Array;
  /** nr_reserved_highatomic: pages of pageblocks reserved for high-order atomic requests. */
  nr_reserved_highatomic: number;
  /** ZONE_BOOSTED_WATERMARK: a fragmenting fallback boosted the watermarks; rmqueue() wakes kswapd. */
  boosted_watermark: boolean;
  /** Pages held by callers (allocated, pool chunks). */
  nr_allocated: number;
  /** Pages leaked by a failed re-encryption (never returned). */
  nr_leaked: number;
  /** Page cache on the zone: clean (reclaimable now) and dirty (after writeback). */
  readonly lru_clean: FolioQueue;
  readonly lru_dirty: FolioQueue;
  nr_clean: number;
  nr_dirty: number;
}

/** Where kswapd is (its task state). */
export type KswapdPosition = 'running' | 'short_sleep' | 'full_sleep';

/** The next step of kswapd's main loop (mm/vmscan.c kswapd(), 6.1; reclaim-and-gfp.md §8). */
export type KswapdPc = 'K1' | 'K2' | 'K2_woken' | 'K3' | 'K4' | 'balance';

/** balance_pgdat()'s locals between rounds. */
export interface BalanceState {
  /** sc.order (lowered to 0 once enough was reclaimed). */
  order: number;
  /** The order the pass was called with. */
  readonly alloc_order: number;
  readonly highest_zoneidx: number;
  nr_boost_reclaim: number;
  /** Boost snapshot per zone, taken when the pass began. */
  readonly zone_boosts: number[];
  readonly boosted: number;
  priority: number;
  /** sc.nr_reclaimed over the whole pass. */
  nr_reclaimed: number;
  /** Rounds run (for reports). */
  rounds: number;
}

/** kswapd's own state: its position, program counter and loop locals. */
export interface KswapdState {
  position: KswapdPosition;
  pc: KswapdPc;
  /** The loop's local highest_zoneidx (initially MAX_NR_ZONES - 1). */
  highest_zoneidx: number;
  alloc_order: number;
  reclaim_order: number;
  bal: BalanceState | null;
  /** kcompactd was asked to run (kept only as an event). */
  kcompactd_requests: number;
}

/** struct pglist_data, the fields the allocator and kswapd use. */
export interface Pgdat {
  kswapd_order: number;
  /** MAX_NR_ZONES means unset. */
  kswapd_highest_zoneidx: number;
  kswapd_failures: number;
  readonly kswapd: KswapdState;
  totalreserve_pages: number;
  /** Tasks waiting on pfmemalloc_wait (a synchronous model never leaves one waiting). */
  pfmemalloc_waiters: number;
  /** Node-wide LRU age stamp. */
  lru_seq: number;
}

/** should_fail_alloc_page(): fault injection, as plain data the harness sets. */
export interface FailPageAlloc {
  /** Fail requests of this order, or of any order. */
  readonly order: number | 'any';
  /** How many more requests to fail. */
  remaining: number;
}

/** The whole page allocator: one node, its zones, its pages. */
export interface PageAlloc {
  readonly rules: PageAllocRules;
  /** The kernel functions in use (the kernel's own, or a variant's replacements). */
  readonly fns: import('./fns.ts').PageAllocFns;
  readonly gfp: GfpComposites;
  readonly machine: import('./machine.ts').Machine;
  readonly zones: readonly Zone[];
  /** Populated zone indices, highest first (build_zonerefs_node). */
  readonly zonelist: readonly number[];
  readonly pages: PageArena;
  readonly sysctl: VmSysctls;
  readonly pgdat: Pgdat;
  fail_page_alloc: FailPageAlloc | null;
  /**
   * Heads of the free blocks inserted since the harness last cleared it
   * (for checks on what a step touched); `touched_overflow` when more than
   * fit.
   */
  readonly touched: Int32Array;
  ntouched: number;
  touched_overflow: boolean;
  /** Retired by a newer reset of the same arena: no longer usable. */
  retired: boolean;
}

/** The image a machine boots into, built once per machine (see machine.ts). */
export interface BootImage {
  readonly pages: PageArrays;
  readonly zones: readonly Zone[];
  /** The LRU age stamp after boot's page cache. */
  readonly lru_seq: number;
}
