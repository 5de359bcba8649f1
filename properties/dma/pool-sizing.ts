/** I8: kernel/dma/pool.c dma_atomic_pool_init() sizing (3ee06a6d532f, v5.8-rc2). */
import { get_order } from '../../models/dma/env.ts';
import { memparse } from '../../models/dma/pool.ts';
import type { World } from '../../models/world/world.ts';
import type { DmaOp } from '../../src/systems/dma/ops.ts';
import { property } from '../property.ts';
import { poolsOf } from './pools.ts';

/** The size the kernel documents: coherent_pool= if non-zero, else 128 KiB per GiB, at least 128 KiB. */
export function expectedAtomicPoolSize(w: World): number {
  const param = w.config.coherent_pool === undefined ? 0 : memparse(w.config.coherent_pool);
  if (param !== 0) return param;
  const totalram = w.pa.zones.reduce((a, z) => a + z.managed_pages, 0);
  return Math.max(Math.min(Math.floor(totalram / 8192), 1024) * 4096, 128 * 1024);
}

export default property<World, DmaOp>({
  id: 'dma/pool-sizing',
  ref: 'I8',
  statement:
    'atomic_pool_size is coherent_pool= when given and non-zero, else max(min(totalram_pages / 8192, 1024) pages, 128 KiB); each pool starts with one chunk of PAGE_SIZE << min(get_order(atomic_pool_size), 10) bytes.',
  system: 'dma',
  designs: ['atomic-pool'],
  // Stryker disable next-line ArrayDeclaration: no check, so makePlan skips this property and never reads `after`
  after: [],
  atEnd: (state) => {
    const s = state.pools;
    if (!s) return null;
    const want = expectedAtomicPoolSize(state);
    if (s.atomic_pool_size !== want)
      return {
        subject: 'atomic_pool_size',
        message: `${s.atomic_pool_size} bytes, the documented rule gives ${want}`,
      };
    const chunk = 4096 * 2 ** Math.min(get_order(want), 10);
    for (const p of poolsOf(s)) {
      const first = p.chunks[0];
      if (first && first.size !== chunk)
        return {
          subject: `pool ${p.name}#0`,
          message: `first chunk ${first.size} bytes, not ${chunk}`,
        };
    }
    return null;
  },
  catches: [{ mutant: 'pool-128k-per-16m' }],
});
