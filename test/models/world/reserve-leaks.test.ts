/**
 * The 2019 reserve-pool design in the world (models/world/world.ts
 * syncPool()): when the host refuses the decryption of a block kswapd is
 * refilling a pool with, the block may be half converted, so it goes neither
 * to the pool nor back to the buddy allocator: the world records the leak in
 * the kswapd sub-step that found it (which pool, why), counts its pages in
 * leakedPages, and the pages belong to nobody from then on.
 */
import { describe, expect, it } from 'vitest';
import { PG_LEAKED } from '../../../models/page_alloc/pages.ts';
import type { World, WorldEvent } from '../../../models/world/world.ts';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import { coherent, systemOf } from '../../coverage/properties/dma/world.ts';

const refuseDecrypt: DmaOp = { op: 'fault', at: 'set_memory_decrypted', order: -1 };

const kswapd: DmaOp = { op: 'kswapd' };
const kswapdSteps = (n: number): DmaOp[] => Array.from({ length: n }, () => kswapd);

/** The world after `ops` (kswapd one sub-step per op), and every op's events, in order. */
function runAll(ops: readonly DmaOp[]): { w: World; events: WorldEvent[] } {
  const system = systemOf({ policy: 'reserve-pool-2019' });
  const w = system.init();
  const events: WorldEvent[] = [];
  for (const op of ops) {
    system.step(w, op);
    events.push(...w.events);
  }
  return { w, events };
}

describe('reserve pool: a refill the host refuses', () => {
  it('the refused block is leaked: one leak event naming the pool, counted, owned by nobody', () => {
    // an atomic 8K request takes an order-1 block; kswapd refills the pool, the decryption is refused
    const { w, events } = runAll([refuseDecrypt, coherent(8192, true), ...kswapdSteps(8)]);
    const leaks = events.filter((e) => e.kind === 'leak');
    const block = w.reserve?.leaked[0];
    if (!block) throw new Error('the reserve pool leaked nothing');
    const pfn = block.phys / 4096;
    expect(leaks).toEqual([
      { kind: 'leak', pfn, npages: 2, cause: `reserve pool ${block.pool}: decrypt-failed` },
    ]);
    expect(events).toContainEqual({
      kind: 'convert',
      op: 'set_memory_decrypted',
      pfn,
      npages: 2,
      ok: false,
    });
    expect(w.leakedPages).toBe(2);
    expect([...w.pa.pages.owner.slice(pfn, pfn + 2)]).toEqual([PG_LEAKED, PG_LEAKED]);
  });

  it('a second refused refill is recorded too', () => {
    const { w, events } = runAll([
      refuseDecrypt,
      coherent(8192, true),
      ...kswapdSteps(8),
      refuseDecrypt,
      coherent(8192, true),
      ...kswapdSteps(8),
    ]);
    const leaked = w.reserve?.leaked ?? [];
    expect(leaked.length).toBe(2);
    expect(events.filter((e) => e.kind === 'leak').map((e) => e.kind === 'leak' && e.pfn)).toEqual(
      leaked.map((b) => b.phys / 4096),
    );
    expect(w.leakedPages).toBe(leaked.reduce((n, b) => n + 2 ** b.order, 0));
  });
});
