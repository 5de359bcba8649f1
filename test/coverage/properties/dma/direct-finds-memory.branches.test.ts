/**
 * dma/direct-finds-memory, branch by branch (dma.md §2.8): a blocking
 * allocation's failure is judged only for dma_alloc_coherent/_pages in task
 * context, with no fault and no refused conversion; it is a violation when a
 * zone at or below the device's first zone (DMA for a limit <= 2^24 - 1,
 * DMA32 for <= 2^32 - 1, else Normal), with managed pages and addressable end
 * to end, holds free - 2^order - highatomic >= high + lowmem_reserve[first
 * zone] and a free block of at least the order on an unmovable, movable or
 * reclaimable list.
 */
import { describe, expect, it } from 'vitest';
import { MIGRATE_PCPTYPES, MIGRATE_TYPES } from '../../../../models/page_alloc/pages.ts';
import type { Zone } from '../../../../models/page_alloc/state.ts';
import { high_wmark_pages } from '../../../../models/page_alloc/zone.ts';
import type { World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/direct-finds-memory.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { ctx, dev, pagesOp, run } from './world.ts';

const check = (w: World, op: DmaOp) => prop.check?.(ctx(w, op)) ?? null;
const alloc = (size: number): DmaOp => ({
  op: 'dma_alloc_coherent',
  cpu: 0,
  atomic: false,
  dev: 0,
  size,
  nowarn: false,
});

/**
 * A task allocation by a device of `bits` address bits on the 256M SEV
 * guest, recorded as if it had failed with nothing going wrong.
 */
function failed(bits: number, size = 8192, bus?: number): World {
  const w = run([alloc(size)], { config: { devices: [dev('d', bits, bus)] } });
  expect(w.stepBuffer).not.toBeNull();
  w.stepBuffer = null;
  w.events = [];
  return w;
}

const zone = (w: World, name: string): Zone => {
  const z = w.pa.zones.find((x) => x.name === name);
  if (!z) throw new Error(`no zone ${name}`);
  return z;
};

/** nr_free_pages at which the zone holds exactly high + lowmem_reserve[cz] after taking 2^order. */
const edge = (z: Zone, order: number, cz: number) =>
  high_wmark_pages(z) + (z.lowmem_reserve[cz] as number) + 2 ** order;

/** Leaves the zone one free block only: order `o`, migratetype `mt`, headed by pfn 0 (a valid pfn). */
function onlyBlock(z: Zone, o: number, mt: number): void {
  z.free_head.fill(-1);
  z.free_head[o * MIGRATE_TYPES + mt] = 0;
}

describe('direct-finds-memory: which failures are judged', () => {
  it('a failure of a 24-bit device with ZONE_DMA to spare is reported, with its zone', () => {
    const w = failed(24);
    const v = check(w, alloc(8192));
    expect(v?.subject).toBe('d request of 8192 bytes');
    expect(v?.message).toBe(
      'failed although Zone DMA holds a free block of order 1 above its watermarks',
    );
    expect(v?.details?.[0]).toMatch(/^DMA free:\d+ high:\d+$/);
  });

  it('dma_alloc_pages is judged as dma_alloc_coherent', () => {
    expect(check(failed(24), pagesOp(8192, false))).not.toBeNull();
  });

  it.each([
    ['dma_free_coherent', { op: 'dma_free_coherent', pick: 0 }],
    ['atomic_pool_work_fn', { op: 'atomic_pool_work_fn' }],
  ] as const)('after %s nothing is judged', (_n, op) => {
    expect(check(failed(24), op)).toBeNull();
  });

  it.each(['atomic', 'worker', 'kswapd'] as const)('a failure in %s context is not judged', (c) => {
    const w = failed(24);
    w.context = c;
    expect(check(w, alloc(8192))).toBeNull();
  });

  it('a request that was served is not judged', () => {
    const w = run([alloc(8192)], { config: { devices: [dev('d', 24)] } });
    expect(w.stepBuffer).not.toBeNull();
    expect(check(w, alloc(8192))).toBeNull();
  });

  it('a fault excuses the failure', () => {
    const w = failed(24);
    w.events = [{ kind: 'fault', at: 'alloc_pages' }];
    expect(check(w, alloc(8192))).toBeNull();
  });

  it('a refused conversion excuses it, an accepted one does not', () => {
    const w = failed(24);
    const conv = { kind: 'convert', op: 'set_memory_decrypted', pfn: 100, npages: 2 } as const;
    w.events = [{ ...conv, ok: false }];
    expect(check(w, alloc(8192))).toBeNull();
    w.events = [{ ...conv, ok: true }];
    expect(check(w, alloc(8192))).not.toBeNull();
  });

  it('other events (a warning, an allocation) do not excuse it', () => {
    const w = failed(24);
    w.events = [
      { kind: 'warn', text: 'page allocation failure' },
      { kind: 'alloc', by: 'direct', pfn: 100, npages: 2 },
    ];
    expect(check(w, alloc(8192))).not.toBeNull();
  });
});

describe('direct-finds-memory: the watermark of a serving zone', () => {
  it.each([
    [8192, 1],
    [8193, 2],
    [4096, 0],
  ])(
    '%i bytes (order %i): free exactly at the edge is enough, one page less is not',
    (size, order) => {
      const w = failed(24, size);
      const z = zone(w, 'DMA');
      z.nr_free_pages = edge(z, order, 0);
      expect(check(w, alloc(size))?.message).toContain(`order ${order} `);
      z.nr_free_pages -= 1;
      expect(check(w, alloc(size))).toBeNull();
    },
  );

  it('highatomic reserved pages are not spare', () => {
    const w = failed(24);
    const z = zone(w, 'DMA');
    z.nr_free_pages = edge(z, 1, 0);
    z.nr_reserved_highatomic = 1;
    expect(check(w, alloc(8192))).toBeNull();
    z.nr_free_pages += 1;
    expect(check(w, alloc(8192))).not.toBeNull();
  });

  /** A failed request of a device whose coherent_dma_mask is `limit` (no bus limit). */
  const limited = (limit: number) => {
    const w = failed(64);
    Object.assign(w.config.devices[0] ?? {}, { coherent_dma_mask: limit });
    return w;
  };

  // dma_direct_optimal_gfp_mask(): GFP_DMA for a limit <= DMA_BIT_MASK(24), GFP_DMA32 for <= DMA_BIT_MASK(32)
  it.each([
    [2 ** 24 - 1, 0],
    [2 ** 24, 1],
    [2 ** 25 - 1, 1],
  ])(
    'a limit of %i starts in zone %i: ZONE_DMA keeps its lowmem_reserve for that zone',
    (limit, cz) => {
      // DMA32 ends above 2^25 on the 256M machine: only ZONE_DMA can serve
      const w = limited(limit);
      const z = zone(w, 'DMA');
      expect(z.lowmem_reserve[1]).toBeGreaterThan(0);
      z.nr_free_pages = edge(z, 1, cz);
      expect(check(w, alloc(8192))?.message).toContain('Zone DMA ');
      z.nr_free_pages -= 1;
      expect(check(w, alloc(8192))).toBeNull();
    },
  );

  it.each([
    [2 ** 32 - 1, 1],
    [2 ** 32, 2],
    [2 ** 33 - 1, 2],
  ])('a limit of %i starts in zone %i: lowmem_reserve[1] or [2] applies', (limit, cz) => {
    const w = limited(limit);
    const dma = zone(w, 'DMA');
    zone(w, 'DMA32').nr_free_pages = 0;
    dma.lowmem_reserve[1] = 10;
    dma.lowmem_reserve[2] = 500;
    dma.nr_free_pages = edge(dma, 1, cz);
    expect(check(w, alloc(8192))?.message).toContain('Zone DMA ');
    dma.nr_free_pages -= 1;
    expect(check(w, alloc(8192))).toBeNull();
  });
});

describe('direct-finds-memory: which zones may serve', () => {
  it('a 24-bit device is not served by DMA32 (a zone above its first)', () => {
    const w = failed(24);
    zone(w, 'DMA').nr_free_pages = 0;
    const dma32 = zone(w, 'DMA32');
    dma32.nr_free_pages = edge(dma32, 1, 0) + 1000;
    expect(check(w, alloc(8192))).toBeNull();
  });

  it('a 28-bit device is served by DMA32 (below its first zone, all addressable)', () => {
    const w = failed(28);
    zone(w, 'DMA').nr_free_pages = 0;
    const dma32 = zone(w, 'DMA32');
    dma32.nr_free_pages = edge(dma32, 1, 1);
    expect(check(w, alloc(8192))?.message).toContain('Zone DMA32 ');
  });

  it('a zone whose last byte is exactly the limit serves, one page beyond does not', () => {
    // a 27-bit device: limit 2^27 - 1; DMA32 made to end at 2^27 or one page later
    const w = failed(27);
    zone(w, 'DMA').nr_free_pages = 0;
    const dma32 = zone(w, 'DMA32');
    dma32.nr_free_pages = edge(dma32, 1, 1) + 1000;
    Object.assign(dma32, { spanned_pages: 2 ** 27 / 4096 - dma32.zone_start_pfn });
    expect(check(w, alloc(8192))?.message).toContain('Zone DMA32 ');
    Object.assign(dma32, { spanned_pages: dma32.spanned_pages + 1 });
    expect(check(w, alloc(8192))).toBeNull();
  });

  it('the limit is min_not_zero(mask, bus limit): a 64-bit device on a 24-bit bus starts in DMA', () => {
    const w = failed(64, 8192, 24);
    zone(w, 'DMA').nr_free_pages = 0;
    const dma32 = zone(w, 'DMA32');
    dma32.nr_free_pages = edge(dma32, 1, 0) + 1000;
    expect(check(w, alloc(8192))).toBeNull();
  });

  it('a zone without managed pages never serves', () => {
    const w = failed(24);
    const z = zone(w, 'DMA');
    z.nr_free_pages = edge(z, 1, 0) + 100;
    Object.assign(z, { managed_pages: 1 });
    expect(check(w, alloc(8192))).not.toBeNull();
    Object.assign(z, { managed_pages: 0 });
    expect(check(w, alloc(8192))).toBeNull();
  });
});

describe('direct-finds-memory: a free block of the order', () => {
  const at = (o: number, mt: number) => {
    const w = failed(24, 8192);
    const z = zone(w, 'DMA');
    z.nr_free_pages = edge(z, 1, 0) + 100;
    onlyBlock(z, o, mt);
    return check(w, alloc(8192));
  };

  it('a block of exactly the order, or higher, on a mergeable list counts', () => {
    expect(at(1, 0)).not.toBeNull();
    expect(at(10, 0)).not.toBeNull();
    expect(at(1, MIGRATE_PCPTYPES - 1)).not.toBeNull();
  });

  it('a block one order too small does not', () => {
    expect(at(0, 0)).toBeNull();
  });

  it('a block on the highatomic list (migratetype MIGRATE_PCPTYPES) does not', () => {
    expect(at(1, MIGRATE_PCPTYPES)).toBeNull();
  });

  it('no free block at all: not judged, whatever nr_free_pages says', () => {
    const w = failed(24);
    const z = zone(w, 'DMA');
    z.nr_free_pages = edge(z, 1, 0) + 100;
    z.free_head.fill(-1);
    expect(check(w, alloc(8192))).toBeNull();
  });
});

describe('direct-finds-memory witness', () => {
  const wit = (w: World, op: DmaOp) => prop.witness?.(ctx(w, op));

  it('a blocking request that was served', () => {
    const w = run([alloc(8192)]);
    expect(wit(w, alloc(8192))).toBe(true);
    const p = run([pagesOp(8192, false)]);
    expect(wit(p, pagesOp(8192, false))).toBe(true);
  });

  it('not a failed one, an atomic one, or another op', () => {
    expect(wit(failed(24), alloc(8192))).toBe(false);
    const w = run([alloc(8192)]);
    expect(wit(w, { op: 'atomic_pool_work_fn' })).toBe(false);
    w.context = 'atomic';
    expect(wit(w, alloc(8192))).toBe(false);
  });
});
