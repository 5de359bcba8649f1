/**
 * dma/exact-conversion, branch by branch (I3, BZ-19): in an allocation
 * step, every page of every conversion range lies in a block dma-direct
 * allocated earlier in the same step (blocks may be adjacent or nested); a
 * pool's or the kernel's allocation does not count.
 */
import { describe, expect, it } from 'vitest';
import type { World, WorldEvent } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/exact-conversion.ts';
import { coherent, ctx, freeEvent, run, runMutant } from './world.ts';

const task = coherent(8192, false);
const check = (w: World) => prop.check?.(ctx(w, task)) ?? null;

/** A fresh 8 KiB buffer's world, and the first pfn of its block. */
function fresh(): { w: World; p: number } {
  const w = run([task]);
  const b = w.stepBuffer;
  if (!b) throw new Error('no buffer');
  return { w, p: b.phys / 4096 };
}

const alloc = (
  pfn: number,
  npages: number,
  by: 'direct' | 'pool' | 'kernel' = 'direct',
): WorldEvent => ({
  kind: 'alloc',
  by,
  pfn,
  npages,
});
const dec = (pfn: number, npages: number): WorldEvent => ({
  kind: 'convert',
  op: 'set_memory_decrypted',
  pfn,
  npages,
  ok: true,
});
const hexp = (n: number) => `0x${n.toString(16)}`;

describe('exact-conversion', () => {
  it('the real fresh allocation converts exactly its block', () => {
    const { w, p } = fresh();
    expect(w.events).toContainEqual(alloc(p, 2));
    expect(check(w)).toBeNull();
  });

  it('one page past the block is reported, naming that page', () => {
    const { w, p } = fresh();
    w.events = [alloc(p, 2), dec(p, 3)];
    const v = check(w);
    expect(v?.subject).toBe(`pfn ${hexp(p + 2)}`);
    expect(v?.message).toBe(
      `set_memory_decrypted(pfn ${hexp(p)}, 3 pages) reaches a page the request did not allocate`,
    );
    expect(v?.details?.[0]).toMatch(new RegExp(`^pfn ${hexp(p + 2)}: `));
  });

  it('one page before the block is reported', () => {
    const { w, p } = fresh();
    w.events = [alloc(p, 2), dec(p - 1, 2)];
    expect(check(w)?.subject).toBe(`pfn ${hexp(p - 1)}`);
  });

  it('the last page of the block alone is inside', () => {
    const { w, p } = fresh();
    w.events = [alloc(p, 2), dec(p + 1, 1)];
    expect(check(w)).toBeNull();
  });

  it('a range over two adjacent blocks is inside; with a gap it is not', () => {
    const { w, p } = fresh();
    w.events = [alloc(p, 2), alloc(p + 2, 2), dec(p, 4)];
    expect(check(w)).toBeNull();
    w.events = [alloc(p, 2), alloc(p + 3, 2), dec(p, 5)];
    expect(check(w)?.subject).toBe(`pfn ${hexp(p + 2)}`);
  });

  it('nested blocks: the walk goes on from the farthest end', () => {
    const { w, p } = fresh();
    w.events = [alloc(p, 1), alloc(p, 4), dec(p, 4)];
    expect(check(w)).toBeNull();
    w.events = [alloc(p, 4), alloc(p, 1), dec(p, 4)];
    expect(check(w)).toBeNull();
  });

  it('a conversion before the allocation of its block is reported', () => {
    const { w, p } = fresh();
    w.events = [dec(p, 2), alloc(p, 2)];
    expect(check(w)?.subject).toBe(`pfn ${hexp(p)}`);
  });

  it('a block a pool or the kernel took does not count', () => {
    const { w, p } = fresh();
    w.events = [alloc(p, 2, 'pool'), dec(p, 2)];
    expect(check(w)).not.toBeNull();
    w.events = [alloc(p, 2, 'kernel'), dec(p, 2)];
    expect(check(w)).not.toBeNull();
  });

  it('pages the request freed are not its own: only allocations count as taken', () => {
    const { w, p } = fresh();
    w.events = [alloc(p, 2), freeEvent(p + 2, 2), dec(p, 4)];
    expect(check(w)?.subject).toBe(`pfn ${hexp(p + 2)}`);
  });

  it('only conversions are judged: frees and leaks of other pages are not', () => {
    const { w, p } = fresh();
    w.events = [
      alloc(p, 2),
      dec(p, 2),
      { kind: 'leak', pfn: p + 8, npages: 4, cause: 'decrypt-failed' },
      freeEvent(p + 16, 4, 'pool'),
    ];
    expect(check(w)).toBeNull();
  });

  it('a re-encryption is judged like a decryption', () => {
    const { w, p } = fresh();
    const enc = (n: number): WorldEvent => ({
      kind: 'convert',
      op: 'set_memory_encrypted',
      pfn: p,
      npages: n,
      ok: false,
    });
    w.events = [alloc(p, 2), enc(2)];
    expect(check(w)).toBeNull();
    w.events = [alloc(p, 2), enc(3)];
    expect(check(w)?.message).toMatch(/^set_memory_encrypted\(/);
  });

  it('CMA giving size >> PAGE_SHIFT pages (cma-one-page-short) is reported', () => {
    const odd = coherent(3 * 4096 + 100, false);
    const w = runMutant('cma-one-page-short', [odd]);
    expect(w.events.some((e) => e.kind === 'alloc' && e.cma === true)).toBe(true);
    expect(prop.check?.(ctx(w, odd))).not.toBeNull();
  });
});

describe('exact-conversion witness', () => {
  it('a step that decrypted pages; not one that only re-encrypted, nor one that converted nothing', () => {
    const { w, p } = fresh();
    expect(prop.witness?.(ctx(w, task))).toBe(true);
    w.events = [{ kind: 'convert', op: 'set_memory_encrypted', pfn: p, npages: 2, ok: true }];
    expect(prop.witness?.(ctx(w, task))).toBe(false);
    w.events = [alloc(p, 2)];
    expect(prop.witness?.(ctx(w, task))).toBe(false);
  });
});
