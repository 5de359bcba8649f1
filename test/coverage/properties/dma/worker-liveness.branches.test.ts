/**
 * dma/worker-liveness at the end of a run: with pools, no armed fault and
 * memory to spare (for each pool, the zones at or below its zone that have
 * managed pages hold free - high - lowmem_reserve[pool zone] >= 2 * deficit
 * + 1024 pages in total), 32 worker runs bring every pool to
 * gen_pool_avail() >= atomic_pool_size.
 */
import { describe, expect, it } from 'vitest';
import { high_wmark_pages } from '../../../../models/page_alloc/zone.ts';
import { shrink_node, writeback_folios } from '../../../../models/vmscan/vmscan.ts';
import type { World } from '../../../../models/world/world.ts';
import { availOf, poolsOf, sizeOf } from '../../../../properties/dma/pools.ts';
import prop from '../../../../properties/dma/worker-liveness.ts';
import { coherent, dev, run, runMutant } from './world.ts';

const atEnd = (w: World) => prop.atEnd?.(w) ?? null;
/** 16 pages taken from the kernel pool, leaving it 16 pages short. */
const drain = [coherent(65536, true)];

const zone = (w: World, name: string) => {
  const z = w.pa.zones.find((x) => x.name === name);
  if (!z) throw new Error(`no zone ${name}`);
  return z;
};

/** The pool the drain left below atomic_pool_size. */
function drained(w: World) {
  const s = w.pools;
  const p = s ? poolsOf(s).filter((x) => availOf(x) < s.atomic_pool_size) : [];
  expect(p.length).toBe(1);
  return p[0] as NonNullable<(typeof p)[0]>;
}

/** nr_free_pages at which ZONE_DMA alone gives the dma pool (deficit 0) exactly 1024 spare pages. */
const dmaEdge = (w: World) => high_wmark_pages(zone(w, 'DMA')) + 1024;

describe('worker-liveness', () => {
  it('the correct worker refills a drained pool', () => {
    const w = run(drain);
    const s = w.pools;
    if (!s) throw new Error('no pools');
    expect(poolsOf(s).some((p) => availOf(p) < s.atomic_pool_size)).toBe(true);
    expect(atEnd(w)).toBeNull();
    for (const p of poolsOf(s)) expect(availOf(p)).toBeGreaterThanOrEqual(s.atomic_pool_size);
  });

  it('the probe queues the work itself: a drained pool whose work is not pending is refilled', () => {
    const w = run(drain);
    const s = w.pools;
    if (!s) throw new Error('no pools');
    s.atomic_pool_work.pending = false;
    expect(atEnd(w)).toBeNull();
    for (const p of poolsOf(s)) expect(availOf(p)).toBeGreaterThanOrEqual(s.atomic_pool_size);
  });

  it('a worker that gives up leaves the drained pool below its size: reported', () => {
    const w = runMutant('worker-gives-up', drain);
    const short = drained(w);
    const v = atEnd(w);
    expect(v?.subject).toBe(`pool ${short.name}`);
    expect(v?.message).toMatch(
      /^avail \d+ still below atomic_pool_size 131072 after 32 worker runs$/,
    );
  });

  it('no pool below its size: nothing to do, even for a broken worker', () => {
    expect(atEnd(runMutant('worker-gives-up', []))).toBeNull();
  });

  it('without pools (v5.4) nothing is judged', () => {
    expect(atEnd(run(drain, { policy: 'v5.4' }))).toBeNull();
  });

  it('an armed fault excuses it', () => {
    const w = runMutant('worker-gives-up', drain);
    w.faults.push({ at: 'set_memory_decrypted', order: -1 });
    expect(atEnd(w)).toBeNull();
  });

  it('ZONE_DMA exactly 1024 pages above high (deficit 0 for the dma pool) is memory to spare; one less is not', () => {
    const w = runMutant('worker-gives-up', drain);
    zone(w, 'DMA').nr_free_pages = dmaEdge(w);
    expect(atEnd(w)).not.toBeNull();
    const x = runMutant('worker-gives-up', drain);
    zone(x, 'DMA').nr_free_pages = dmaEdge(x) - 1;
    expect(atEnd(x)).toBeNull();
  });

  it('the dma pool counts ZONE_DMA alone: DMA32 does not make up for it', () => {
    const w = runMutant('worker-gives-up', drain);
    zone(w, 'DMA').nr_free_pages = dmaEdge(w) - 1;
    zone(w, 'DMA32').nr_free_pages += 100000;
    expect(atEnd(w)).toBeNull();
  });

  it('a zone without managed pages holds nothing to spare (the kernel pool short, the others not)', () => {
    const make = (normalManaged: number) => {
      // 6.1 creates the kernel pool on the 256M machine too (mainline does not: no ZONE_NORMAL)
      const w = run(drain, { variant: { worker_gives_up: true } });
      expect(w.pools?.atomic_pool_kernel).not.toBeNull();
      const dma = zone(w, 'DMA');
      const dma32 = zone(w, 'DMA32');
      const normal = zone(w, 'Normal');
      // ZONE_DMA reserves 200 more pages against Normal requests than against DMA32 ones
      const l1 = dma.lowmem_reserve[1] as number;
      dma.lowmem_reserve[2] = l1 + 200;
      // dma pool: 1124 + l1 spare; dma32 pool: 1124 >= 1056; kernel: 924 < 1024
      dma.nr_free_pages = high_wmark_pages(dma) + 1024 + l1 + 100;
      dma32.nr_free_pages = high_wmark_pages(dma32) + (dma32.lowmem_reserve[2] as number);
      expect(dma32.lowmem_reserve[1]).toBe(dma32.lowmem_reserve[2]);
      normal.nr_free_pages = high_wmark_pages(normal) + 100000;
      Object.assign(normal, { managed_pages: normalManaged });
      return w;
    };
    expect(atEnd(make(0))).toBeNull();
    expect(atEnd(make(1))).not.toBeNull();
  });

  it('a pool above its size has no negative deficit: it still needs 1024 spare pages', () => {
    // atomic_pool_size lowered to 96 KiB: the dma pool (128 KiB free) is above it, the drained one below
    const make = (dmaSpare: number) => {
      const w = runMutant('worker-gives-up', drain);
      const short = drained(w);
      const s = w.pools;
      if (!s) throw new Error('no pools');
      s.atomic_pool_size = 96 * 1024;
      expect(availOf(short)).toBeLessThan(s.atomic_pool_size);
      expect(s.atomic_pool_dma && availOf(s.atomic_pool_dma)).toBeGreaterThan(s.atomic_pool_size);
      const dma = zone(w, 'DMA');
      dma.nr_free_pages = high_wmark_pages(dma) + dmaSpare;
      const dma32 = zone(w, 'DMA32');
      dma32.nr_free_pages = high_wmark_pages(dma32) + 10000;
      return w;
    };
    expect(atEnd(make(1023))).toBeNull();
    expect(atEnd(make(1024))).not.toBeNull();
  });

  it('the drained pool needs twice its deficit + 1024 pages over the zones up to its own', () => {
    const make = (extra: number) => {
      const w = runMutant('worker-gives-up', drain);
      const short = drained(w);
      const s = w.pools;
      if (!s) throw new Error('no pools');
      const deficit = (s.atomic_pool_size - availOf(short)) / 4096;
      expect(deficit).toBe(16);
      const top = short.name === 'dma' ? 0 : short.name === 'dma32' ? 1 : 2;
      expect(top).toBeGreaterThan(0);
      const dma = zone(w, 'DMA');
      const dma32 = zone(w, 'DMA32');
      // the dma pool (deficit 0) is never short of spare: ZONE_DMA 1024 above high
      dma.nr_free_pages = high_wmark_pages(dma) + 1024;
      // the other full pool reaches DMA with lowmem_reserve[1] or [2]: the same here
      expect(dma.lowmem_reserve[1]).toBe(dma.lowmem_reserve[2]);
      const fromDma =
        dma.nr_free_pages - high_wmark_pages(dma) - (dma.lowmem_reserve[top] as number);
      const fromDma32 = 2 * deficit + 1024 - fromDma + extra;
      dma32.nr_free_pages =
        high_wmark_pages(dma32) + (dma32.lowmem_reserve[top] as number) + fromDma32;
      return { w, short };
    };
    const at = make(0);
    expect(atEnd(at.w)?.subject).toBe(`pool ${at.short.name}`);
    expect(atEnd(make(-1).w)).toBeNull();
  });

  it('the dma32 pool counts ZONE_DMA and ZONE_DMA32 against lowmem_reserve[1]: ZONE_NORMAL does not make up for it', () => {
    // a 32-bit device drains the dma32 pool of the 4G guest; the kernel pool (deficit 0) has Normal to spare
    const make = (extra: number) => {
      const w = runMutant('worker-gives-up', [coherent(65536, true)], {
        machine: '4G',
        devices: [dev('e1000', 32)],
      });
      const short = drained(w);
      expect(short.name).toBe('dma32');
      const deficit = ((w.pools?.atomic_pool_size ?? 0) - availOf(short)) / 4096;
      const dma = zone(w, 'DMA');
      const dma32 = zone(w, 'DMA32');
      const normal = zone(w, 'Normal');
      normal.nr_free_pages = high_wmark_pages(normal) + 100000;
      const fromDma = dma.nr_free_pages - high_wmark_pages(dma) - (dma.lowmem_reserve[1] as number);
      expect(fromDma).toBeGreaterThan(0);
      dma32.nr_free_pages =
        high_wmark_pages(dma32) +
        (dma32.lowmem_reserve[1] as number) +
        2 * deficit +
        1024 -
        fromDma +
        extra;
      return w;
    };
    expect(atEnd(make(0))?.subject).toBe('pool dma32');
    expect(atEnd(make(-1))).toBeNull();
  });

  it('nothing below its size: the probe runs no worker and leaves the final state alone', () => {
    const op = coherent(8192, false);
    const w = run([op]);
    const { events, stepBuffer, context } = w;
    expect(stepBuffer).not.toBeNull();
    expect(atEnd(w)).toBeNull();
    expect(w.events).toBe(events);
    expect(w.stepBuffer).toBe(stepBuffer);
    expect(w.context).toBe(context);
  });

  describe('32 worker runs, no more', () => {
    /**
     * The 4G guest after drop_caches (dirty page cache written back, all of it
     * freed), without its dma pool (ZONE_DMA could never hold it):
     * atomic_pool_size set to what 32 runs of a correct worker reach, plus `more`.
     * Each run adds to each pool one chunk of PAGE_SIZE << min(get_order(gen_pool_size), 10)
     * bytes: 512 KiB, 1, 2, 4 MiB, then 4 MiB a run.
     */
    function roomy(more: number): World {
      const w = run([], { config: { machine: '4G' } });
      writeback_folios(w.pa, 2, Number.POSITIVE_INFINITY);
      shrink_node(w.pa, 2, Number.POSITIVE_INFINITY);
      const s = w.pools;
      if (!s?.atomic_pool_kernel) throw new Error('no kernel pool');
      s.atomic_pool_dma = null;
      let size = sizeOf(s.atomic_pool_kernel);
      for (let i = 0; i < 32; i++) size += Math.min(size, 4 << 20);
      expect(size).toBe(120 << 20);
      s.atomic_pool_size = size + more;
      return w;
    }

    it('a size 32 runs reach is refilled', () => {
      const w = roomy(0);
      expect(atEnd(w)).toBeNull();
      const s = w.pools;
      expect(s && poolsOf(s).map(sizeOf)).toEqual([120 << 20, 120 << 20]);
    });

    it('one byte more needs a 33rd run: reported', () => {
      expect(atEnd(roomy(1))).toEqual({
        subject: 'pool dma32',
        message: `avail ${120 << 20} still below atomic_pool_size ${(120 << 20) + 1} after 32 worker runs`,
      });
    });
  });
});
