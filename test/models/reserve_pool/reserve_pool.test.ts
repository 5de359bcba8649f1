/**
 * models/reserve_pool/reserve_pool.ts against its documented rules
 * (models/reserve_pool/rules.ts), with the fake environment of fake-env.ts:
 * the high-order guarantee, kswapd's refill and give-back sub-steps and
 * their may-sleep flags, decrypt/encrypt failures, kswapd falling behind,
 * free routing, and the dma-direct hooks.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../../../models/dma/env.ts';
import {
  __GFP_DIRECT_RECLAIM,
  __GFP_KSWAPD_RECLAIM,
  __GFP_NOWARN,
  gfpflags_allow_blocking,
} from '../../../models/page_alloc/gfp.ts';
import { zoneCounts } from '../../../models/page_alloc/zone.ts';
import { reservePool2019 } from '../../../models/policies/reserve-pool-2019.ts';
import {
  createReservePoolState,
  RESERVE_POOL_ZONES,
  type ReservePoolMessage,
  type ReservePoolState,
  type ReservePoolStep,
  reserve_pool_alloc,
  reserve_pool_find_block,
  reserve_pool_flush,
  reserve_pool_free,
  reserve_pool_guarantee,
  reserve_pool_in_flight,
  reserve_pool_init,
  reserve_pool_kswapd_step,
  reserve_pool_pending,
  reserve_pool_resize,
  reservePoolDirectHooks,
  reservePoolOf,
} from '../../../models/reserve_pool/reserve_pool.ts';
import { type ReservePoolRules, reservePoolRules2019 } from '../../../models/reserve_pool/rules.ts';
import {
  ATOMIC,
  dev30,
  type FakeEnv,
  fakeEnv,
  GFP_DMA,
  GFP_DMA32,
  GFP_KERNEL,
  isa,
  nvme,
  PAGE,
  physOk,
  ZONE_RANGE,
  zones,
} from './fake-env.ts';

const R = reservePoolRules2019;
/** A booted design: DMA reserve 65 pages (17/8/4/2 blocks), DMA32 32 pages (8/4/2/1). */
function boot(
  rules: Partial<ReservePoolRules> = {},
  env: FakeEnv = fakeEnv(),
  dma = 65,
  dma32 = 32,
): { s: ReservePoolState; env: FakeEnv } {
  const s = createReservePoolState({ ...R, ...rules });
  reserve_pool_init(s, env, zones(dma, dma32));
  return { s, env };
}

/** Takes `n` blocks of `size` bytes for a 64-bit device (kswapd not run). */
function take(s: ReservePoolState, env: FakeEnv, size: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = reserve_pool_alloc(s, env, nvme, size, ATOMIC | __GFP_NOWARN, physOk).block;
    if (b !== null) out.push(b.phys);
  }
  return out;
}

/** A warning of reserve_pool_alloc (the function that warned; no kernel site: never merged). */
function allocWarning(kind: ReservePoolMessage['kind'], text: string): ReservePoolMessage {
  return { kind, level: 'warn', text, warn: { function: 'reserve_pool_alloc', site: null } };
}

function lens(s: ReservePoolState, zone: 'DMA' | 'DMA32'): number[] {
  const p = zone === 'DMA' ? s.pool_dma : s.pool_dma32;
  return (p?.free_list ?? []).map((l) => l.length);
}

describe('boot fill', () => {
  it('fills every list to its target in kswapd sub-steps, decrypting each block, waking nobody', () => {
    const env = fakeEnv();
    const s = createReservePoolState(R);
    const r = reserve_pool_init(s, env, zones(65, 32));
    expect(lens(s, 'DMA')).toEqual([17, 8, 4, 2]);
    expect(lens(s, 'DMA32')).toEqual([8, 4, 2, 1]);
    // one alloc and one decrypt per block, and nothing else
    const blocks = 17 + 8 + 4 + 2 + 8 + 4 + 2 + 1;
    expect(r.calls.filter((c) => c.fn === 'alloc_pages')).toHaveLength(blocks);
    expect(r.calls.filter((c) => c.fn === 'set_memory_decrypted')).toHaveLength(blocks);
    expect(r.calls.filter((c) => c.mayBlock).every((c) => c.fn === 'set_memory_decrypted')).toBe(
      true,
    );
    expect(r.mayBlock).toBe(true);
    expect(env.wakes).toBe(0);
    expect(reserve_pool_pending(s)).toBe(false);
    expect(s.pool_dma?.nr_pages).toBe(65);
    expect(s.pool_dma32?.nr_free_pages).toBe(32);
    // every pool page is decrypted; the DMA pool's pages lie in ZONE_DMA
    for (const [phys, b] of s.blocks) {
      for (let i = 0; i < 2 ** b.order; i++) expect(env.enc.get(phys / PAGE + i)).toBe('decrypted');
      const range = ZONE_RANGE[b.pool];
      expect(phys >= range.start && phys + 2 ** b.order * PAGE <= range.end).toBe(true);
    }
    expect(s.messages.map((m) => m.text)).toEqual([
      'DMA: reserve pool DMA: 65 pages (260 KiB), orders 0-3',
      'DMA: reserve pool DMA32: 32 pages (128 KiB), orders 0-3',
    ]);
  });

  it('without encryption the conversions return at once and nothing may sleep', () => {
    const env = fakeEnv(false);
    const s = createReservePoolState(R);
    expect(reserve_pool_init(s, env, zones(65, 32)).mayBlock).toBe(false);
  });

  it('fill_at_init false leaves the pools empty until the first request wakes kswapd', () => {
    const { s, env } = boot({ fill_at_init: false });
    expect(lens(s, 'DMA32')).toEqual([0, 0, 0, 0]);
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    expect(r.block).toBeNull();
    expect(r.woke).toBe(true);
    expect(env.wakes).toBe(1);
    reserve_pool_flush(s, env);
    expect(lens(s, 'DMA32')).toEqual([8, 4, 2, 1]);
  });
});

describe('serving atomic requests: the high-order guarantee', () => {
  for (const zone of ['DMA', 'DMA32'] as const)
    for (let order = 0; order <= R.max_order; order++)
      it(`${zone}: an order-${order} request is served from its own list while the targets are held`, () => {
        const { s, env } = boot();
        const gfp = ATOMIC | (zone === 'DMA' ? GFP_DMA : GFP_DMA32);
        const dev = zone === 'DMA' ? isa : nvme;
        const before = lens(s, zone);
        expect(reserve_pool_guarantee(s, gfp, order)?.zone).toBe(zone);
        const r = reserve_pool_alloc(s, env, dev, PAGE * 2 ** order, gfp, physOk);
        expect(r.block).toMatchObject({ pool: zone, order, from_order: order });
        expect(r.mayBlock).toBe(false);
        expect(r.calls.every((c) => !c.mayBlock)).toBe(true);
        // zeroed before it is handed out
        expect(r.calls[0]).toMatchObject({
          fn: 'memset',
          phys: r.block?.phys,
          ret: PAGE * 2 ** order,
        });
        const after = lens(s, zone);
        expect(after[order]).toBe((before[order] as number) - 1);
        // the list is now below its target: kswapd is woken, without sleeping
        expect(r.woke).toBe(true);
        expect(r.calls.at(-1)).toEqual({ fn: 'wake_up_kswapd', mayBlock: false, pool: null });
      });

  it('requests with no zone bit (64-bit devices) are served from DMA32; GFP_DMA only from DMA', () => {
    const { s, env } = boot();
    expect(reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk).block?.pool).toBe('DMA32');
    expect(reserve_pool_alloc(s, env, isa, PAGE, ATOMIC | GFP_DMA, physOk).tried).toEqual(['DMA']);
  });

  it('an empty list splits the smallest larger block: lowest part served, upper halves go down', () => {
    const { s, env } = boot();
    const p = s.pool_dma32!;
    take(s, env, PAGE, 8);
    take(s, env, 2 * PAGE, 4);
    expect(lens(s, 'DMA32')).toEqual([0, 0, 2, 1]);
    const big = p.free_list[2]?.at(-1) as number;
    const free = p.nr_free_pages;
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    expect(r.block).toEqual({ pool: 'DMA32', order: 0, phys: big, from_order: 2 });
    // order 2 = 4 pages: page 0 served, page 1 to the order-0 list, pages 2-3 to order 1
    expect(p.free_list[0]).toEqual([big + PAGE]);
    expect(p.free_list[1]).toEqual([big + 2 * PAGE]);
    expect(p.nr_free_pages).toBe(free - 1);
    expect(s.stats.nr_split).toBe(1);
    expect(reserve_pool_find_block(s, big + 3 * PAGE)).toMatchObject({ phys: big + 2 * PAGE });
  });

  it('a split may take a block of max_order itself', () => {
    const { s, env } = boot();
    take(s, env, PAGE, 8);
    take(s, env, 2 * PAGE, 4);
    take(s, env, 4 * PAGE, 2);
    expect(lens(s, 'DMA32')).toEqual([0, 0, 0, 1]);
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    expect(r.block).toMatchObject({ pool: 'DMA32', order: 0, from_order: R.max_order });
    expect(lens(s, 'DMA32')).toEqual([1, 1, 1, 0]);
  });

  it('a failed request wakes kswapd when any pool it tried is below its target', () => {
    // DMA32 targets nothing (so holds every target); every DMA page is handed out
    const { s, env } = boot({}, fakeEnv(), 65, 0);
    expect(take(s, env, PAGE, 66)).toHaveLength(65);
    // the pass starts (the wake is taken) and has added nothing yet
    expect(reserve_pool_kswapd_step(s, env).what).toBe('refill');
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    expect(r.block).toBeNull();
    expect(r.tried).toEqual(['DMA32', 'DMA']);
    expect(r.woke).toBe(true);
    expect(r.calls).toEqual([{ fn: 'wake_up_kswapd', mayBlock: false, pool: null }]);
  });

  it('with split_when_empty false an empty list fails and the walk moves to the next pool', () => {
    const { s, env } = boot({ split_when_empty: false });
    take(s, env, PAGE, 8);
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    expect(r.tried).toEqual(['DMA32', 'DMA']);
    expect(r.block?.pool).toBe('DMA');
  });

  it('a block the device cannot reach stays on its list; the next pool serves (phys_ok)', () => {
    const { s, env } = boot();
    const before = lens(s, 'DMA32');
    const r = reserve_pool_alloc(s, env, dev30, PAGE, ATOMIC | GFP_DMA32, physOk);
    expect(r.tried).toEqual(['DMA32', 'DMA']);
    expect(r.block?.pool).toBe('DMA');
    expect(lens(s, 'DMA32')).toEqual(before);
    // without a check the first block is taken as it is (the caller's choice)
    expect(reserve_pool_alloc(s, env, dev30, PAGE, ATOMIC, null).block?.pool).toBe('DMA32');
  });

  it('fallback_to_lower_zone false tries only the first pool', () => {
    const { s, env } = boot({ fallback_to_lower_zone: false });
    const r = reserve_pool_alloc(s, env, dev30, PAGE, ATOMIC, physOk);
    expect(r.tried).toEqual(['DMA32']);
    expect(r.block).toBeNull();
    expect(r.warning?.text).toBe('DMA reserve pool exhausted for dev30 (order 0)');
  });

  it('a zone whose reserve is 0 (no Normal zone above DMA32) sends every request to the DMA pool', () => {
    const { s, env } = boot({}, fakeEnv(), 65, 0);
    expect(s.pool_dma32?.guaranteed_order).toBe(-1);
    expect(s.messages.map((m) => m.text)).toContain(
      'DMA: reserve pool DMA32: 0 pages (0 KiB), none',
    );
    expect(reserve_pool_guarantee(s, ATOMIC, 0)).toBeNull();
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    expect(r.tried).toEqual(['DMA32', 'DMA']);
    expect(r.block?.pool).toBe('DMA');
  });

  it('an order above max_order fails at once, with a warning unless __GFP_NOWARN', () => {
    const { s, env } = boot();
    const size = PAGE * 2 ** (R.max_order + 1);
    const r = reserve_pool_alloc(s, env, nvme, size, ATOMIC, physOk);
    expect(r.block).toBeNull();
    expect(r.tried).toEqual([]);
    expect(r.woke).toBe(false);
    expect(r.warning).toEqual(
      allocWarning('order-too-large', 'DMA reserve pool: order 4 above max order 3 for nvme0'),
    );
    expect(
      reserve_pool_alloc(s, env, nvme, size, ATOMIC | __GFP_NOWARN, physOk).warning,
    ).toBeNull();
    expect(reserve_pool_guarantee(s, ATOMIC, R.max_order + 1)).toBeNull();
  });

  it('a blocking request is refused (blockable callers keep their floor in the buddy allocator)', () => {
    const { s, env } = boot();
    expect(gfpflags_allow_blocking(GFP_KERNEL)).toBe(true);
    const free = s.pool_dma32?.nr_free_pages;
    const r = reserve_pool_alloc(s, env, nvme, PAGE, GFP_KERNEL, physOk);
    expect(r.block).toBeNull();
    expect(r.woke).toBe(false);
    expect(r.warning).toEqual(
      allocWarning('blocking-caller', 'DMA reserve pool: blocking request from nvme0 refused'),
    );
    expect(s.pool_dma32?.nr_free_pages).toBe(free);
    // WARN_ON_ONCE
    expect(
      reserve_pool_alloc(s, env, nvme, PAGE, GFP_KERNEL | __GFP_DIRECT_RECLAIM, physOk).warning,
    ).toBeNull();
  });

  it('no pool at all: "Failed to get suitable reserve pool" every time, __GFP_NOWARN or not', () => {
    const env = fakeEnv();
    const s = createReservePoolState(R);
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC | __GFP_NOWARN, physOk);
    expect(r.woke).toBe(false);
    expect(r.warning).toEqual(
      allocWarning('no-suitable-pool', 'Failed to get suitable reserve pool for nvme0'),
    );
    expect(reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk).warning?.kind).toBe(
      'no-suitable-pool',
    );
    expect(s.stats.nr_fail).toBe(2);
  });
});

describe('kswapd refill sub-steps', () => {
  it('scan, alloc, decrypt, add: only the decryption may sleep; allocations interleave', () => {
    const { s, env } = boot();
    const a = reserve_pool_alloc(s, env, nvme, 8 * PAGE, ATOMIC, physOk);
    expect(a.block?.order).toBe(3);
    expect(reserve_pool_pending(s)).toBe(true);

    const scan = reserve_pool_kswapd_step(s, env);
    expect(scan).toMatchObject({
      what: 'refill',
      pool: 'DMA32',
      order: 3,
      calls: [],
      mayBlock: false,
    });
    const alloc = reserve_pool_kswapd_step(s, env);
    expect(alloc.what).toBe('alloc');
    expect(alloc.calls).toEqual([
      {
        fn: 'alloc_pages',
        mayBlock: false,
        pool: 'DMA32',
        gfp: R.refill_gfp | GFP_DMA32,
        order: 3,
        ret: alloc.phys,
      },
    ]);
    expect(reserve_pool_in_flight(s)).toEqual({ phys: alloc.phys, order: 3, pool: 'DMA32' });
    const decrypt = reserve_pool_kswapd_step(s, env);
    expect(decrypt).toMatchObject({ what: 'decrypt', ok: true, mayBlock: true });
    expect(decrypt.calls[0]).toMatchObject({
      fn: 'set_memory_decrypted',
      mayBlock: true,
      phys: alloc.phys,
    });

    // an atomic request between decrypt and add does not see the block in flight
    const mid = reserve_pool_alloc(s, env, nvme, 8 * PAGE, ATOMIC | __GFP_NOWARN, physOk);
    expect(mid.block?.phys).not.toBe(alloc.phys);

    const add = reserve_pool_kswapd_step(s, env);
    expect(add).toMatchObject({ what: 'add', phys: alloc.phys, calls: [], mayBlock: false });
    expect(s.pool_dma32?.free_list[3]).toContain(alloc.phys);
    expect(reserve_pool_in_flight(s)).toBeNull();
    const rest = reserve_pool_flush(s, env);
    expect(rest.at(-1)).toMatchObject({ what: 'done', done: true });
    expect(lens(s, 'DMA32')).toEqual([8, 4, 2, 1]);
    expect(reserve_pool_kswapd_step(s, env).what).toBe('idle');
  });

  it('the refill gfp cannot block, takes no reserves and asks kswapd to reclaim (rules.refill_gfp)', () => {
    expect(gfpflags_allow_blocking(R.refill_gfp)).toBe(false);
    expect(R.refill_gfp & __GFP_KSWAPD_RECLAIM).toBeTruthy();
    expect(R.refill_gfp & 0x80000).toBeTruthy(); // __GFP_NOMEMALLOC
    expect(R.refill_gfp & __GFP_NOWARN).toBeTruthy();
  });

  it('refills the highest order first', () => {
    const { s, env } = boot();
    for (const size of [PAGE, 2 * PAGE, 8 * PAGE])
      reserve_pool_alloc(s, env, nvme, size, ATOMIC, physOk);
    const orders = reserve_pool_flush(s, env)
      .filter((x) => x.what === 'refill')
      .map((x) => x.order);
    expect(orders).toEqual([3, 1, 0]);
  });

  it('a wake during a pass queues one more pass', () => {
    const { s, env } = boot();
    reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    expect(env.wakes).toBe(1);
    // still pending (no pass started): no second wake
    expect(reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk).woke).toBe(false);
    reserve_pool_kswapd_step(s, env);
    expect(s.refill.pending).toBe(false);
    expect(reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk).woke).toBe(true);
    expect(env.wakes).toBe(2);
    const steps = reserve_pool_flush(s, env);
    expect(steps.filter((x) => x.what === 'done')).toHaveLength(2);
    expect(lens(s, 'DMA32')[0]).toBe(8);
  });

  it('below-half-target wakes kswapd only when a list falls below ceil(target / 2)', () => {
    const { s, env } = boot({ refill_threshold: 'below-half-target' });
    // DMA32 order 0: target 8, threshold 4
    const woke = [0, 1, 2, 3, 4].map(
      () => reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk).woke,
    );
    expect(woke).toEqual([false, false, false, false, true]);
    reserve_pool_flush(s, env);
    expect(lens(s, 'DMA32')[0]).toBe(8);
  });
});

describe('failures: decrypt, kswapd falling behind', () => {
  it('a refused decryption leaks the block (unknown state, never freed) and marks the pool behind', () => {
    const { s, env } = boot();
    reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    env.decryptFails = 1;
    const steps = reserve_pool_flush(s, env);
    const bad = steps.find((x) => x.what === 'decrypt');
    expect(bad).toMatchObject({ ok: false, pool: 'DMA32', order: 0 });
    const phys = bad?.phys as number;
    expect(s.leaked).toEqual([{ phys, order: 0, pool: 'DMA32', cause: 'decrypt-failed' }]);
    expect(env.enc.get(phys / PAGE)).toBe('unknown');
    expect(env.freed.some((f) => f.phys === phys)).toBe(false);
    expect(reserve_pool_find_block(s, phys)).toBeNull();
    expect(s.pool_dma32?.behind).toBe(true);
    expect(s.stats.nr_refill_failed).toBe(1);
    // skip-zone-this-pass: the pass skipped DMA32 and ended
    expect(lens(s, 'DMA32')[0]).toBe(7);
    expect(env.broken).toEqual([]);
    // the next wake retries; success clears `behind`
    reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
    reserve_pool_flush(s, env);
    expect(lens(s, 'DMA32')[0]).toBe(8);
    expect(s.pool_dma32?.behind).toBe(false);
  });

  it('skip-zone-this-pass keeps refilling the other pool; stop-pass ends the pass', () => {
    for (const refill_failure of ['skip-zone-this-pass', 'stop-pass'] as const) {
      const { s, env } = boot({ refill_failure });
      reserve_pool_alloc(s, env, isa, PAGE, ATOMIC | GFP_DMA, physOk);
      reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
      env.allocFails = 1; // the DMA refill (visited first) fails
      reserve_pool_flush(s, env);
      expect(s.pool_dma?.behind).toBe(true);
      expect(lens(s, 'DMA')[0]).toBe(16);
      expect(lens(s, 'DMA32')[0]).toBe(refill_failure === 'stop-pass' ? 7 : 8);
    }
  });

  it('kswapd cannot keep up: requests fail with the exhaustion warning unless __GFP_NOWARN', () => {
    const { s, env } = boot();
    env.allocFails = Number.POSITIVE_INFINITY;
    const served: (string | null)[] = [];
    // order 3: DMA32 holds 1 block, DMA 2; kswapd runs after each request and fails
    for (let i = 0; i < 4; i++) {
      const r = reserve_pool_alloc(s, env, nvme, 8 * PAGE, ATOMIC, physOk);
      served.push(r.block?.pool ?? null);
      reserve_pool_flush(s, env);
    }
    expect(served.slice(0, 1)).toEqual(['DMA32']);
    expect(served.at(-1)).toBeNull();
    expect(s.pool_dma32?.behind).toBe(true);
    const last = reserve_pool_alloc(s, env, nvme, 8 * PAGE, ATOMIC, physOk);
    expect(last.block).toBeNull();
    expect(last.warning).toEqual(
      allocWarning('exhausted', 'DMA reserve pool exhausted for nvme0 (order 3)'),
    );
    // the failed request still asks kswapd for a refill
    expect(s.refill.pending).toBe(true);
    const n = s.messages.length;
    expect(
      reserve_pool_alloc(s, env, nvme, 8 * PAGE, ATOMIC | __GFP_NOWARN, physOk).warning,
    ).toBeNull();
    expect(s.messages).toHaveLength(n);
    // memory comes back: the next pass catches up
    env.allocFails = 0;
    reserve_pool_flush(s, env);
    expect(s.pool_dma32?.behind).toBe(false);
    expect(reserve_pool_guarantee(s, ATOMIC, 3)?.zone).toBe('DMA32');
  });

  it("warn_on_failure 'always' warns even with __GFP_NOWARN", () => {
    const { s, env } = boot({ warn_on_failure: 'always' }, fakeEnv(), 0, 0);
    const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC | __GFP_NOWARN, physOk);
    expect(r.warning?.kind).toBe('exhausted');
    expect(r.woke).toBe(false); // nothing to refill: both targets are 0
  });
});

describe('free', () => {
  it('a block goes back to the list of its own order in its own pool, split or not', () => {
    const { s, env } = boot();
    const first = take(s, env, PAGE, 8);
    const got = [PAGE, 2 * PAGE, 8 * PAGE, PAGE].map(
      (size) => reserve_pool_alloc(s, env, nvme, size, ATOMIC, physOk).block!,
    );
    expect(got[0]?.from_order).toBeGreaterThan(0);
    const isaBlock = reserve_pool_alloc(s, env, isa, 4 * PAGE, ATOMIC | GFP_DMA, physOk).block!;
    for (const b of [...got, isaBlock]) {
      const p = b.pool === 'DMA' ? s.pool_dma! : s.pool_dma32!;
      const before = p.free_list[b.order]?.length as number;
      const r = reserve_pool_free(
        s,
        env,
        b.pool === 'DMA' ? isa : nvme,
        b.phys,
        PAGE * 2 ** b.order,
      );
      expect(r).toMatchObject({
        freed: true,
        pool: b.pool,
        order: b.order,
        bug: null,
        mayBlock: false,
      });
      expect(p.free_list[b.order]).toHaveLength(before + 1);
      expect(p.free_list[b.order]?.at(-1)).toBe(b.phys);
      expect(r.calls.every((c) => !c.mayBlock)).toBe(true);
    }
    for (const phys of first) expect(reserve_pool_free(s, env, nvme, phys, PAGE).order).toBe(0);
    // freeing never converts or frees pages
    expect(env.freed).toEqual([]);
  });

  it('a range outside the pools is not ours (false): dma-direct frees it elsewhere', () => {
    const { s, env } = boot();
    const r = reserve_pool_free(s, env, nvme, 0x7000_0000, PAGE);
    // no list took it (no order), no call made, kswapd not woken
    expect(r).toEqual({
      freed: false,
      pool: null,
      order: expect.any(Number),
      bug: null,
      woke: false,
      calls: [],
      mayBlock: false,
    });
    expect(r.order).toBeLessThan(0);
  });

  it('a free that leaves its list within [target, 2 * target] does not wake kswapd', () => {
    const { s, env } = boot();
    const [phys] = take(s, env, PAGE, 1);
    reserve_pool_flush(s, env);
    const wakes = env.wakes;
    const r = reserve_pool_free(s, env, nvme, phys as number, PAGE);
    expect(lens(s, 'DMA32')[0]).toBe(9);
    expect(r).toMatchObject({ freed: true, woke: false, calls: [] });
    expect(env.wakes).toBe(wakes);
    expect(reserve_pool_pending(s)).toBe(false);
  });

  it('double free, partial free and a wrong size are caught as BUGs and never reach the buddy allocator', () => {
    const { s, env } = boot();
    const b = reserve_pool_alloc(s, env, nvme, 4 * PAGE, ATOMIC, physOk).block!;
    // the texts are what a report shows of each BUG; addresses as the kernel's %#lx
    const hex = (n: number) => `0x${n.toString(16)}`;
    const block = `(DMA32 order-2 block at ${hex(b.phys)})`;
    const partial = reserve_pool_free(s, env, nvme, b.phys + PAGE, PAGE);
    expect(partial.freed).toBe(true);
    expect(partial.bug).toBe(
      `DMA reserve pool: partial free of ${hex(b.phys + PAGE)} by nvme0 ${block}`,
    );
    const wrong = reserve_pool_free(s, env, nvme, b.phys, PAGE);
    expect(wrong).toMatchObject({ freed: true, order: 2, pool: 'DMA32' });
    expect(wrong.bug).toBe(
      `DMA reserve pool: nvme0 frees ${hex(b.phys)} with size 4096, block is order 2`,
    );
    const twice = reserve_pool_free(s, env, nvme, b.phys, 4 * PAGE);
    expect(twice.freed).toBe(true);
    expect(twice.bug).toBe(`DMA reserve pool: double free of ${hex(b.phys)} by nvme0 ${block}`);
    // a BUG is logged at error level, with the report's text
    expect(s.messages.filter((m) => m.kind === 'bug')).toEqual(
      [partial, wrong, twice].map((r) => ({ kind: 'bug', level: 'err', text: r.bug })),
    );
    expect(s.pool_dma32?.free_list[2]?.filter((x) => x === b.phys)).toHaveLength(1);
  });
});

describe('give-back', () => {
  /** Frees `n` order-0 blocks into DMA32's order-0 list by splitting order-1 blocks. */
  function pileUp(s: ReservePoolState, env: FakeEnv, n: number): void {
    const held: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = reserve_pool_alloc(s, env, nvme, PAGE, ATOMIC, physOk);
      held.push(r.block!.phys);
      reserve_pool_flush(s, env);
    }
    for (const phys of held) reserve_pool_free(s, env, nvme, phys, PAGE);
  }

  it('above twice the target kswapd unlinks, re-encrypts and frees blocks down to the target', () => {
    const { s, env } = boot();
    pileUp(s, env, 9);
    // 8 refilled + 9 returned = 17 > 2 * 8: the last free woke kswapd
    expect(lens(s, 'DMA32')[0]).toBe(17);
    expect(s.refill.pending).toBe(true);
    const steps = reserve_pool_flush(s, env);
    const kinds = steps.map((x) => x.what);
    expect(kinds.slice(0, 3)).toEqual(['give-back', 'encrypt', 'free']);
    expect(steps[0]).toMatchObject({ pool: 'DMA32', order: 0, calls: [], mayBlock: false });
    expect(steps[1]?.calls[0]).toMatchObject({ fn: 'set_memory_encrypted', mayBlock: true });
    expect(steps[2]?.calls[0]).toMatchObject({ fn: '__free_pages', mayBlock: false, order: 0 });
    expect(lens(s, 'DMA32')[0]).toBe(8);
    expect(s.stats.nr_given_back).toBe(9);
    expect(env.freed).toHaveLength(9);
    expect(env.broken).toEqual([]);
    for (const f of env.freed) expect(reserve_pool_find_block(s, f.phys)).toBeNull();
  });

  it('between the target and twice the target nothing goes back', () => {
    const { s, env } = boot();
    pileUp(s, env, 8);
    expect(lens(s, 'DMA32')[0]).toBe(16);
    reserve_pool_flush(s, env);
    expect(env.freed).toEqual([]);
  });

  it('a refused re-encryption leaks the block with one WARN_ON_ONCE', () => {
    const { s, env } = boot();
    pileUp(s, env, 9);
    env.encryptFails = 2;
    const steps = reserve_pool_flush(s, env);
    const bad = steps.filter((x) => x.what === 'encrypt' && x.ok === false);
    expect(bad).toHaveLength(2);
    expect(s.leaked.map((l) => l.cause)).toEqual(['reencrypt-failed', 'reencrypt-failed']);
    expect(s.messages.filter((m) => m.kind === 'reencrypt-failed')).toEqual([
      {
        kind: 'reencrypt-failed',
        level: 'warn',
        text: null,
        warn: { function: 'reserve_pool_kswapd_step', site: null },
      },
    ]);
    expect(env.freed).toHaveLength(7);
    expect(env.broken).toEqual([]);
    // leaked blocks stay held: never back in the buddy allocator
    for (const l of s.leaked) expect(env.held.has(l.phys)).toBe(true);
  });

  it("give_back 'never' keeps every block", () => {
    const { s, env } = boot({ give_back: 'never' });
    pileUp(s, env, 20);
    reserve_pool_flush(s, env);
    expect(env.freed).toEqual([]);
    expect(lens(s, 'DMA32')[0]).toBe(28);
  });

  it('a lower reserve after a ratio write gives the excess back; a higher one refills', () => {
    const { s, env } = boot();
    const r = reserve_pool_resize(s, env, zones(65, 8));
    // DMA32 8 pages: K 1 (3 * 4 > 8), share 4 -> 4 order-0 and 2 order-1 blocks
    expect(r.mayBlock).toBe(false);
    expect(r.calls).toEqual([{ fn: 'wake_up_kswapd', mayBlock: false, pool: null }]);
    const t = s.pool_dma32?.target as number[];
    expect(t).toEqual([4, 2, 0, 0]);
    reserve_pool_flush(s, env);
    lens(s, 'DMA32').forEach((n, o) => {
      expect(n).toBeLessThanOrEqual(2 * (t[o] as number));
      expect(n).toBeGreaterThanOrEqual(t[o] as number);
    });
    expect(env.freed.length).toBeGreaterThan(0);
    reserve_pool_resize(s, env, zones(65, 32));
    reserve_pool_flush(s, env);
    expect(lens(s, 'DMA32')).toEqual([8, 4, 2, 1]);
    // nothing to do: no wake
    expect(reserve_pool_resize(s, env, zones(65, 32)).calls).toEqual([]);
  });

  it('without ZONE_DMA there is no DMA pool, and a ratio write that changes nothing wakes nobody', () => {
    const z = zones(65, 32);
    z[0] = zoneCounts(0, 0, 0);
    const s = createReservePoolState(R);
    const env = fakeEnv();
    reserve_pool_init(s, env, z);
    expect(s.pool_dma).toBeNull();
    expect(lens(s, 'DMA32')).toEqual([8, 4, 2, 1]);
    expect(reserve_pool_resize(s, env, z)).toEqual({ calls: [], mayBlock: false });
    expect(env.wakes).toBe(0);
  });
});

describe('slotting in behind dma-direct', () => {
  it('the two hooks keep dma_alloc_from_pool / dma_free_from_pool contracts', () => {
    const { s, env } = boot();
    const hooks = reservePoolDirectHooks(s, env);
    const phys = hooks.dma_alloc_from_pool(nvme, 2 * PAGE, ATOMIC, physOk);
    expect(phys).not.toBeNull();
    expect(hooks.lastAlloc?.block?.phys).toBe(phys);
    expect(env.enc.get((phys as number) / PAGE_SIZE)).toBe('decrypted');
    expect(hooks.dma_free_from_pool(nvme, phys as number, 2 * PAGE)).toBe(true);
    expect(hooks.lastFree?.order).toBe(1);
    expect(hooks.dma_free_from_pool(nvme, 0x7000_0000, PAGE)).toBe(false);
    // every page of both pools taken, kswapd not run: the next request fails quietly
    take(s, env, PAGE, 65 + 32);
    expect(hooks.dma_alloc_from_pool(nvme, PAGE, ATOMIC | __GFP_NOWARN, physOk)).toBeNull();
  });
});

describe('what each kswapd sub-step reports', () => {
  /** The sub-step that makes each external call. */
  const STEP_OF_CALL = {
    alloc_pages: 'alloc',
    set_memory_decrypted: 'decrypt',
    set_memory_encrypted: 'encrypt',
    __free_pages: 'free',
  } as const;

  /**
   * Checks a step's report against what it did: `done` iff no pass runs
   * after it; `ok` only where it made a call that can fail (alloc, decrypt,
   * encrypt), as that call's success; the `what` of the call it made;
   * `mayBlock` iff one of its calls may sleep; no order without a pool; a
   * block in flight exactly between alloc and add, and between unlink and
   * free; and a pool turned `behind` only by a failed refill of its own.
   */
  function stepChecked(s: ReservePoolState, env: FakeEnv): ReservePoolStep {
    const behind = RESERVE_POOL_ZONES.map((z) => reservePoolOf(s, z)?.behind);
    const x = reserve_pool_kswapd_step(s, env);
    expect(x.done, x.what).toBe(s.refill.running === null);
    expect(x.mayBlock).toBe(x.calls.some((c) => c.mayBlock));
    if (x.pool === null) expect(x.order).toBeLessThan(0);
    const call = x.calls[0];
    if (call !== undefined) expect(x.what).toBe(STEP_OF_CALL[call.fn as keyof typeof STEP_OF_CALL]);
    if (call === undefined || call.fn === '__free_pages')
      expect(Object.hasOwn(x, 'ok')).toBe(false);
    else expect(x.ok).toBe(call.fn === 'alloc_pages' ? call.ret !== null : call.ret === 0);
    const holds =
      x.what === 'give-back' || (x.ok === true && ['alloc', 'decrypt', 'encrypt'].includes(x.what));
    expect(reserve_pool_in_flight(s)).toEqual(
      holds ? { phys: x.phys, order: x.order, pool: x.pool } : null,
    );
    RESERVE_POOL_ZONES.forEach((z, i) => {
      const failedRefill = x.pool === z && x.ok === false && x.what !== 'encrypt';
      if (reservePoolOf(s, z)?.behind && !behind[i]) expect(failedRefill, `${z} behind`).toBe(true);
    });
    return x;
  }

  it('with nothing pending a step does nothing, may not sleep and names no list', () => {
    const { s, env } = boot();
    expect(stepChecked(s, env)).toMatchObject({ what: 'idle', pool: null, phys: null, calls: [] });
  });

  for (const refill_failure of ['skip-zone-this-pass', 'stop-pass'] as const)
    it(`${refill_failure}: refills, give-backs and their failures, pass by pass`, () => {
      const { s, env } = boot({ refill_failure });
      // DMA short at orders 0 and 1; DMA32's targets lowered to [4, 2, 0, 0]: orders 2-3 go back
      reserve_pool_alloc(s, env, isa, PAGE, ATOMIC | GFP_DMA, physOk);
      reserve_pool_alloc(s, env, isa, 2 * PAGE, ATOMIC | GFP_DMA, physOk);
      reserve_pool_resize(s, env, zones(65, 8));
      env.allocFails = 1;
      env.decryptFails = 1;
      env.encryptFails = 1;
      const seen = new Set<string>();
      for (let pass = 0; pass < 4; pass++) {
        if (pass > 0) reserve_pool_alloc(s, env, isa, PAGE, ATOMIC | GFP_DMA, physOk);
        while (reserve_pool_pending(s)) {
          const x = stepChecked(s, env);
          seen.add(`${x.what}${x.ok === undefined ? '' : `:${x.ok}`}`);
        }
      }
      expect([...seen].sort()).toEqual([
        'add',
        'alloc:false',
        'alloc:true',
        'decrypt:false',
        'decrypt:true',
        'done',
        'encrypt:false',
        'encrypt:true',
        'free',
        'give-back',
        'refill',
      ]);
      expect(lens(s, 'DMA')).toEqual([17, 8, 4, 2]);
      expect(lens(s, 'DMA32')).toEqual([8, 4, 0, 0]);
    });

  it('the stats count what happened: requests served, wakes as kswapd saw them, blocks added', () => {
    const { s, env } = boot();
    const atBoot = { ...s.stats };
    const sizes = [PAGE, 8 * PAGE, 8 * PAGE, 8 * PAGE, 8 * PAGE, 32 * PAGE];
    let served = 0;
    let added = 0;
    for (const size of sizes) {
      if (reserve_pool_alloc(s, env, nvme, size, ATOMIC | __GFP_NOWARN, physOk).block) served += 1;
      added += reserve_pool_flush(s, env).filter((x) => x.what === 'add').length;
    }
    // kswapd refills after every request: all but the order-5 one are served, each waking it
    expect(served).toBe(sizes.length - 1);
    expect(s.stats.nr_alloc - atBoot.nr_alloc).toBe(served);
    expect(s.stats.nr_fail - atBoot.nr_fail).toBe(1);
    expect(s.stats.nr_wakeups).toBe(env.wakes);
    expect(env.wakes).toBe(served);
    expect(s.stats.nr_refilled - atBoot.nr_refilled).toBe(added);
    expect(added).toBeGreaterThan(0);
  });
});

describe('the 2019 rules (rules.ts)', () => {
  it('every decision is one of the choices rules.ts documents for it', () => {
    const choices: { readonly [K in keyof ReservePoolRules]?: readonly ReservePoolRules[K][] } = {
      order_targets: ['equal-pages', 'one-each-then-order0'],
      refill_threshold: ['below-target', 'below-half-target'],
      warn_on_failure: ['unless-nowarn', 'always'],
      refill_failure: ['skip-zone-this-pass', 'stop-pass'],
      give_back: ['above-twice-target', 'never'],
    };
    for (const [field, allowed] of Object.entries(choices))
      expect(allowed, field).toContain(R[field as keyof ReservePoolRules]);
    // README "Comparing designs": lists above twice their target are given back
    expect(R.give_back).toBe('above-twice-target');
  });

  it('the id names the policy that runs them (reports, poolcheck diff); the source is one line', () => {
    expect(reservePool2019.reservePool).toBe(R);
    expect(R.id).toBe(reservePool2019.id);
    expect(R.source).toMatch(/^[^\n]*2019[^\n]*$/);
  });
});
