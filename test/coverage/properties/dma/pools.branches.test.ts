/**
 * Branch tests of expansion-queued (I9: a served pool request leaving the
 * pool with avail < atomic_pool_size has the work queued or running) and
 * pool-accounting (I9: gen_pool_size and debugfs pool_size_<name> both
 * equal the sum of the chunks, for every pool).
 */
import { describe, expect, it } from 'vitest';
import type { World, WorldEvent } from '../../../../models/world/world.ts';
import expansionQueued from '../../../../properties/dma/expansion-queued.ts';
import poolAccounting from '../../../../properties/dma/pool-accounting.ts';
import zoneMembership from '../../../../properties/dma/pool-zone-membership.ts';
import { availOf } from '../../../../properties/dma/pools.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, freeEvent, run, runMutant, work } from './world.ts';

const atomic = coherent(8192, true);

describe('expansion-queued', () => {
  const check = (w: World) => expansionQueued.check?.(ctx(w, atomic)) ?? null;
  const unqueued = () => {
    const w = runMutant('no-schedule-work', [atomic]);
    const b = w.stepBuffer;
    const s = w.pools;
    const p = s && b?.block ? s[`atomic_pool_${b.block.pool}`] : null;
    if (!s || !p) throw new Error('no pool buffer');
    expect(s.atomic_pool_work.pending).toBe(false);
    return { w, s, p };
  };

  it('the correct pool queues its work: holds', () => {
    const w = run([atomic]);
    expect(w.pools?.atomic_pool_work.pending).toBe(true);
    expect(check(w)).toBeNull();
  });

  it('a pool below its size with no work queued (no-schedule-work) is reported', () => {
    const { w, s, p } = unqueued();
    expect(check(w)).toEqual({
      subject: `pool ${p.name}`,
      message: `avail ${availOf(p)} < atomic_pool_size ${s.atomic_pool_size}, no work queued`,
    });
  });

  it('avail exactly atomic_pool_size needs no work; one byte short does', () => {
    const { w, s, p } = unqueued();
    s.atomic_pool_size = availOf(p);
    expect(check(w)).toBeNull();
    s.atomic_pool_size = availOf(p) + 1;
    expect(check(w)).not.toBeNull();
  });

  it('work already running is enough', () => {
    const { w, s } = unqueued();
    s.atomic_pool_work.running = { next: 0, expand: null };
    expect(check(w)).toBeNull();
  });

  it('not judged: a fresh buffer, no buffer, no pools, a block of a pool that is gone', () => {
    const t = coherent(8192, false);
    expect(expansionQueued.check?.(ctx(runMutant('no-schedule-work', [t]), t))).toBeNull();
    const a = unqueued();
    a.w.stepBuffer = null;
    expect(check(a.w)).toBeNull();
    const b = unqueued();
    const name = b.p.name;
    b.s[`atomic_pool_${name}`] = null;
    expect(check(b.w)).toBeNull();
    const c = unqueued();
    Object.assign(c.w, { pools: null });
    expect(check(c.w)).toBeNull();
  });

  it('witness: a pool buffer with the work pending; not unqueued, not a fresh buffer', () => {
    const wit = (w: World, op: DmaOp) => expansionQueued.witness?.(ctx(w, op));
    expect(wit(run([atomic]), atomic)).toBe(true);
    expect(wit(unqueued().w, atomic)).toBe(false);
    const t = coherent(8192, false);
    const w = run([atomic, t]);
    expect(w.pools?.atomic_pool_work.pending).toBe(true);
    expect(wit(w, t)).toBe(false);
    w.stepBuffer = null;
    expect(wit(w, t)).toBe(false);
  });

  it('witness: a pool buffer in a world without atomic pools is none', () => {
    const w = run([atomic]);
    expect(w.stepBuffer?.block).not.toBeNull();
    Object.assign(w, { pools: null });
    expect(expansionQueued.witness?.(ctx(w, atomic))).toBe(false);
  });
});

describe('pool-accounting', () => {
  const check = (w: World) => poolAccounting.check?.(ctx(w, work())) ?? null;
  const grown: DmaOp[] = [coherent(65536, true), coherent(65536, true), work(), work(), work()];

  it('after an expansion the correct pools count every chunk', () => {
    const w = run(grown);
    const s = w.pools;
    expect(
      s &&
        [s.atomic_pool_dma, s.atomic_pool_dma32, s.atomic_pool_kernel].some(
          (p) => (p?.chunks.length ?? 0) > 1,
        ),
    ).toBe(true);
    expect(check(w)).toBeNull();
  });

  it('debugfs counting an added chunk twice (debugfs-double-count) is reported', () => {
    const w = runMutant('debugfs-double-count', grown);
    expect(check(w)?.message).toMatch(/^pool_size_\w+ \d+ != chunks added \d+$/);
  });

  it('debugfs one byte off, on the last pool, is reported', () => {
    const w = run([]);
    const s = w.pools;
    if (!s) throw new Error('no pools');
    s.pool_size_kernel += 1;
    expect(check(w)).toEqual({
      subject: 'pool kernel',
      message: `pool_size_kernel ${128 * 1024 + 1} != chunks added ${128 * 1024}`,
    });
    s.pool_size_kernel -= 1;
    s.pool_size_dma32 -= 1;
    expect(check(w)?.subject).toBe('pool dma32');
  });

  it('without pools (v5.4) nothing is judged', () => {
    expect(check(run([], { policy: 'v5.4' }))).toBeNull();
  });

  it('witness: a step in which a pool allocated pages; not a direct allocation', () => {
    const w = run([]);
    w.events = [{ kind: 'alloc', by: 'pool', pfn: 1, npages: 32 }];
    expect(poolAccounting.witness?.(ctx(w, work()))).toBe(true);
    w.events = [{ kind: 'alloc', by: 'direct', pfn: 1, npages: 32 }];
    expect(poolAccounting.witness?.(ctx(w, work()))).toBe(false);
  });
});

describe.each([
  ['pool-accounting', poolAccounting],
  ['pool-zone-membership', zoneMembership],
])('%s witness: a pool allocation in a worker step', (_n, p) => {
  const wit = (events: WorldEvent[]) => {
    const w = run([]);
    w.events = events;
    return p.witness?.(ctx(w, work()));
  };
  const poolAlloc: WorldEvent = { kind: 'alloc', by: 'pool', pfn: 1, npages: 32 };

  it('among other events of the step', () => {
    expect(wit([{ kind: 'may_sleep', what: 'alloc_pages' }, poolAlloc])).toBe(true);
  });

  it('not a step without events, nor one in which the pool freed pages', () => {
    expect(wit([])).toBe(false);
    expect(wit([freeEvent(1, 32, 'pool')])).toBe(false);
  });
});
