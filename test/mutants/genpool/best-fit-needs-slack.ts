/** best_fit skipping a run of exactly nbits (it only takes runs with room to spare). */
import { gen_pool_best_fit } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'bytes',
  wrong: 'best_fit looks for runs of nbits + 1',
  variant: {
    id: 'best-fit-needs-slack',
    algos: {
      best_fit: (map, size, start, nr, data, pool, start_addr) =>
        gen_pool_best_fit(map, size, start, nr + 1, data, pool, start_addr),
    },
  },
};
