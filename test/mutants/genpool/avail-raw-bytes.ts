/** avail charged and credited with the raw byte size, not whole granules (spec trap 8). */
import {
  gen_pool_alloc_algo_owner,
  gen_pool_find_chunk,
  gen_pool_free,
} from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'bytes',
  wrong: 'avail moves by the requested bytes instead of nbits << order',
  variant: {
    id: 'avail-raw-bytes',
    gen_pool_alloc_algo_owner: (pool, size, algo, data) => {
      const r = gen_pool_alloc_algo_owner(pool, size, algo, data);
      const g = 2 ** pool.min_alloc_order;
      if (r.chunk !== null) r.chunk.avail += Math.ceil(size / g) * g - size;
      return r;
    },
    gen_pool_free: (pool, addr, size) => {
      const chunk = gen_pool_find_chunk(pool, addr);
      const bug = gen_pool_free(pool, addr, size);
      const g = 2 ** pool.min_alloc_order;
      if (bug === null && chunk !== null) chunk.avail -= Math.ceil(size / g) * g - size;
      return bug;
    },
  },
};
