/**
 * dma/free-to-owner, branch by branch (I6, T15): a free step that acts on
 * memory other than the buffer (a `wild` event) or hits a kernel BUG is
 * reported; at the end of a run every page of every pool chunk, first to
 * last, is still owned by the pool.
 */
import { describe, expect, it } from 'vitest';
import { PG_FREE, PG_POOL } from '../../../../models/page_alloc/pages.ts';
import type { World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/free-to-owner.ts';
import { poolsOf } from '../../../../properties/dma/pools.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import {
  coherent,
  ctx,
  freeCoherent,
  freeEvent,
  freePages,
  pagesOp,
  run,
  runMutant,
} from './world.ts';

const check = (w: World, op: DmaOp) => prop.check?.(ctx(w, op)) ?? null;
const atEnd = (w: World) => prop.atEnd?.(w) ?? null;

describe('free-to-owner check', () => {
  it('a free that acts on memory that is not the buffer is reported', () => {
    const w = run([coherent(8192, false), freeCoherent]);
    w.events.push({ kind: 'wild', detail: 'set_memory_encrypted of pfn 0x10' });
    expect(check(w, freeCoherent)).toEqual({
      subject: 'dma free',
      message: 'acts on memory that is not the buffer: set_memory_encrypted of pfn 0x10',
    });
  });

  it('the first of a wild and a bug event is the one reported', () => {
    const w = run([coherent(8192, false), freeCoherent]);
    w.events.push({ kind: 'bug', detail: 'BUG first' }, { kind: 'wild', detail: 'wild second' });
    expect(check(w, freeCoherent)?.message).toBe('BUG first');
  });

  it('the page API returning the pool block address as its page frees wild memory', () => {
    const ops = [pagesOp(8192, true), freePages];
    // mainline returns the block's struct page (6.1 still has T15)
    expect(check(run(ops, { policy: 'mainline' }), freePages)).toBeNull();
    const w = runMutant('page-api-returns-cpu-address', ops);
    expect(check(w, freePages)?.subject).toBe('dma free');
  });

  it('warnings, leaks, conversions and frees are no wild act', () => {
    const w = run([coherent(8192, false), freeCoherent]);
    w.events.push({ kind: 'warn', text: 'x' }, { kind: 'leak', pfn: 1, npages: 1, cause: 'x' });
    expect(check(w, freeCoherent)).toBeNull();
  });
});

describe('free-to-owner at the end', () => {
  const chunkOf = (w: World) => {
    const p = w.pools ? poolsOf(w.pools)[0] : undefined;
    const c = p?.chunks[0];
    if (!p || !c) throw new Error('no chunk');
    return { p, c, first: c.phys / 4096, end: (c.phys + c.size) / 4096 };
  };

  it("after boot every chunk page is the pool's", () => {
    expect(atEnd(run([]))).toBeNull();
  });

  it('without pools (v5.4) nothing is judged', () => {
    expect(atEnd(run([], { policy: 'v5.4' }))).toBeNull();
  });

  it("the last page of a chunk leaving the pool is reported; the page after it is not the pool's", () => {
    const w = run([]);
    const { p, c, end } = chunkOf(w);
    w.pa.pages.owner[end] = PG_FREE;
    expect(atEnd(w)).toBeNull();
    w.pa.pages.owner[end - 1] = PG_FREE;
    expect(atEnd(w)).toEqual({
      subject: `pool ${p.name}#${c.seq}`,
      message: `pfn 0x${(end - 1).toString(16)} of the chunk left the pool`,
    });
  });

  it('the first page of a chunk counts; the page before it does not', () => {
    const w = run([]);
    const { first } = chunkOf(w);
    w.pa.pages.owner[first - 1] = PG_FREE;
    expect(atEnd(w)).toBeNull();
    w.pa.pages.owner[first] = PG_FREE;
    expect(atEnd(w)?.message).toBe(`pfn 0x${first.toString(16)} of the chunk left the pool`);
    w.pa.pages.owner[first] = PG_POOL;
    expect(atEnd(w)).toBeNull();
  });

  it("every pool is read: a page of the kernel pool's chunk, also when another pool is absent", () => {
    const w = run([]);
    if (w.pools) w.pools.atomic_pool_dma = null;
    const k = w.pools?.atomic_pool_kernel?.chunks[0];
    if (!k) throw new Error('no kernel chunk');
    w.pa.pages.owner[k.phys / 4096 + 3] = PG_FREE;
    expect(atEnd(w)?.subject).toBe('pool kernel#0');
  });

  it('a pool block freed to the buddy allocator (free-misses-pool) leaves the pool', () => {
    const ops = [coherent(8192, true), freeCoherent];
    expect(atEnd(run(ops))).toBeNull();
    expect(atEnd(runMutant('free-misses-pool', ops))?.message).toMatch(
      /of the chunk left the pool$/,
    );
  });
});

describe('free-to-owner witness', () => {
  const wit = (w: World, op: DmaOp) => prop.witness?.(ctx(w, op));

  it('a free that gave pages back', () => {
    const w = run([coherent(8192, false), freeCoherent]);
    expect(wit(w, freeCoherent)).toBe(true);
    const p = run([pagesOp(8192, false), freePages]);
    expect(wit(p, freePages)).toBe(true);
  });

  it('a free event alone is enough; other events without one are not', () => {
    const w = run([coherent(8192, false), freeCoherent]);
    w.events = [freeEvent(0x100, 2)];
    expect(wit(w, freeCoherent)).toBe(true);
    w.events = [{ kind: 'convert', op: 'set_memory_encrypted', pfn: 0x100, npages: 2, ok: true }];
    expect(wit(w, freeCoherent)).toBe(false);
  });

  it('not a free into the pool (no free event), nor another op', () => {
    const w = run([coherent(8192, true), freeCoherent]);
    expect(w.events.some((e) => e.kind === 'free')).toBe(false);
    expect(wit(w, freeCoherent)).toBe(false);
    const x = run([coherent(8192, false), freeCoherent]);
    expect(wit(x, coherent(8192, false))).toBe(false);
  });
});
