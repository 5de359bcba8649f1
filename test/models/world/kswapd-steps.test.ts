/**
 * kswapd as the world runs it (world_kswapd() in models/world/world.ts):
 * fully asleep it has nothing to do (null, no step); woken by an
 * allocation below the low watermark, each call is one sub-step of its
 * loop, run in kswapd's own context, until it sleeps fully again; in the
 * reserve-pool design its first work is the pools' refill. And a
 * vm.lowmem_reserve_ratio write in the reserve-pool design: it recomputes
 * the zones' lowmem_reserve, so the pools are resized and kswapd woken if a
 * list is short; no other write (min_free_kbytes, a refused
 * lowmem_reserve_ratio) touches the pools.
 */
import { describe, expect, it } from 'vitest';
import { type ReservePool, reservePoolOf } from '../../../models/reserve_pool/reserve_pool.ts';
import {
  type World,
  world_arm_fault,
  world_free_pages,
  world_kswapd,
  world_vm_sysctl_write,
} from '../../../models/world/world.ts';
import { coherent, run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
const EINVAL = 22;

describe('kswapd', () => {
  it('fully asleep after boot: nothing to do', () => {
    const w = run([]);
    expect(w.pa.pgdat.kswapd.position).toBe('full_sleep');
    expect(world_kswapd(w, 32)).toBeNull();
  });

  it('woken by a burst below the low watermark, it runs one sub-step per call as kswapd, then sleeps fully once the pages are back', () => {
    const w = run([{ op: 'alloc_pages', atomic: false, zone: 'dma32', order: 0, count: 100000 }]);
    expect(w.pa.pgdat.kswapd.position).toBe('running');
    const first = world_kswapd(w, 32);
    expect(w.context).toBe('kswapd');
    if (!first || !('kswapd' in first)) throw new Error('no kswapd sub-step');
    expect(first.kswapd).toMatchObject({ kswapd_failures: w.pa.pgdat.kswapd_failures });
    world_free_pages(w, 0, w.kernelPages.length);
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = world_kswapd(w, 32);
      if (r === null) break;
      if (!('kswapd' in r)) throw new Error('a reserve step without reserve pools');
      seen.push(r.kswapd.what);
    }
    expect(seen.at(-1)).toBe('sleep-full');
    expect(w.pa.pgdat.kswapd.position).toBe('full_sleep');
    expect(world_kswapd(w, 32)).toBeNull();
  });
});

describe('the reserve-pool design', () => {
  const policy = 'reserve-pool-2019';
  const dmaPool = (w: World): ReservePool => {
    const p = w.reserve ? reservePoolOf(w.reserve, 'DMA') : null;
    if (!p) throw new Error('no DMA reserve pool');
    return p;
  };
  const listLengths = (p: ReservePool) => p.free_list.map((l) => l.length);

  it("kswapd's first sub-step after an atomic buffer is the pools' refill, in kswapd's context", () => {
    const w = run([coherent(PAGE, true)], { policy });
    const r = world_kswapd(w, 32);
    expect(r).toMatchObject({ reserve: { what: 'refill', pool: 'DMA', order: 0 } });
    expect(w.context).toBe('kswapd');
  });

  /** An order-0 list one block short with no pass pending: the refill's alloc_pages() failed. */
  function shortAndIdle(): World {
    const w = run([coherent(PAGE, true)], { policy });
    world_arm_fault(w, { at: 'alloc_pages', order: -1 });
    for (let i = 0; i < 10; i++) {
      const r = world_kswapd(w, 32);
      if (r !== null && 'reserve' in r && r.reserve.done) break;
    }
    const p = dmaPool(w);
    expect(w.reserve?.refill).toMatchObject({ pending: false, running: null });
    expect(p.free_list[0]).toHaveLength((p.target[0] as number) - 1);
    return w;
  }

  it('min_free_kbytes and a refused lowmem_reserve_ratio write leave the pools alone; a valid lowmem_reserve_ratio write resizes them and wakes kswapd for the short list', () => {
    const w = shortAndIdle();
    const r = w.reserve;
    if (!r) throw new Error('no reserve pools');
    const p = dmaPool(w);
    const target = [...p.target];
    const wakeups = r.stats.nr_wakeups;
    expect(world_vm_sysctl_write(w, 'min_free_kbytes', 2000)).toBe(0);
    expect(w.context).toBe('task');
    expect(r.refill.pending).toBe(false);
    // one value too many: -EINVAL, nothing changed
    expect(world_vm_sysctl_write(w, 'lowmem_reserve_ratio', [256, 256, 32, 0, 0, 1])).toBe(-EINVAL);
    expect(r.refill.pending).toBe(false);
    expect(r.stats.nr_wakeups).toBe(wakeups);
    // the same ratios again: the same targets, and the short list wakes kswapd
    expect(world_vm_sysctl_write(w, 'lowmem_reserve_ratio', [256, 256, 32, 0, 0])).toBe(0);
    expect(p.target).toEqual(target);
    expect(r.refill.pending).toBe(true);
    expect(r.stats.nr_wakeups).toBe(wakeups + 1);
  });

  it('a lower ratio for ZONE_DMA raises its lowmem_reserve, and the DMA pool target with it; pages move only in kswapd', () => {
    const w = run([], { policy });
    const p = dmaPool(w);
    const before = p.target_pages;
    const lists = listLengths(p);
    expect(world_vm_sysctl_write(w, 'lowmem_reserve_ratio', [64, 256, 32, 0, 0])).toBe(0);
    expect(p.target_pages).toBeGreaterThan(before);
    expect(p.target_pages).toBe(w.pa.zones[0]?.lowmem_reserve[2]);
    expect(listLengths(p)).toEqual(lists);
    expect(w.reserve?.refill.pending).toBe(true);
  });
});
