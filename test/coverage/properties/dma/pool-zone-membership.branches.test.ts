/**
 * dma/pool-zone-membership, branch by branch (I7): every dma pool chunk
 * ends at or below 16 MiB (phys + size <= 2^24), every dma32 chunk at or
 * below 4 GiB; the kernel pool's may lie anywhere; after a worker step and
 * at the end.
 */
import { describe, expect, it } from 'vitest';
import { type AtomicPool, poolOf } from '../../../../models/dma/pool.ts';
import type { World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/pool-zone-membership.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, run, runMutant, work } from './world.ts';

const check = (w: World) => prop.check?.(ctx(w, work())) ?? null;
const atEnd = (w: World) => prop.atEnd?.(w) ?? null;

function moveFirst(w: World, name: 'dma' | 'dma32' | 'kernel', end: number): AtomicPool {
  const p = w.pools ? poolOf(w.pools, name) : null;
  const c = p?.chunks[0];
  if (!p || !c) throw new Error(`no ${name} chunk`);
  p.chunks[0] = { ...c, phys: end - c.size };
  return p;
}

describe('pool-zone-membership', () => {
  it.each([
    ['dma', 2 ** 24],
    ['dma32', 2 ** 32],
  ] as const)(
    'a %s chunk ending exactly at its limit holds, one page further is reported',
    (name, limit) => {
      const w = run([]);
      moveFirst(w, name, limit);
      expect(check(w)).toBeNull();
      expect(atEnd(w)).toBeNull();
      const p = moveFirst(w, name, limit + 4096);
      const c = p.chunks[0];
      expect(check(w)).toEqual({
        subject: `pool ${name}#0`,
        message: `chunk 0x${c?.phys.toString(16)}+0x${c?.size.toString(16)} ends above 0x${limit.toString(16)}`,
      });
      expect(atEnd(w)).toEqual({
        subject: `pool ${name}#0`,
        message: `chunk 0x${c?.phys.toString(16)} is outside the zone`,
      });
    },
  );

  it('one byte over the limit is reported', () => {
    const w = run([]);
    moveFirst(w, 'dma', 2 ** 24 + 1);
    expect(check(w)).not.toBeNull();
    expect(atEnd(w)).not.toBeNull();
  });

  it('the kernel pool may lie anywhere', () => {
    const w = run([]);
    moveFirst(w, 'kernel', 2 ** 40);
    expect(check(w)).toBeNull();
    expect(atEnd(w)).toBeNull();
  });

  it('every chunk is read, not only the first', () => {
    const w = run([]);
    const p = w.pools?.atomic_pool_dma;
    const c = p?.chunks[0];
    if (!p || !c) throw new Error('no dma chunk');
    p.chunks.push({ ...c, seq: 1, phys: 2 ** 25 });
    expect(check(w)?.subject).toBe('pool dma#1');
    expect(atEnd(w)?.subject).toBe('pool dma#1');
  });

  it('without pools (v5.4) nothing is judged', () => {
    const w = run([], { policy: 'v5.4' });
    expect(check(w)).toBeNull();
    expect(atEnd(w)).toBeNull();
  });

  it('pool memory taken whatever the zone (expand-ignores-zone): the dma pool lies above 16 MiB', () => {
    const w = runMutant('expand-ignores-zone', []);
    expect(check(w)?.subject).toBe('pool dma#0');
    expect(atEnd(w)?.subject).toBe('pool dma#0');
  });

  it('a 24-bit device drains the dma pool; the correct worker refills it below 16 MiB', () => {
    const isa = { config: { devices: [{ name: 'isa', mask_bits: 24 }] } };
    const ops: DmaOp[] = [{ ...coherent(65536, true), count: 2 }, work(), work(), work()];
    const ok = run(ops, isa);
    expect(ok.pools?.atomic_pool_dma?.chunks.length).toBeGreaterThan(1);
    expect(check(ok)).toBeNull();
    expect(atEnd(ok)).toBeNull();
  });
});

describe('pool-zone-membership witness', () => {
  const wit = (w: World, op: DmaOp) => prop.witness?.(ctx(w, op));
  it('a worker step that allocated for a pool; not one that did not, nor another op', () => {
    const w = run([coherent(8192, true), work(1)]);
    w.events = [{ kind: 'alloc', by: 'pool', pfn: 1, npages: 32 }];
    expect(wit(w, work())).toBe(true);
    expect(wit(w, coherent(8192, true))).toBe(false);
    w.events = [{ kind: 'alloc', by: 'direct', pfn: 1, npages: 32 }];
    expect(wit(w, work())).toBe(false);
  });
});
