/**
 * The 2019 reserve-pool design's guarantee in the world (models/world/world.ts
 * noteGuarantee()): before an atomic request of a forced-unencrypted device
 * runs, the world notes which reserve pool guarantees it, at the order of
 * the request dma-direct passes to the pool, get_order(PAGE_ALIGN(size)).
 * A device that is not forced unencrypted (no memory encryption; an SME
 * host's device above the C-bit) never reaches the pool: no guarantee.
 */
import { describe, expect, it } from 'vitest';
import type { CcKind } from '../../../models/dma/device.ts';
import { coherent, dev, run } from '../../coverage/properties/dma/world.ts';

const PAGE = 4096;
const policy = 'reserve-pool-2019';

/** The guarantee noted for an atomic dma_alloc_coherent(size) of a `bits`-bit device (256M guest). */
function guaranteeOf(size: number, cc: CcKind = 'sev-guest', bits = 24) {
  return run([coherent(size, true)], { policy, config: { cc, devices: [dev('d', bits)] } })
    .stepGuarantee;
}

describe('the order of the guaranteed request: get_order(PAGE_ALIGN(size))', () => {
  it.each([
    [1, 0],
    [PAGE, 0],
    [PAGE + 1, 1],
    [2 * PAGE, 1],
    [2 * PAGE + 1, 2],
    [4 * PAGE, 2],
    [4 * PAGE + 1, 3],
    [8 * PAGE, 3],
  ])('%i bytes: order %i, guaranteed by the DMA pool', (size, order) => {
    expect(guaranteeOf(size)).toEqual({ pool: 'DMA', order });
  });

  it('above the guaranteed order (3 here): no guarantee', () => {
    expect(guaranteeOf(8 * PAGE + 1)).toBeNull();
  });
});

describe('only a forced-unencrypted device is guaranteed', () => {
  it('no memory encryption: the pools are filled, yet no request is guaranteed', () => {
    const w = run([coherent(PAGE, true)], {
      policy,
      config: { cc: 'none', devices: [dev('d', 24)] },
    });
    expect(w.reserve).not.toBeNull();
    expect(w.stepGuarantee).toBeNull();
    expect(w.stepBuffer?.source).toBe('buddy');
  });

  it('an SME host (4G, C-bit 47): a 40-bit device is guaranteed by the DMA32 pool, a 64-bit one is not', () => {
    const at = (bits: number) =>
      run([coherent(PAGE, true)], {
        policy,
        config: { machine: '4G', cc: 'sme-host', devices: [dev('d', bits)] },
      }).stepGuarantee;
    expect(at(40)).toEqual({ pool: 'DMA32', order: 0 });
    expect(at(64)).toBeNull();
  });
});
