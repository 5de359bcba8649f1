/**
 * dma/pools-for-managed-zones, branch by branch (I17, a674e48c5443): at the
 * end of a run, no boot alloc_pages() call for a pool whose reachable zones
 * (dma: ZONE_DMA; dma32: ZONE_DMA32 and ZONE_DMA; kernel: every zone) have
 * no managed pages; the first such call is reported with the logged pool
 * failures ("init-failed", "page-allocation-failure") as details.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/pool-creation.ts';
import { run, runMutant } from './world.ts';

const atEnd = (w: World) => prop.atEnd?.(w) ?? null;

/** Sets managed_pages of DMA, DMA32, Normal. */
function managed(w: World, dma: number, dma32: number, normal: number): World {
  const [a, b, c] = w.pa.zones;
  Object.assign(a ?? {}, { managed_pages: dma });
  Object.assign(b ?? {}, { managed_pages: dma32 });
  Object.assign(c ?? {}, { managed_pages: normal });
  return w;
}

const orderOf = (w: World, pool: string) => {
  const c = w.bootCalls.find((x) => x.fn === 'alloc_pages' && x.pool === pool);
  if (c?.fn !== 'alloc_pages') throw new Error(`no boot alloc_pages for ${pool}`);
  return (c as { order: number }).order;
};

describe('pools-for-managed-zones', () => {
  it('the default boot asks only zones that have managed pages', () => {
    expect(atEnd(run([]))).toBeNull();
  });

  it('a GFP_DMA pool in a kdump kernel without ZONE_DMA (pool-for-empty-zone) is reported', () => {
    const w = runMutant('pool-for-empty-zone', []);
    const v = atEnd(w);
    expect(v?.subject).toBe('pool dma');
    expect(v?.message).toBe(
      `boot asked ZONE_DMA for an order-${orderOf(w, 'dma')} chunk, but it has no managed pages`,
    );
    expect(v?.details?.length).toBeGreaterThan(0);
  });

  it('ZONE_DMA with no managed pages: the dma pool call is doomed; with one page it is not', () => {
    const w = managed(run([]), 1, 48848, 0);
    expect(atEnd(w)).toBeNull();
    managed(w, 0, 48848, 0);
    expect(atEnd(w)).toEqual({
      subject: 'pool dma',
      message: `boot asked ZONE_DMA for an order-${orderOf(w, 'dma')} chunk, but it has no managed pages`,
      details: [],
    });
  });

  it('the dma32 pool reaches ZONE_DMA too: doomed only when both are empty', () => {
    const w = run([]);
    // the dma pool's own call taken out of the record, to judge the dma32 one alone
    const calls = w.bootCalls.filter((c) => !(c.fn === 'alloc_pages' && c.pool === 'dma'));
    w.bootCalls.length = 0;
    w.bootCalls.push(...calls);
    managed(w, 10, 0, 5);
    expect(atEnd(w)).toBeNull();
    managed(w, 0, 0, 5);
    expect(atEnd(w)?.message).toBe(
      `boot asked ZONE_DMA32 and ZONE_DMA for an order-${orderOf(w, 'dma32')} chunk, but it has no managed pages`,
    );
  });

  it('the kernel pool reaches every zone: doomed only when all are empty', () => {
    const w = managed(run([]), 0, 0, 1);
    expect(atEnd(w)?.subject).toBe('pool dma');
    managed(w, 0, 0, 0);
    const v = atEnd(w);
    expect(v?.subject).toBe('pool kernel');
    expect(v?.message).toMatch(/^boot asked every zone for an order-\d+ chunk/);
  });

  it('only alloc_pages calls are judged (gen_pool_create for an empty zone is not)', () => {
    const w = managed(run([]), 0, 48848, 0);
    const calls = w.bootCalls.filter((c) => c.fn !== 'alloc_pages');
    expect(calls.some((c) => c.pool === 'dma')).toBe(true);
    w.bootCalls.length = 0;
    w.bootCalls.push(...calls);
    expect(atEnd(w)).toBeNull();
  });

  it('details are the logged init and page-allocation failures, nothing else', () => {
    const w = managed(run([]), 0, 48848, 0);
    const msgs = w.pools?.messages;
    if (!msgs) throw new Error('no pools');
    msgs.length = 0;
    msgs.push(
      { kind: 'preallocated', level: 'info', text: 'DMA preallocated 128 KiB' },
      { kind: 'init-failed', level: 'err', text: 'DMA: failed to allocate GFP_DMA pool' },
      { kind: 'exhausted', level: 'warn', text: 'DMA pool exhausted' },
      { kind: 'page-allocation-failure', level: 'warn', text: 'swapper: page allocation failure' },
    );
    expect(atEnd(w)?.details).toEqual([
      'DMA: failed to allocate GFP_DMA pool',
      'swapper: page allocation failure',
    ]);
  });
});
