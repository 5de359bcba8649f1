/** order_align aligning to a multiple of nbits instead of roundup_pow_of_two(nbits) (spec trap 4). */
import { find_next_bit, find_next_zero_bit } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'bytes',
  wrong: 'first_fit_order_align aligns the bit index to nbits, not to the next power of two',
  variant: {
    id: 'order-align-to-nbits',
    algos: {
      first_fit_order_align: (map, size, start, nr) => {
        let from = start;
        for (;;) {
          const p = Math.ceil(find_next_zero_bit(map, size, from) / nr) * nr;
          if (p + nr > size) return p + nr;
          const b = find_next_bit(map, p + nr, p);
          if (b >= p + nr) return p;
          from = b + 1;
        }
      },
    },
  },
};
