/**
 * How the world records a page allocation (models/world/world.ts
 * allocFromBuddy(), takeFault()): a request with __GFP_DIRECT_RECLAIM may
 * sleep (might_sleep(), dma.md §4) and is logged as such, an atomic one is
 * not; an armed alloc_pages fault fails only a request of its order (or
 * any order with -1), once; a failed request without __GFP_NOWARN prints
 * warn_alloc()'s "page allocation failure" line and hands out nothing.
 */
import { describe, expect, it } from 'vitest';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import { coherent, run } from '../../coverage/properties/dma/world.ts';

const kernelAlloc = (atomic: boolean, order: number, count = 1): DmaOp => ({
  op: 'alloc_pages',
  atomic,
  zone: 'normal',
  order,
  count,
});

describe('may_sleep of a page allocation', () => {
  it('GFP_KERNEL: the order-2 request is logged as one that may sleep, then allocated', () => {
    const w = run([kernelAlloc(false, 2)]);
    const block = w.kernelPages[0];
    expect(w.events).toEqual([
      { kind: 'may_sleep', what: 'alloc_pages(order 2, __GFP_DIRECT_RECLAIM)' },
      { kind: 'alloc', by: 'kernel', pfn: block?.pfn, npages: 4 },
    ]);
  });

  it('GFP_ATOMIC: no may_sleep', () => {
    const w = run([kernelAlloc(true, 2)]);
    expect(w.events).toEqual([
      { kind: 'alloc', by: 'kernel', pfn: w.kernelPages[0]?.pfn, npages: 4 },
    ]);
  });
});

describe('an armed alloc_pages fault', () => {
  const armed: DmaOp = { op: 'fault', at: 'alloc_pages', order: 3 };

  it('an order-3 fault leaves an order-0 request alone and stays armed', () => {
    const w = run([armed, kernelAlloc(true, 0)]);
    expect(w.kernelPages.length).toBe(1);
    expect(w.events.some((e) => e.kind === 'fault')).toBe(false);
    expect(w.faults).toEqual([{ at: 'alloc_pages', order: 3 }]);
  });

  it('it fails the next order-3 request, once: the one after succeeds', () => {
    const w = run([armed, kernelAlloc(true, 0), kernelAlloc(true, 3)]);
    expect(w.events).toEqual([{ kind: 'fault', at: 'alloc_pages' }]);
    expect(w.kernelPages.length).toBe(1);
    expect(w.faults).toEqual([]);
    const again = run([armed, kernelAlloc(true, 3), kernelAlloc(true, 3)]);
    expect(again.kernelPages.length).toBe(1);
    expect(again.events.map((e) => e.kind)).toEqual(['alloc']);
  });

  it('order -1 fails a request of any order', () => {
    const w = run([{ op: 'fault', at: 'alloc_pages', order: -1 }, kernelAlloc(true, 5)]);
    expect(w.events).toEqual([{ kind: 'fault', at: 'alloc_pages' }]);
    expect(w.kernelPages).toEqual([]);
  });
});

describe('a failed page allocation', () => {
  // another user takes every page GFP_ATOMIC may take (its own requests are __GFP_NOWARN)
  const drain: DmaOp[] = [
    { op: 'alloc_pages', atomic: true, zone: 'dma32', order: 0, count: 100000 },
    { op: 'alloc_pages', atomic: true, zone: 'dma', order: 0, count: 100000 },
  ];
  // no encryption: an atomic dma_alloc_coherent() goes to the buddy allocator, not to a pool
  const plain = { config: { cc: 'none' as const } };

  it('without __GFP_NOWARN: warn_alloc() prints one line, nothing is allocated or handed out', () => {
    const w = run([...drain, coherent(4096, true)], plain);
    expect(w.events).toEqual([
      { kind: 'warn', text: 'page allocation failure: order:0, mode:0xa20(GFP_ATOMIC)' },
    ]);
    expect(w.stepAllocs.map((r) => r.pfn)).toEqual([null]);
    expect(w.buffers).toEqual([]);
  });

  it('with __GFP_NOWARN: silent', () => {
    const w = run([...drain, coherent(4096, true, true)], plain);
    expect(w.events).toEqual([]);
    expect(w.buffers).toEqual([]);
  });
});
