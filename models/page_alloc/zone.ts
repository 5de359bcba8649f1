/**
 * include/linux/mmzone.h (x86_64, 6.1): zone indices, the per-zone counts
 * the watermark code reads, and the vm sysctls. One node (UMA): the node's
 * fields live in `pgdat` of the allocator state (see page_alloc.ts).
 *
 * Left out: HighMem (none on 64-bit), NUMA nodes, zone->unaccepted_pages
 * (TDX/SNP unaccepted memory), per-cpu pagesets and their drift.
 */

export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const ZONE_DEVICE = 4;
/** With CONFIG_ZONE_DEVICE, as on Debian; also kswapd_highest_zoneidx's "unset" sentinel. */
export const MAX_NR_ZONES = 5;
export const ZONE_NAMES: readonly string[] = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device'];

/** enum zone_watermarks (6.1): WMARK_PROMO is 6.0+ and absent in 5.4. */
export const WMARK_MIN = 0;
export const WMARK_LOW = 1;
export const WMARK_HIGH = 2;
export const WMARK_PROMO = 3;

/** x86_64 zone limits in pfns (arch/x86/mm/init.c zone_sizes_init(), MAX_DMA_PFN / MAX_DMA32_PFN). */
export const MAX_DMA_PFN = 4096;
export const MAX_DMA32_PFN = 1048576;

/** The part of struct zone that the boot arithmetic reads and writes. */
export interface ZoneCounts {
  /** zone_idx(). */
  readonly idx: number;
  /** present_pages: spanned minus holes. */
  present_pages: number;
  /** managed_pages: pages handed to the buddy allocator. */
  managed_pages: number;
  /** _watermark[WMARK_MIN..WMARK_PROMO], without the boost. */
  readonly _watermark: number[];
  /** watermark_boost: added to every watermark by wmark_pages(). */
  watermark_boost: number;
  /** lowmem_reserve[highest_zoneidx] (`protection:` in /proc/zoneinfo). */
  readonly lowmem_reserve: number[];
}

/** The vm sysctls of the watermark code (kernel/sysctl.c, mm/page_alloc.c). */
export interface VmSysctls {
  /** vm.min_free_kbytes. */
  min_free_kbytes: number;
  /** user_min_free_kbytes: -1 until a user writes min_free_kbytes. */
  user_min_free_kbytes: number;
  /** vm.watermark_scale_factor (default 10). */
  watermark_scale_factor: number;
  /** vm.watermark_boost_factor (default 15000). */
  watermark_boost_factor: number;
  /** vm.lowmem_reserve_ratio (default 256 256 32 0 0). */
  readonly lowmem_reserve_ratio: number[];
}

/** Fresh zone counts: no watermarks, no reserve (as before init_per_zone_wmark_min()). */
export function zoneCounts(idx: number, present_pages: number, managed_pages: number): ZoneCounts {
  return {
    idx,
    present_pages,
    managed_pages,
    _watermark: [0, 0, 0, 0],
    watermark_boost: 0,
    lowmem_reserve: [0, 0, 0, 0, 0],
  };
}

/** The sysctl defaults (mm/page_alloc.c), before calculate_min_free_kbytes(). */
export function defaultSysctls(): VmSysctls {
  return {
    min_free_kbytes: 1024,
    user_min_free_kbytes: -1,
    watermark_scale_factor: 10,
    watermark_boost_factor: 15000,
    lowmem_reserve_ratio: [256, 256, 32, 0, 0],
  };
}

/** include/linux/mmzone.h populated_zone(), 6.1. */
export function populated_zone(z: ZoneCounts): boolean {
  return z.present_pages > 0;
}

/** include/linux/mmzone.h managed_zone(), 6.1. */
export function managed_zone(z: ZoneCounts): boolean {
  return z.managed_pages > 0;
}

/** include/linux/mmzone.h wmark_pages(), 6.1: the watermark plus the boost. */
export function wmark_pages(z: ZoneCounts, i: number): number {
  return (z._watermark[i] as number) + z.watermark_boost;
}

/** min_wmark_pages(), 6.1. */
export function min_wmark_pages(z: ZoneCounts): number {
  return wmark_pages(z, WMARK_MIN);
}

/** low_wmark_pages(), 6.1. */
export function low_wmark_pages(z: ZoneCounts): number {
  return wmark_pages(z, WMARK_LOW);
}

/** high_wmark_pages(), 6.1. */
export function high_wmark_pages(z: ZoneCounts): number {
  return wmark_pages(z, WMARK_HIGH);
}
