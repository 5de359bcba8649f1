/**
 * cloneWorld() (models/world/world.ts), its contract: a clone shares no
 * mutable state with the booted world, so steps on it (allocations, frees,
 * worker runs, kswapd, faults, the CMA area) leave the booted world and a
 * second clone as they were, through the field-by-field copy of pool.c's
 * state, the generic copy, and the reserve-pool design's; what the plan
 * shares is the same object: configuration, rules, frozen data, objects it
 * keeps (even reached twice), and pool.c's records, never mutated. The
 * generic copy copies a null-prototype object, a Map's keys and values, and
 * arrays of null, primitives and objects.
 */
import { describe, expect, it } from 'vitest';
import type { DmaPoolState } from '../../../models/dma/pool.ts';
import { cloneWorld, type World } from '../../../models/world/world.ts';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import {
  coherent,
  dev,
  pagesOp,
  type Setup,
  systemOf,
  work,
} from '../../coverage/properties/dma/world.ts';

/** A plain deep snapshot: typed arrays, Maps and Sets as arrays, functions by name. */
function snap(v: unknown): unknown {
  if (typeof v === 'function') return `function ${v.name}`;
  if (typeof v !== 'object' || v === null) return v;
  if (ArrayBuffer.isView(v)) return [...(v as Uint8Array)];
  if (v instanceof Map) return [...v].map(([k, x]) => [snap(k), snap(x)]);
  if (v instanceof Set) return [...v].map(snap);
  if (Array.isArray(v)) return v.map(snap);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, snap(x)]));
}

/** A world's own state: all but the page allocator (a clone's by design) and the environments. */
const own = (w: World): unknown => snap({ ...w, pa: null, poolEnv: null, directEnv: null });

/** 4G SEV guest, a 64-bit and a 32-bit device, an 8 MiB CMA area in ZONE_DMA32. */
const withArea: Setup = {
  config: {
    machine: '4G',
    devices: [dev('nvme0', 64), dev('e1000', 32)],
    cma: { base_mib: 2048, size_mib: 8 },
  },
};

/** Steps touching every part of a world: pools drained and refilled, frees, faults, CMA, kswapd. */
const busy: readonly DmaOp[] = [
  { ...coherent(65536, true), count: 8 },
  { ...coherent(16384, true), dev: 1, count: 4 },
  work(),
  coherent(2 * 1048576, false),
  pagesOp(8192, true),
  { op: 'dma_free_coherent', pick: 0 },
  { op: 'dma_free_pages', pick: 0 },
  { op: 'fault', at: 'gen_pool_add', order: -1 },
  { op: 'fault', at: 'set_memory_decrypted', order: -1 },
  { ...coherent(65536, true), count: 8 },
  work(),
  { op: 'alloc_pages', atomic: false, zone: 'dma32', order: 3, count: 4 },
  { op: 'page_cache', order: 0, dirty: true },
  { op: '__free_pages', pick: 0, count: 2 },
  { op: 'kswapd', steps: 16 },
  { op: 'dma_free_coherent', pick: 1 },
];

/** A booted world of `setup`, its system's steps, and `prepare` applied before any clone. */
function bootOf(setup: Setup, prepare?: (w: World) => void) {
  const system = systemOf(setup);
  const w = system.init();
  prepare?.(w);
  const steps = (c: World): void => {
    for (const op of busy) system.step(c, op);
  };
  return { w, steps };
}

/** The pool state of `w`. */
function pools(w: World): DmaPoolState {
  if (!w.pools) throw new Error('no pools');
  return w.pools;
}

/** Forces the generic copy of pool.c's state: a field the field-by-field copy does not know. */
const withExtra = (extra: unknown) => (w: World) => Object.assign(pools(w), { extra });

describe('cloneWorld: a clone shares no mutable state', () => {
  const setups: readonly { name: string; setup: Setup; prep?: (w: World) => void }[] = [
    { name: '6.1, the field-by-field copy', setup: withArea },
    {
      name: '6.1, the generic copy',
      setup: withArea,
      prep: withExtra({ n: 1, list: [{ a: 1 }] }),
    },
    { name: 'mainline, no CMA area', setup: { policy: 'mainline' } },
    { name: 'reserve-pool-2019', setup: { ...withArea, policy: 'reserve-pool-2019' } },
  ];

  it.each(setups)('$name: steps on a clone leave the booted world as it was', ({ setup, prep }) => {
    const { w, steps } = bootOf(setup, prep);
    const before = own(w);
    const c = cloneWorld(w, w.pa);
    expect(own(c)).toEqual(before);
    steps(c);
    // the steps did change the clone, and nothing of the booted world
    expect(own(c)).not.toEqual(before);
    expect(own(w)).toEqual(before);
  });

  it.each(setups)('$name: two clones of one booted world are independent', ({ setup, prep }) => {
    const { w, steps } = bootOf(setup, prep);
    const one = cloneWorld(w, w.pa);
    const two = cloneWorld(w, w.pa);
    const before = own(two);
    steps(one);
    expect(own(two)).toEqual(before);
  });
});

describe('cloneWorld: what the plan shares', () => {
  it("the field-by-field copy: pool.c's records are shared, what pool.c mutates is copied", () => {
    const { w } = bootOf(withArea);
    const s = pools(w);
    const c = pools(cloneWorld(w, w.pa));
    expect(c.rules).toBe(s.rules);
    expect(c.config).toBe(s.config);
    for (const k of ['messages', 'leaked', 'warned_once', 'atomic_pool_work'] as const) {
      expect(c[k]).toEqual(s[k]);
      expect(c[k]).not.toBe(s[k]);
    }
    expect(s.messages.length).toBeGreaterThan(0);
    for (const [i, m] of s.messages.entries()) expect(c.messages[i]).toBe(m);
    for (const k of ['atomic_pool_dma', 'atomic_pool_dma32', 'atomic_pool_kernel'] as const) {
      const p = s[k];
      const q = c[k];
      if (!p || !q) throw new Error(`no ${k}`);
      expect(q).not.toBe(p);
      expect(q.pool).not.toBe(p.pool);
      expect(q.pool.chunks).not.toBe(p.pool.chunks);
      expect(q.chunks).not.toBe(p.chunks);
      expect(p.chunks.length).toBeGreaterThan(0);
      // chunk records are shared, gen_pool chunks copied with their own bitmaps
      for (const [i, r] of p.chunks.entries()) expect(q.chunks[i]).toBe(r);
      for (const [i, g] of p.pool.chunks.entries()) {
        const h = q.pool.chunks[i];
        expect(h).toEqual(g);
        expect(h).not.toBe(g);
        expect(h?.bits).not.toBe(g.bits);
      }
    }
  });

  it('an object the plan keeps, reached twice, leaves the field-by-field copy in place', () => {
    const { w } = bootOf(withArea, (b) => Object.assign(pools(b), { again: pools(b).rules }));
    const c = pools(cloneWorld(w, w.pa));
    expect((c as unknown as { again: unknown }).again).toBe(pools(w).rules);
    // still the field-by-field copy: the messages are shared records
    expect(c.messages[0]).toBe(pools(w).messages[0]);
  });

  it('a nested field the field-by-field copy does not know also leaves it for the generic copy', () => {
    const { w } = bootOf(withArea, (b) =>
      Object.assign(pools(b).atomic_pool_work, { extra: { n: 1 } }),
    );
    const work = (x: World) => pools(x).atomic_pool_work as unknown as { extra: object };
    const c = cloneWorld(w, w.pa);
    expect(work(c).extra).toEqual({ n: 1 });
    expect(work(c).extra).not.toBe(work(w).extra);
  });

  it('the generic copy shares the rules, the configuration, what the plan keeps, frozen data', () => {
    const frozen = Object.freeze({ order: 3 });
    const { w } = bootOf(withArea, (b) =>
      Object.assign(pools(b), { extra: { frozen, config: b.config, zone: b.pa.zones[1] } }),
    );
    const s = pools(w);
    const c = pools(cloneWorld(w, w.pa));
    const extra = (c as unknown as { extra: Record<string, unknown> }).extra;
    expect(c.rules).toBe(s.rules);
    expect(c.config).toBe(s.config);
    expect(extra.frozen).toBe(frozen);
    expect(extra.config).toBe(w.config);
    expect(extra.zone).toBe(w.pa.zones[1]);
    // the generic copy copies records too
    expect(c.messages[0]).toEqual(s.messages[0]);
    expect(c.messages[0]).not.toBe(s.messages[0]);
  });

  it("the reserve pool's rules are shared, its state copied", () => {
    const { w } = bootOf({ ...withArea, policy: 'reserve-pool-2019' });
    if (!w.reserve) throw new Error('no reserve pool');
    const c = cloneWorld(w, w.pa).reserve;
    expect(c?.rules).toBe(w.reserve.rules);
    expect(c).toEqual(w.reserve);
    expect(c?.blocks).not.toBe(w.reserve.blocks);
  });
});

describe('cloneWorld: the generic copy', () => {
  /** The clone's copy of `extra` in a booted world's pool state, and the booted world's. */
  function copyOf<T>(extra: T): T {
    const { w } = bootOf(withArea, withExtra(extra));
    return (pools(cloneWorld(w, w.pa)) as unknown as { extra: T }).extra;
  }

  it('a null-prototype object is copied', () => {
    const inner = { order: 2 };
    const o = Object.assign(Object.create(null) as Record<string, unknown>, { n: 1, inner });
    const c = copyOf(o);
    expect(c).not.toBe(o);
    expect({ ...c }).toEqual({ n: 1, inner });
    expect(c.inner).not.toBe(inner);
  });

  it('a function is shared: an object field, an array element, a Map key or value, a Set member', () => {
    const fn = (): number => 1;
    const c = copyOf({ fn, a: [fn], m: new Map([[fn, fn]]), s: new Set([fn]) });
    expect(c.fn).toBe(fn);
    expect(c.a[0]).toBe(fn);
    expect([...c.m]).toEqual([[fn, fn]]);
    expect([...c.m][0]?.[0]).toBe(fn);
    expect(c.m.get(fn)).toBe(fn);
    expect([...c.s][0]).toBe(fn);
  });

  it("a Map's keys and values are copied", () => {
    const key = { pfn: 1 };
    const value = { order: 0 };
    const c = copyOf(new Map([[key, value]]));
    const [k, x] = [...c][0] ?? [];
    expect(k).toEqual(key);
    expect(k).not.toBe(key);
    expect(x).toEqual(value);
    expect(x).not.toBe(value);
  });

  it('an object reached as a Map key or value and again outside it stays one object', () => {
    const key = { pfn: 1 };
    const value = { order: 0 };
    const c = copyOf({ m: new Map([[key, value]]), key, value });
    const [k, x] = [...c.m][0] ?? [];
    expect(c.key).not.toBe(key);
    expect(k).toBe(c.key);
    expect(c.value).not.toBe(value);
    expect(x).toBe(c.value);
  });

  it('an array of null, primitives and objects: the objects copied, the rest as they were', () => {
    const item = { order: 1 };
    const a = [null, 0, 'x', undefined, item, [item.order]];
    const c = copyOf(a);
    expect(c).toEqual(a);
    expect(c).toHaveLength(a.length);
    expect(c).not.toBe(a);
    expect(c[4]).not.toBe(item);
    expect(c[5]).not.toBe(a[5]);
  });

  it('an object of null, primitives and objects: the objects copied, the rest as they were', () => {
    const item = { order: 1 };
    const o = { a: null, b: 0, c: 'x', d: undefined, e: item };
    const c = copyOf(o);
    expect(c).toEqual(o);
    expect(Object.keys(c)).toEqual(Object.keys(o));
    expect(c.e).not.toBe(item);
  });
});

describe("cloneWorld: a clone's own lists and what the copy plan refuses", () => {
  it("every array of a clone is its own: equal to the booted world's, never the same array", () => {
    const { w } = bootOf(withArea);
    const c = cloneWorld(w, w.pa);
    const lists = [
      'stepAllocs',
      'buffers',
      'kernelPages',
      'faults',
      'events',
      'converted',
      'bootCalls',
    ] as const;
    for (const k of lists) {
      expect(c[k]).toEqual(w[k]);
      expect(c[k]).not.toBe(w[k]);
    }
    // the boot left records in these: a shared array would carry the clone's additions back
    for (const k of ['stepAllocs', 'events', 'bootCalls'] as const)
      expect(w[k].length).toBeGreaterThan(0);
    expect(c.cma?.bitmap).toEqual(w.cma?.bitmap);
    expect(c.cma?.bitmap).not.toBe(w.cma?.bitmap);
  });

  it.each([
    ['a Map', new Map([[1, { order: 2 }]])],
    ['a Set', new Set([{ order: 2 }])],
  ])("%s where pool.c's state has a plain object leaves the copy to the generic copy", (_, v) => {
    const { w } = bootOf(withArea, (b) => Object.assign(pools(b), { atomic_pool_work: v }));
    const c = pools(cloneWorld(w, w.pa));
    // a spread would have made an empty object of it
    expect(c.atomic_pool_work).toBeInstanceOf(v.constructor);
    expect(snap(c.atomic_pool_work)).toEqual(snap(v));
    expect(c.atomic_pool_work).not.toBe(v);
  });

  it("a page allocator holding only some of the booted world's zones is no reset of it", () => {
    const { w } = bootOf(withArea);
    const other = systemOf(withArea).init();
    const zones = w.pa.zones.map((z, i) => (i === 0 ? z : (other.pa.zones[i] ?? z)));
    expect(zones.filter((z, i) => z === w.pa.zones[i])).toHaveLength(1);
    expect(() => cloneWorld(w, { ...w.pa, zones })).toThrow(
      new Error("cloneWorld: pa is not a reset of the booted world's page allocator"),
    );
  });
});
