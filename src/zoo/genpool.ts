/**
 * The bug zoo's gen_pool variants: lib/genalloc.c bugs put back by wrapping
 * one model entry point or algorithm (src/systems/genpool GenpoolVariant),
 * each with the built-in configuration that exposes it. Test mutants
 * (test/mutants/genpool) import these rather than copy them.
 */
import {
  gen_pool_add_virt,
  gen_pool_alloc_algo_owner,
  gen_pool_find_chunk,
  gen_pool_first_fit_align,
  gen_pool_free,
} from '../../models/genpool/index.ts';
import type { GENPOOL_CONFIGS, GenpoolVariant } from '../systems/genpool/system.ts';

/** A broken gen_pool and the configuration where it shows within a small budget. */
export interface GenpoolZooVariant {
  readonly variant: GenpoolVariant;
  readonly config: keyof typeof GENPOOL_CONFIGS;
  /** What is wrong, in one line. */
  readonly wrong: string;
}

/** BZ-25 (fixed in v5.0 by 52fbf1134d47): first_fit_align aligns relative to the chunk start. */
export const alignRelativeToChunk: GenpoolZooVariant = {
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

/** (int)(nbits << order): the low 32 bits, signed (g is a power of two). */
const int32Bytes = (nbits: number, g: number) => Math.imul(nbits, g);

/** BZ-26 (fixed in v5.11 by 36845663843f): nbits << order computed in 32-bit int. */
export const nbitsInt32: GenpoolZooVariant = {
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

/** BZ-27 (~v3.11): end_addr stored exclusive (start + size) but compared as inclusive. */
export const exclusiveChunkEnd: GenpoolZooVariant = {
  config: 'order0',
  wrong: 'chunk end_addr = start + size, while has_addr and free treat it as the last byte',
  variant: {
    id: 'exclusive-chunk-end',
    gen_pool_add_virt: (pool, virt, phys, size, owner) => {
      const r = gen_pool_add_virt(pool, virt, phys, size, owner);
      const chunk = pool.chunks[0];
      if (chunk !== undefined) chunk.end_addr = virt + size;
      return r;
    },
  },
};

/** Every gen_pool variant the zoo ships, in bug order. */
export const zooGenpoolVariants: readonly GenpoolZooVariant[] = [
  alignRelativeToChunk,
  nbitsInt32,
  exclusiveChunkEnd,
];
