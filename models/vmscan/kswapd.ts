/**
 * mm/vmscan.c kswapd (6.1; 5.4 is the same apart from names): the wake-up,
 * the balance predicate, the sleep decision, the main loop K1-K4 and
 * balance_pgdat(), as sub-steps the harness interleaves with allocations
 * (reclaim-and-gfp.md §8).
 *
 * Models: wakeup_kswapd(), pgdat_balanced(), pgdat_watermark_boosted(),
 * prepare_kswapd_sleep(), kswapd_try_to_sleep() (short sleep, then full
 * sleep), the loop of kswapd(), balance_pgdat() one round per sub-step with
 * kswapd_shrink_node(), kswapd_failures and the back-off at
 * MAX_RECLAIM_RETRIES, and the boost decay at the end of a boosted pass.
 * Each decision records what it observed of the zones (free, marks,
 * reserve), so properties can re-evaluate the kernel's predicate on the
 * same observation.
 * Left out: kcompactd (only "was requested" is counted), the HZ/10 timer
 * (a kswapd step while in the short sleep is the timeout), freezing,
 * buffer_heads_over_limit, memory tiering (PROMO marks), anon aging, and
 * 6.18's restart without cache trimming.
 * Context: kswapd is a kernel thread with PF_MEMALLOC; it may sleep.
 */

import { __GFP_DIRECT_RECLAIM } from '../page_alloc/gfp.ts';
import { MAX_PAGE_ORDER, MIGRATE_HIGHATOMIC, MIGRATE_TYPES } from '../page_alloc/pages.ts';
import type { BalanceState, PageAlloc, Zone } from '../page_alloc/state.ts';
import { __zone_watermark_unusable_free } from '../page_alloc/watermark.ts';
import { high_wmark_pages, MAX_NR_ZONES, managed_zone } from '../page_alloc/zone.ts';
import { MAX_RECLAIM_RETRIES, SWAP_CLUSTER_MAX, shrink_node, writeback_folios } from './vmscan.ts';

/** DEF_PRIORITY: balance_pgdat() starts each pass at this priority. */
export const DEF_PRIORITY = 12;

/** What a predicate saw of one zone: enough to re-evaluate a watermark check with flags 0. */
export interface ZoneObs {
  readonly zone: number;
  readonly free: number;
  /** The mark with boost (high_wmark_pages()). */
  readonly mark: number;
  readonly reserve: number;
  /** Unusable pages for flags 0 at the order (2^order - 1 + highatomic). */
  readonly unusable: number;
  /** Some free list of order >= the order, of a non-highatomic type, is non-empty. */
  readonly hasBlock: boolean;
}

/** The observation behind a pgdat_balanced(order, highest_zoneidx) call. */
export interface BalanceObs {
  readonly order: number;
  readonly highest_zoneidx: number;
  /** Managed zones 0..highest_zoneidx. */
  readonly zones: readonly ZoneObs[];
  /** What the predicate in use answered. */
  readonly balanced: boolean;
}

/** Observes the managed zones 0..hz at their high marks for flags 0 (what pgdat_balanced() reads). */
export function observeBalance(
  pa: PageAlloc,
  order: number,
  hz: number,
  balanced: boolean,
): BalanceObs {
  const zones: ZoneObs[] = [];
  for (let i = 0; i <= hz; i++) {
    const z = pa.zones[i] as Zone;
    if (!managed_zone(z)) continue;
    let hasBlock = false;
    for (let o = order; o <= MAX_PAGE_ORDER && !hasBlock; o++)
      for (let mt = 0; mt < MIGRATE_HIGHATOMIC; mt++)
        if ((z.free_head[o * MIGRATE_TYPES + mt] as number) >= 0) hasBlock = true;
    zones.push({
      zone: i,
      free: z.nr_free_pages,
      mark: high_wmark_pages(z),
      reserve: z.lowmem_reserve[hz] ?? 0,
      unusable: __zone_watermark_unusable_free(pa.rules, z, order, 0),
      hasBlock,
    });
  }
  return { order, highest_zoneidx: hz, zones, balanced };
}

/**
 * pgdat_balanced(), 6.1: true when ANY managed zone 0..hz passes
 * zone_watermark_ok_safe() at its (boosted) high mark with reserve index hz,
 * or when no zone up to hz is managed.
 */
export function pgdat_balanced(pa: PageAlloc, order: number, highest_zoneidx: number): boolean {
  let any = false;
  for (let i = 0; i <= highest_zoneidx; i++) {
    const z = pa.zones[i] as Zone;
    if (!managed_zone(z)) continue;
    any = true;
    if (pa.fns.zone_watermark_ok_safe(pa, z, order, high_wmark_pages(z), highest_zoneidx))
      return true;
  }
  return !any;
}

/** pgdat_watermark_boosted(), 6.1: some managed zone 0..hz has a boost. */
export function pgdat_watermark_boosted(pa: PageAlloc, highest_zoneidx: number): boolean {
  for (let i = highest_zoneidx; i >= 0; i--) {
    const z = pa.zones[i];
    if (z && managed_zone(z) && z.watermark_boost) return true;
  }
  return false;
}

/** prepare_kswapd_sleep(), 6.1: a hopeless node (failures >= 16) or a balanced one may sleep. */
export function prepare_kswapd_sleep(
  pa: PageAlloc,
  order: number,
  highest_zoneidx: number,
): boolean {
  pa.pgdat.pfmemalloc_waiters = 0; // wake_up_all(&pgdat->pfmemalloc_wait)
  if (pa.pgdat.kswapd_failures >= MAX_RECLAIM_RETRIES) return true;
  return pa.fns.pgdat_balanced(pa, order, highest_zoneidx);
}

/** wake_up_interruptible(&pgdat->kswapd_wait): a sleeping kswapd runs again. */
export function wake_up_kswapd(pa: PageAlloc): void {
  const k = pa.pgdat.kswapd;
  if (k.position === 'short_sleep') k.pc = 'K2_woken';
  k.position = 'running';
}

/** What wakeup_kswapd() did. */
export interface KswapdWake {
  readonly zone: number;
  readonly order: number;
  readonly highest_zoneidx: number;
  readonly gfp: number;
  /** kswapd's position before the call. */
  readonly position: 'running' | 'short_sleep' | 'full_sleep';
  readonly kswapd_failures: number;
  readonly boosted: boolean;
  /** pgdat_balanced() as the kernel reads it (only when kswapd was asleep and not hopeless). */
  readonly obs: BalanceObs | null;
  readonly woken: boolean;
  /** Why it was not woken: `running`, `hopeless`, `balanced`, `unmanaged`. */
  readonly why: string;
}

/**
 * wakeup_kswapd(), 6.1: record the request (highest zone: max, sentinel
 * means unset; order: max) even when kswapd is not woken, then wake a
 * sleeping kswapd unless the node is hopeless or balanced and unboosted.
 */
export function wakeup_kswapd(
  pa: PageAlloc,
  zone: number,
  gfp: number,
  order: number,
  highest_zoneidx: number,
): KswapdWake {
  const pgdat = pa.pgdat;
  const k = pgdat.kswapd;
  const z = pa.zones[zone] as Zone;
  const base = {
    zone,
    order,
    highest_zoneidx,
    gfp,
    position: k.position,
    kswapd_failures: pgdat.kswapd_failures,
  };
  if (!managed_zone(z))
    return { ...base, boosted: false, obs: null, woken: false, why: 'unmanaged' };
  pgdat.kswapd_highest_zoneidx =
    pgdat.kswapd_highest_zoneidx === MAX_NR_ZONES
      ? highest_zoneidx
      : Math.max(pgdat.kswapd_highest_zoneidx, highest_zoneidx);
  pgdat.kswapd_order = Math.max(pgdat.kswapd_order, order);
  if (k.position === 'running')
    return { ...base, boosted: false, obs: null, woken: false, why: 'running' };
  const boosted = pgdat_watermark_boosted(pa, highest_zoneidx);
  if (pgdat.kswapd_failures >= MAX_RECLAIM_RETRIES) {
    if (!(gfp & __GFP_DIRECT_RECLAIM)) k.kcompactd_requests += 1;
    return { ...base, boosted, obs: null, woken: false, why: 'hopeless' };
  }
  const balanced = pa.fns.pgdat_balanced(pa, order, highest_zoneidx);
  const obs = observeBalance(pa, order, highest_zoneidx, balanced);
  if (balanced && !boosted) {
    if (!(gfp & __GFP_DIRECT_RECLAIM)) k.kcompactd_requests += 1;
    return { ...base, boosted, obs, woken: false, why: 'balanced' };
  }
  pa.fns.wake_up_kswapd(pa);
  return { ...base, boosted, obs, woken: true, why: '' };
}

/** One kswapd sub-step, as recorded. */
export interface KswapdStep {
  /** `K1`, `sleep-short`, `no-sleep`, `sleep-full`, `premature`, `woken-early`, `K3`, `round`, `K4`, `asleep`. */
  readonly what: string;
  readonly order: number;
  readonly highest_zoneidx: number;
  readonly kswapd_failures: number;
  /** For sleep decisions: the balance observation (null when the node was hopeless). */
  readonly obs: BalanceObs | null;
  /** For balance rounds. */
  readonly round?: {
    readonly priority: number;
    readonly boostMode: boolean;
    readonly reclaimed: number;
    readonly done: boolean;
    readonly failed: boolean;
  };
}

/** A sub-step record at kswapd's current order and zone. */
function rec(pa: PageAlloc, what: string, obs: BalanceObs | null): KswapdStep {
  const ks = pa.pgdat.kswapd;
  return {
    what,
    order: ks.reclaim_order,
    highest_zoneidx: ks.highest_zoneidx,
    kswapd_failures: pa.pgdat.kswapd_failures,
    obs,
  };
}

function resolveZone(pgdatIdx: number, local: number): number {
  return pgdatIdx === MAX_NR_ZONES ? local : pgdatIdx;
}

/** The sleep check of kswapd_try_to_sleep(): prepare_kswapd_sleep() plus what it observed. */
function sleepCheck(
  pa: PageAlloc,
  order: number,
  hz: number,
): { ok: boolean; obs: BalanceObs | null } {
  const hopeless = pa.pgdat.kswapd_failures >= MAX_RECLAIM_RETRIES;
  const ok = pa.fns.prepare_kswapd_sleep(pa, order, hz);
  return { ok, obs: hopeless ? null : observeBalance(pa, order, hz, ok) };
}

/** balance_pgdat() prologue: snapshot the boosts of the managed zones 0..hz; priority DEF_PRIORITY. */
function balance_start(pa: PageAlloc, order: number, hz: number): BalanceState {
  const zone_boosts = [0, 0, 0, 0, 0];
  let nr_boost = 0;
  for (let i = 0; i <= hz; i++) {
    const z = pa.zones[i] as Zone;
    if (!managed_zone(z)) continue;
    nr_boost += z.watermark_boost;
    zone_boosts[i] = z.watermark_boost;
  }
  return {
    order,
    alloc_order: order,
    highest_zoneidx: hz,
    nr_boost_reclaim: nr_boost,
    zone_boosts,
    boosted: nr_boost,
    priority: DEF_PRIORITY,
    nr_reclaimed: 0,
    rounds: 0,
  };
}

/** balance_pgdat()'s `out:` label: boosted passes give back the boost they started with. */
function balance_out(pa: PageAlloc, bal: BalanceState): void {
  if (!bal.boosted) return;
  for (let i = 0; i <= bal.highest_zoneidx; i++) {
    const z = pa.zones[i] as Zone;
    z.watermark_boost -= Math.min(z.watermark_boost, bal.zone_boosts[i] ?? 0);
  }
  pa.pgdat.kswapd.kcompactd_requests += 1;
}

/**
 * One round of balance_pgdat()'s priority loop (steps 3a-3h), reclaiming at
 * most `k` pages (and, when writeback is allowed, finishing writeback of
 * up to `k` dirty pages). Returns the round's record; `done` when the pass
 * ended (balanced, priority exhausted, or a boost that made no progress).
 */
export function balance_pgdat_round(
  pa: PageAlloc,
  bal: BalanceState,
  k: number,
): KswapdStep['round'] & {
  readonly obs: BalanceObs;
} {
  const hz = bal.highest_zoneidx;
  bal.rounds += 1;
  let balanced = pa.fns.pgdat_balanced(pa, bal.order, hz);
  if (!balanced && bal.nr_boost_reclaim) {
    // an imbalanced node: ignore the boost and restart at DEF_PRIORITY
    bal.nr_boost_reclaim = 0;
    bal.priority = DEF_PRIORITY;
    balanced = pa.fns.pgdat_balanced(pa, bal.order, hz);
  }
  const obs = observeBalance(pa, bal.order, hz, balanced);
  const boostMode = bal.nr_boost_reclaim > 0;
  const priority = bal.priority;
  if (!boostMode && balanced) {
    balance_out(pa, bal);
    return { priority, boostMode, reclaimed: 0, done: true, failed: false, obs };
  }
  let raise_priority = !(boostMode && bal.priority === DEF_PRIORITY - 2);
  // kswapd_shrink_node(): the target is the high marks of the eligible zones
  let nr_to_reclaim = 0;
  for (let i = 0; i <= hz; i++) {
    const z = pa.zones[i] as Zone;
    if (managed_zone(z)) nr_to_reclaim += Math.max(high_wmark_pages(z), SWAP_CLUSTER_MAX);
  }
  const reclaimed = shrink_node(pa, hz, Math.min(k, nr_to_reclaim));
  // boosted reclaim never writes back (the kernel's override below DEF_PRIORITY - 2
  // never applies: a boosted pass stops at DEF_PRIORITY - 2 or leaves boost mode);
  // otherwise writeback completes for up to k pages
  const may_writepage = !boostMode;
  if (may_writepage) writeback_folios(pa, hz, k);
  bal.nr_reclaimed += reclaimed;
  if (bal.order && bal.nr_reclaimed >= 2 ** (bal.order + 1)) bal.order = 0;
  // scanning the whole target suppresses raising the priority
  if (k >= nr_to_reclaim) raise_priority = false;
  bal.nr_boost_reclaim -= Math.min(bal.nr_boost_reclaim, reclaimed);
  let done = false;
  if (bal.nr_boost_reclaim && !reclaimed) done = true;
  else {
    if (raise_priority || !reclaimed) bal.priority -= 1;
    if (bal.priority < 1) done = true;
  }
  let failed = false;
  if (done) {
    if (!bal.nr_reclaimed) {
      pa.pgdat.kswapd_failures += 1;
      failed = true;
    }
    balance_out(pa, bal);
  }
  return { priority, boostMode, reclaimed, done, failed, obs };
}

/**
 * Runs kswapd for one sub-step of its loop, reclaiming at most `k` pages
 * in a balance round. Returns null when kswapd is fully asleep (nothing to
 * do until woken).
 */
export function kswapd_step(pa: PageAlloc, k: number): KswapdStep | null {
  const pgdat = pa.pgdat;
  const ks = pgdat.kswapd;
  if (ks.position === 'full_sleep') return null;
  if (ks.position === 'short_sleep') {
    // the HZ/10 timeout: not woken early, so check again before sleeping fully
    const c = sleepCheck(pa, ks.reclaim_order, ks.highest_zoneidx);
    if (c.ok) {
      ks.position = 'full_sleep';
      ks.pc = 'K3';
      return rec(pa, 'sleep-full', c.obs);
    }
    ks.position = 'running';
    ks.pc = 'K3';
    return rec(pa, 'premature', c.obs);
  }
  switch (ks.pc) {
    case 'K1': {
      ks.alloc_order = pgdat.kswapd_order;
      ks.reclaim_order = pgdat.kswapd_order;
      ks.highest_zoneidx = resolveZone(pgdat.kswapd_highest_zoneidx, ks.highest_zoneidx);
      ks.pc = 'K2';
      return rec(pa, 'K1', null);
    }
    case 'K2': {
      const c = sleepCheck(pa, ks.reclaim_order, ks.highest_zoneidx);
      if (c.ok) {
        ks.kcompactd_requests += 1;
        // HZ/10: woken early, wake_up_kswapd() sets K2_woken; else the timeout goes to K3
        ks.position = 'short_sleep';
        return rec(pa, 'sleep-short', c.obs);
      }
      // the second check sees the same state: no sleep
      ks.pc = 'K3';
      return rec(pa, 'no-sleep', c.obs);
    }
    case 'K2_woken': {
      pgdat.kswapd_highest_zoneidx = resolveZone(pgdat.kswapd_highest_zoneidx, ks.highest_zoneidx);
      pgdat.kswapd_order = Math.max(pgdat.kswapd_order, ks.reclaim_order);
      ks.pc = 'K3';
      return rec(pa, 'woken-early', null);
    }
    case 'K3': {
      ks.alloc_order = pgdat.kswapd_order;
      ks.highest_zoneidx = resolveZone(pgdat.kswapd_highest_zoneidx, ks.highest_zoneidx);
      pgdat.kswapd_order = 0;
      pgdat.kswapd_highest_zoneidx = MAX_NR_ZONES;
      ks.bal = balance_start(pa, ks.alloc_order, ks.highest_zoneidx);
      ks.pc = 'balance';
      return { ...rec(pa, 'K3', null), order: ks.alloc_order };
    }
    case 'balance': {
      const bal = ks.bal as BalanceState;
      const r = balance_pgdat_round(pa, bal, k);
      if (r.done) {
        ks.reclaim_order = bal.order;
        ks.bal = null;
        ks.pc = 'K4';
      }
      const { obs, ...round } = r;
      return {
        what: 'round',
        order: bal.order,
        highest_zoneidx: bal.highest_zoneidx,
        kswapd_failures: pgdat.kswapd_failures,
        obs,
        round,
      };
    }
    case 'K4': {
      // a pass that had to lower its order tries to sleep at the same zone
      ks.pc = ks.reclaim_order < ks.alloc_order ? 'K2' : 'K1';
      return rec(pa, 'K4', null);
    }
  }
}
