/** BZ-26 (fixed in v5.11 by 36845663843f): nbits << order computed in 32-bit int. */
import {
  gen_pool_alloc_algo_owner,
  gen_pool_find_chunk,
  gen_pool_free,
} from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

/** (int)(nbits << order): the low 32 bits, signed (g is a power of two). */
const int32Bytes = (nbits: number, g: number) => Math.imul(nbits, g);

export const mutant: GenpoolMutant = {
  config: 'huge',
  wrong: 'avail moves by (int)(nbits << order): wrong from 2 GiB on',
  variant: {
    id: 'nbits-int32',
    gen_pool_alloc_algo_owner: (pool, size, algo, data) => {
      const r = gen_pool_alloc_algo_owner(pool, size, algo, data);
      const g = 2 ** pool.min_alloc_order;
      const nbits = Math.ceil(size / g);
      if (r.chunk !== null) r.chunk.avail += nbits * g - int32Bytes(nbits, g);
      return r;
    },
    gen_pool_free: (pool, addr, size) => {
      const chunk = gen_pool_find_chunk(pool, addr);
      const bug = gen_pool_free(pool, addr, size);
      const g = 2 ** pool.min_alloc_order;
      const nbits = Math.ceil(size / g);
      if (bug === null && chunk !== null) chunk.avail -= nbits * g - int32Bytes(nbits, g);
      return bug;
    },
  },
};
