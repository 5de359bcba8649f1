/**
 * Branch tests of the reserve properties: blockable-reserve-floor (I12: a
 * page allocation that may reclaim and has no reserve access leaves free -
 * 2^order >= watermark + boost + lowmem_reserve + highatomic; others are not
 * judged) and reserve-high-order-guarantee (T2019: an atomic coherent
 * request the reserve pool guaranteed, of a device that can address the
 * whole pool's zone, does not fail).
 */
import { describe, expect, it } from 'vitest';
import {
  __GFP_DIRECT_RECLAIM,
  __GFP_HIGH,
  __GFP_MEMALLOC,
} from '../../../../models/page_alloc/gfp.ts';
import type { AllocResult } from '../../../../models/page_alloc/page_alloc.ts';
import type { World } from '../../../../models/world/world.ts';
import floorProp from '../../../../properties/dma/reserve-floor.ts';
import guarantee from '../../../../properties/dma/reserve-guarantee.ts';
import { reserveFloor } from '../../../../properties/page_alloc/reserve-floor.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, dev, pagesOp, run } from './world.ts';

const task = coherent(8192, false);

describe('blockable-reserve-floor', () => {
  const check = (w: World) => floorProp.check?.(ctx(w, task)) ?? null;
  /** The task allocation's page allocation, its free count set so that 2^order - free leaves `after`. */
  function leaving(delta: number): World {
    const w = run([task]);
    const r = w.stepAllocs[0];
    const won = r?.won;
    if (!r || !won) throw new Error('no page allocation');
    const floor = reserveFloor(w.pa.rules, r);
    w.stepAllocs[0] = { ...r, won: { ...won, free: floor + 2 ** r.order + delta } };
    return w;
  }

  it('the real allocation holds', () => {
    expect(check(run([task]))).toBeNull();
  });

  it('leaving exactly the floor holds; one page below is reported', () => {
    expect(check(leaving(0))).toBeNull();
    const v = check(leaving(-1));
    expect(v?.subject).toBe('zone DMA32');
    expect(v?.message).toMatch(/^order-1 fast allocation left free \d+ < floor \d+$/);
    expect(v?.details).toEqual(['lowmem_reserve[2] = 0']);
  });

  it('an allocation without __GFP_DIRECT_RECLAIM is not judged', () => {
    const w = leaving(-1);
    const r = w.stepAllocs[0] as AllocResult;
    w.stepAllocs[0] = { ...r, gfp: r.gfp & ~__GFP_DIRECT_RECLAIM };
    expect(check(w)).toBeNull();
  });

  it.each([
    ['__GFP_HIGH', __GFP_HIGH],
    ['__GFP_MEMALLOC', __GFP_MEMALLOC],
  ])('an allocation with %s (reserve access) is not judged', (_n, flag) => {
    const w = leaving(-1);
    const r = w.stepAllocs[0] as AllocResult;
    w.stepAllocs[0] = { ...r, gfp: r.gfp | flag };
    expect(check(w)).toBeNull();
  });

  it('every allocation of the step is read: a bad second one', () => {
    const w = leaving(-1);
    const bad = w.stepAllocs[0] as AllocResult;
    const ok = leaving(0).stepAllocs[0] as AllocResult;
    w.stepAllocs.splice(0, 1, ok, bad);
    expect(check(w)).not.toBeNull();
  });

  it('witness: a covered allocation that met a lowmem reserve; not one with reserve 0', () => {
    const w = run([task]);
    expect(floorProp.witness?.(ctx(w, task))).toBe(false);
    const r = w.stepAllocs[0] as AllocResult;
    w.stepAllocs[0] = { ...r, won: { ...(r.won as NonNullable<AllocResult['won']>), reserve: 1 } };
    expect(floorProp.witness?.(ctx(w, task))).toBe(true);
    // one such allocation among others of the step is enough; a step without any is none
    w.stepAllocs.push(r);
    expect(floorProp.witness?.(ctx(w, task))).toBe(true);
    w.stepAllocs = [];
    expect(floorProp.witness?.(ctx(w, task))).toBe(false);
  });
});

describe('reserve-high-order-guarantee', () => {
  const atomic = coherent(8192, true);
  const check = (w: World, op: DmaOp = atomic) => guarantee.check?.(ctx(w, op)) ?? null;
  /** An atomic request of a `bits`-bit device the reserve pool `pool` guaranteed, recorded as failed. */
  function failed(bits: number, pool = 'DMA', bus?: number): World {
    const w = run([atomic], {
      policy: 'reserve-pool-2019',
      config: { devices: [dev('d', bits, bus)] },
    });
    w.stepGuarantee = { pool, order: 1 };
    w.stepBuffer = null;
    return w;
  }

  it('a guaranteed request that was served holds', () => {
    const w = run([atomic], { policy: 'reserve-pool-2019', config: { devices: [dev('d', 24)] } });
    expect(w.stepGuarantee).not.toBeNull();
    expect(w.stepBuffer).not.toBeNull();
    expect(check(w)).toBeNull();
    expect(guarantee.witness?.(ctx(w, atomic))).toBe(true);
  });

  it('the device is op.dev modulo the number of devices', () => {
    expect(check(failed(24), { ...atomic, dev: 1 })?.subject).toBe('reserve pool DMA');
    expect(check(failed(23), { ...atomic, dev: 1 })).toBeNull();
  });

  it('witness: a served request the reserve pool did not guarantee is none', () => {
    const w = run([atomic], { policy: 'reserve-pool-2019', config: { devices: [dev('d', 24)] } });
    expect(w.stepBuffer).not.toBeNull();
    w.stepGuarantee = null;
    expect(guarantee.witness?.(ctx(w, atomic))).toBe(false);
  });

  it('a guaranteed request that failed is reported', () => {
    expect(check(failed(24))).toEqual({
      subject: 'reserve pool DMA',
      message: 'order-1 request failed while the pool held its target at that order',
    });
    expect(guarantee.witness?.(ctx(failed(24), atomic))).toBe(false);
  });

  it('a device whose mask reaches exactly the zone end is judged; one bit less is not', () => {
    expect(check(failed(24, 'DMA'))).not.toBeNull();
    expect(check(failed(23, 'DMA'))).toBeNull();
    expect(check(failed(32, 'DMA32'))).not.toBeNull();
    expect(check(failed(31, 'DMA32'))).toBeNull();
  });

  it('the limit is min_not_zero(mask, bus limit): a 64-bit device on a 31-bit bus cannot address DMA32', () => {
    expect(check(failed(64, 'DMA32', 32))).not.toBeNull();
    expect(check(failed(64, 'DMA32', 31))).toBeNull();
    expect(check(failed(64, 'DMA', 24))).not.toBeNull();
    expect(check(failed(64, 'DMA', 23))).toBeNull();
  });

  it('a 30-bit-bus device draining the DMA reserve pool while DMA32 (above 1 GiB) holds its target: no violation', () => {
    // the DMA32 pool of the 4G guest lies above the device's 1 GiB limit: its guarantee cannot apply
    const burst = { ...atomic, count: 4000 };
    const w = run([burst], {
      policy: 'reserve-pool-2019',
      config: { machine: '4G', devices: [dev('d', 64, 30)] },
    });
    expect(w.stepBuffer).toBeNull();
    expect(w.stepGuarantee?.pool).toBe('DMA32');
    expect(check(w, burst)).toBeNull();
  });

  it('not judged: no guarantee, a pool of no known zone, another op', () => {
    const w = failed(24);
    w.stepGuarantee = null;
    expect(check(w)).toBeNull();
    expect(guarantee.witness?.(ctx(w, atomic))).toBe(false);
    expect(check(failed(64, 'Normal'))).toBeNull();
    expect(check(failed(24), pagesOp(8192, true))).toBeNull();
  });
});
