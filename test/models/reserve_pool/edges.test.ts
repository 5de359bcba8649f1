/**
 * Edge cases of models/reserve_pool/reserve_pool.ts: zones missing from the
 * table, a pool that guarantees order 0 only, a fresh pool's state before any
 * refill, the boot message's kind and level, and a guarantee query with no
 * candidate pool. Fake environment from fake-env.ts.
 */
import { describe, expect, it } from 'vitest';
import { ZONE_DMA, ZONE_DMA32, zoneCounts } from '../../../models/page_alloc/zone.ts';
import {
  createReservePoolState,
  reserve_pool_alloc,
  reserve_pool_guarantee,
  reserve_pool_init,
  reserve_pool_resize,
  reserve_pool_target_pages,
} from '../../../models/reserve_pool/reserve_pool.ts';
import { reservePoolRules2019 } from '../../../models/reserve_pool/rules.ts';
import {
  ATOMIC,
  fakeEnv,
  GFP_DMA,
  GFP_DMA32,
  GFP_KERNEL,
  nvme,
  PAGE,
  physOk,
  zones,
} from './fake-env.ts';

const R = reservePoolRules2019;

describe('zones absent from the table', () => {
  it('a zone the table does not list is unmanaged: target 0 pages', () => {
    // "0 for an unmanaged zone": a missing zone has no managed pages
    const onlyDma = zones(65, 32).slice(0, 1);
    expect(reserve_pool_target_pages(R, onlyDma, ZONE_DMA32)).toBe(0);
    expect(reserve_pool_target_pages(R, [], ZONE_DMA)).toBe(0);
    expect(reserve_pool_target_pages(R, onlyDma, ZONE_DMA)).toBe(65);
  });

  it('init and resize create no pool for a zone missing from the table', () => {
    // one pool per managed zone in {DMA, DMA32}: none for an absent DMA32
    const s = createReservePoolState(R);
    const env = fakeEnv();
    reserve_pool_init(s, env, zones(65, 32).slice(0, 1));
    expect(s.pool_dma?.target_pages).toBe(65);
    expect(s.pool_dma32).toBeNull();
    reserve_pool_resize(s, env, zones(65, 32).slice(0, 1));
    expect(s.pool_dma32).toBeNull();
  });
});

describe('the high-order guarantee without a candidate pool', () => {
  it('a GFP_DMA request with no DMA pool has no guarantee', () => {
    // reserve_pool_guarantee: null when there is no first candidate
    const s = createReservePoolState(R);
    expect(reserve_pool_guarantee(s, ATOMIC | GFP_DMA, 0)).toBeNull();
    reserve_pool_init(s, fakeEnv(), [zoneCounts(0, 0, 0), ...zones(65, 32).slice(1)]);
    expect(s.pool_dma).toBeNull();
    expect(reserve_pool_guarantee(s, ATOMIC | GFP_DMA, 0)).toBeNull();
    // a DMA32 request still has its pool's guarantee
    expect(reserve_pool_guarantee(s, ATOMIC | GFP_DMA32, 0)).toBe(s.pool_dma32);
  });
});

describe('boot messages', () => {
  it('each pool logs one pr_info "sized" line; a one-page pool guarantees order 0', () => {
    // DMA32 reserve 1 page: equal-pages gives K = 0 (1 >= 2^0, 1/2 < 2^1): orders 0-0, not none
    const s = createReservePoolState(R);
    reserve_pool_init(s, fakeEnv(), zones(65, 1));
    expect(s.pool_dma32?.guaranteed_order).toBe(0);
    expect(s.messages).toEqual([
      {
        kind: 'sized',
        level: 'info',
        text: 'DMA: reserve pool DMA: 65 pages (260 KiB), orders 0-3',
      },
      {
        kind: 'sized',
        level: 'info',
        text: 'DMA: reserve pool DMA32: 1 pages (4 KiB), orders 0-0',
      },
    ]);
  });

  it('a zero-page pool guarantees no order', () => {
    const s = createReservePoolState(R);
    reserve_pool_init(s, fakeEnv(), zones(65, 0));
    expect(s.pool_dma32?.guaranteed_order).toBe(-1);
    expect(s.messages[1]?.text).toBe('DMA: reserve pool DMA32: 0 pages (0 KiB), none');
  });
});

describe('state before any refill', () => {
  it('without fill_at_init a new pool is empty and not behind: no refill has failed', () => {
    // behind: "a refill for this pool failed and kswapd has not since found it full"
    const s = createReservePoolState({ ...R, fill_at_init: false });
    reserve_pool_init(s, fakeEnv(), zones(65, 32));
    expect(s.pool_dma?.behind).toBe(false);
    expect(s.pool_dma32?.behind).toBe(false);
    expect(s.pool_dma32?.nr_pages).toBe(0);
    expect(s.pool_dma32?.target).toEqual([8, 4, 2, 1]);
  });

  it('a fresh state has fired no WARN_ON_ONCE; a refused blocking request fires one', () => {
    // warned_once: the WARN_ON_ONCE sites that have fired
    const s = createReservePoolState(R);
    expect(s.warned_once).toEqual([]);
    const env = fakeEnv();
    reserve_pool_init(s, env, zones(65, 32));
    expect(s.warned_once).toEqual([]);
    reserve_pool_alloc(s, env, nvme, PAGE, GFP_KERNEL, physOk);
    reserve_pool_alloc(s, env, nvme, PAGE, GFP_KERNEL, physOk);
    expect(s.warned_once).toHaveLength(1);
  });
});
