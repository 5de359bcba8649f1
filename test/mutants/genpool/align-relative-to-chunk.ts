/** BZ-25 (fixed in v5.0 by 52fbf1134d47): first_fit_align aligns relative to the chunk start. */
import { gen_pool_first_fit_align } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'pages',
  wrong: 'first_fit_align ignores the chunk start: the bit index, not the address, is aligned',
  variant: {
    id: 'align-relative-to-chunk',
    // start_addr 0 makes the offset 0: the pre-5.0 behaviour
    algos: {
      first_fit_align: (map, size, start, nr, data, pool) =>
        gen_pool_first_fit_align(map, size, start, nr, data, pool, 0),
    },
  },
};
