/** The gen_pool model (lib/genalloc.c, 6.1): pool, chunks, bitmaps and the five algorithms. */
export {
  type GenPoolAlgo,
  type GenPoolData,
  gen_pool_best_fit,
  gen_pool_first_fit,
  gen_pool_first_fit_align,
  gen_pool_first_fit_order_align,
  gen_pool_fixed_alloc,
  roundup_pow_of_two,
} from './algos.ts';
export {
  bitmap_clear,
  bitmap_find_next_zero_area_off,
  bitmap_set,
  bitmap_weight_range,
  find_next_bit,
  find_next_zero_bit,
  hweight32,
} from './bitmap.ts';
export {
  chunk_size,
  type GenPool,
  type GenPoolBug,
  type GenPoolChunk,
  gen_pool_add,
  gen_pool_add_virt,
  gen_pool_alloc,
  gen_pool_alloc_algo,
  gen_pool_alloc_algo_owner,
  gen_pool_avail,
  gen_pool_create,
  gen_pool_find_chunk,
  gen_pool_free,
  gen_pool_has_addr,
  gen_pool_set_algo,
  gen_pool_size,
  gen_pool_virt_to_phys,
} from './gen_pool.ts';
