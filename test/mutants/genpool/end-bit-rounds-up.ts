/** The bitmap covering the chunk tail: ceil(size / g) bits instead of floor. */
import { gen_pool_add_virt } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'bytes',
  wrong: 'a chunk gets ceil(size / g) bits, so its tail granule can be allocated',
  variant: {
    id: 'end-bit-rounds-up',
    gen_pool_add_virt: (pool, virt, phys, size, owner) => {
      const r = gen_pool_add_virt(pool, virt, phys, size, owner);
      const chunk = pool.chunks[0];
      if (chunk !== undefined) {
        chunk.end_bit = Math.ceil(size / 2 ** pool.min_alloc_order);
        chunk.bits = new Uint32Array(Math.ceil(chunk.end_bit / 32));
      }
      return r;
    },
  },
};
