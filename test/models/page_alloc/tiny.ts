/**
 * A 32 MiB machine for unit tests: DMA pfns 0-4095, DMA32 4096-8191, nothing reserved or in use.
 * Each zone manages 4096 pages; the boot watermarks are min/low/high 90/112/134 in both, and DMA's
 * lowmem_reserve[DMA32..Device] is 16. Also the allocator states several test files share.
 */
import { reserve_highatomic_pageblock } from '../../../models/page_alloc/buddy.ts';
import { __GFP_DMA, __GFP_DMA32 } from '../../../models/page_alloc/gfp.ts';
import { createPageAlloc, type MachineConfig } from '../../../models/page_alloc/machine.ts';
import { __alloc_pages, vm_sysctl_write } from '../../../models/page_alloc/page_alloc.ts';
import { type PageAllocVersion, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import { ZONE_DMA } from '../../../models/page_alloc/zone.ts';

export const tiny: MachineConfig = {
  name: 'tiny',
  memory: [{ start: 0, end: 8192 }],
  reserved: [],
};

/** tiny after `echo 40000 > min_free_kbytes`: both zones get min 5000 > their 4096 free pages. */
export function starved(v: PageAllocVersion): PageAlloc {
  const pa = createPageAlloc(tiny, pageAllocRules[v]);
  vm_sysctl_write(pa, 'min_free_kbytes', 40000);
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
