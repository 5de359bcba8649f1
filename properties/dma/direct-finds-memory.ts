/** kernel/dma/direct.c __dma_direct_alloc_pages(): the zone retry finds addressable memory (90ae409f9eb3, BZ-23). */
import { type Device, min_not_zero } from '../../models/dma/device.ts';
import { get_order, PAGE_ALIGN } from '../../models/dma/env.ts';
import { MIGRATE_PCPTYPES, MIGRATE_TYPES } from '../../models/page_alloc/pages.ts';
import type { Zone } from '../../models/page_alloc/state.ts';
import { high_wmark_pages } from '../../models/page_alloc/zone.ts';
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { ALLOC_OPS } from './helpers.ts';

/** A free block of at least `order` on a list a GFP_KERNEL request may take or steal from. */
function hasBlock(z: Zone, order: number): boolean {
  // Stryker disable next-line EqualityOperator: `<=` reads past free_head's end, undefined and never >= 0 (>= is killed)
  for (let o = order; o < z.nr_free.length; o++)
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++)
      if ((z.free_head[o * MIGRATE_TYPES + mt] as number) >= 0) return true;
  return false;
}

/** The zone a device's request starts in (dma_direct_optimal_gfp_mask()): DMA, DMA32 or Normal. */
function firstZone(limit: number): number {
  return limit <= 2 ** 24 - 1 ? 0 : limit <= 2 ** 32 - 1 ? 1 : 2;
}

/** A zone the device can address end to end that holds the order well above its high watermark. */
function servingZone(w: World, dev: Device, size: number): Zone | null {
  const limit = min_not_zero(dev.coherent_dma_mask, dev.bus_dma_limit);
  const order = get_order(PAGE_ALIGN(size));
  const cz = firstZone(limit);
  for (const z of w.pa.zones) {
    const last = (z.zone_start_pfn + z.spanned_pages) * 4096 - 1;
    if (z.managed_pages === 0 || last > limit) continue;
    // Stryker disable next-line ConditionalExpression: a zone above cz is empty (Movable, Device) or ends above the limit on the x86 layout (true is killed)
    if (z.idx > cz) continue;
    const spare = z.nr_free_pages - 2 ** order - z.nr_reserved_highatomic;
    if (spare >= high_wmark_pages(z) + (z.lowmem_reserve[cz] as number) && hasBlock(z, order))
      return z;
  }
  return null;
}

export default property<World, DmaOp>({
  id: 'dma/direct-finds-memory',
  ref: '§2.8',
  statement:
    'A blocking dma_alloc_coherent() or dma_alloc_pages() fails only if no zone the device addresses end to end holds a free block of the order above its high watermark plus lowmem_reserve, faults and refused conversions aside: an unaddressable CMA block sends the request on through the zone retry (90ae409f9eb3).',
  system: 'dma',
  after: [...ALLOC_OPS],
  check: ({ state, op }) => {
    if (op.op !== 'dma_alloc_coherent' && op.op !== 'dma_alloc_pages') return null;
    if (state.context !== 'task' || state.stepBuffer !== null) return null;
    if (state.events.some((e) => e.kind === 'fault' || (e.kind === 'convert' && !e.ok)))
      return null;
    const dev = state.config.devices[op.dev % state.config.devices.length] as Device;
    const z = servingZone(state, dev, op.size);
    return z
      ? {
          subject: `${dev.name} request of ${op.size} bytes`,
          message: `failed although Zone ${z.name} holds a free block of order ${get_order(PAGE_ALIGN(op.size))} above its watermarks`,
          details: [`${z.name} free:${z.nr_free_pages} high:${high_wmark_pages(z)}`],
        }
      : null;
  },
  witness: ({ state, op }) =>
    (op.op === 'dma_alloc_coherent' || op.op === 'dma_alloc_pages') &&
    state.context === 'task' &&
    state.stepBuffer !== null,
  catches: [{ mutant: 'cma-retried-every-zone', zoo: 'BZ-23' }],
});
