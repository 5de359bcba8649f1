/**
 * The 2019 proposal that was never merged (spec/thread-2019.md, design 2,
 * 13 Dec 2019): the lowmem reserve of ZONE_DMA and ZONE_DMA32 as a pool of
 * pre-decrypted pages with per-order free lists, refilled by kswapd, on top
 * of mainline. No kernel file mirrors it; the kernel had no names for it, so
 * every function here is `reserve_pool_*` (our names). Its open decisions
 * are the named fields of `rules.ts`.
 *
 * Models: sizing from lowmem_reserve (reserve_pool_init,
 * reserve_pool_resize), the atomic entry points that take the atomic pools'
 * place behind dma-direct (reserve_pool_alloc for dma_alloc_from_pool,
 * reserve_pool_free for dma_free_from_pool, with the same contract), the
 * pool's kswapd wake, and kswapd's refill and give-back work one sub-step
 * per call (reserve_pool_kswapd_step): scan, allocate, decrypt, add; or
 * re-encrypt, free. A world interleaves atomic requests between them.
 *
 * Outside the model, behind `ReservePoolEnv` (the pool model's PoolEnv
 * shape, plus the wake): the page allocator, set_memory_{de,en}crypted and
 * their faults, and kswapd itself. The world runs reserve_pool_kswapd_step
 * in kswapd's context and keeps kswapd from sleeping while
 * reserve_pool_pending() is true.
 *
 * Simplifications, each deliberate:
 * - The page allocator is mainline's, unchanged. Pool pages are allocated
 *   pages (not in NR_FREE_PAGES), so a blockable caller's watermark check
 *   still asks for mark + lowmem_reserve on the buddy pages left: the
 *   static floor is kept on top of the pool, never spent on it. A kernel
 *   implementation might count pool pages toward the reserve instead; that
 *   would lower blockable callers' floor, which the issue rules out.
 * - A pool belongs to the zone of its refill gfp. The page allocator may
 *   fall back to a lower zone (a DMA32 refill may get DMA pages), so only
 *   the upper bound of the zone holds, as for the atomic pools (dma.md T6).
 * - Addresses are physical (the linear map on x86, no REMAP); the DMA
 *   address is the physical address. Zeroing is a recorded `memset` call:
 *   the model keeps no page contents.
 * - Which pool a freed block belongs to is found in the pool's own block
 *   table; a kernel would keep it in struct page.
 * - Concurrency is the caller's: each call is atomic with respect to the
 *   others, except kswapd's work, which advances one sub-step per call.
 *
 * Kernel-style messages are data in `messages`, in the order logged. Every
 * entry point reports the external calls it made, each with `mayBlock`.
 *
 * Context: reserve_pool_alloc and reserve_pool_free are atomic-safe (never
 * sleep: list operations, memset and a non-sleeping wake only).
 * reserve_pool_kswapd_step runs in kswapd (may sleep: decrypt and encrypt);
 * reserve_pool_init and reserve_pool_resize run in process context.
 */
import { get_order, PAGE_SIZE } from '../dma/env.ts';
import type { Gfp, PhysAddrOk, PoolDevice, PoolEnv } from '../dma/pool.ts';
import {
  __GFP_DMA,
  __GFP_DMA32,
  __GFP_NOWARN,
  gfpflags_allow_blocking,
} from '../page_alloc/gfp.ts';
import { managed_zone, ZONE_DMA, ZONE_DMA32, type ZoneCounts } from '../page_alloc/zone.ts';
import type { ReservePoolRules } from './rules.ts';

// ---------------------------------------------------------------------------
// State.

/** The zones that have a reserve pool. */
export type ReservePoolZone = 'DMA' | 'DMA32';

/** The order kswapd visits the pools in (low zone first, as atomic_pool_work_fn). */
export const RESERVE_POOL_ZONES: readonly ReservePoolZone[] = ['DMA', 'DMA32'];

/** Zone index of each pool's zone. */
export const RESERVE_POOL_ZONEIDX: Readonly<Record<ReservePoolZone, number>> = {
  DMA: ZONE_DMA,
  DMA32: ZONE_DMA32,
};

/** The zone bit of each pool's refill gfp. */
const ZONE_GFP: Readonly<Record<ReservePoolZone, Gfp>> = { DMA: __GFP_DMA, DMA32: __GFP_DMA32 };

/** One zone's reserve pool. */
export interface ReservePool {
  readonly zone: ReservePoolZone;
  readonly zoneidx: number;
  /** Total target in pages: lowmem_reserve_Z[reserve_index], floored and capped (rules). */
  target_pages: number;
  /** K_Z: the highest order this pool guarantees; -1 when the target is 0. */
  guaranteed_order: number;
  /** Target free blocks per order 0..rules.max_order (0 above guaranteed_order). */
  readonly target: number[];
  /** Free blocks per order: physical addresses, used as a stack (last freed is reused first). */
  readonly free_list: number[][];
  /** Pages the pool holds: on its lists plus handed out. */
  nr_pages: number;
  /** Pages on its lists. */
  nr_free_pages: number;
  /** A refill for this pool failed and kswapd has not since found it holding every target: kswapd fell behind. */
  behind: boolean;
}

/** A block the pool owns, free on a list or handed out. */
export interface ReservePoolBlock {
  readonly pool: ReservePoolZone;
  readonly order: number;
  inuse: boolean;
}

/** The sub-step kswapd's pool work does next. */
export type RefillPhase = 'scan' | 'alloc' | 'decrypt' | 'add' | 'encrypt' | 'free';

/** One pass of kswapd's pool work, resumable between sub-steps. */
export interface ReservePoolRun {
  phase: RefillPhase;
  /** The pool and order being refilled or trimmed (valid after `scan` chose one). */
  pool: ReservePoolZone | null;
  order: number;
  /** The block in flight: allocated not yet added, or unlinked not yet freed. */
  phys: number;
  /** Pools that failed in this pass (`skip-zone-this-pass`). */
  readonly skip: ReservePoolZone[];
  /** Lists (`zone:order`) that went above their give-back limit: trimmed down to the target. */
  readonly trim: string[];
}

/** The pool's claim on kswapd: like a work item, pending until a pass starts. */
export interface ReservePoolRefill {
  pending: boolean;
  running: ReservePoolRun | null;
}

/** A kernel-style message (pr_info, WARN*, BUG), shaped as the atomic pool model's. */
export interface ReservePoolMessage {
  readonly kind:
    | 'sized'
    | 'exhausted'
    | 'order-too-large'
    | 'no-suitable-pool'
    | 'blocking-caller'
    | 'reencrypt-failed'
    | 'bug';
  readonly level: 'info' | 'warn' | 'err';
  /** The text without its newline; null for a bare WARN_ON. */
  readonly text: string | null;
  /** For WARN*(): the function that warned (no kernel site: never merged). */
  readonly warn?: { readonly function: string; readonly site: null };
}

/** A block abandoned after a failed conversion (the only allowed leak). */
export interface ReservePoolLeak {
  readonly phys: number;
  readonly order: number;
  readonly pool: ReservePoolZone;
  readonly cause: 'decrypt-failed' | 'reencrypt-failed';
}

/** Counters for reports and properties. */
export interface ReservePoolStats {
  /** Requests served. */
  nr_alloc: number;
  /** Requests that failed (no block, order too large, no pool, blocking caller). */
  nr_fail: number;
  /** Blocks split to serve a smaller order. */
  nr_split: number;
  /** Blocks kswapd added. */
  nr_refilled: number;
  /** Refill attempts that failed (no page, or decryption refused). */
  nr_refill_failed: number;
  /** Blocks kswapd gave back to the buddy allocator. */
  nr_given_back: number;
  /** Times the pool woke kswapd. */
  nr_wakeups: number;
}

/** The whole design's state: the two pools, their blocks, kswapd's pool work, the log. */
export interface ReservePoolState {
  readonly rules: ReservePoolRules;
  pool_dma: ReservePool | null;
  pool_dma32: ReservePool | null;
  /** Every block the pools own, by physical address. */
  readonly blocks: Map<number, ReservePoolBlock>;
  readonly refill: ReservePoolRefill;
  readonly messages: ReservePoolMessage[];
  readonly leaked: ReservePoolLeak[];
  /** WARN_ON_ONCE sites that have fired. */
  readonly warned_once: string[];
  readonly stats: ReservePoolStats;
}

/** A fresh state: no pools until reserve_pool_init(). */
export function createReservePoolState(rules: ReservePoolRules): ReservePoolState {
  return {
    rules,
    pool_dma: null,
    pool_dma32: null,
    blocks: new Map(),
    refill: { pending: false, running: null },
    messages: [],
    leaked: [],
    warned_once: [],
    stats: {
      nr_alloc: 0,
      nr_fail: 0,
      nr_split: 0,
      nr_refilled: 0,
      nr_refill_failed: 0,
      nr_given_back: 0,
      nr_wakeups: 0,
    },
  };
}

/** The pool of `zone`, or null when its zone has no managed pages. */
export function reservePoolOf(s: ReservePoolState, zone: ReservePoolZone): ReservePool | null {
  return zone === 'DMA' ? s.pool_dma : s.pool_dma32;
}

// ---------------------------------------------------------------------------
// The environment.

/**
 * What the pool reaches outside itself: the atomic pool model's PoolEnv
 * (page allocator and conversions; `alloc_pages` returns a naturally
 * aligned block's physical address or null, the conversions 0 or -errno),
 * plus kswapd's wake-up.
 */
export interface ReservePoolEnv
  extends Pick<
    PoolEnv,
    | 'mem_encrypt_active'
    | 'alloc_pages'
    | '__free_pages'
    | 'set_memory_decrypted'
    | 'set_memory_encrypted'
  > {
  /**
   * mm/vmscan.c wake_up_interruptible(&pgdat->kswapd_wait): a sleeping
   * kswapd runs again. Records nothing in kswapd_order or
   * kswapd_highest_zoneidx and checks no balance (rules.refill_threshold).
   * Never sleeps.
   */
  wake_up_kswapd(): void;
}

/** One call the pool made outside itself, in order, with whether it may sleep. */
export interface ReservePoolCall {
  readonly fn:
    | 'alloc_pages'
    | 'set_memory_decrypted'
    | 'set_memory_encrypted'
    | '__free_pages'
    | 'wake_up_kswapd'
    | 'memset';
  readonly mayBlock: boolean;
  readonly pool: ReservePoolZone | null;
  readonly gfp?: Gfp;
  readonly order?: number;
  readonly phys?: number;
  /** A physical address (null: none), an errno-style return, or a byte count for memset. */
  readonly ret?: number | null;
}

// ---------------------------------------------------------------------------
// Sizing.

/**
 * The total target of zone `zoneidx`'s pool in pages (rules.ts: reserve_index,
 * min_target_pages, target_cap_divisor); 0 for an unmanaged zone.
 */
export function reserve_pool_target_pages(
  rules: ReservePoolRules,
  zones: readonly ZoneCounts[],
  zoneidx: number,
): number {
  const z = zones[zoneidx];
  if (z === undefined || !managed_zone(z)) return 0;
  const reserve = z.lowmem_reserve[rules.reserve_index] ?? 0;
  const floored = Math.max(reserve, rules.min_target_pages);
  return Math.min(floored, Math.floor(z.managed_pages / rules.target_cap_divisor));
}

/** Per-order targets of a pool of `target_pages` (rules.order_targets). */
export function reserve_pool_order_targets(
  rules: ReservePoolRules,
  target_pages: number,
): { readonly guaranteed_order: number; readonly target: number[] } {
  const target = new Array<number>(rules.max_order + 1).fill(0);
  let k = -1;
  if (rules.order_targets === 'equal-pages') {
    for (let o = 0; o <= rules.max_order; o++)
      if (Math.floor(target_pages / (o + 1)) >= 2 ** o) k = o;
    // Stryker disable next-line ConditionalExpression: k < 0 only for a target of 0 pages, where the code below also gives K = -1 and all-zero targets
    if (k < 0) return { guaranteed_order: -1, target };
    const share = Math.floor(target_pages / (k + 1));
    let used = 0;
    for (let o = 0; o <= k; o++) {
      target[o] = Math.floor(share / 2 ** o);
      used += (target[o] as number) * 2 ** o;
    }
    target[0] = (target[0] as number) + target_pages - used;
  } else {
    for (let o = 0; o <= rules.max_order; o++) if (2 ** (o + 1) - 1 <= target_pages) k = o;
    // Stryker disable next-line ConditionalExpression: k < 0 only for a target of 0 pages (2^1 - 1 > T), where the code below also gives K = -1 and all-zero targets (true is pinned by sizing.test.ts)
    if (k < 0) return { guaranteed_order: -1, target };
    let used = 0;
    for (let o = 1; o <= k; o++) {
      target[o] = 1;
      used += 2 ** o;
    }
    target[0] = target_pages - used;
  }
  return { guaranteed_order: k, target };
}

/** A new, empty pool for `zone`. */
function newPool(rules: ReservePoolRules, zone: ReservePoolZone): ReservePool {
  const n = rules.max_order + 1;
  return {
    zone,
    zoneidx: RESERVE_POOL_ZONEIDX[zone],
    target_pages: 0,
    // Stryker disable next-line UnaryOperator: size_pools() sets guaranteed_order right after newPool(); this value is never read
    guaranteed_order: -1,
    // Stryker disable next-line ArrayDeclaration: size_pools() writes target[0..max_order] right after newPool(), so an empty array grows to the same entries
    target: new Array<number>(n).fill(0),
    free_list: Array.from({ length: n }, () => []),
    nr_pages: 0,
    nr_free_pages: 0,
    behind: false,
  };
}

/** Sets every pool's targets from the zones (creating pools for newly managed zones). */
function size_pools(s: ReservePoolState, zones: readonly ZoneCounts[]): void {
  for (const zone of RESERVE_POOL_ZONES) {
    const zi = RESERVE_POOL_ZONEIDX[zone];
    const z = zones[zi];
    let p = reservePoolOf(s, zone);
    if (p === null) {
      if (z === undefined || !managed_zone(z)) continue;
      p = newPool(s.rules, zone);
      if (zone === 'DMA') s.pool_dma = p;
      else s.pool_dma32 = p;
    }
    p.target_pages = reserve_pool_target_pages(s.rules, zones, zi);
    const t = reserve_pool_order_targets(s.rules, p.target_pages);
    p.guaranteed_order = t.guaranteed_order;
    for (let o = 0; o <= s.rules.max_order; o++) p.target[o] = t.target[o] as number;
  }
}

/** What reserve_pool_init or reserve_pool_resize did. */
export interface ReservePoolSetupReport {
  readonly calls: readonly ReservePoolCall[];
  readonly mayBlock: boolean;
}

/**
 * Boot (postcore, after setup_per_zone_lowmem_reserve): one pool per
 * managed zone in {DMA, DMA32}, sized from `zones`; with rules.fill_at_init
 * every pool is filled to its targets through kswapd's own sub-steps, run to
 * completion here (kswapd is not started yet, so nothing is woken).
 * Context: process context; may sleep.
 */
export function reserve_pool_init(
  s: ReservePoolState,
  env: ReservePoolEnv,
  zones: readonly ZoneCounts[],
): ReservePoolSetupReport {
  size_pools(s, zones);
  for (const zone of RESERVE_POOL_ZONES) {
    const p = reservePoolOf(s, zone);
    if (p === null) continue;
    const orders = p.guaranteed_order < 0 ? 'none' : `orders 0-${p.guaranteed_order}`;
    s.messages.push({
      kind: 'sized',
      level: 'info',
      text: `DMA: reserve pool ${zone}: ${p.target_pages} pages (${Math.floor((p.target_pages * PAGE_SIZE) / 1024)} KiB), ${orders}`,
    });
  }
  const calls: ReservePoolCall[] = [];
  if (s.rules.fill_at_init) {
    s.refill.pending = true;
    for (const step of reserve_pool_flush(s, env)) calls.push(...step.calls);
  }
  return { calls, mayBlock: calls.some((c) => c.mayBlock) };
}

/**
 * After lowmem_reserve changes (a vm.lowmem_reserve_ratio write, which
 * runs setup_per_zone_lowmem_reserve): recompute every pool's targets and
 * wake kswapd if a list is now below its threshold or, with give-back,
 * above twice its target. Pages move only in kswapd's sub-steps.
 * Context: process context (the sysctl handler); the wake never sleeps.
 */
export function reserve_pool_resize(
  s: ReservePoolState,
  env: ReservePoolEnv,
  zones: readonly ZoneCounts[],
): ReservePoolSetupReport {
  size_pools(s, zones);
  const calls: ReservePoolCall[] = [];
  if (RESERVE_POOL_ZONES.some((z) => needsKswapd(s, reservePoolOf(s, z))))
    reserve_pool_wakeup(s, env, calls);
  return { calls, mayBlock: false };
}

// ---------------------------------------------------------------------------
// Thresholds and the wake.

/** The list length below which an allocation wakes kswapd (rules.refill_threshold). */
export function reserve_pool_threshold(rules: ReservePoolRules, target: number): number {
  return rules.refill_threshold === 'below-target' ? target : Math.ceil(target / 2);
}

/** The list length above which kswapd gives blocks back (Infinity with `never`). */
export function reserve_pool_give_back_limit(rules: ReservePoolRules, target: number): number {
  return rules.give_back === 'never' ? Number.POSITIVE_INFINITY : 2 * target;
}

/** A list of `p` is below its wake threshold, or above its give-back limit. */
function needsKswapd(s: ReservePoolState, p: ReservePool | null): boolean {
  if (p === null) return false;
  for (let o = 0; o <= s.rules.max_order; o++) {
    const n = (p.free_list[o] as number[]).length;
    const t = p.target[o] as number;
    if (n < reserve_pool_threshold(s.rules, t)) return true;
    if (n > reserve_pool_give_back_limit(s.rules, t)) return true;
  }
  return false;
}

/**
 * The pool's kswapd wake: marks the pool work pending and wakes kswapd,
 * unless already pending (a pass in progress picks up the new state at
 * its next scan; a wake during a pass queues one more pass). True if it
 * woke. Context: atomic-safe.
 */
export function reserve_pool_wakeup(
  s: ReservePoolState,
  env: ReservePoolEnv,
  calls: ReservePoolCall[],
): boolean {
  if (s.refill.pending) return false;
  s.refill.pending = true;
  s.stats.nr_wakeups += 1;
  env.wake_up_kswapd();
  calls.push({ fn: 'wake_up_kswapd', mayBlock: false, pool: null });
  return true;
}

/** kswapd has pool work: pending or mid-pass. The world keeps kswapd awake while this holds. */
export function reserve_pool_pending(s: ReservePoolState): boolean {
  return s.refill.pending || s.refill.running !== null;
}

// ---------------------------------------------------------------------------
// Allocation and free.

/** The pools a request with `gfp` walks, first to last (rules.fallback_to_lower_zone). */
export function reserve_pool_candidates(s: ReservePoolState, gfp: Gfp): ReservePool[] {
  const chain: ReservePoolZone[] =
    gfp & __GFP_DMA
      ? ['DMA']
      : [
          // Stryker disable next-line StringLiteral: reservePoolOf() takes every name but 'DMA' for DMA32, so '' finds the same pool
          'DMA32',
          'DMA',
        ];
  const out: ReservePool[] = [];
  for (const zone of chain) {
    const p = reservePoolOf(s, zone);
    if (p === null) continue;
    out.push(p);
    if (!s.rules.fallback_to_lower_zone) break;
  }
  return out;
}

/**
 * The pool that guarantees a request (the high-order guarantee): the first
 * candidate, if `order` <= its guaranteed order and its list of that order
 * holds at least its target. Such a request succeeds when the device can
 * address the pool's blocks and the gfp does not block. Null otherwise.
 */
export function reserve_pool_guarantee(
  s: ReservePoolState,
  gfp: Gfp,
  order: number,
): ReservePool | null {
  const p = reserve_pool_candidates(s, gfp)[0];
  if (p === undefined || order > p.guaranteed_order) return null;
  const n = (p.free_list[order] as number[]).length;
  return n >= (p.target[order] as number) ? p : null;
}

/** A block handed out by reserve_pool_alloc. */
export interface ReservePoolGrant {
  readonly pool: ReservePoolZone;
  readonly order: number;
  readonly phys: number;
  /** The order of the list block it was cut from (= order unless split). */
  readonly from_order: number;
}

/** What reserve_pool_alloc did. */
export interface ReservePoolAllocReport {
  /** The zeroed, decrypted block, or null. */
  readonly block: ReservePoolGrant | null;
  readonly order: number;
  /** Pools tried, in order. */
  readonly tried: readonly ReservePoolZone[];
  /** The call woke kswapd for the pool. */
  readonly woke: boolean;
  readonly warning: ReservePoolMessage | null;
  readonly calls: readonly ReservePoolCall[];
  /** Always false: the pool never sleeps. */
  readonly mayBlock: false;
}

function warn(
  s: ReservePoolState,
  kind: ReservePoolMessage['kind'],
  text: string | null,
  fn: string,
): ReservePoolMessage {
  const m: ReservePoolMessage = { kind, level: 'warn', text, warn: { function: fn, site: null } };
  s.messages.push(m);
  return m;
}

/** WARN_ON_ONCE-style: logs the first time `site` fires; returns the message or null. */
function warnOnce(
  s: ReservePoolState,
  site: string,
  kind: ReservePoolMessage['kind'],
  text: string | null,
  fn: string,
): ReservePoolMessage | null {
  if (s.warned_once.includes(site)) return null;
  s.warned_once.push(site);
  return warn(s, kind, text, fn);
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** The smallest order >= `order` with a free block in `p` (split allowed), or -1. */
function findOrder(s: ReservePoolState, p: ReservePool, order: number): number {
  if ((p.free_list[order] as number[]).length > 0) return order;
  if (!s.rules.split_when_empty) return -1;
  for (let o = order + 1; o <= s.rules.max_order; o++)
    if ((p.free_list[o] as number[]).length > 0) return o;
  return -1;
}

/**
 * Serves an atomic request from the reserve pools, taking the place of
 * kernel/dma/pool.c dma_alloc_from_pool() behind dma-direct (same contract:
 * never sleeps; the physical address of a zeroed, decrypted block of
 * 2^get_order(size) pages, or null). Walks reserve_pool_candidates(gfp); in
 * each pool takes the list of get_order(size), else (rules.split_when_empty)
 * the smallest larger block, whose first 2^order pages are checked with
 * `phys_ok` before anything moves; a refused block stays and the next pool
 * is tried. A split puts the upper halves on the lower lists. Afterwards,
 * a list below its threshold wakes kswapd (also after a failure). A blocking
 * gfp is refused: blockable callers never reach the reserve. Warnings per
 * rules.warn_on_failure. Context: atomic-safe.
 */
export function reserve_pool_alloc<D extends PoolDevice>(
  s: ReservePoolState,
  env: ReservePoolEnv,
  dev: D,
  size: number,
  gfp: Gfp,
  phys_ok: PhysAddrOk<D> | null,
): ReservePoolAllocReport {
  const order = get_order(size);
  const calls: ReservePoolCall[] = [];
  const tried: ReservePoolZone[] = [];
  const fail = (warning: ReservePoolMessage | null, woke = false): ReservePoolAllocReport => {
    s.stats.nr_fail += 1;
    return { block: null, order, tried, woke, warning, calls, mayBlock: false };
  };
  if (gfpflags_allow_blocking(gfp))
    // dma-direct sends only non-blocking requests here; a blocking one keeps its floor in buddy
    return fail(
      warnOnce(
        s,
        // Stryker disable next-line StringLiteral: a WARN_ON_ONCE site id only has to differ from the other one, which '' still does (nothing else reads warned_once)
        'reserve_pool_alloc:blocking',
        'blocking-caller',
        `DMA reserve pool: blocking request from ${dev.name} refused`,
        'reserve_pool_alloc',
      ),
    );
  const quiet = s.rules.warn_on_failure === 'unless-nowarn' && (gfp & __GFP_NOWARN) !== 0;
  const pools = reserve_pool_candidates(s, gfp);
  if (pools.length === 0)
    return fail(
      warn(
        s,
        'no-suitable-pool',
        `Failed to get suitable reserve pool for ${dev.name}`,
        'reserve_pool_alloc',
      ),
    );
  if (order > s.rules.max_order)
    return fail(
      quiet
        ? null
        : warn(
            s,
            'order-too-large',
            `DMA reserve pool: order ${order} above max order ${s.rules.max_order} for ${dev.name}`,
            'reserve_pool_alloc',
          ),
    );
  for (const p of pools) {
    tried.push(p.zone);
    const from = findOrder(s, p, order);
    if (from < 0) continue;
    const list = p.free_list[from] as number[];
    const phys = list[list.length - 1] as number;
    if (phys_ok !== null && !phys_ok(dev, phys, size)) continue;
    list.pop();
    s.blocks.delete(phys);
    // buddy-style split: serve the lowest 2^order pages, hand the upper halves down
    for (let o = from - 1; o >= order; o--) {
      const half = phys + 2 ** o * PAGE_SIZE;
      (p.free_list[o] as number[]).push(half);
      s.blocks.set(half, { pool: p.zone, order: o, inuse: false });
    }
    if (from > order) s.stats.nr_split += 1;
    s.blocks.set(phys, { pool: p.zone, order, inuse: true });
    p.nr_free_pages -= 2 ** order;
    s.stats.nr_alloc += 1;
    calls.push({ fn: 'memset', mayBlock: false, pool: p.zone, phys, ret: size });
    const woke = needsKswapd(s, p) && reserve_pool_wakeup(s, env, calls);
    return {
      block: { pool: p.zone, order, phys, from_order: from },
      order,
      tried,
      woke,
      warning: null,
      calls,
      mayBlock: false,
    };
  }
  const woke = pools.some((p) => needsKswapd(s, p)) && reserve_pool_wakeup(s, env, calls);
  const warning = quiet
    ? null
    : warn(
        s,
        'exhausted',
        `DMA reserve pool exhausted for ${dev.name} (order ${order})`,
        'reserve_pool_alloc',
      );
  return fail(warning, woke);
}

/** The block of the pools that contains `phys`, with its start, or null. */
export function reserve_pool_find_block(
  s: ReservePoolState,
  phys: number,
): { readonly phys: number; readonly block: ReservePoolBlock } | null {
  const pfn = Math.floor(phys / PAGE_SIZE);
  for (let o = 0; o <= s.rules.max_order; o++) {
    const start = Math.floor(pfn / 2 ** o) * 2 ** o * PAGE_SIZE;
    const b = s.blocks.get(start);
    if (b !== undefined && b.order === o) return { phys: start, block: b };
  }
  return null;
}

/** What reserve_pool_free did. */
export interface ReservePoolFreeReport {
  /** The range belonged to a reserve pool (the caller must not free it elsewhere). */
  readonly freed: boolean;
  /** The pool and list it went back to, when it did. */
  readonly pool: ReservePoolZone | null;
  readonly order: number;
  /** A driver bug the pool caught (double free, partial free, wrong size), as logged. */
  readonly bug: string | null;
  readonly woke: boolean;
  readonly calls: readonly ReservePoolCall[];
  readonly mayBlock: false;
}

/**
 * Takes a block back, in the place of kernel/dma/pool.c dma_free_from_pool()
 * (same contract: never sleeps; true when the range belonged to a reserve
 * pool). A handed-out block goes back on the list of its own order, never
 * merged and never re-encrypted here; a list above its give-back limit
 * wakes kswapd. A range inside a pool block that is not a handed-out block
 * start (double or partial free) logs a BUG and returns true, so that
 * dma-direct does not give pool pages to the buddy allocator; a size whose
 * order differs from the block's logs a BUG and frees the whole block.
 * Context: atomic-safe.
 */
export function reserve_pool_free(
  s: ReservePoolState,
  env: ReservePoolEnv,
  dev: PoolDevice,
  phys: number,
  size: number,
): ReservePoolFreeReport {
  const calls: ReservePoolCall[] = [];
  const found = reserve_pool_find_block(s, phys);
  const none = { woke: false, calls, mayBlock: false as const };
  if (found === null) return { ...none, freed: false, pool: null, order: -1, bug: null };
  const b = found.block;
  if (found.phys !== phys || !b.inuse) {
    const what = b.inuse ? 'partial free' : 'double free';
    const bug = `DMA reserve pool: ${what} of ${hex(phys)} by ${dev.name} (${b.pool} order-${b.order} block at ${hex(found.phys)})`;
    s.messages.push({ kind: 'bug', level: 'err', text: bug });
    return { ...none, freed: true, pool: null, order: b.order, bug };
  }
  let bug: string | null = null;
  if (get_order(size) !== b.order) {
    bug = `DMA reserve pool: ${dev.name} frees ${hex(phys)} with size ${size}, block is order ${b.order}`;
    s.messages.push({ kind: 'bug', level: 'err', text: bug });
  }
  const p = reservePoolOf(s, b.pool) as ReservePool;
  b.inuse = false;
  (p.free_list[b.order] as number[]).push(phys);
  p.nr_free_pages += 2 ** b.order;
  const woke = needsKswapd(s, p) && reserve_pool_wakeup(s, env, calls);
  return { freed: true, pool: b.pool, order: b.order, bug, woke, calls, mayBlock: false };
}

// ---------------------------------------------------------------------------
// kswapd's pool work.

/** What one sub-step of kswapd's pool work did. */
export interface ReservePoolStep {
  /**
   * `idle`: nothing pending; `refill` / `give-back`: the scan chose a list;
   * `done`: the scan found nothing (the pass ended); `alloc`, `decrypt`,
   * `add`, `encrypt`, `free`: one sub-step on the block in flight.
   */
  readonly what:
    | 'idle'
    | 'refill'
    | 'give-back'
    | 'done'
    | 'alloc'
    | 'decrypt'
    | 'add'
    | 'encrypt'
    | 'free';
  readonly pool: ReservePoolZone | null;
  readonly order: number;
  /** The block in flight, where there is one. */
  readonly phys: number | null;
  /** For alloc/decrypt/encrypt: the call succeeded. */
  readonly ok?: boolean;
  readonly calls: readonly ReservePoolCall[];
  readonly mayBlock: boolean;
  /** This sub-step ended the pass. */
  readonly done: boolean;
}

/**
 * The next list kswapd works on: refill the highest order short of its
 * target first; then give back from a list above its give-back limit, and
 * keep trimming that list (within the pass) down to its target.
 */
function scan(
  s: ReservePoolState,
  run: ReservePoolRun,
): { pool: ReservePool; order: number; give: boolean } | null {
  for (const zone of RESERVE_POOL_ZONES) {
    const p = reservePoolOf(s, zone);
    if (p === null || run.skip.includes(zone)) continue;
    // high orders first: they are the hardest to find once memory fragments
    for (let o = s.rules.max_order; o >= 0; o--)
      if ((p.free_list[o] as number[]).length < (p.target[o] as number))
        return { pool: p, order: o, give: false };
    // every target held (refilled, or frees brought it back): no longer behind
    p.behind = false;
    for (let o = 0; o <= s.rules.max_order; o++) {
      const n = (p.free_list[o] as number[]).length;
      const t = p.target[o] as number;
      const key = `${zone}:${o}`;
      if (n > reserve_pool_give_back_limit(s.rules, t) && !run.trim.includes(key))
        run.trim.push(key);
      if (n > t && run.trim.includes(key)) return { pool: p, order: o, give: true };
    }
  }
  return null;
}

/** A refill attempt failed for the run's pool: mark it behind, then skip it or end the pass. */
function refillFailed(s: ReservePoolState, run: ReservePoolRun, p: ReservePool): boolean {
  p.behind = true;
  s.stats.nr_refill_failed += 1;
  run.phase = 'scan';
  if (s.rules.refill_failure === 'stop-pass') {
    s.refill.running = null;
    return true;
  }
  run.skip.push(p.zone);
  return false;
}

/**
 * One sub-step of kswapd's work for the reserve pools. A pass starts when
 * the work is pending (pending clears as it starts, so a wake during the
 * pass queues another). `scan` picks the highest order whose list is below
 * its target (in DMA, then DMA32) and starts a refill, else a list above
 * its give-back limit (or one already being trimmed in this pass and still
 * above its target) and unlinks one block from it, else ends the pass.
 * Refill: `alloc` (alloc_pages(rules.refill_gfp | zone, order)), `decrypt`
 * (the whole block; failure leaks it: its state is unknown), `add` (onto the
 * list). Give-back: `encrypt` (failure: WARN_ON_ONCE and leak), `free`
 * (__free_pages). Failures per rules.refill_failure. Context: kswapd, may
 * sleep (the conversions, when memory encryption is active).
 */
export function reserve_pool_kswapd_step(
  s: ReservePoolState,
  env: ReservePoolEnv,
): ReservePoolStep {
  const r = s.refill;
  if (r.running === null) {
    if (!r.pending)
      return {
        what: 'idle',
        pool: null,
        order: -1,
        phys: null,
        calls: [],
        mayBlock: false,
        done: true,
      };
    r.pending = false;
    // Stryker disable next-line ArrayDeclaration: no zone and no `zone:order` key is 'Stryker was here': an extra entry in skip or trim matches nothing
    r.running = { phase: 'scan', pool: null, order: 0, phys: 0, skip: [], trim: [] };
  }
  const run = r.running;
  const calls: ReservePoolCall[] = [];
  const step = (
    what: ReservePoolStep['what'],
    phys: number | null,
    done: boolean,
    ok?: boolean,
  ): ReservePoolStep => ({
    what,
    pool: run.pool,
    order: run.order,
    phys,
    ...(ok === undefined ? {} : { ok }),
    calls,
    mayBlock: calls.some((c) => c.mayBlock),
    done,
  });
  // Stryker disable next-line ConditionalExpression: p is read only in the phases after a scan set run.pool, so what reservePoolOf(null) returns is never read (true is pinned by every refill test)
  const p = run.pool === null ? null : reservePoolOf(s, run.pool);
  const npages = 2 ** run.order;
  switch (run.phase) {
    case 'scan': {
      const next = scan(s, run);
      if (next === null) {
        r.running = null;
        run.pool = null;
        run.order = -1;
        return step('done', null, true);
      }
      run.pool = next.pool.zone;
      run.order = next.order;
      if (!next.give) {
        run.phase = 'alloc';
        return step('refill', null, false);
      }
      // unlink first, so no atomic request can take the block being given back
      const phys = (next.pool.free_list[next.order] as number[]).pop() as number;
      s.blocks.delete(phys);
      next.pool.nr_free_pages -= 2 ** next.order;
      next.pool.nr_pages -= 2 ** next.order;
      run.phys = phys;
      run.phase = 'encrypt';
      return step('give-back', phys, false);
    }
    case 'alloc': {
      const pool = p as ReservePool;
      const gfp = s.rules.refill_gfp | ZONE_GFP[pool.zone];
      const phys = env.alloc_pages(gfp, run.order);
      calls.push({
        fn: 'alloc_pages',
        mayBlock: gfpflags_allow_blocking(gfp),
        pool: pool.zone,
        gfp,
        order: run.order,
        ret: phys,
      });
      if (phys === null) return step('alloc', null, refillFailed(s, run, pool), false);
      run.phys = phys;
      run.phase = 'decrypt';
      return step('alloc', phys, false, true);
    }
    case 'decrypt': {
      const pool = p as ReservePool;
      const ret = env.set_memory_decrypted(run.phys, npages);
      calls.push({
        fn: 'set_memory_decrypted',
        mayBlock: env.mem_encrypt_active,
        pool: pool.zone,
        order: run.order,
        phys: run.phys,
        ret,
      });
      if (ret === 0) {
        run.phase = 'add';
        return step('decrypt', run.phys, false, true);
      }
      // the block may be half converted: it can go neither to the pool nor to buddy
      s.leaked.push({ phys: run.phys, order: run.order, pool: pool.zone, cause: 'decrypt-failed' });
      return step('decrypt', run.phys, refillFailed(s, run, pool), false);
    }
    case 'add': {
      const pool = p as ReservePool;
      (pool.free_list[run.order] as number[]).push(run.phys);
      s.blocks.set(run.phys, { pool: pool.zone, order: run.order, inuse: false });
      pool.nr_pages += npages;
      pool.nr_free_pages += npages;
      s.stats.nr_refilled += 1;
      run.phase = 'scan';
      return step('add', run.phys, false);
    }
    case 'encrypt': {
      const pool = p as ReservePool;
      const ret = env.set_memory_encrypted(run.phys, npages);
      calls.push({
        fn: 'set_memory_encrypted',
        mayBlock: env.mem_encrypt_active,
        pool: pool.zone,
        order: run.order,
        phys: run.phys,
        ret,
      });
      if (ret === 0) {
        run.phase = 'free';
        return step('encrypt', run.phys, false, true);
      }
      warnOnce(
        s,
        // Stryker disable next-line StringLiteral: a WARN_ON_ONCE site id only has to differ from the other one, which '' still does (nothing else reads warned_once)
        'reserve_pool_give_back:set_memory_encrypted',
        'reencrypt-failed',
        null,
        'reserve_pool_kswapd_step',
      );
      s.leaked.push({
        phys: run.phys,
        order: run.order,
        pool: pool.zone,
        cause: 'reencrypt-failed',
      });
      run.phase = 'scan';
      return step('encrypt', run.phys, false, false);
    }
    case 'free': {
      const pool = p as ReservePool;
      env.__free_pages(run.phys, run.order);
      calls.push({
        fn: '__free_pages',
        mayBlock: false,
        pool: pool.zone,
        order: run.order,
        phys: run.phys,
      });
      s.stats.nr_given_back += 1;
      run.phase = 'scan';
      return step('free', run.phys, false);
    }
  }
}

/** Runs kswapd's pool work until nothing is pending or running; every sub-step, in order. */
export function reserve_pool_flush(s: ReservePoolState, env: ReservePoolEnv): ReservePoolStep[] {
  const steps: ReservePoolStep[] = [];
  while (reserve_pool_pending(s)) steps.push(reserve_pool_kswapd_step(s, env));
  return steps;
}

/** The block kswapd holds between sub-steps (allocated not yet added, or unlinked not yet freed). */
export function reserve_pool_in_flight(
  s: ReservePoolState,
): { readonly phys: number; readonly order: number; readonly pool: ReservePoolZone } | null {
  const run = s.refill.running;
  if (run === null) return null;
  // these phases follow a scan that chose a list, so run.pool is set
  if (
    run.phase === 'decrypt' ||
    run.phase === 'add' ||
    run.phase === 'encrypt' ||
    run.phase === 'free'
  )
    return { phys: run.phys, order: run.order, pool: run.pool as ReservePoolZone };
  return null;
}

// ---------------------------------------------------------------------------
// Slotting in behind dma-direct.

/**
 * dma-direct's two pool hooks (DirectEnv.dma_alloc_from_pool and
 * dma_free_from_pool) served by the reserve pools, plus the last reports
 * for the world to record. The world passes its device type.
 */
export function reservePoolDirectHooks<D extends PoolDevice>(
  s: ReservePoolState,
  env: ReservePoolEnv,
): {
  dma_alloc_from_pool(dev: D, size: number, gfp: Gfp, phys_ok: PhysAddrOk<D> | null): number | null;
  dma_free_from_pool(dev: D, phys: number, size: number): boolean;
  lastAlloc: ReservePoolAllocReport | null;
  lastFree: ReservePoolFreeReport | null;
} {
  const hooks = {
    lastAlloc: null as ReservePoolAllocReport | null,
    lastFree: null as ReservePoolFreeReport | null,
    dma_alloc_from_pool(dev: D, size: number, gfp: Gfp, phys_ok: PhysAddrOk<D> | null) {
      const r = reserve_pool_alloc(s, env, dev, size, gfp, phys_ok);
      hooks.lastAlloc = r;
      return r.block === null ? null : r.block.phys;
    },
    dma_free_from_pool(dev: D, phys: number, size: number) {
      const r = reserve_pool_free(s, env, dev, phys, size);
      hooks.lastFree = r;
      return r.freed;
    },
  };
  return hooks;
}
