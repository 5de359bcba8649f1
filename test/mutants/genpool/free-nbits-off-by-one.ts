/** gen_pool_free computing nbits as floor(size / g) + 1 (an off-by-one rounding). */
import { gen_pool_free } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'pages',
  wrong: 'free clears one granule too many when the size is a whole number of granules',
  variant: {
    id: 'free-nbits-off-by-one',
    gen_pool_free: (pool, addr, size) => {
      const g = 2 ** pool.min_alloc_order;
      return gen_pool_free(pool, addr, (Math.floor(size / g) + 1) * g);
    },
  },
};
