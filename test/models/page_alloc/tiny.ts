/**
 * A 32 MiB machine for unit tests: DMA pfns 0-4095, DMA32 4096-8191, nothing reserved or in use.
 * Each zone manages 4096 pages; the boot watermarks are min/low/high 90/112/134 in both, and DMA's
 * lowmem_reserve[DMA32..Device] is 16. Also the allocator states several test files share.
 */

import { ALLOC_WMARK_HIGH, ALLOC_WMARK_MASK } from '../../../models/page_alloc/alloc_flags.ts';
import { reserve_highatomic_pageblock } from '../../../models/page_alloc/buddy.ts';
import { __GFP_DMA, __GFP_DMA32 } from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc, type MachineConfig } from '../../../models/page_alloc/machine.ts';
import {
  __alloc_pages,
  __free_pages,
  vm_sysctl_write,
} from '../../../models/page_alloc/page_alloc.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { zone_watermark_fast } from '../../../models/page_alloc/watermark.ts';
import { ZONE_DMA, type ZoneCounts, zoneCounts } from '../../../models/page_alloc/zone.ts';

export const tiny: MachineConfig = {
  name: 'tiny',
  memory: [{ start: 0, end: 8192 }],
  reserved: [],
};

/** Memory above 4 GiB only: a Normal zone of 4096 pages at pfn 1048576, no DMA, no DMA32. */
export const normalOnly: MachineConfig = {
  name: 'normal-only',
  memory: [{ start: 1048576, end: 1048576 + 4096 }],
  reserved: [],
};

/**
 * tiny after `echo <kb> > min_free_kbytes`; at the default 40000 both zones get min 5000 > their
 * 4096 free pages.
 */
export function starved(v: PageAllocVersion, kb = 40000): PageAlloc {
  const pa = createPageAlloc(tiny, pageAllocRules[v]);
  vm_sysctl_write(pa, 'min_free_kbytes', kb);
  return pa;
}

/**
 * tiny under `v`'s rules with zone `zone` (DMA or DMA32) down to its highatomic reserve: the
 * pageblock at the zone start reserved (reserve_highatomic_pageblock(), as after an order-1
 * GFP_ATOMIC success there: 512 counted, and the free order-10 block it starts, 1024 pages, moved
 * to the HIGHATOMIC list), the zone's other three order-10 blocks taken by GFP_KERNEL.
 */
export function highatomicOnly(v: PageAllocVersion, zone: number): PageAlloc {
  const pa = createPageAlloc(tiny, pageAllocRules[v]);
  const z = pa.zones[zone] as Zone;
  reserve_highatomic_pageblock(pa, z, z.zone_start_pfn, 1);
  const gfp = pa.gfp.GFP_KERNEL | (zone === ZONE_DMA ? __GFP_DMA : __GFP_DMA32);
  for (let i = 0; i < 3; i++)
    if (__alloc_pages(pa, { gfp, order: 10 }).zone !== zone)
      throw new Error(`order-10 block ${i} did not come from zone ${zone}`);
  return pa;
}

/**
 * tiny under 6.1 with a task exiting in parallel: once `arm()` is called,
 * the first WMARK_HIGH check (the last-chance attempt of
 * __alloc_pages_may_oom(), the allocator's only one) is preceded by freeing
 * the first `n` pages pushed on `held`.
 */
export function withParallelExit(n: number): { pa: PageAlloc; held: number[]; arm: () => void } {
  const held: number[] = [];
  let armed = false;
  let pa: PageAlloc | null = null;
  const parallelExit: typeof zone_watermark_fast = (ctx, z, order, mark, hz, flags, gfp) => {
    if (armed && pa && (flags & ALLOC_WMARK_MASK) === ALLOC_WMARK_HIGH) {
      armed = false;
      for (const pfn of held.splice(0, n))
        if (__free_pages(pa, pfn, 0) !== null) throw new Error(`pfn ${pfn} was not held`);
    }
    return zone_watermark_fast(ctx, z, order, mark, hz, flags, gfp);
  };
  pa = createPageAlloc(tiny, pageAllocRules['6.1'], { zone_watermark_fast: parallelExit });
  return { pa, held, arm: () => (armed = true) };
}

/** Fresh counts (watermarks 0) for DMA, DMA32, Normal, Movable, Device: managed (= present) pages. */
export function zones(...managed: number[]): ZoneCounts[] {
  return [0, 1, 2, 3, 4].map((i) => zoneCounts(i, managed[i] ?? 0, managed[i] ?? 0));
}
