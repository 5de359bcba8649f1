/**
 * The kernel functions a *variant* may replace: each entry is one named
 * kernel function, called through this table by the models (like a live
 * patch). The kernel's own functions are the default; test mutants and the
 * bug zoo swap one or two for a broken twin without editing any model.
 */

import {
  pgdat_balanced,
  prepare_kswapd_sleep,
  wake_up_kswapd,
  wakeup_kswapd,
} from '../vmscan/kswapd.ts';
import { allow_direct_reclaim } from '../vmscan/vmscan.ts';
import { __free_one_page, reserve_highatomic_pageblock } from './buddy.ts';
import { gfp_to_alloc_flags } from './page_alloc.ts';
import {
  __zone_watermark_ok,
  boost_watermark,
  zone_watermark_fast,
  zone_watermark_ok_safe,
} from './watermark.ts';
import { __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve } from './watermark_setup.ts';

export interface PageAllocFns {
  readonly __setup_per_zone_wmarks: typeof __setup_per_zone_wmarks;
  readonly setup_per_zone_lowmem_reserve: typeof setup_per_zone_lowmem_reserve;
  readonly __zone_watermark_ok: typeof __zone_watermark_ok;
  readonly zone_watermark_fast: typeof zone_watermark_fast;
  readonly zone_watermark_ok_safe: typeof zone_watermark_ok_safe;
  readonly boost_watermark: typeof boost_watermark;
  readonly gfp_to_alloc_flags: typeof gfp_to_alloc_flags;
  readonly reserve_highatomic_pageblock: typeof reserve_highatomic_pageblock;
  readonly __free_one_page: typeof __free_one_page;
  readonly wakeup_kswapd: typeof wakeup_kswapd;
  readonly wake_up_kswapd: typeof wake_up_kswapd;
  readonly pgdat_balanced: typeof pgdat_balanced;
  readonly prepare_kswapd_sleep: typeof prepare_kswapd_sleep;
  readonly allow_direct_reclaim: typeof allow_direct_reclaim;
}

/** A variant: replacements for some of the kernel functions. */
export type PageAllocVariant = Partial<PageAllocFns>;

/** The kernel's own functions. */
export function kernelFns(): PageAllocFns {
  return {
    __setup_per_zone_wmarks,
    setup_per_zone_lowmem_reserve,
    __zone_watermark_ok,
    zone_watermark_fast,
    zone_watermark_ok_safe,
    boost_watermark,
    gfp_to_alloc_flags,
    reserve_highatomic_pageblock,
    __free_one_page,
    wakeup_kswapd,
    wake_up_kswapd,
    pgdat_balanced,
    prepare_kswapd_sleep,
    allow_direct_reclaim,
  };
}

/** The kernel's functions with `variant`'s replacements. */
export function withVariant(variant: PageAllocVariant = {}): PageAllocFns {
  return { ...kernelFns(), ...variant };
}
