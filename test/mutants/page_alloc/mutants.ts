/**
 * Broken twins of page-allocator functions, each injected through a rules
 * override or a variant (a replacement of one named kernel function),
 * never by editing a model. Each names the property that must catch it.
 * Test-only, except the BZ-28 and BZ-34 twins: those are the bug zoo's own
 * variants (src/zoo/page_alloc.ts), imported so there is one definition.
 */
import { ALLOC_OOM } from '../../../models/page_alloc/alloc_flags.ts';
import { add_to_free_list } from '../../../models/page_alloc/buddy.ts';
import {
  kernelFns,
  type PageAllocFns,
  type PageAllocVariant,
} from '../../../models/page_alloc/fns.ts';
import { __GFP_DIRECT_RECLAIM } from '../../../models/page_alloc/gfp.ts';
import type { PageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { Zone } from '../../../models/page_alloc/state.ts';
import { __zone_watermark_unusable_free } from '../../../models/page_alloc/watermark.ts';
import { high_wmark_pages, MAX_NR_ZONES, managed_zone } from '../../../models/page_alloc/zone.ts';
import {
  boostInAtomicMin,
  kswapdNeverBacksOff,
  type PageAllocZooVariant,
  throttleIgnoresBackoff,
} from '../../../src/zoo/page_alloc.ts';

export interface PageAllocMutant {
  readonly id: string;
  /** The bug-zoo entry it puts back, when it is one. */
  readonly zoo?: string;
  /** The property that must fail on it. */
  readonly property: string;
  readonly rules?: Partial<PageAllocRules>;
  readonly variant?: PageAllocVariant;
}

const k: PageAllocFns = kernelFns();

/** A zoo variant (src/zoo/page_alloc.ts) as a test mutant: one definition, plus its property. */
function fromZoo(v: PageAllocZooVariant, property: string): PageAllocMutant {
  return {
    id: v.id,
    zoo: v.zoo,
    property,
    ...(v.rules ? { rules: v.rules } : {}),
    ...(v.variant ? { variant: v.variant } : {}),
  };
}

export const pageAllocMutants: readonly PageAllocMutant[] = [
  // the BZ-28 and BZ-34 twins are the ones the zoo ships
  fromZoo(boostInAtomicMin, 'page-alloc/boost-neutral-atomic'),
  fromZoo(kswapdNeverBacksOff, 'page-alloc/kswapd-backs-off'),
  fromZoo(throttleIgnoresBackoff, 'page-alloc/kswapd-backs-off'),
  {
    id: 'reserve-upper-ratio',
    property: 'page-alloc/lowmem-reserve-formula',
    variant: {
      // divides by the upper zone's ratio instead of the lower zone's own
      setup_per_zone_lowmem_reserve: (zones, sysctl) => {
        for (const z of zones) {
          let sum = 0;
          for (let j = z.idx + 1; j < MAX_NR_ZONES; j++) {
            sum += zones[j]?.managed_pages ?? 0;
            const r = sysctl.lowmem_reserve_ratio[j] ?? 0;
            z.lowmem_reserve[j] = r > 0 && z.managed_pages > 0 ? Math.floor(sum / r) : 0;
          }
        }
        return 0;
      },
    },
  },
  {
    id: 'reserve-rounding',
    property: 'page-alloc/lowmem-reserve-formula',
    variant: {
      setup_per_zone_lowmem_reserve: (zones, sysctl) => {
        for (const z of zones) {
          const r = sysctl.lowmem_reserve_ratio[z.idx] ?? 0;
          let sum = 0;
          for (let j = z.idx + 1; j < MAX_NR_ZONES; j++) {
            sum += zones[j]?.managed_pages ?? 0;
            z.lowmem_reserve[j] = r > 0 && z.managed_pages > 0 ? Math.round(sum / r) : 0;
          }
        }
        return 0;
      },
    },
  },
  {
    id: 'unsigned-free',
    property: 'page-alloc/watermark-soundness',
    variant: {
      // free - unusable computed unsigned: a negative result wraps to a huge one
      __zone_watermark_ok: (ctx, z, order, mark, hz, flags, free) => {
        const u = __zone_watermark_unusable_free(ctx.rules, z, order, flags);
        return k.__zone_watermark_ok(
          ctx,
          z,
          order,
          mark,
          hz,
          flags,
          free - u < 0 ? free + 2 ** 60 : free,
        );
      },
    },
  },
  {
    id: 'all-zones-balance',
    property: 'page-alloc/kswapd-balance-any-zone',
    variant: {
      pgdat_balanced: (pa, order, hz) => {
        for (let i = 0; i <= hz && i < MAX_NR_ZONES; i++) {
          const z = pa.zones[i] as Zone;
          if (
            managed_zone(z) &&
            !pa.fns.zone_watermark_ok_safe(pa, z, order, high_wmark_pages(z), hz)
          )
            return false;
        }
        return true;
      },
    },
  },
  {
    id: 'classzone-own-zone',
    property: 'page-alloc/reserve-floor',
    variant: {
      // the reserve index is the zone tested, so lowmem_reserve never applies
      zone_watermark_fast: (ctx, z, order, mark, _hz, flags, gfp) =>
        k.zone_watermark_fast(ctx, z, order, mark, z.idx, flags, gfp),
    },
  },
  {
    id: 'atomic-oom-cut',
    property: 'page-alloc/atomic-floor',
    variant: {
      // non-blocking callers also get the OOM victim's halving
      gfp_to_alloc_flags: (pa, gfp, order) =>
        k.gfp_to_alloc_flags(pa, gfp, order) | (gfp & __GFP_DIRECT_RECLAIM ? 0 : ALLOC_OOM),
    },
  },
  {
    id: 'free-no-merge',
    property: 'page-alloc/buddy-well-formed',
    variant: {
      __free_one_page: (ctx, z, pfn, order, mt) => {
        z.nr_free_pages += 2 ** order;
        add_to_free_list(ctx, z, pfn, order, mt, false);
      },
    },
  },
  {
    id: 'free-drops-upper-half',
    property: 'page-alloc/page-conservation',
    variant: {
      __free_one_page: (ctx, z, pfn, order, mt, toTail) =>
        k.__free_one_page(ctx, z, pfn, Math.max(0, order - 1), mt, toTail),
    },
  },
  {
    id: 'highatomic-no-cap',
    property: 'page-alloc/highatomic-accounting',
    variant: {
      reserve_highatomic_pageblock: (ctx, z, pfn, order) => {
        const saved = z.nr_reserved_highatomic;
        // hide the count from the cap check, then account as usual
        z.nr_reserved_highatomic = 0;
        k.reserve_highatomic_pageblock(ctx, z, pfn, order);
        z.nr_reserved_highatomic += saved;
      },
    },
  },
  {
    id: 'kswapd-wake-no-record',
    property: 'page-alloc/kswapd-woken',
    variant: {
      // a running kswapd is not told about the request
      wakeup_kswapd: (pa, zone, gfp, order, hz) => {
        if (pa.pgdat.kswapd.position === 'running')
          return {
            zone,
            order,
            highest_zoneidx: hz,
            gfp,
            position: 'running',
            kswapd_failures: pa.pgdat.kswapd_failures,
            boosted: false,
            obs: null,
            woken: false,
            why: 'running',
          };
        return k.wakeup_kswapd(pa, zone, gfp, order, hz);
      },
    },
  },
  {
    id: 'kswapd-sleep-zone-dma',
    property: 'page-alloc/kswapd-sleeps-balanced',
    variant: {
      // the sleep check looks at ZONE_DMA alone, whatever kswapd was woken for
      prepare_kswapd_sleep: (pa, order) => k.prepare_kswapd_sleep(pa, order, 0),
    },
  },
];
