/**
 * The gen_pool allocation algorithms of lib/genalloc.c, Linux 6.1:
 * gen_pool_first_fit, gen_pool_first_fit_align, gen_pool_first_fit_order_align,
 * gen_pool_best_fit and gen_pool_fixed_alloc. Each sees one chunk's bitmap
 * and returns a bit index (< size) or a failure value (>= size).
 *
 * Left out: the WARN that fixed_alloc prints for an offset that is not a
 * multiple of the granule (the model just fails that chunk, as the kernel
 * does); `nr` is an unsigned int in the kernel, so requests of 2^32 granules
 * or more would be truncated: not modelled (they need chunks of 2^32 bits).
 *
 * Context: called under rcu_read_lock() from gen_pool_alloc_algo_owner(); never sleep.
 */
import { bitmap_find_next_zero_area_off, find_next_bit, pow2 } from './bitmap.ts';
import type { GenPool } from './gen_pool.ts';

/** struct genpool_data_align ({ align }) or struct genpool_data_fixed ({ offset }), 6.1. */
export type GenPoolData = { align: number } | { offset: number };

/** include/linux/genalloc.h genpool_algo_t, 6.1. */
export type GenPoolAlgo = (
  map: Uint32Array,
  size: number,
  start: number,
  nr: number,
  data: GenPoolData | undefined,
  pool: GenPool,
  start_addr: number,
) => number;

/** roundup_pow_of_two(n) for 1 <= n < 2^52 (include/linux/log2.h). */
export function roundup_pow_of_two(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** lib/genalloc.c gen_pool_first_fit(), 6.1: the lowest run of `nr` clear bits; ignores `data`. */
export const gen_pool_first_fit: GenPoolAlgo = (map, size, start, nr) =>
  bitmap_find_next_zero_area_off(map, size, start, nr, 0, 0);

/**
 * lib/genalloc.c gen_pool_first_fit_order_align(), 6.1: the lowest run of
 * `nr` clear bits whose index *in the chunk* is a multiple of
 * roundup_pow_of_two(nr). The chunk start is not considered, so the address
 * is aligned only when the chunk start is (spec trap 3).
 */
export const gen_pool_first_fit_order_align: GenPoolAlgo = (map, size, start, nr) =>
  bitmap_find_next_zero_area_off(map, size, start, nr, roundup_pow_of_two(nr) - 1, 0);

/** The align field as a C int: the token's value must fit in 32 bits signed. */
function alignOf(data: GenPoolData | undefined): number {
  if (data === undefined || !('align' in data))
    throw new TypeError(
      'gen_pool_first_fit_align: data must be { align } (the kernel dereferences it)',
    );
  return data.align;
}

/**
 * lib/genalloc.c gen_pool_first_fit_align(), 6.1: first fit whose *address*
 * is a multiple of `data.align` (bytes, a C int), for a power-of-two align
 * and a granule-aligned chunk start. mask = align in granules minus one;
 * off = the chunk start's misalignment in granules (BZ-25's fix).
 * align <= 0 makes the unsigned mask wrap: computed modulo 2^64, as the
 * kernel does (align 0 fails every chunk that starts at or above one granule).
 */
export const gen_pool_first_fit_align: GenPoolAlgo = (
  map,
  size,
  start,
  nr,
  data,
  pool,
  start_addr,
) => {
  const align = alignOf(data);
  const order = pool.min_alloc_order;
  const g = pow2(order);
  // start_addr & (align - 1): align - 1 in C int arithmetic (INT_MIN - 1 wraps
  // to INT_MAX), then sign-extended to 64 bits, so a negative one keeps the high bits
  const masked = BigInt(start_addr) & BigInt.asUintN(64, BigInt((align - 1) | 0));
  const align_offset = Math.floor(Number(masked) / g);
  // Stryker disable next-line ConditionalExpression,BlockStatement: false sends a positive align down the 64-bit branch below, which computes the same mask
  if (align > 0) {
    const align_mask = Math.floor((align + g - 1) / g) - 1;
    return bitmap_find_next_zero_area_off(map, size, start, nr, align_mask, align_offset);
  }
  // (unsigned long)align + g - 1, >> order, - 1: all modulo 2^64
  const u = BigInt.asUintN(64, BigInt(align) + BigInt(g) - 1n);
  const align_mask = BigInt.asUintN(64, (u >> BigInt(order)) - 1n);
  return bitmap_find_next_zero_area_off(map, size, start, nr, align_mask, align_offset);
};

/**
 * lib/genalloc.c gen_pool_fixed_alloc(), 6.1: exactly at `data.offset` bytes
 * from this chunk's start, or fail (never slides, spec trap 10). An offset
 * that is not a multiple of the granule fails the chunk (the kernel WARNs).
 */
export const gen_pool_fixed_alloc: GenPoolAlgo = (map, size, start, nr, data, pool) => {
  if (data === undefined || !('offset' in data))
    throw new TypeError(
      'gen_pool_fixed_alloc: data must be { offset } (the kernel dereferences it)',
    );
  const g = pow2(pool.min_alloc_order);
  // offset >> order, then the WARN_ON for the bits it dropped
  const offset_bit = Math.floor(data.offset / g);
  if (data.offset % g !== 0) return size;
  const start_bit = bitmap_find_next_zero_area_off(map, size, start + offset_bit, nr, 0, 0);
  return start_bit === offset_bit ? start_bit : size;
};

/**
 * lib/genalloc.c gen_pool_best_fit(), 6.1: among the clear runs of at least
 * `nr` bits (measured up to the next set bit or the chunk end), the shortest;
 * a tie keeps the lowest, a run of exactly `nr` wins at once. The block goes
 * at the start of the run. Per chunk only (spec trap 6).
 */
export const gen_pool_best_fit: GenPoolAlgo = (map, size, start, nr) => {
  let start_bit = size;
  let len = size + 1;
  let index = bitmap_find_next_zero_area_off(map, size, start, nr, 0, 0);
  while (index < size) {
    const next_bit = find_next_bit(map, size, index + nr);
    if (next_bit - index < len) {
      len = next_bit - index;
      start_bit = index;
      // Stryker disable next-line ConditionalExpression: an early exit only; no later run is shorter than nr
      if (len === nr) return start_bit;
    }
    index = bitmap_find_next_zero_area_off(map, size, next_bit + 1, nr, 0, 0);
  }
  return start_bit;
};
