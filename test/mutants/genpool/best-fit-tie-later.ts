/** best_fit keeping the later of two equally short runs (spec trap 7). */
import { bitmap_find_next_zero_area_off, find_next_bit } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'order0',
  wrong: 'best_fit replaces its choice on an equal run length (<= for <)',
  variant: {
    id: 'best-fit-tie-later',
    algos: {
      best_fit: (map, size, start, nr) => {
        let start_bit = size;
        let len = size + 1;
        let index = bitmap_find_next_zero_area_off(map, size, start, nr, 0, 0);
        while (index < size) {
          const next_bit = find_next_bit(map, size, index + nr);
          if (next_bit - index <= len) {
            len = next_bit - index;
            start_bit = index;
          }
          index = bitmap_find_next_zero_area_off(map, size, next_bit + 1, nr, 0, 0);
        }
        return start_bit;
      },
    },
  },
};
