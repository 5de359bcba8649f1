/**
 * The world's default CMA area (models/world/world.ts cma_alloc(),
 * cma_release(), inCma()), as mm/cma.c and dma.md describe it: cma_alloc()
 * may sleep, takes the first free run aligned to 2^min(order,
 * CONFIG_CMA_ALIGNMENT) pages (T19: a 4 MiB block may start off its 4 MiB
 * boundary), a run may end exactly at the area's end, and one page is a
 * valid request (a pool's order-0 chunk); cma_release() gives back exactly
 * the run it is handed, the area's first and last pages included, and
 * refuses a run whose first page lies outside the area, which goes to the
 * buddy allocator (its free event says it is not CMA); a run that starts
 * inside and ends past the area hits VM_BUG_ON. Without an area, cma_alloc()
 * finds nothing. v5.4 has no atomic pools on x86, so its area holds only
 * what dma-direct takes.
 */
import { describe, expect, it } from 'vitest';
import { PG_RESERVED } from '../../../models/page_alloc/pages.ts';
import type { World } from '../../../models/world/world.ts';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import type { DmaScenarioConfig } from '../../../src/systems/dma/system.ts';
import { coherent, dev, freeEvent, mutantSetup, run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
const MIB = 1048576;

/** A 4G SEV guest with a 64-bit and a 32-bit device and a CMA area of `size_mib` at `base_mib`. */
const withArea = (base_mib: number, size_mib: number): Partial<DmaScenarioConfig> => ({
  machine: '4G',
  devices: [dev('nvme0', 64), dev('e1000', 32)],
  cma: { base_mib, size_mib },
});
const v54 = (base_mib: number, size_mib: number) => ({
  policy: 'v5.4',
  config: withArea(base_mib, size_mib),
});
const freeBuffer = (pick: number): DmaOp => ({ op: 'dma_free_coherent', pick });

function area(w: World): NonNullable<World['cma']> {
  if (!w.cma) throw new Error('no CMA area');
  return w.cma;
}
const used = (w: World) => area(w).bitmap.reduce((a, b) => a + b, 0);
/** The pfns of the live buffers, in allocation order. */
const pfns = (w: World) => w.buffers.map((b) => b.phys / PAGE);

describe('cma_alloc()', () => {
  it('a request the size of the whole area takes it all; it may sleep', () => {
    const w = run([coherent(4 * MIB, false)], v54(4100, 4));
    const base = area(w).base_pfn;
    expect(w.events.slice(0, 3)).toEqual([
      { kind: 'may_sleep', what: 'dma_alloc_contiguous()' },
      { kind: 'may_sleep', what: 'cma_alloc(1024 pages)' },
      { kind: 'alloc', by: 'direct', pfn: base, npages: 1024, cma: true },
    ]);
    expect(w.buffers.map((b) => b.source)).toEqual(['cma']);
    expect(used(w)).toBe(1024);
  });

  it('alignment is 2^order pages up to 2^8: two 12 KiB requests lie 4 pages apart', () => {
    const w = run([coherent(12288, false), coherent(12288, false)], v54(4100, 8));
    const base = area(w).base_pfn;
    expect(pfns(w)).toEqual([base, base + 4]);
  });

  it('T19: a 4 MiB request after a 1 MiB one starts 1 MiB into the area, off its 4 MiB boundary', () => {
    const w = run([coherent(MIB, false), coherent(4 * MIB, false)], v54(4100, 8));
    const base = area(w).base_pfn;
    expect(pfns(w)).toEqual([base, base + 256]);
    expect(w.buffers.map((b) => b.source)).toEqual(['cma', 'cma']);
  });

  it('first fit: a released run is reused though the run after it is still allocated', () => {
    // A and B adjacent, A released, then C and D of the same size
    const w = run(
      [coherent(16384, false), coherent(16384, false), freeBuffer(0), coherent(16384, false)],
      v54(4100, 8),
    );
    const base = area(w).base_pfn;
    // B (still held) and C, which took A's place
    expect(pfns(w)).toEqual([base + 4, base]);
    expect(used(w)).toBe(8);
    const d = run(
      [
        coherent(16384, false),
        coherent(16384, false),
        freeBuffer(0),
        coherent(16384, false),
        coherent(16384, false),
      ],
      v54(4100, 8),
    );
    // releasing A left B allocated: D does not land on B
    expect(pfns(d)).toEqual([base + 4, base, base + 8]);
  });

  it("one page: the kernel pool's order-0 chunk (coherent_pool=4K) comes from the area, and dma-direct's next run skips it", () => {
    // mainline: cma_in_zone(GFP_KERNEL) holds for an area in ZONE_NORMAL
    const w = run([coherent(8192, false)], {
      policy: 'mainline',
      config: { ...withArea(4100, 4), coherent_pool: '4K' },
    });
    const base = area(w).base_pfn;
    const chunk = w.pools?.atomic_pool_kernel?.chunks[0];
    expect(chunk).toMatchObject({ phys: base * PAGE, size: PAGE, order: 0, cma: true });
    expect(w.buffers.map((b) => [b.phys / PAGE, b.source])).toEqual([[base + 2, 'cma']]);
    expect(used(w)).toBe(3);
  });

  it('without an area, BZ-03 expansion (CMA whatever the zone) finds nothing and boots as mainline does', () => {
    const plain = run([], { policy: 'mainline' });
    const w = run([], { policy: 'mainline', variant: { expand_cma_any_zone: true } });
    expect(w.cma).toBeNull();
    expect(w.events).toEqual(plain.events);
    expect(w.events.some((e) => e.kind === 'alloc' && e.cma === true)).toBe(false);
  });
});

describe('cma_release()', () => {
  it('the whole area, from its first to its last page, goes back to the area', () => {
    const w = run([coherent(4 * MIB, false), freeBuffer(0)], v54(4100, 4));
    const base = area(w).base_pfn;
    expect(w.events.filter((e) => e.kind === 'free')).toEqual([
      freeEvent(base, 1024, 'direct', { into: 'cma', cma: true }),
    ]);
    expect(w.events.some((e) => e.kind === 'bug')).toBe(false);
    expect(used(w)).toBe(0);
    expect(w.pa.pages.owner.slice(base, base + 1024).every((o) => o === PG_RESERVED)).toBe(true);
  });

  it('a buddy page below the area (32-bit device) is refused and goes to the buddy allocator', () => {
    const w = run([coherent(PAGE, false, false), freeBuffer(0)], {
      ...v54(4100, 4),
      config: { ...withArea(4100, 4), devices: [dev('e1000', 32)] },
    });
    const free = w.events.filter((e) => e.kind === 'free');
    expect(free.length).toBe(1);
    const pfn = free[0]?.kind === 'free' ? free[0].pfn : -1;
    expect(pfn).toBeLessThan(area(w).base_pfn);
    expect(free).toEqual([freeEvent(pfn, 1)]);
    expect(used(w)).toBe(0);
  });

  it('a block starting right after the area is not a CMA block', () => {
    // the kernel's order-10 block lands at 5004 MiB: the area [5000, 5004) MiB ends there
    const ops: DmaOp[] = [
      { op: 'alloc_pages', atomic: false, zone: 'normal', order: 10, count: 1 },
      { op: '__free_pages', pick: 0, count: 1 },
    ];
    const w = run(ops, v54(5000, 4));
    const a = area(w);
    expect(w.events).toEqual([freeEvent(a.base_pfn + a.count, 1024, 'kernel')]);
  });

  it('BZ-19 at the end of the area: a release one page past the end hits VM_BUG_ON; only the area part is released', () => {
    // CMA gave size >> PAGE_SHIFT = 256 pages, the area's last 1 MiB; the free releases PFN_UP = 257
    const bz19 = mutantSetup('cma-one-page-short', withArea(4100, 4));
    const ops = [coherent(MIB, false), coherent(MIB, false), coherent(MIB + 100, false)];
    const held = run(ops, bz19);
    const a = area(held);
    expect(held.buffers.at(-1)?.phys).toBe((a.base_pfn + a.count - 256) * PAGE);
    const w = run([...ops, freeBuffer(2)], bz19);
    // the range check (cma_pages_valid() since v5.16) reads the first page only; then VM_BUG_ON(pfn + count > base_pfn + count)
    const pfn = a.base_pfn + a.count - 256;
    const hex = (n: number) => `0x${n.toString(16)}`;
    expect(w.events.filter((e) => e.kind === 'bug' || e.kind === 'free')).toEqual([
      {
        kind: 'bug',
        detail: `VM_BUG_ON: cma_release: pfn ${hex(pfn)} + 257 pages runs past the area's end ${hex(a.base_pfn + a.count)}`,
      },
      freeEvent(pfn, 256, 'direct', { into: 'cma', cma: true }),
    ]);
  });
});
