/**
 * Watermark checks and machine setup against page-alloc.md §2, §8: the edges the other unit tests
 * leave open (5.4 flag reductions, free-list heads at pfn 0, the order-0 shortcut, exact int_sqrt)
 * and the one-line machine config errors.
 */
import { describe, expect, it } from 'vitest';
import {
  ALLOC_HARDER,
  ALLOC_HIGH,
  ALLOC_HIGHATOMIC,
  ALLOC_MIN_RESERVE,
  ALLOC_OOM,
} from '../../../models/page_alloc/alloc_flags.ts';
import {
  __rmqueue_smallest,
  reserve_highatomic_pageblock,
} from '../../../models/page_alloc/buddy.ts';
import {
  bootMachine,
  checkMachineConfig,
  createPageAlloc,
  type MachineConfig,
  renewPageAlloc,
} from '../../../models/page_alloc/machine.ts';
import {
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
} from '../../../models/page_alloc/pages.ts';
import { type PageAllocRules, pageAllocRules } from '../../../models/page_alloc/rules.ts';
import type { PageAlloc, Zone } from '../../../models/page_alloc/state.ts';
import {
  __zone_watermark_ok,
  __zone_watermark_unusable_free,
  reducedMark,
  zone_watermark_fast,
  zone_watermark_ok,
} from '../../../models/page_alloc/watermark.ts';
import { int_sqrt } from '../../../models/page_alloc/watermark_setup.ts';
import { tiny } from './tiny.ts';

const R61 = pageAllocRules['6.1'];
const R54 = pageAllocRules['5.4'];

/** tiny's DMA (pfns 0-4095, idx 0) or DMA32 (pfns 4096-8191, idx 1). */
function zone(rules: PageAllocRules, idx: 0 | 1): { pa: PageAlloc; z: Zone } {
  const pa = createPageAlloc(tiny, rules);
  return { pa, z: pa.zones[idx] as Zone };
}

/** Takes the zone's four free order-10 blocks (all of its 4096 pages) off the free lists. */
function emptyLists(pa: PageAlloc, z: Zone): void {
  for (let i = 0; i < 4; i++)
    expect(__rmqueue_smallest(pa, z, 10, MIGRATE_MOVABLE)).toBeGreaterThanOrEqual(0);
  expect(Array.from(z.nr_free).every((n) => n === 0)).toBe(true);
}

describe('__zone_watermark_unusable_free', () => {
  it('5.4: only HARDER or OOM count the highatomic reserve as usable; ALLOC_HIGH alone does not', () => {
    const { pa, z } = zone(R54, 1);
    reserve_highatomic_pageblock(pa, z, 4096, 1); // one pageblock: 512 reserved
    expect(z.nr_reserved_highatomic).toBe(512);
    // (2^0 - 1) + 512; (2^3 - 1) + 512
    expect(__zone_watermark_unusable_free(R54, z, 0, ALLOC_HIGH)).toBe(512);
    expect(__zone_watermark_unusable_free(R54, z, 3, 0)).toBe(519);
    expect(__zone_watermark_unusable_free(R54, z, 3, ALLOC_HARDER)).toBe(7);
    expect(__zone_watermark_unusable_free(R54, z, 3, ALLOC_OOM)).toBe(7);
  });

  it('6.1.y: any ALLOC_RESERVES bit (MIN_RESERVE or HIGHATOMIC alone too) exempts the reserve', () => {
    const { pa, z } = zone(R61, 1);
    reserve_highatomic_pageblock(pa, z, 4096, 1);
    expect(__zone_watermark_unusable_free(R61, z, 0, 0)).toBe(512);
    expect(__zone_watermark_unusable_free(R61, z, 0, ALLOC_MIN_RESERVE)).toBe(0);
    expect(__zone_watermark_unusable_free(R61, z, 0, ALLOC_HIGHATOMIC)).toBe(0);
  });
});

describe('reducedMark, 5.4 / 6.1.0 scheme', () => {
  it('ALLOC_OOM halves the mark (100 -> 50), instead of the HARDER quarter', () => {
    expect(reducedMark(R54, 100, ALLOC_OOM)).toBe(50);
    // OOM wins over HARDER: 100 - 50, not 100 - 25
    expect(reducedMark(R54, 100, ALLOC_OOM | ALLOC_HARDER)).toBe(50);
    // HIGH then OOM: 100 - 50 = 50, 50 - 25 = 25; odd marks keep the ceiling: 263 -> 132 -> 66
    expect(reducedMark(R54, 100, ALLOC_OOM | ALLOC_HIGH)).toBe(25);
    expect(reducedMark(R54, 263, ALLOC_OOM | ALLOC_HIGH)).toBe(66);
  });
});

describe('__zone_watermark_ok free-list test', () => {
  it('order 0 passes on the free count alone: the free lists are not consulted', () => {
    const { pa, z } = zone(R61, 1);
    emptyLists(pa, z);
    // free 5000 - 0 > 0 + lowmem_reserve[1] = 0
    expect(__zone_watermark_ok(pa, z, 0, 0, 1, 0, 5000)).toBe(true);
    expect(__zone_watermark_ok(pa, z, 1, 0, 1, 0, 5000)).toBe(false);
  });

  it('a movable block heading its list at pfn 0 satisfies a high-order check', () => {
    const { pa, z } = zone(R61, 0);
    emptyLists(pa, z);
    pa.fns.__free_one_page(pa, z, 0, 3, MIGRATE_MOVABLE, false);
    expect(z.free_head[3 * MIGRATE_TYPES + MIGRATE_MOVABLE]).toBe(0);
    expect(__zone_watermark_ok(pa, z, 3, 0, 0, 0, 5000)).toBe(true);
    expect(__zone_watermark_ok(pa, z, 4, 0, 0, 0, 5000)).toBe(false); // nothing of order >= 4
  });

  it('a highatomic block at pfn 0 counts with OOM (6.1.y) or HARDER (5.4), not with flags 0', () => {
    for (const [rules, flag] of [
      [R61, ALLOC_OOM],
      [R61, ALLOC_HIGHATOMIC],
      [R54, ALLOC_HARDER],
    ] as const) {
      const { pa, z } = zone(rules, 0);
      emptyLists(pa, z);
      pa.fns.__free_one_page(pa, z, 0, 3, MIGRATE_HIGHATOMIC, false);
      expect(z.free_head[3 * MIGRATE_TYPES + MIGRATE_HIGHATOMIC]).toBe(0);
      expect(__zone_watermark_ok(pa, z, 3, 0, 0, flag, 5000)).toBe(true);
      expect(__zone_watermark_ok(pa, z, 3, 0, 0, 0, 5000)).toBe(false);
    }
  });
});

describe('zone_watermark_fast order-0 shortcut', () => {
  /** A state whose __zone_watermark_ok counts its calls (the kernel's, via the variant table). */
  function counted(rules: PageAllocRules): { pa: PageAlloc; z: Zone; calls: () => number } {
    let n = 0;
    const pa = createPageAlloc(tiny, rules, {
      __zone_watermark_ok: (...args: Parameters<typeof __zone_watermark_ok>) => {
        n += 1;
        return __zone_watermark_ok(...args);
      },
    });
    return { pa, z: pa.zones[1] as Zone, calls: () => n };
  }

  it('6.1.y: usable > raw mark + reserve answers without calling __zone_watermark_ok', () => {
    const { pa, z, calls } = counted(R61);
    z.nr_free_pages = 4096; // no highatomic reserve: usable = 4096 - min(4096, 0)
    expect(zone_watermark_fast(pa, z, 0, 100, 1, 0, 0)).toBe(true);
    expect(calls()).toBe(0);
  });

  it('6.1.y: free below the highatomic reserve clamps usable to 0 and falls through', () => {
    const { pa, z, calls } = counted(R61);
    reserve_highatomic_pageblock(pa, z, 4096, 1);
    z.nr_free_pages = 500; // usable = 500 - min(500, 512) = 0, not > 0: the full check runs
    expect(zone_watermark_fast(pa, z, 0, 0, 1, 0, 0)).toBe(false); // 500 - 512 <= 0
    expect(calls()).toBe(1);
    // OOM: the reserve is usable, 500 - 0 > 0 passes in the shortcut
    expect(zone_watermark_fast(pa, z, 0, 0, 1, ALLOC_OOM, 0)).toBe(true);
    expect(calls()).toBe(1);
  });

  it('strict in both versions: free equal to mark + lowmem_reserve fails', () => {
    for (const rules of [R54, R61]) {
      const { pa, z } = zone(rules, 1);
      z.lowmem_reserve[2] = 50;
      z.nr_free_pages = 200; // == 150 + 50; no highatomic reserve, flags 0: no reductions
      expect(zone_watermark_fast(pa, z, 0, 150, 2, 0, 0)).toBe(false);
      z.nr_free_pages = 201;
      expect(zone_watermark_fast(pa, z, 0, 150, 2, 0, 0)).toBe(true);
    }
  });
});

describe('zone_watermark_ok', () => {
  it('checks NR_FREE_PAGES with the flags as given (6.1.y)', () => {
    const { pa, z } = zone(R61, 1);
    reserve_highatomic_pageblock(pa, z, 4096, 1);
    z.nr_free_pages = 600;
    // flags 0: 600 - 512 = 88 <= 100; OOM: reserve usable, 600 > 100 - 50 = 50
    expect(zone_watermark_ok(pa, z, 0, 100, 1, 0)).toBe(false);
    expect(zone_watermark_ok(pa, z, 0, 100, 1, ALLOC_OOM)).toBe(true);
    z.nr_free_pages = 50; // 50 <= 50
    expect(zone_watermark_ok(pa, z, 0, 100, 1, ALLOC_OOM)).toBe(false);
  });
});

describe('int_sqrt', () => {
  it('is the exact floor where Math.sqrt rounds up: (2^26 + 1)^2 - 1 -> 2^26', () => {
    // sqrt = 2^26 + 1 - 1/(2^27 + 2) + ..., within half an ulp of 2^26 + 1: Math.sqrt rounds up
    const n = 2 ** 26 + 1;
    expect(int_sqrt(n * n - 1)).toBe(2 ** 26);
    expect(int_sqrt(n * n)).toBe(n);
  });
});

describe('machine config validation', () => {
  function message(c: MachineConfig): string {
    try {
      checkMachineConfig(c);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  }
  const base: MachineConfig = { name: 'bad', memory: [{ start: 0, end: 100 }], reserved: [] };

  it('rejects empty, overlapping or descending memory ranges', () => {
    const msg = 'machine bad: memory ranges must be ascending, non-empty pfn ranges';
    expect(message({ ...base, memory: [{ start: 10, end: 10 }] })).toBe(msg);
    expect(
      message({
        ...base,
        memory: [
          { start: 0, end: 100 },
          { start: 50, end: 200 },
        ],
      }),
    ).toBe(msg);
  });

  it('rejects no memory and more than 2^31 pfns (32-bit buddy arithmetic)', () => {
    expect(message({ ...base, memory: [] })).toBe('machine bad: no memory');
    expect(message({ ...base, memory: [{ start: 0, end: 2 ** 31 + 1 }] })).toBe(
      'machine bad: more than 2^31 pfns (8 TiB)',
    );
    expect(message({ ...base, memory: [{ start: 0, end: 2 ** 31 }] })).toBe('no error');
  });

  it('rejects a reserved range outside memory and a boot_use of an unknown zone', () => {
    expect(message({ ...base, reserved: [{ start: 50, end: 150 }] })).toBe(
      'machine bad: reserved range 50-150 is not inside one memory range',
    );
    expect(
      message({ ...base, boot_use: [{ zone: 'HighMem', unmovable: 1, pagecache: 0, dirty: 0 }] }),
    ).toBe('machine bad: boot_use names no zone HighMem');
    // boot takes whole pages: a fractional or negative count is refused, not rounded
    for (const [unmovable, pagecache, dirty] of [
      [0.5, 0, 0],
      [0, -1, 0],
      [0, 0, 2.5],
    ] as const)
      expect(message({ ...base, boot_use: [{ zone: 'DMA', unmovable, pagecache, dirty }] })).toBe(
        'machine bad: boot_use counts of DMA must be whole numbers of pages',
      );
  });
});

describe('machine defaults', () => {
  it('bootMachine and createPageAlloc default to the 6.1 rules', () => {
    expect(bootMachine(tiny).rules).toBe(R61);
    expect(createPageAlloc(tiny).rules).toBe(R61);
  });

  it('a renewed state has inserted no free block since boot: empty touch log, no overflow', () => {
    const pa = createPageAlloc(tiny, R61);
    pa.touched_overflow = true; // as after a step that inserted more heads than the log holds
    const next = renewPageAlloc(pa);
    expect(next.ntouched).toBe(0);
    expect(next.touched_overflow).toBe(false);
  });
});
