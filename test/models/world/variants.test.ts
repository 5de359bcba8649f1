/**
 * The world's own broken variants (WorldVariant in models/world/world.ts),
 * each through the test mutant that carries it: what the buggy kernel does
 * at boot or in the pool worker, against what mainline does on the same
 * scenario.
 */
import { describe, expect, it } from 'vitest';
import { type PoolName, poolOf } from '../../../models/dma/pool.ts';
import type { World } from '../../../models/world/world.ts';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import {
  coherent,
  dev,
  mutantSetup,
  run,
  runMutant,
  work,
} from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;

function firstChunk(w: World, name: PoolName): { readonly phys: number; readonly size: number } {
  const c = w.pools ? poolOf(w.pools, name)?.chunks[0] : undefined;
  if (!c) throw new Error(`no ${name} chunk`);
  return c;
}

describe('expand-stale-page (BZ-07)', () => {
  it('at boot the dma pool allocates its page, and the dma32 pool adopts that same page without allocating', () => {
    // mainline on the 256M guest creates the dma pool, then the dma32 pool (Normal is empty)
    const dma = firstChunk(run([], { policy: 'mainline' }), 'dma').phys;
    const w = runMutant('expand-stale-page', []);
    // the first expansion has no previous page: it allocates, as mainline does
    expect(firstChunk(w, 'dma').phys).toBe(dma);
    expect(firstChunk(w, 'dma32').phys).toBe(dma);
    expect(w.events.filter((e) => e.kind === 'alloc')).toEqual([
      { kind: 'alloc', by: 'pool', pfn: dma / PAGE, npages: 32 },
    ]);
  });
});

describe('expand-cma-any-zone (BZ-03)', () => {
  const setup = mutantSetup('expand-cma-any-zone');

  it('the dma and dma32 pools take their chunks from the CMA area, which lies in ZONE_NORMAL', () => {
    const w = runMutant('expand-cma-any-zone', []);
    const area = w.cma;
    if (!area) throw new Error('no CMA area');
    expect(area.base_pfn * PAGE).toBeGreaterThanOrEqual(2 ** 32);
    for (const name of ['dma', 'dma32'] as const) {
      const c = firstChunk(w, name);
      const pfn = c.phys / PAGE;
      expect(pfn).toBeGreaterThanOrEqual(area.base_pfn);
      expect(pfn + c.size / PAGE).toBeLessThanOrEqual(area.base_pfn + area.count);
      expect(w.events).toContainEqual({
        kind: 'alloc',
        by: 'pool',
        pfn,
        npages: c.size / PAGE,
        cma: true,
      });
    }
  });

  it('mainline on the same scenario: cma_in_zone() keeps them in the buddy allocator below 4 GiB', () => {
    const w = run([], { ...setup, variant: {} });
    expect(firstChunk(w, 'dma').phys + firstChunk(w, 'dma').size).toBeLessThanOrEqual(2 ** 24);
    expect(firstChunk(w, 'dma32').phys + firstChunk(w, 'dma32').size).toBeLessThanOrEqual(2 ** 32);
  });
});

describe('debugfs-double-count', () => {
  it.each([
    ['dma', 24],
    ['dma32', 32],
  ] as const)(
    'pool_size_%s counts each chunk the worker added twice, the boot chunk once',
    (name, bits) => {
      // a device of `bits` address bits drains the pool of its zone; the worker refills it
      const ops: DmaOp[] = [{ ...coherent(65536, true), count: 2 }, work(), work(), work()];
      const w = runMutant('debugfs-double-count', ops, { devices: [dev('dev', bits)] });
      const s = w.pools;
      const p = s ? poolOf(s, name) : null;
      if (!s || !p) throw new Error(`no ${name} pool`);
      const [boot, ...added] = p.chunks.map((c) => c.size);
      expect(added.length).toBeGreaterThan(0);
      const sum = added.reduce((a, b) => a + b, 0);
      expect(s[`pool_size_${name}`]).toBe((boot ?? 0) + 2 * sum);
      // the other pool, never expanded, is counted right
      const other = name === 'dma' ? 'dma32' : 'dma';
      expect(s[`pool_size_${other}`]).toBe(firstChunk(w, other).size);
    },
  );
});
