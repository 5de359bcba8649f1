/**
 * The machine layer: which configs are refused, the zone spans a memory map
 * gives (spec §1, mm/mm_init.c calculate_node_totalpages()), and the boot-time
 * layout of `boot_use`, which replayed traces depend on.
 */
import { describe, expect, it } from 'vitest';
import {
  bootMachine,
  checkMachineConfig,
  type MachineConfig,
} from '../../../models/page_alloc/machine.ts';
import type { Zone } from '../../../models/page_alloc/state.ts';
import { tiny } from './tiny.ts';

/** [zone_start_pfn, spanned, present, managed] of every zone, DMA first. */
function spans(c: MachineConfig): number[][] {
  return bootMachine(c).image.zones.map((z) => [
    z.zone_start_pfn,
    z.spanned_pages,
    z.present_pages,
    z.managed_pages,
  ]);
}

/** The pfns of a folio queue's live entries, oldest first. */
function queuePfns(q: Zone['lru_clean']): number[] {
  const out: number[] = [];
  for (let i = q.head; i < q.tail; i++) out.push(q.pfn[i] as number);
  return out;
}

describe('checkMachineConfig: reserved ranges', () => {
  const twoRanges: MachineConfig = {
    name: 'two',
    memory: [
      { start: 0, end: 100 },
      { start: 200, end: 300 },
    ],
    reserved: [],
  };
  const check = (reserved: MachineConfig['reserved']) => () =>
    checkMachineConfig({ ...twoRanges, reserved });

  it('accepts a reserved range that is a whole memory range', () => {
    expect(check([{ start: 200, end: 300 }])).not.toThrow();
  });

  it('rejects a reserved range that starts in a hole and ends inside the next memory range', () => {
    // 150-250 ends inside 200-300 but starts before it, and does not fit in 0-100 either
    expect(check([{ start: 150, end: 250 }])).toThrow(
      'machine two: reserved range 150-250 is not inside one memory range',
    );
  });

  it('rejects reserved ranges out of order or overlapping (each reserved page counts once)', () => {
    const msg = 'machine two: reserved ranges must be ascending and disjoint';
    expect(
      check([
        { start: 200, end: 250 },
        { start: 10, end: 20 },
      ]),
    ).toThrow(msg);
    expect(
      check([
        { start: 10, end: 20 },
        { start: 19, end: 30 },
      ]),
    ).toThrow(msg);
    expect(
      check([
        { start: 10, end: 20 },
        { start: 20, end: 30 },
      ]),
    ).not.toThrow();
  });

  it('rejects a machine whose every page is reserved (its watermarks would divide by zero)', () => {
    const all = [
      { start: 0, end: 100 },
      { start: 200, end: 300 },
    ];
    expect(check(all)).toThrow('machine two: every page is reserved');
    expect(
      check([
        { start: 0, end: 100 },
        { start: 200, end: 299 },
      ]),
    ).not.toThrow();
  });

  it('rejects an empty reserved range even inside a memory range', () => {
    // [10, 10) holds no pfn: a reserved range must be non-empty
    expect(check([{ start: 10, end: 10 }])).toThrow(
      'machine two: reserved range 10-10 is not inside one memory range',
    );
  });
});

describe('zone spans at boot (spec §1)', () => {
  it('tiny: DMA and DMA32 span and hold 4096 pages each; Normal, Movable and Device are 0/0/0 from pfn 0', () => {
    // DMA = [0, 4096), DMA32 = [4096, min(1048576, 8192)) = [4096, 8192); Normal would start
    // at 8192 but spans nothing, and a zone that spans nothing gets zone_start_pfn 0
    // (calculate_node_totalpages); nothing reserved, so managed = present
    expect(spans(tiny)).toEqual([
      [0, 4096, 4096, 4096],
      [4096, 4096, 4096, 4096],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });

  it('memory starting above 16 MiB leaves DMA spanning nothing: start 0, spanned 0, present 0', () => {
    // DMA's range [0, 4096) lies wholly below the first pfn 6144, so zone_spanned_pages_in_node
    // gives 0 (never a negative span) and the zone start is 0; DMA32 holds all 2048 pages
    const high: MachineConfig = {
      name: 'high',
      memory: [{ start: 6144, end: 8192 }],
      reserved: [],
    };
    const m = bootMachine(high);
    const dma = m.image.zones[0] as Zone;
    expect([dma.zone_start_pfn, dma.spanned_pages, dma.present_pages, dma.managed_pages]).toEqual([
      0, 0, 0, 0,
    ]);
    expect((m.image.zones[1] as Zone).present_pages).toBe(2048);
    expect(m.zonelist).toEqual([1]);
  });
});

describe('the boot_use layout is a fixed function of the config (traces replay against it)', () => {
  it('tiny with one clean and one dirty page in DMA: the clean page is pfn 0, the dirty one pfn 1', () => {
    // The layout generator is x' = (1664525 x + 1013904223) mod 2^32 (Numerical Recipes),
    // seeded with 0x9e3779b9 = 2654435769. First draw: 1664525 * 2654435769 + 1013904223
    // = 4418375712298948 mod 2^32 = 1120982980, / 2^32 = 0.261. pick = floor(0.261 * (0 + 1 + 1))
    // = 0 < 0 + 1, so the first page is clean; its order draw is capped to 0 (1 page
    // wanted). __rmqueue_smallest splits the head order-10 block at pfn 0 (expand puts the
    // upper halves at the list heads), so clean = pfn 0, and the dirty page gets pfn 1.
    const c: MachineConfig = {
      ...tiny,
      name: 'tiny-lru',
      boot_use: [{ zone: 'DMA', unmovable: 0, pagecache: 1, dirty: 1 }],
    };
    const dma = bootMachine(c).image.zones[0] as Zone;
    expect(queuePfns(dma.lru_clean)).toEqual([0]);
    expect(queuePfns(dma.lru_dirty)).toEqual([1]);
  });
});

describe('memblock_free_all: each free range as the largest naturally aligned blocks', () => {
  it('DMA = pfns 1-4095 holds one block of each order 0-9 and three of order 10', () => {
    // 1 (order 0), 2-3 (1), 4-7 (2), ..., 512-1023 (9): each the largest block aligned at its
    // start; then 1024, 2048, 3072 as order 10 (MAX_PAGE_ORDER); 4095 pages in all
    const from1: MachineConfig = { ...tiny, name: 'from1', memory: [{ start: 1, end: 8192 }] };
    const dma = bootMachine(from1).image.zones[0] as Zone;
    expect([...dma.nr_free]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]);
    expect(dma.nr_free_pages).toBe(4095);
  });
});
