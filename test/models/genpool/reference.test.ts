/**
 * Differential test: the model against a naive reading of the spec
 * (naive.ts) on random sequences that go where the kernel data does not:
 * size 0, unaligned chunk starts, chunk tails, align 0, negative and
 * non-power-of-two aligns, unaligned fixed offsets, bad frees, partial frees,
 * has_addr and virt_to_phys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type GenPoolAlgo,
  type GenPoolData,
  gen_pool_add,
  gen_pool_add_virt,
  gen_pool_alloc_algo,
  gen_pool_avail,
  gen_pool_best_fit,
  gen_pool_create,
  gen_pool_first_fit,
  gen_pool_first_fit_align,
  gen_pool_first_fit_order_align,
  gen_pool_fixed_alloc,
  gen_pool_free,
  gen_pool_has_addr,
  gen_pool_size,
  gen_pool_virt_to_phys,
} from '../../../models/genpool/index.ts';
import { scaledRuns } from '../../setup/budget.ts';
import { type NaiveAlgo, NaivePool } from './naive.ts';

type Step =
  | { k: 'add'; gap: number; size: number; phys: number | null }
  | { k: 'alloc'; size: number; algo: NaiveAlgo }
  | { k: 'free'; pick: number; part: number; bytes: number }
  | { k: 'badfree'; delta: number; size: number }
  | { k: 'query'; delta: number; size: number }
  | { k: 'edge'; pick: number; atEnd: boolean; delta: number; size: number };

const algoArb = (g: number): fc.Arbitrary<NaiveAlgo> =>
  fc.oneof(
    fc.constant({ name: 'first_fit' as const }),
    fc.constant({ name: 'order_align' as const }),
    fc.constant({ name: 'best_fit' as const }),
    fc
      .oneof(
        fc.integer({ min: 0, max: 6 }).map((k) => g * 2 ** k),
        fc.integer({ min: -64, max: 200 }),
        fc.constantFrom(0, -1, -(2 ** 31), 2 ** 31 - 1, 1),
      )
      .map((align) => ({ name: 'align' as const, align })),
    fc
      .oneof(
        fc.integer({ min: 0, max: 40 }).map((k) => k * g),
        fc.integer({ min: 0, max: 40 * g }),
      )
      .map((offset) => ({ name: 'fixed' as const, offset })),
  );

const stepArb = (g: number): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('add' as const),
        gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 8 * g })),
        size: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 48 * g })),
        phys: fc.option(fc.integer({ min: 0, max: 2 ** 40 })),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        k: fc.constant('alloc' as const),
        size: fc.oneof(fc.integer({ min: 0, max: 4 * g }), fc.integer({ min: 0, max: 50 * g })),
        algo: algoArb(g),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        k: fc.constant('free' as const),
        pick: fc.nat(),
        part: fc.nat(),
        bytes: fc.nat(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('badfree' as const),
        delta: fc.integer({ min: -g, max: 60 * g }),
        size: fc.integer({ min: 0, max: 4 * g }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('edge' as const),
        pick: fc.nat(),
        atEnd: fc.boolean(),
        delta: fc.integer({ min: -2, max: 2 }),
        size: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 * g })),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        k: fc.constant('query' as const),
        delta: fc.integer({ min: -2 * g, max: 60 * g }),
        size: fc.integer({ min: 0, max: 20 * g }),
      }),
    },
  );

function modelAlgo(a: NaiveAlgo): { algo: GenPoolAlgo; data: GenPoolData | undefined } {
  switch (a.name) {
    case 'first_fit':
      return { algo: gen_pool_first_fit, data: undefined };
    case 'order_align':
      return { algo: gen_pool_first_fit_order_align, data: undefined };
    case 'best_fit':
      return { algo: gen_pool_best_fit, data: undefined };
    case 'align':
      return { algo: gen_pool_first_fit_align, data: { align: a.align } };
    case 'fixed':
      return { algo: gen_pool_fixed_alloc, data: { offset: a.offset } };
  }
}

function run(order: number, base: number, steps: Step[]): void {
  const g = 2 ** order;
  const pool = gen_pool_create(order);
  const ref = new NaivePool(order);
  const live: { addr: number; size: number }[] = [];
  let top = base;
  for (const [i, s] of steps.entries()) {
    const where = `step ${i} ${JSON.stringify(s)}`;
    if (s.k === 'add') {
      const virt = top + s.gap;
      if (s.phys === null) gen_pool_add(pool, virt, s.size);
      else gen_pool_add_virt(pool, virt, s.phys, s.size);
      ref.add(virt, s.phys ?? -1, s.size);
      top = virt + s.size;
    } else if (s.k === 'alloc') {
      const { algo, data } = modelAlgo(s.algo);
      const got = gen_pool_alloc_algo(pool, s.size, algo, data);
      expect(got, where).toBe(ref.alloc(s.size, s.algo));
      if (got !== 0) live.push({ addr: got, size: s.size });
    } else if (s.k === 'free') {
      if (live.length === 0) continue;
      const j = s.pick % live.length;
      const b = live[j] as { addr: number; size: number };
      const nb = Math.ceil(b.size / g);
      // a whole free, or a sub-range of granules (then the rest stays live)
      const from = s.part % 3 === 0 ? 0 : s.part % nb;
      const len = s.part % 3 === 0 ? nb : 1 + (s.bytes % (nb - from));
      const size = s.part % 3 === 0 ? b.size : len * g - (s.bytes % g);
      const addr = b.addr + from * g;
      const bug = gen_pool_free(pool, addr, size);
      expect(bug, where).toBeNull();
      expect(ref.free(addr, size), where).toBe(false);
      live.splice(j, 1);
      if (from > 0) live.push({ addr: b.addr, size: from * g });
      if (from + len < nb) live.push({ addr: addr + len * g, size: (nb - from - len) * g });
    } else if (s.k === 'badfree') {
      const addr = Math.max(0, base + s.delta);
      const bug = gen_pool_free(pool, addr, s.size);
      const refBug = ref.free(addr, s.size);
      expect(bug !== null, where).toBe(refBug);
      if (bug === null) {
        // a legal free of allocated granules: forget every block it may have touched
        const reach = (Math.ceil(s.size / g) + 1) * g;
        for (let j = live.length - 1; j >= 0; j--) {
          const b = live[j] as { addr: number; size: number };
          if (b.addr < addr + reach && addr - g < b.addr + Math.ceil(b.size / g) * g)
            live.splice(j, 1);
        }
      }
    } else {
      let start = Math.max(0, base + s.delta);
      if (s.k === 'edge') {
        // a range that starts at, or ends at, a chunk boundary (give or take two bytes)
        const c = pool.chunks[s.pick % pool.chunks.length];
        if (c === undefined) continue;
        start = Math.max(0, (s.atEnd ? c.end_addr + 1 - s.size : c.start_addr) + s.delta);
      }
      expect(gen_pool_has_addr(pool, start, s.size), where).toBe(ref.hasAddr(start, s.size));
      // the model's -1 and (phys -1) + offset stand for their 64-bit patterns
      const phys = BigInt(gen_pool_virt_to_phys(pool, start));
      expect((phys + 2n ** 64n) % 2n ** 64n, where).toBe(ref.virtToPhys(start));
    }
    expect(gen_pool_avail(pool), where).toBe(ref.avail());
    expect(gen_pool_size(pool), where).toBe(ref.size());
  }
}

describe('gen_pool model against a naive reading of the spec (seed 7)', () => {
  for (const order of [0, 3, 12]) {
    it(`order ${order}: alloc, free, has_addr, virt_to_phys agree step by step`, () => {
      const g = 2 ** order;
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 20 }).map((k) => k * 8 + (k % 3 === 0 ? 0 : k % 7)),
          fc.array(stepArb(g), { minLength: 1, maxLength: 80, size: 'max' }),
          (base, steps) => {
            // every run starts with one chunk so allocations have somewhere to go
            run(order, 2 ** 32 + base, [
              { k: 'add', gap: 0, size: 32 * g + (base % g), phys: null },
              ...steps,
            ]);
          },
        ),
        { seed: 7, numRuns: scaledRuns(250) },
      );
    });
  }
});
