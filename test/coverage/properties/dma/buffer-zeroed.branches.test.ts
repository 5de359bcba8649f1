/**
 * dma/buffer-zeroed, branch by branch (T8): a buffer dma-direct allocated
 * fresh has a memset(0) at its first pfn over at least the requested bytes,
 * after the last conversion whose range holds that pfn; pool buffers are
 * not judged.
 */
import { describe, expect, it } from 'vitest';
import type { World, WorldEvent } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/buffer-zeroed.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, pagesOp, run, runMutant } from './world.ts';

const task = coherent(8192, false);
const check = (w: World, op: DmaOp = task) => prop.check?.(ctx(w, op)) ?? null;

function fresh(): { w: World; p: number; requested: number } {
  const w = run([task]);
  const b = w.stepBuffer;
  if (!b) throw new Error('no buffer');
  return { w, p: b.phys / 4096, requested: b.requested };
}
const zero = (pfn: number, bytes: number): WorldEvent => ({ kind: 'zero', pfn, bytes });
const conv = (pfn: number, npages: number): WorldEvent => ({
  kind: 'convert',
  op: 'set_memory_decrypted',
  pfn,
  npages,
  ok: true,
});

describe('buffer-zeroed', () => {
  it('a fresh buffer never zeroed (skip-memset) is reported', () => {
    const w = runMutant('skip-memset', [task]);
    expect(check(w)?.message).toBe('handed out without being zeroed');
    expect(check(w)?.subject).toMatch(/^buffer #\d+ \(nvme0, 8192 bytes at /);
  });

  it('a memset of exactly the requested bytes is enough; one byte short is not', () => {
    const { w, p, requested } = fresh();
    w.events = [conv(p, 2), zero(p, requested)];
    expect(check(w)).toBeNull();
    w.events = [conv(p, 2), zero(p, requested - 1)];
    expect(check(w)?.message).toBe('handed out without being zeroed');
  });

  it("a memset at another pfn is not this buffer's", () => {
    const { w, p, requested } = fresh();
    w.events = [conv(p, 2), zero(p + 1, requested)];
    expect(check(w)?.message).toBe('handed out without being zeroed');
  });

  it('a conversion whose range ends just before the first pfn, or starts after it, does not count', () => {
    const { w, p, requested } = fresh();
    w.events = [zero(p, requested), conv(p - 2, 2), conv(p + 1, 1)];
    expect(check(w)).toBeNull();
  });

  it('a conversion whose range holds the first pfn at its last page counts', () => {
    const { w, p, requested } = fresh();
    w.events = [zero(p, requested), conv(p - 1, 2)];
    expect(check(w)?.message).toBe('zeroed before its pages were converted');
  });

  it('only a conversion orders the memset: an allocation record of the block after it does not', () => {
    const { w, p, requested } = fresh();
    w.events = [conv(p, 2), zero(p, requested), { kind: 'alloc', by: 'direct', pfn: p, npages: 2 }];
    expect(check(w)).toBeNull();
  });

  it('the last memset and the last conversion decide', () => {
    const { w, p, requested } = fresh();
    w.events = [zero(p, requested), conv(p, 2), zero(p, requested)];
    expect(check(w)).toBeNull();
    w.events = [conv(p, 2), zero(p, requested), conv(p, 2)];
    expect(check(w)).not.toBeNull();
  });

  it('the page API is judged too; pool buffers and failed requests are not', () => {
    const op = pagesOp(8192, false);
    const pw = run([op]);
    expect(check(pw, op)).toBeNull();
    pw.events = [];
    expect(check(pw, op)).not.toBeNull();
    const a = coherent(8192, true);
    const w = run([a]);
    expect(w.stepBuffer?.source).toBe('pool');
    w.events = [];
    expect(check(w, a)).toBeNull();
    const f = fresh().w;
    f.stepBuffer = null;
    f.events = [];
    expect(check(f)).toBeNull();
  });

  it('witness: a fresh buffer; not a pool one, not a failed request', () => {
    expect(prop.witness?.(ctx(run([task]), task))).toBe(true);
    const a = coherent(8192, true);
    expect(prop.witness?.(ctx(run([a]), a))).toBe(false);
    const f = fresh().w;
    f.stepBuffer = null;
    expect(prop.witness?.(ctx(f, task))).toBe(false);
  });
});
