/**
 * The reserve pool under random interleavings of atomic requests, frees,
 * kswapd sub-steps, injected faults and reserve changes (fake environment).
 * After every step: the pools' accounting, disjoint blocks, every pool page
 * decrypted, nothing non-private freed, leaks only after refused
 * conversions, atomic entry points that never sleep, the high-order
 * guarantee, and the warnings of rules.warn_on_failure. At the end, with
 * faults gone, kswapd brings every list back into [target, 2 * target].
 * Seed 42; POOLCHECK_TEST_SCALE scales the number of runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { __GFP_NOWARN } from '../../../models/page_alloc/gfp.ts';
import { type ZoneCounts, zoneCounts } from '../../../models/page_alloc/zone.ts';
import {
  createReservePoolState,
  RESERVE_POOL_ZONES,
  type ReservePoolState,
  reserve_pool_alloc,
  reserve_pool_flush,
  reserve_pool_free,
  reserve_pool_guarantee,
  reserve_pool_in_flight,
  reserve_pool_init,
  reserve_pool_kswapd_step,
  reserve_pool_resize,
  reservePoolOf,
} from '../../../models/reserve_pool/reserve_pool.ts';
import { type ReservePoolRules, reservePoolRules2019 } from '../../../models/reserve_pool/rules.ts';
import { scaledRuns } from '../../setup/budget.ts';
import { type FakeEnv, fakeEnv, GFP_DMA, GFP_DMA32, isa, nvme, PAGE, physOk } from './fake-env.ts';

const RUNS = scaledRuns(150);
const ATOMIC = 0x20 | 0x800;

type Cmd =
  | { kind: 'alloc'; order: number; zone: 0 | 1 | 2; nowarn: boolean }
  | { kind: 'free'; pick: number }
  | { kind: 'kswapd'; n: number }
  | { kind: 'fault'; what: 'alloc' | 'decrypt' | 'encrypt'; n: number }
  | { kind: 'resize'; dma: number; dma32: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('alloc' as const),
      order: fc.integer({ min: 0, max: 4 }),
      zone: fc.constantFrom(0 as const, 1 as const, 2 as const),
      nowarn: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('kswapd' as const),
      n: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      what: fc.constantFrom('alloc' as const, 'decrypt' as const, 'encrypt' as const),
      n: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('resize' as const),
      dma: fc.integer({ min: 0, max: 80 }),
      dma32: fc.integer({ min: 0, max: 40 }),
    }),
  },
);

const rulesArb: fc.Arbitrary<ReservePoolRules> = fc
  .record({
    order_targets: fc.constantFrom('equal-pages' as const, 'one-each-then-order0' as const),
    refill_threshold: fc.constantFrom('below-target' as const, 'below-half-target' as const),
    split_when_empty: fc.boolean(),
    fallback_to_lower_zone: fc.boolean(),
    refill_failure: fc.constantFrom('skip-zone-this-pass' as const, 'stop-pass' as const),
    give_back: fc.constantFrom(
      'above-twice-target' as const,
      'above-twice-target' as const,
      'never' as const,
    ),
    fill_at_init: fc.boolean(),
  })
  .map((r) => ({ ...reservePoolRules2019, ...r }));

function zones(dma: number, dma32: number): ZoneCounts[] {
  const z = [zoneCounts(0, 3998, 3840), zoneCounts(1, 200000, 200000), zoneCounts(2, 9e4, 9e4)];
  z[0]?.lowmem_reserve.splice(0, 5, 0, 0, dma, dma, dma);
  z[1]?.lowmem_reserve.splice(0, 5, 0, 0, dma32, dma32, dma32);
  return z;
}

/** Every invariant of a state; throws with the first one broken. */
function checkState(s: ReservePoolState, env: FakeEnv, held: Map<number, number>): void {
  const pages = new Set<number>();
  const claim = (phys: number, order: number, what: string) => {
    for (let i = 0; i < 2 ** order; i++) {
      const pfn = phys / PAGE + i;
      if (pages.has(pfn)) throw new Error(`pfn ${pfn} claimed twice (${what})`);
      pages.add(pfn);
    }
  };
  for (const zone of RESERVE_POOL_ZONES) {
    const p = reservePoolOf(s, zone);
    if (p === null) continue;
    let free = 0;
    p.free_list.forEach((list, o) => {
      for (const phys of list) {
        const b = s.blocks.get(phys);
        expect(b, `${zone} list ${o} block ${phys} not in the table`).toEqual({
          pool: zone,
          order: o,
          inuse: false,
        });
        free += 2 ** o;
      }
    });
    expect(p.nr_free_pages, `${zone} nr_free_pages`).toBe(free);
    let inuse = 0;
    for (const b of s.blocks.values()) if (b.pool === zone && b.inuse) inuse += 2 ** b.order;
    expect(p.nr_pages, `${zone} nr_pages`).toBe(free + inuse);
  }
  for (const [phys, b] of s.blocks) {
    claim(phys, b.order, 'block');
    expect(phys % (PAGE * 2 ** b.order), 'natural alignment').toBe(0);
    for (let i = 0; i < 2 ** b.order; i++) expect(env.enc.get(phys / PAGE + i)).toBe('decrypted');
    // the test holds exactly the blocks handed out
    expect(b.inuse).toBe(held.get(phys) === b.order);
  }
  const fly = reserve_pool_in_flight(s);
  if (fly !== null) claim(fly.phys, fly.order, 'in flight');
  for (const l of s.leaked) claim(l.phys, l.order, 'leaked');
  expect(s.leaked.length).toBeLessThanOrEqual(env.conversionFailures);
  expect(env.broken).toEqual([]);
}

describe('reserve pool interleavings (seed 42)', () => {
  it('keeps every invariant after every step, and kswapd catches up at the end', () => {
    // situations that must occur somewhere, so that no check is vacuous
    const seen = { promised: 0, failedWarned: 0, split: 0, leaked: 0, givenBack: 0, behind: 0 };
    fc.assert(
      fc.property(rulesArb, fc.array(cmd, { maxLength: 80 }), (rules, cmds) => {
        const env = fakeEnv();
        const s = createReservePoolState(rules);
        reserve_pool_init(s, env, zones(65, 32));
        const held = new Map<number, number>();
        let current = zones(65, 32);
        for (const c of cmds) {
          switch (c.kind) {
            case 'alloc': {
              const gfp = ATOMIC | [GFP_DMA, GFP_DMA32, 0][c.zone]! | (c.nowarn ? __GFP_NOWARN : 0);
              const dev = c.zone === 0 ? isa : nvme;
              const promised = reserve_pool_guarantee(s, gfp, c.order);
              const before = s.messages.length;
              const r = reserve_pool_alloc(s, env, dev, PAGE * 2 ** c.order, gfp, physOk);
              expect(r.mayBlock).toBe(false);
              expect(r.calls.every((x) => !x.mayBlock)).toBe(true);
              if (promised !== null) {
                expect(r.block?.pool, 'the high-order guarantee').toBe(promised.zone);
                if (c.order > 0) seen.promised += 1;
              }
              if (r.block !== null) {
                if (r.block.from_order > r.block.order) seen.split += 1;
                held.set(r.block.phys, r.block.order);
                expect(s.messages.length).toBe(before);
              } else {
                expect(r.warning === null).toBe(c.nowarn);
                if (r.warning?.kind === 'exhausted') seen.failedWarned += 1;
              }
              break;
            }
            case 'free': {
              if (held.size === 0) break;
              const phys = [...held.keys()][c.pick % held.size] as number;
              const order = held.get(phys) as number;
              held.delete(phys);
              const r = reserve_pool_free(s, env, nvme, phys, PAGE * 2 ** order);
              expect(r).toMatchObject({ freed: true, order, bug: null, mayBlock: false });
              break;
            }
            case 'kswapd':
              for (let i = 0; i < c.n; i++) {
                const st = reserve_pool_kswapd_step(s, env);
                for (const call of st.calls)
                  expect(call.mayBlock).toBe(call.fn.startsWith('set_memory_'));
              }
              break;
            case 'fault':
              if (c.what === 'alloc') env.allocFails += c.n;
              else if (c.what === 'decrypt') env.decryptFails += c.n;
              else env.encryptFails += c.n;
              break;
            case 'resize':
              current = zones(c.dma, c.dma32);
              reserve_pool_resize(s, env, current);
              break;
          }
          checkState(s, env, held);
          if (s.pool_dma?.behind || s.pool_dma32?.behind) seen.behind += 1;
        }
        seen.leaked += s.leaked.length;
        seen.givenBack += s.stats.nr_given_back;
        // liveness: faults gone, one more wake, kswapd settles every list in its band
        env.allocFails = 0;
        env.decryptFails = 0;
        env.encryptFails = 0;
        reserve_pool_resize(s, env, current);
        s.refill.pending = true;
        reserve_pool_flush(s, env);
        checkState(s, env, held);
        for (const zone of RESERVE_POOL_ZONES) {
          const p = reservePoolOf(s, zone);
          p?.free_list.forEach((list, o) => {
            const t = p.target[o] as number;
            expect(list.length).toBeGreaterThanOrEqual(t);
            if (rules.give_back !== 'never') expect(list.length).toBeLessThanOrEqual(2 * t);
          });
          expect(p?.behind).toBe(false);
        }
      }),
      { seed: 42, numRuns: RUNS },
    );
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(0);
  });
});
