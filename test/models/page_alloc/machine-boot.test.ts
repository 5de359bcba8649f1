/**
 * Boot: what `boot_use` leaves allocated (kernel memory on MIGRATE_UNMOVABLE
 * pageblocks, clean and dirty page cache on MIGRATE_MOVABLE ones, drawn
 * interleaved from a fixed generator so the free lists fragment), the cache
 * of booted machines per config and rule set, and the independence of an
 * allocator state from the boot image it was copied from.
 */
import { describe, expect, it } from 'vitest';
import { gfpComposites } from '../../../models/page_alloc/gfp.ts';
import {
  bootMachine,
  createPageAlloc,
  type MachineConfig,
  type ZoneUse,
} from '../../../models/page_alloc/machine.ts';
import { __alloc_pages } from '../../../models/page_alloc/page_alloc.ts';
import {
  get_pageblock_migratetype,
  MIGRATE_MOVABLE,
  MIGRATE_UNMOVABLE,
  PG_ALLOCATED,
  PG_FREE,
  PG_PAGECACHE,
} from '../../../models/page_alloc/pages.ts';
import { pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { FolioQueue, Zone } from '../../../models/page_alloc/state.ts';
import { tiny } from './tiny.ts';

const R61 = pageAllocRules['6.1'];

/** `base` with `boot_use`; a fresh config object, so a fresh boot. */
function using(base: MachineConfig, ...boot_use: ZoneUse[]): MachineConfig {
  return { ...base, name: `${base.name}+use`, boot_use };
}

/** [pfn, order] of a folio queue's live entries, oldest first. */
function folios(q: FolioQueue): number[][] {
  const out: number[][] = [];
  for (let i = q.head; i < q.tail; i++) out.push([q.pfn[i] as number, q.order[i] as number]);
  return out;
}

/** The pfns of zone `z` (spanned range) whose owner is `owner`. */
function owned(c: MachineConfig, z: Zone, owner: number): number[] {
  const o = bootMachine(c).image.pages.owner;
  const out: number[] = [];
  for (let p = z.zone_start_pfn; p < z.zone_start_pfn + z.spanned_pages; p++)
    if (o[p] === owner) out.push(p);
  return out;
}

describe('boot_use: kernel memory and page cache left by boot', () => {
  it('allocates exactly the pages asked: kernel memory PG_ALLOCATED on MIGRATE_UNMOVABLE pageblocks, page cache on MOVABLE ones', () => {
    const use: ZoneUse[] = [
      { zone: 'DMA', unmovable: 200, pagecache: 300, dirty: 0 },
      { zone: 'DMA32', unmovable: 0, pagecache: 0, dirty: 300 },
    ];
    const c = using(tiny, ...use);
    const m = bootMachine(c);
    const mt = (p: number) => get_pageblock_migratetype(m.image.pages, p);
    for (const [i, u] of use.entries()) {
      const z = m.image.zones[i] as Zone;
      expect([z.nr_allocated, z.nr_clean, z.nr_dirty]).toEqual([u.unmovable, u.pagecache, u.dirty]);
      expect(z.nr_free_pages).toBe(4096 - u.unmovable - u.pagecache - u.dirty);
      const kernel = owned(c, z, PG_ALLOCATED);
      const cache = owned(c, z, PG_PAGECACHE);
      expect([kernel.length, cache.length]).toEqual([u.unmovable, u.pagecache + u.dirty]);
      // anti-fragmentation grouping: kernel memory steals whole blocks for MIGRATE_UNMOVABLE
      // (can_steal_fallback), page cache stays in the MIGRATE_MOVABLE ones
      expect(kernel.every((p) => mt(p) === MIGRATE_UNMOVABLE)).toBe(true);
      expect(cache.every((p) => mt(p) === MIGRATE_MOVABLE)).toBe(true);
      // each LRU holds its folios at orders 0-2, not only single pages (the order drawn
      // is capped by what is still owed of the folio's own kind, not of another kind)
      for (const q of [z.lru_clean, z.lru_dirty].filter((q) => q.tail > q.head)) {
        const orders = folios(q).map(([, o]) => o ?? -1);
        expect(orders.every((o) => o >= 0 && o <= 2)).toBe(true);
        expect(orders.some((o) => o > 0)).toBe(true);
      }
    }
  });

  it('asking more than the zone holds fills the zone and stops: no free page left, none over-counted', () => {
    const c = using(tiny, { zone: 'DMA', unmovable: 1000, pagecache: 3000, dirty: 1000 });
    const [dma, dma32] = bootMachine(c).image.zones as [Zone, Zone];
    expect(dma.nr_free_pages).toBe(0);
    expect(dma.nr_allocated + dma.nr_clean + dma.nr_dirty).toBe(4096);
    expect(owned(c, dma, PG_FREE)).toEqual([]);
    expect(dma32.nr_free_pages).toBe(4096);
  });

  it('pinned layout of a small boot_use (traces replay against the exact boot layout)', () => {
    // Kernel memory fills pfns 0-23 of the order-10 block it steals (both its pageblocks
    // turn MIGRATE_UNMOVABLE); clean and dirty folios alternate in the next block, as the
    // kinds are drawn interleaved in proportion to what is still owed.
    const c = using(tiny, { zone: 'DMA', unmovable: 24, pagecache: 8, dirty: 8 });
    const dma = bootMachine(c).image.zones[0] as Zone;
    expect(owned(c, dma, PG_ALLOCATED)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(folios(dma.lru_clean)).toEqual([
      [1025, 0],
      [1028, 2],
      [1033, 0],
      [1034, 1],
    ]);
    expect(folios(dma.lru_dirty)).toEqual([
      [1024, 0],
      [1026, 1],
      [1032, 0],
      [1036, 2],
    ]);
  });
});

describe('bootMachine: one boot per config and rule set', () => {
  it('the same config and rules give the same booted machine', () => {
    const c = using(tiny, { zone: 'DMA', unmovable: 8, pagecache: 8, dirty: 8 });
    expect(bootMachine(c, R61)).toBe(bootMachine(c, R61));
    expect(createPageAlloc(c).machine).toBe(bootMachine(c));
  });

  it('a rule variant with the same id (as the mutant tests build) boots under its own rules', () => {
    // tiny: min_free_kbytes = int_sqrt(32768 kB * 16) = 724, clamped to 512 by the variant
    const variant = { ...R61, min_free_kbytes_max: 512 };
    const plain = bootMachine(tiny, R61);
    const own = bootMachine(tiny, variant);
    expect(own).not.toBe(plain);
    expect(own.rules).toBe(variant);
    expect([plain.sysctl.min_free_kbytes, own.sysctl.min_free_kbytes]).toEqual([724, 512]);
  });
});

describe('createPageAlloc: a state is a copy of the boot image', () => {
  it('allocating from a state leaves the boot image, and the next state, as booted', () => {
    const c = using(tiny, { zone: 'DMA32', unmovable: 16, pagecache: 16, dirty: 0 });
    const booted = structuredClone(bootMachine(c).image.zones);
    const pa = createPageAlloc(c);
    const g = gfpComposites(R61);
    for (let i = 0; i < 4; i++) __alloc_pages(pa, { gfp: g.GFP_KERNEL, order: i, reclaim: 0 });
    expect(pa.zones).not.toEqual(booted);
    expect(bootMachine(c).image.zones).toEqual(booted);
    expect(createPageAlloc(c).zones).toEqual(booted);
  });
});
