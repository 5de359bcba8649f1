/** Pre-4.9 (fixed by 62e931fac45b): the failed chunk's result becomes the next chunk's search start. */
import { bitmap_set, type GenPoolChunk } from '../../../models/genpool/index.ts';
import type { GenpoolMutant } from './mutant.ts';

export const mutant: GenpoolMutant = {
  config: 'order0',
  wrong: 'start_bit is not reset per chunk, so older chunks lose their low bits',
  variant: {
    id: 'search-start-carried',
    gen_pool_alloc_algo_owner: (pool, size, algo, data) => {
      if (size === 0) return { addr: 0, chunk: null };
      const g = 2 ** pool.min_alloc_order;
      const nbits = Math.ceil(size / g);
      let start_bit = 0;
      for (const chunk of pool.chunks) {
        if (size > chunk.avail) continue;
        start_bit = algo(chunk.bits, chunk.end_bit, start_bit, nbits, data, pool, chunk.start_addr);
        if (start_bit >= chunk.end_bit) continue;
        bitmap_set(chunk.bits, start_bit, nbits);
        chunk.avail -= nbits * g;
        return { addr: chunk.start_addr + start_bit * g, chunk: chunk as GenPoolChunk };
      }
      return { addr: 0, chunk: null };
    },
  },
};
