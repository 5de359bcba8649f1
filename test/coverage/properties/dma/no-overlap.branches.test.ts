/**
 * dma/no-overlap, branch by branch (I6): a new buffer overlaps no other live
 * buffer ([phys, phys + size) ranges), and no page of it is free; after a
 * step that freed pages (and no new buffer), no page of any live buffer is
 * free; other steps are not judged.
 */
import { describe, expect, it } from 'vitest';
import { PG_ALLOCATED, PG_FREE } from '../../../../models/page_alloc/pages.ts';
import type { DmaBuffer, World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/no-overlap.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, freeCoherent, freeEvent, run } from './world.ts';

const check = (w: World, op: DmaOp) => prop.check?.(ctx(w, op)) ?? null;
const task = coherent(8192, false);

/** Two fresh 8 KiB buffers, the second new, with the second moved to `phys(a)`. */
function two(phys?: (a: DmaBuffer) => number, size?: number): World {
  const w = run([task, task]);
  const [a, b] = w.buffers;
  if (!a || !b || w.stepBuffer !== b) throw new Error('expected two buffers, the second new');
  const moved = { ...b, ...(phys ? { phys: phys(a) } : {}), ...(size ? { size } : {}) };
  w.buffers[1] = moved;
  w.stepBuffer = moved;
  return w;
}

describe('no-overlap of a new buffer', () => {
  it.each([
    ['ends exactly where the other starts', (a: DmaBuffer) => a.phys - 8192, false],
    ['starts exactly where the other ends', (a: DmaBuffer) => a.phys + a.size, false],
    ['ends one byte into the other', (a: DmaBuffer) => a.phys - 8192 + 1, true],
    ['starts one byte before the other ends', (a: DmaBuffer) => a.phys + a.size - 1, true],
    ['lies on the other', (a: DmaBuffer) => a.phys, true],
  ])('a new buffer that %s', (_what, at, overlaps) => {
    const w = two(at);
    // the moved buffer's pages are made allocated, so only the overlap is judged
    const b = w.stepBuffer as DmaBuffer;
    for (let p = Math.floor(b.phys / 4096); p < Math.ceil((b.phys + b.size) / 4096); p++)
      if (w.pa.pages.owner[p] === PG_FREE) w.pa.pages.owner[p] = 3;
    const v = check(w, task);
    if (overlaps) expect(v?.message).toMatch(/^overlaps buffer #\d+ \(nvme0, 8192 bytes at /);
    else expect(v).toBeNull();
  });

  it('a buffer does not overlap itself', () => {
    const w = run([task]);
    expect(check(w, task)).toBeNull();
  });

  it('a new buffer with its last page on the free lists is reported, with the page', () => {
    const w = run([task]);
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    const last = b.phys / 4096 + 1;
    const after = last + 1;
    const before = w.pa.pages.owner[after];
    w.pa.pages.owner[after] = PG_FREE;
    expect(check(w, task)).toBeNull();
    w.pa.pages.owner[after] = before as number;
    w.pa.pages.owner[last] = PG_FREE;
    const v = check(w, task);
    expect(v?.message).toBe('a page of it is free');
    expect(v?.details?.[0]).toMatch(new RegExp(`^pfn 0x${last.toString(16)}: buddy-free, `));
  });

  it('a free page at pfn 0 counts', () => {
    const w = run([task]);
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    const moved = { ...b, phys: 0 };
    w.buffers[w.buffers.indexOf(b)] = moved;
    w.stepBuffer = moved;
    w.pa.pages.owner[0] = PG_FREE;
    w.pa.pages.owner[1] = PG_ALLOCATED;
    expect(check(w, task)?.details?.[0]).toMatch(/^pfn 0x0: buddy-free, /);
  });
});

describe('no-overlap after a step without a new buffer', () => {
  it('a step that freed pages: every live buffer is read', () => {
    const w = run([task, task, freeCoherent]);
    expect(w.events.some((e) => e.kind === 'free')).toBe(true);
    expect(check(w, freeCoherent)).toBeNull();
    const live = w.buffers[0];
    if (!live) throw new Error('no buffer');
    w.pa.pages.owner[live.phys / 4096] = PG_FREE;
    expect(check(w, freeCoherent)?.subject).toMatch(new RegExp(`^buffer #${live.id} `));
  });

  it('a step that freed nothing is not judged', () => {
    const w = run([task, task, freeCoherent]);
    const live = w.buffers[0];
    if (!live) throw new Error('no buffer');
    w.pa.pages.owner[live.phys / 4096] = PG_FREE;
    w.events = w.events.filter((e) => e.kind !== 'free');
    expect(check(w, freeCoherent)).toBeNull();
  });

  it('on an allocation step only the new buffer is read', () => {
    const w = run([task, task]);
    const old = w.buffers[0];
    if (!old) throw new Error('no buffer');
    w.pa.pages.owner[old.phys / 4096] = PG_FREE;
    w.events.push(freeEvent(1, 1, 'kernel'));
    expect(check(w, task)).toBeNull();
  });
});

describe('no-overlap witness', () => {
  it('two live buffers, not one', () => {
    expect(prop.witness?.(ctx(run([task, task]), task))).toBe(true);
    expect(prop.witness?.(ctx(run([task]), task))).toBe(false);
  });
});
