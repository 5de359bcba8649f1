/**
 * mm/page_alloc.c (6.1, with the 5.4 and 6.18 differences as rules) and
 * mm/khugepaged.c: the boot arithmetic of min_free_kbytes, the zone
 * watermarks, lowmem_reserve and totalreserve_pages, and the sysctl
 * handlers that recompute them.
 *
 * Models: calculate_min_free_kbytes(), set_recommended_min_free_kbytes(),
 * __setup_per_zone_wmarks(), setup_per_zone_wmarks(),
 * setup_per_zone_lowmem_reserve(), calculate_totalreserve_pages(),
 * nr_free_buffer_pages(), and the handlers of vm.min_free_kbytes,
 * vm.watermark_scale_factor and vm.lowmem_reserve_ratio.
 *
 * Inputs are managed (and present) pages per zone plus the sysctls; every
 * division truncates, products stay exact in doubles (below 2^53).
 * Left out: per-cpu pageset high/batch (recomputed by the kernel on the same
 * writes; nothing here reads them), the pr_info/pr_warn text, memory
 * hot-plug, HighMem zones (none on x86_64), and THP being switched off at run
 * time (its fallback to calculate_min_free_kbytes() is kept as a parameter).
 *
 * Context: all of these run in process context under the zone locks; none
 * is reached from an allocation.
 */
import { MIGRATE_PCPTYPES, pageblock_nr_pages } from './pages.ts';
import type { PageAllocRules } from './rules.ts';
import {
  high_wmark_pages,
  MAX_NR_ZONES,
  managed_zone,
  populated_zone,
  type VmSysctls,
  WMARK_HIGH,
  WMARK_LOW,
  WMARK_MIN,
  WMARK_PROMO,
  ZONE_MOVABLE,
  ZONE_NORMAL,
  type ZoneCounts,
} from './zone.ts';

/** hugepage_init(): THP stays off below 512 MiB of totalram. */
export const THP_MIN_TOTALRAM_PAGES = 131072;
export const EINVAL = 22;

/** lib/math/int_sqrt.c int_sqrt(): the floor of the square root, exact. */
export function int_sqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  // Math.sqrt is correctly rounded, so never below the floor; just under a
  // square it may round up to it (x < 2^53: the products are exact)
  while (r * r > x) r -= 1;
  return r;
}

/** include/linux/math.h mult_frac(x, n, d) for non-negative integers: floor(x * n / d) without overflow. */
export function mult_frac(x: number, n: number, d: number): number {
  const q = Math.floor(x / d);
  const r = x - q * d;
  return q * n + Math.floor((r * n) / d);
}

/** mm/page_alloc.c nr_free_zone_pages(gfp_zone(GFP_USER)) = nr_free_buffer_pages(), 6.1. */
export function nr_free_buffer_pages(zones: readonly ZoneCounts[]): number {
  let sum = 0;
  for (const z of zones) {
    if (z.idx > ZONE_NORMAL) continue;
    const size = z.managed_pages;
    const high = high_wmark_pages(z);
    sum += Math.max(size - high, 0);
  }
  return sum;
}

/** mm/page_alloc.c calculate_min_free_kbytes(), 6.1 (5.4 inlines it with a 65536 kB clamp). */
export function calculate_min_free_kbytes(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
): void {
  const lowmem_kbytes = nr_free_buffer_pages(zones) * 4;
  const new_min_free_kbytes = int_sqrt(lowmem_kbytes * 16);
  // a user-set value stays (the kernel warns); the default is clamped
  if (new_min_free_kbytes > sysctl.user_min_free_kbytes)
    sysctl.min_free_kbytes = Math.min(
      Math.max(new_min_free_kbytes, 128),
      rules.min_free_kbytes_max,
    );
}

/** mm/page_alloc.c __setup_per_zone_wmarks(), 6.1 (6.18: Movable gets the highmem clamp). */
export function __setup_per_zone_wmarks(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
): void {
  const pages_min = Math.floor(sysctl.min_free_kbytes / 4);
  const movableAsHighmem = rules.setup_per_zone_wmarks_movable === 'highmem_clamp';
  let lowmem_pages = 0;
  for (const z of zones)
    if (!(movableAsHighmem && z.idx === ZONE_MOVABLE)) lowmem_pages += z.managed_pages;
  for (const z of zones) {
    // the zone's share of pages_min, a truncating 64-bit division (checkMachineConfig leaves
    // lowmem_pages above 0: the machine model has no ZONE_HIGHMEM and an empty ZONE_MOVABLE)
    const tmp = Math.floor((pages_min * z.managed_pages) / lowmem_pages);
    if (movableAsHighmem && z.idx === ZONE_MOVABLE)
      z._watermark[WMARK_MIN] = Math.min(Math.max(Math.floor(z.managed_pages / 1024), 32), 128);
    else z._watermark[WMARK_MIN] = tmp;
    // the gap between watermarks uses the unclamped share
    const dist = Math.max(
      Math.floor(tmp / 4),
      mult_frac(z.managed_pages, sysctl.watermark_scale_factor, 10000),
    );
    z.watermark_boost = 0;
    const min = z._watermark[WMARK_MIN] ?? 0;
    z._watermark[WMARK_LOW] = min + dist;
    z._watermark[WMARK_HIGH] = min + 2 * dist;
    z._watermark[WMARK_PROMO] = rules.wmark_promo ? min + 3 * dist : 0;
  }
}

/** mm/page_alloc.c calculate_totalreserve_pages(), 6.1: returns totalreserve_pages. */
export function calculate_totalreserve_pages(zones: readonly ZoneCounts[]): number {
  let reserve_pages = 0;
  for (const z of zones) {
    let max = 0;
    for (let j = z.idx; j < MAX_NR_ZONES; j++) max = Math.max(max, z.lowmem_reserve[j] as number);
    reserve_pages += Math.min(max + high_wmark_pages(z), z.managed_pages);
  }
  return reserve_pages;
}

/**
 * The two recomputations a variant (a test mutant) may replace; the sysctl
 * handlers and the boot sequence call them through this table.
 */
export interface WatermarkSetupFns {
  readonly __setup_per_zone_wmarks: typeof __setup_per_zone_wmarks;
  readonly setup_per_zone_lowmem_reserve: typeof setup_per_zone_lowmem_reserve;
}

/** mm/page_alloc.c setup_per_zone_wmarks(), 6.1: watermarks, boost cleared; returns totalreserve_pages. */
export function setup_per_zone_wmarks(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
  fns: WatermarkSetupFns = watermarkSetupFns,
): number {
  fns.__setup_per_zone_wmarks(zones, sysctl, rules);
  return calculate_totalreserve_pages(zones);
}

/**
 * mm/page_alloc.c setup_per_zone_lowmem_reserve(), 6.1 and 5.4: zone i keeps
 * back, from a request whose highest zone is j, the managed pages of zones
 * i+1..j divided by its own ratio. Returns totalreserve_pages.
 */
export function setup_per_zone_lowmem_reserve(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
): number {
  const ratio = sysctl.lowmem_reserve_ratio;
  if (rules.setup_per_zone_lowmem_reserve === 'per_upper_zone') {
    // 5.4: for each upper zone j, walk down accumulating managed pages
    for (const upper of zones) {
      const j = upper.idx;
      let managed_pages = upper.managed_pages;
      upper.lowmem_reserve[j] = 0;
      for (let idx = j - 1; idx >= 0; idx--) {
        const lower = zones[idx] as ZoneCounts;
        if ((ratio[idx] ?? 0) < 1) {
          ratio[idx] = 0; // 5.4 writes the clamp back into the sysctl here
          lower.lowmem_reserve[j] = 0;
        } else lower.lowmem_reserve[j] = Math.floor(managed_pages / (ratio[idx] ?? 1));
        managed_pages += lower.managed_pages;
      }
    }
  } else {
    for (const z of zones) {
      const r = ratio[z.idx] ?? 0;
      // an empty zone or a ratio of 0 reserves nothing, but its upper sum still runs
      const clear = r === 0 || !managed_zone(z);
      let managed_pages = 0;
      for (let j = z.idx + 1; j < MAX_NR_ZONES; j++) {
        managed_pages += (zones[j] as ZoneCounts).managed_pages;
        z.lowmem_reserve[j] = clear ? 0 : Math.floor(managed_pages / r);
      }
    }
  }
  return calculate_totalreserve_pages(zones);
}

/** The kernel's own recomputations. */
export const watermarkSetupFns: WatermarkSetupFns = {
  __setup_per_zone_wmarks,
  setup_per_zone_lowmem_reserve,
};

/**
 * mm/khugepaged.c set_recommended_min_free_kbytes(), 6.1: raise
 * min_free_kbytes to 11 pageblocks per populated zone up to Normal (capped
 * at 5% of nr_free_buffer_pages()), even over a user value; then the
 * watermarks. With THP switched off it recomputes the default instead.
 * Returns totalreserve_pages.
 */
export function set_recommended_min_free_kbytes(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
  thpEnabled = true,
  fns: WatermarkSetupFns = watermarkSetupFns,
): number {
  if (!thpEnabled) {
    calculate_min_free_kbytes(zones, sysctl, rules);
    return setup_per_zone_wmarks(zones, sysctl, rules, fns);
  }
  let nr_zones = 0;
  for (const z of zones) if (populated_zone(z) && z.idx <= ZONE_NORMAL) nr_zones += 1;
  let recommended_min = pageblock_nr_pages * nr_zones * (2 + MIGRATE_PCPTYPES * MIGRATE_PCPTYPES);
  recommended_min = Math.min(recommended_min, Math.floor(nr_free_buffer_pages(zones) / 20));
  const recommended_kb = recommended_min * 4;
  sysctl.min_free_kbytes = Math.max(sysctl.min_free_kbytes, recommended_kb);
  return setup_per_zone_wmarks(zones, sysctl, rules, fns);
}

/** The figures the boot sequence leaves, for reports and conformance. */
export interface BootResult {
  readonly min_free_kbytes: number;
  readonly totalreserve_pages: number;
  /** Whether hugepage_init() started khugepaged (totalram >= 512 MiB). */
  readonly thpRaised: boolean;
}

/**
 * The boot sequence on one node: init_per_zone_wmark_min() (postcore:
 * default min_free_kbytes, watermarks, lowmem_reserve), then hugepage_init()
 * (subsys: the THP raise when totalram is at least 512 MiB). `zones` carry
 * the managed counts at that time (before init memory is freed).
 */
export function init_per_zone_wmark_min_and_thp(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
  fns: WatermarkSetupFns = watermarkSetupFns,
): BootResult {
  calculate_min_free_kbytes(zones, sysctl, rules);
  setup_per_zone_wmarks(zones, sysctl, rules, fns);
  let totalreserve_pages = fns.setup_per_zone_lowmem_reserve(zones, sysctl, rules);
  let totalram = 0;
  for (const z of zones) totalram += z.managed_pages;
  const thpRaised = totalram >= THP_MIN_TOTALRAM_PAGES;
  if (thpRaised)
    totalreserve_pages = set_recommended_min_free_kbytes(zones, sysctl, rules, true, fns);
  return { min_free_kbytes: sysctl.min_free_kbytes, totalreserve_pages, thpRaised };
}

/** What a sysctl write did: 0, or -EINVAL with nothing recomputed. */
export type SysctlResult = 0 | -22;

/** mm/page_alloc.c min_free_kbytes_sysctl_handler() (write), 6.1: any int >= 0. */
export function min_free_kbytes_sysctl_handler(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
  value: number,
  fns: WatermarkSetupFns = watermarkSetupFns,
): SysctlResult {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) return -EINVAL as -22;
  sysctl.min_free_kbytes = value;
  sysctl.user_min_free_kbytes = value;
  setup_per_zone_wmarks(zones, sysctl, rules, fns);
  return 0;
}

/** mm/page_alloc.c watermark_scale_factor_sysctl_handler() (write), 6.1: 1..3000 (5.4: 1..1000). */
export function watermark_scale_factor_sysctl_handler(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
  value: number,
  fns: WatermarkSetupFns = watermarkSetupFns,
): SysctlResult {
  if (!Number.isInteger(value) || value < 1 || value > rules.watermark_scale_factor_max)
    return -EINVAL as -22;
  sysctl.watermark_scale_factor = value;
  setup_per_zone_wmarks(zones, sysctl, rules, fns);
  return 0;
}

/**
 * mm/page_alloc.c lowmem_reserve_ratio_sysctl_handler() (write or read),
 * 6.1: any ints are stored, each < 1 becomes 0, and the reserves are
 * recomputed (also on a read, which passes no values).
 */
export function lowmem_reserve_ratio_sysctl_handler(
  zones: readonly ZoneCounts[],
  sysctl: VmSysctls,
  rules: PageAllocRules,
  values?: readonly number[],
  fns: WatermarkSetupFns = watermarkSetupFns,
): SysctlResult {
  if (values) {
    if (
      values.length > MAX_NR_ZONES ||
      values.some((v) => !Number.isInteger(v) || v > 0x7fffffff || v < -0x80000000)
    )
      return -EINVAL as -22;
    values.forEach((v, i) => {
      sysctl.lowmem_reserve_ratio[i] = v;
    });
  }
  // 6.1 clamps in the handler; 5.4 clamps inside setup_per_zone_lowmem_reserve()
  if (rules.setup_per_zone_lowmem_reserve === 'cumulative_clear_empty')
    for (let i = 0; i < MAX_NR_ZONES; i++)
      if ((sysctl.lowmem_reserve_ratio[i] ?? 0) < 1) sysctl.lowmem_reserve_ratio[i] = 0;
  fns.setup_per_zone_lowmem_reserve(zones, sysctl, rules);
  return 0;
}
