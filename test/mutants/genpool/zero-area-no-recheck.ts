/** first_fit taking the first clear bit without checking the rest of the run. */
import { find_next_zero_bit } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'bytes',
  wrong: 'first_fit returns the first clear bit even when a set bit lies inside the run',
  variant: {
    id: 'zero-area-no-recheck',
    algos: {
      first_fit: (map, size, start, nr) => {
        const p = find_next_zero_bit(map, size, start);
        return p + nr > size ? p + nr : p;
      },
    },
  },
};
