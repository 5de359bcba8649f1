/** BZ-27 (~v3.11): end_addr stored exclusive (start + size) but compared as inclusive. */
import { gen_pool_add_virt } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'order0',
  wrong: 'chunk end_addr = start + size, while has_addr and free treat it as the last byte',
  variant: {
    id: 'exclusive-chunk-end',
    gen_pool_add_virt: (pool, virt, phys, size, owner) => {
      const r = gen_pool_add_virt(pool, virt, phys, size, owner);
      const chunk = pool.chunks[0];
      if (chunk !== undefined) chunk.end_addr = virt + size;
      return r;
    },
  },
};
