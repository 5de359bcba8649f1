/**
 * models/page_alloc/page_alloc.ts beyond what the harness drives: callers
 * with no watermark at all (__GFP_MEMALLOC, reclaim-and-gfp.md §5), bad
 * frees refused with the kernel's reason, pfns outside the machine, and a
 * one-value write to the lowmem_reserve_ratio vector.
 */
import { describe, expect, it } from 'vitest';
import { __GFP_MEMALLOC, __GFP_NOMEMALLOC } from '../../../../models/page_alloc/gfp.ts';
import { createPageAlloc, renewPageAlloc } from '../../../../models/page_alloc/machine.ts';
import {
  __alloc_pages,
  __free_pages,
  page_owner,
  vm_sysctl_write,
} from '../../../../models/page_alloc/page_alloc.ts';
import { pageAllocRules } from '../../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../../models/page_alloc/state.ts';
import { machine256M } from '../../../../src/systems/page_alloc/machines.ts';

const fresh = () => createPageAlloc(machine256M, pageAllocRules['6.1']);

/** GFP_ATOMIC order-0 allocations until one fails: every zone below GFP_ATOMIC's floor. */
function drained(): PageAlloc {
  const pa = fresh();
  for (let i = 0; i < 10_000; i++)
    if (__alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC, order: 0 }).pfn === null) return pa;
  throw new Error('GFP_ATOMIC never failed');
}

describe('__GFP_MEMALLOC', () => {
  it('gets a page where GFP_ATOMIC no longer can: no watermark at all', () => {
    const pa = drained();
    const dma32 = pa.zones[1] as Zone;
    // below 3/8 of min (416 -> 156), where GFP_ATOMIC stops
    expect(dma32.nr_free_pages).toBeLessThanOrEqual(156);
    expect(dma32.nr_free_pages).toBeGreaterThan(0);
    const r = __alloc_pages(pa, { gfp: pa.gfp.GFP_ATOMIC | __GFP_MEMALLOC, order: 0 });
    expect(r.pfn).not.toBeNull();
  });

  it('__GFP_NOMEMALLOC overrides it: the request fails like GFP_ATOMIC', () => {
    const pa = drained();
    const gfp = pa.gfp.GFP_ATOMIC | __GFP_MEMALLOC | __GFP_NOMEMALLOC;
    expect(__alloc_pages(pa, { gfp, order: 0 }).pfn).toBeNull();
  });
});

describe('__free_pages refuses what a caller does not hold', () => {
  it('bad order, misaligned, outside the zones, not allocated', () => {
    const pa = fresh();
    expect(__free_pages(pa, 4096, 11)).toBe('bad request: pfn 4096 order 11');
    expect(__free_pages(pa, 4096.5, 0)).toBe('bad request: pfn 4096.5 order 0');
    expect(__free_pages(pa, 4097, 1)).toBe('pfn 0x1001 is not aligned to order 1');
    // ZONE_DMA starts at pfn 1; DMA32 ends at 65504
    expect(__free_pages(pa, 0, 0)).toBe('pfn 0x0 order 0 is outside the zones');
    expect(__free_pages(pa, 64512, 10)).toBe('pfn 0xfc00 order 10 is outside the zones');
    const head = (pa.zones[1] as Zone).free_head.find((h) => h >= 0) as number;
    expect(__free_pages(pa, head, 0)).toBe(
      `bad page: pfn 0x${head.toString(16)} is buddy-free, not allocated`,
    );
  });

  it('a state retired by a newer reset may not be used', () => {
    const pa = fresh();
    renewPageAlloc(pa);
    expect(() => __free_pages(pa, 4096, 0)).toThrow('retired by a newer reset');
  });
});

describe('pages and sysctls', () => {
  it('a pfn outside the machine is a hole', () => {
    const pa = fresh();
    expect(page_owner(pa, -1)).toBe('hole');
    expect(page_owner(pa, pa.pages.npfn)).toBe('hole');
  });

  it('one value written to lowmem_reserve_ratio sets its first entry', () => {
    const pa = fresh();
    const before = [...pa.sysctl.lowmem_reserve_ratio];
    expect(vm_sysctl_write(pa, 'lowmem_reserve_ratio', 128)).toBe(0);
    expect(pa.sysctl.lowmem_reserve_ratio).toEqual([128, ...before.slice(1)]);
  });
});
