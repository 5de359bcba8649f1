/** fixed_alloc sliding to the next free position instead of failing (spec trap 10). */
import { bitmap_find_next_zero_area_off } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'bytes',
  wrong: 'fixed_alloc returns the first free run at or after the offset',
  variant: {
    id: 'fixed-alloc-slides',
    algos: {
      fixed_alloc: (map, size, start, nr, data, pool) => {
        const g = 2 ** pool.min_alloc_order;
        const offset = data !== undefined && 'offset' in data ? data.offset : 0;
        if (offset % g !== 0) return size;
        return bitmap_find_next_zero_area_off(map, size, start + offset / g, nr, 0, 0);
      },
    },
  },
};
