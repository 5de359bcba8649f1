/**
 * The documented policy of the `reserve-pool-2019` design: every decision
 * that David Rientjes' email of 13 Dec 2019 (spec/thread-2019.md, design 2)
 * leaves open, as a named field with the reason it has the value it has.
 * The design was never merged, so no kernel version decides these; this file
 * is the design document, and `reserve_pool.ts` is the mechanism that reads
 * it. A mutant or a user policy overrides a field and keeps the rest.
 *
 * What the email fixes, and the model follows without a field: the lowmem
 * reserve of ZONE_DMA and ZONE_DMA32 becomes a pool of pages held apart by
 * the page allocator, sized from today's static reserve, refilled by kswapd
 * when it falls below that amount, decrypted in kswapd's (blockable)
 * context, with per-order free lists so that the reserve also guarantees
 * high-order blocks.
 */
import { __GFP_KSWAPD_RECLAIM, __GFP_NOMEMALLOC, __GFP_NOWARN } from '../page_alloc/gfp.ts';
import { ZONE_NORMAL } from '../page_alloc/zone.ts';

export interface ReservePoolRules {
  /** An id for reports and `poolcheck diff`. */
  readonly id: string;
  /** Where the rules come from, in one line. */
  readonly source: string;
  /**
   * Sizing: which column of the zone's `lowmem_reserve[]` is the pool's
   * total target. ZONE_NORMAL (2): lowmem_reserve_Z[ZONE_NORMAL] is exactly
   * the number of Z's pages that a request whose highest zone is Normal
   * (GFP_KERNEL and every other blockable kernel allocation) can never
   * take, which is the "reserve amount" the email turns into a pool. The
   * DMA32 column protects DMA only from GFP_DMA32 callers and is smaller;
   * the Movable and Device columns equal the Normal one on every machine
   * without a populated ZONE_MOVABLE (empty upper zones repeat the running
   * sum, page-alloc.md §4 trap 5), and with one they also count pages no
   * kernel allocation could have used. ZONE_DMA32's own column
   * lowmem_reserve_DMA32[DMA32] is always 0 (j <= i is never written).
   */
  readonly reserve_index: number;
  /**
   * Sizing: the target is capped at floor(managed_pages / this). The reserve
   * is a bound on what Normal requests may not take, not a measure of what
   * DMA-only users need, and it can exceed the zone itself: ZONE_DMA of a
   * 4 GiB guest has 3840 managed pages and a Normal reserve of 3900. Taking
   * all of it into a decrypted pool would leave nothing for blockable
   * GFP_DMA callers (24-bit devices, ISA), whose floor is only the min
   * watermark. Half the zone keeps them served and still gives ZONE_DMA
   * 1920 pages (7.5 MiB), five times the NVMe peak measured in the thread
   * (about 1.4 MB). Larger reserves (DMA32 at 16 GiB: 13030 pages) are
   * far below half their zone and are taken as the email says.
   */
  readonly target_cap_divisor: number;
  /**
   * Sizing: a floor under the target for a managed zone whose reserve is
   * smaller (ratio 0, or nothing above the zone). 0 takes the email
   * literally: no reserve, no pool. Then requests go to the next lower
   * zone's pool (see `fallback_to_lower_zone`): below 3.5 GiB in the
   * ground truth there is no ZONE_NORMAL, lowmem_reserve_DMA32[Normal] is
   * 0, and ZONE_DMA's pool (65 pages at 128 MiB, 945 at 1 GiB) serves
   * every unencrypted atomic request. An administrator who sets
   * vm.lowmem_reserve_ratio[DMA] = 0 on such a machine asked for no
   * reserve, and the design then has nothing for atomic requests: they
   * fail with the exhaustion warning. A policy that prefers the atomic
   * pools' 128 KiB minimum sets 32 here.
   */
  readonly min_target_pages: number;
  /**
   * The high-order guarantee K: pools keep per-order lists for orders
   * 0..K, and a request above K fails at once. 3 is
   * PAGE_ALLOC_COSTLY_ORDER (32 KiB): the largest order the page
   * allocator itself tries hard for, so the largest one that atomic
   * callers can reasonably expect; it covers the NVMe PRP/SGL pages and
   * the small coherent rings that made the 2019 report. A pool whose
   * target cannot hold its share at order K guarantees a lower order (see
   * `order_targets`).
   */
  readonly max_order: number;
  /**
   * How a pool's target T pages split over orders. `equal-pages`: the
   * guaranteed order K_Z is the largest k <= max_order with
   * floor(T / (k + 1)) >= 2^k; each order 0..K_Z gets
   * floor(floor(T / (K_Z + 1)) / 2^o) blocks and order 0 takes what is
   * left, so the targets add up to exactly T pages and every order 0..K_Z
   * has at least one block. Equal pages per order means a burst of any one
   * size can use a quarter of the reserve (K = 3) before failing.
   * `one-each-then-order0`: K_Z is the largest k <= max_order with
   * 2^(k+1) - 1 <= T, one block at each order 1..K_Z, the rest at order
   * 0: the smallest reserve that still guarantees every order, for
   * workloads that are almost all single pages.
   */
  readonly order_targets: 'equal-pages' | 'one-each-then-order0';
  /**
   * When an allocation wakes kswapd for the pool. `below-target`: as soon
   * as a list holds fewer blocks than its target, which is the email's
   * "when the pool falls below today's reserve amount" and keeps the
   * guarantee as tight as kswapd can make it. `below-half-target`: when a
   * list falls below ceil(target / 2): fewer wake-ups, a burst may use
   * half a list before kswapd starts. Either way kswapd refills up to the
   * target. The wake is the pool's own: it sets a pending flag and wakes a
   * sleeping kswapd directly (wake_up_interruptible on kswapd_wait), even
   * when the node is balanced or kswapd has given up after
   * MAX_RECLAIM_RETRIES failures, because a refill needs no reclaim, only
   * free pages above the zone's watermark. It records nothing in
   * kswapd_order / kswapd_highest_zoneidx: see `refill_gfp` for how
   * reclaim is asked for.
   */
  readonly refill_threshold: 'below-target' | 'below-half-target';
  /**
   * The gfp of kswapd's refill allocations (the zone bit is added per
   * pool). GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC: no direct reclaim
   * (kswapd is the reclaimer, and PF_MEMALLOC would stop it anyway); no
   * ALLOC_NON_BLOCK, so the refill neither cuts the min watermark nor
   * takes the highatomic reserve that atomic buddy callers rely on; the
   * reserve index is the pool's own zone (lowmem_reserve_Z[Z] = 0), so the
   * refill may take exactly the pages that today's reserve keeps from
   * Normal requests, down to the zone's low (fast path) or min (slowpath)
   * watermark and never below. __GFP_KSWAPD_RECLAIM is how the pool asks
   * for reclaim: a refill that reaches the slowpath goes through
   * wakeup_kswapd(), which records (order, Z) in kswapd_order and
   * kswapd_highest_zoneidx (kswapd is running, so only the record
   * happens), and the next balance_pgdat() pass reclaims in zones <= Z at
   * that order. No failure report: the pool accounts for it.
   */
  readonly refill_gfp: number;
  /**
   * An atomic request whose order's list is empty takes the smallest
   * larger block in the same pool (up to max_order) and splits it, buddy
   * style: the lower part is served, the upper halves go to the lower
   * lists. Every pool block is already decrypted, so a split changes
   * bookkeeping only and never sleeps. Taking from the buddy allocator
   * without decrypting is forbidden, and decrypting there would sleep, so
   * without a split the request could only fail. Freed blocks are not
   * merged back (the lists are not buddy lists); kswapd refills the larger
   * list and gives back the excess of the smaller ones (`give_back`).
   */
  readonly split_when_empty: boolean;
  /**
   * The pools a request walks, first to last: GFP_DMA → DMA; GFP_DMA32 or
   * no zone bit → DMA32, then DMA, as the page allocator's zonelist falls
   * back to lower zones. There is no Normal pool: the email's reserve is a
   * lowmem reserve, so a 64-bit device's atomic unencrypted request is
   * served from DMA32 first. With `false` only the first pool is tried.
   * Each candidate's first block is checked with the caller's phys_ok (as
   * pool.c does); a refused block stays in its list and the walk moves on.
   */
  readonly fallback_to_lower_zone: boolean;
  /**
   * When kswapd cannot keep up, requests fail: nothing else is allowed
   * (the pool may not sleep, and undecrypted buddy pages would break
   * encryption). The warning is "DMA reserve pool exhausted for <dev>
   * (order N)", and an order above max_order warns "DMA reserve pool: order
   * N above max order K for <dev>". `unless-nowarn`: neither is printed
   * with __GFP_NOWARN, as mainline's pool warning since 56c430c7f06d;
   * `always`: printed whatever the gfp says (for a policy that wants every
   * failure seen). A request with no pool to try at all prints "Failed to
   * get suitable reserve pool for <dev>" every time.
   */
  readonly warn_on_failure: 'unless-nowarn' | 'always';
  /**
   * On a refill failure (no page at the wanted order, or a refused
   * decryption) in one pass: `skip-zone-this-pass` leaves that pool for
   * the rest of the pass and goes on with the others, so one exhausted
   * zone does not starve the other; `stop-pass` ends the pass. Either way
   * the pool is marked `behind`, the failure is counted, and kswapd tries
   * again only when the next allocation or free wakes it (never in a loop
   * that would spin on a full zone); the page allocator's own
   * wakeup_kswapd() record makes the next balance pass reclaim for it.
   */
  readonly refill_failure: 'skip-zone-this-pass' | 'stop-pass';
  /**
   * Whether and when pages go back to the buddy allocator.
   * `above-twice-target`: when a list holds more than twice its target
   * (freed blocks piling up after splits, or a lowered target after a
   * vm.lowmem_reserve_ratio write), kswapd re-encrypts and frees the blocks
   * above the target, one sub-step each; a block whose re-encryption fails
   * is leaked (WARN_ON_ONCE). The band between target and twice the target
   * keeps a burst freed right after a refill from bouncing pages through
   * two conversions. `never`: as the atomic pools, but then split
   * remainders pile up without bound (every split refills the larger list
   * with new pages), so `never` is only for comparison.
   */
  readonly give_back: 'above-twice-target' | 'never';
  /**
   * Fill every pool to its target at boot (postcore, process context, may
   * sleep), as dma_atomic_pool_init() fills the atomic pools, so that the
   * first atomic request after boot already has its guarantee. `false`
   * leaves the pools empty until the first request wakes kswapd.
   */
  readonly fill_at_init: boolean;
}

/** The reserve-pool-2019 policy as this suite documents it. */
export const reservePoolRules2019: ReservePoolRules = {
  id: 'reserve-pool-2019',
  source: 'design 2 of the 2019 thread (13 Dec 2019), open decisions ours',
  reserve_index: ZONE_NORMAL,
  target_cap_divisor: 2,
  min_target_pages: 0,
  max_order: 3,
  order_targets: 'equal-pages',
  refill_threshold: 'below-target',
  refill_gfp: __GFP_KSWAPD_RECLAIM | __GFP_NOWARN | __GFP_NOMEMALLOC,
  split_when_empty: true,
  fallback_to_lower_zone: true,
  warn_on_failure: 'unless-nowarn',
  refill_failure: 'skip-zone-this-pass',
  give_back: 'above-twice-target',
  fill_at_init: true,
};
