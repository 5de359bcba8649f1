/** Chunks searched oldest first (spec trap 1): the kernel puts a new chunk at the list head. */
import { gen_pool_alloc_algo_owner } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'bytes',
  wrong: 'gen_pool_alloc_algo_owner walks the chunks oldest first',
  variant: {
    id: 'oldest-chunk-first',
    gen_pool_alloc_algo_owner: (pool, size, algo, data) => {
      const chunks = pool.chunks;
      pool.chunks = [...chunks].reverse();
      try {
        return gen_pool_alloc_algo_owner(pool, size, algo, data);
      } finally {
        pool.chunks = chunks;
      }
    },
  },
};
