/**
 * lib/genalloc.c, Linux 6.1 (unchanged in effect through 6.1.y and mainline):
 * a pool of chunks, each with one bitmap bit per granule of
 * 2^min_alloc_order bytes.
 *
 * Models: gen_pool_create, gen_pool_add_virt (and gen_pool_add_owner's owner),
 * gen_pool_add, gen_pool_alloc, gen_pool_alloc_algo, gen_pool_alloc_algo_owner,
 * gen_pool_free, gen_pool_avail, gen_pool_size, gen_pool_has_addr,
 * gen_pool_virt_to_phys, gen_pool_set_algo. The algorithms are in algos.ts.
 *
 * Left out, each a simplification:
 * - Allocation failure of the pool or chunk header (vzalloc): the model always succeeds.
 * - RCU, the lockless bitmap_set_ll/clear_ll and the retry on a concurrent
 *   bit collision: a single-threaded model never collides.
 * - The NUMA node, the pool name, gen_pool_destroy, the DMA wrappers
 *   (gen_pool_dma_alloc*), gen_pool_for_each_chunk, devm/of helpers.
 * - A kernel BUG_ON in gen_pool_free is returned as a GenPoolBug value; the
 *   model leaves the pool untouched (the kernel's state after it is undefined).
 *
 * Numbers: addresses, sizes and bit indices are JS numbers below 2^52
 * (physical-address-like values; kernel virtual addresses above 2^53 are not
 * modelled). 64-bit wrap appears in three places and is kept: an end address
 * `virt + size - 1` of -1 (virt = size = 0) stands for 2^64 - 1, stored as
 * the double 2^64, which compares above every modelled address; `phys = -1`
 * (gen_pool_add) stands for all ones; gen_pool_virt_to_phys returns -1 for
 * "no chunk".
 *
 * Context: every entry point is safe in atomic context except
 * gen_pool_create and gen_pool_add_virt, which allocate with GFP_KERNEL and may sleep.
 */
import { type GenPoolAlgo, type GenPoolData, gen_pool_first_fit } from './algos.ts';
import { bitmap_clear, bitmap_set, find_next_zero_bit, pow2 } from './bitmap.ts';

/** struct gen_pool_chunk, 6.1. `end_bit` and `bits` hold the bitmap; `end_addr` is inclusive. */
export interface GenPoolChunk {
  start_addr: number;
  /** Inclusive (start_addr + size - 1): BZ-27's fix. */
  end_addr: number;
  phys_addr: number;
  /** Bytes not allocated, the tail (size mod granule) included for good. */
  avail: number;
  /** Usable bits: floor(size / granule). */
  end_bit: number;
  bits: Uint32Array;
  owner?: unknown;
}

/** struct gen_pool, 6.1. `chunks` is in list order: newest first. */
export interface GenPool {
  min_alloc_order: number;
  chunks: GenPoolChunk[];
  algo: GenPoolAlgo;
  data: GenPoolData | undefined;
}

/** A BUG_ON the kernel would hit, with what triggered it. */
export interface GenPoolBug {
  readonly bug: string;
}

/** 2^64 - 1 as the nearest double: above every modelled address. */
const ALL_ONES = 2 ** 64;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** lib/genalloc.c chunk_size(), 6.1: end - start + 1, modulo 2^64. */
export function chunk_size(chunk: GenPoolChunk): number {
  const s = chunk.end_addr - chunk.start_addr + 1;
  return s >= ALL_ONES ? s - ALL_ONES : s;
}

/**
 * lib/genalloc.c gen_pool_create(), 6.1: an empty pool with first_fit.
 * `min_alloc_order` is stored unchecked. Context: may sleep.
 */
export function gen_pool_create(min_alloc_order: number): GenPool {
  return { min_alloc_order, chunks: [], algo: gen_pool_first_fit, data: undefined };
}

/**
 * lib/genalloc.c gen_pool_add_owner(), 6.1 (gen_pool_add_virt when `owner`
 * is absent): a chunk of `size` bytes at `virt`, floor(size / granule) bits,
 * avail = size, put at the head of the list. Nothing is validated. Returns 0.
 * Context: may sleep.
 */
export function gen_pool_add_virt(
  pool: GenPool,
  virt: number,
  phys: number,
  size: number,
  owner?: unknown,
): number {
  const g = pow2(pool.min_alloc_order);
  const end_bit = Math.floor(size / g);
  const end = virt + size - 1;
  const chunk: GenPoolChunk = {
    start_addr: virt,
    end_addr: end < 0 ? ALL_ONES : end,
    phys_addr: phys,
    avail: size,
    end_bit,
    bits: new Uint32Array(Math.ceil(end_bit / 32)),
  };
  // Stryker disable next-line ConditionalExpression: an owner set to undefined reads as no owner (the kernel's NULL)
  if (owner !== undefined) chunk.owner = owner;
  pool.chunks.unshift(chunk);
  return 0;
}

/** lib/genalloc.c gen_pool_add(), 6.1 (include/linux/genalloc.h): gen_pool_add_virt with phys = -1. */
export function gen_pool_add(pool: GenPool, addr: number, size: number): number {
  return gen_pool_add_virt(pool, addr, -1, size);
}

/**
 * lib/genalloc.c gen_pool_alloc_algo_owner(), 6.1: `size` bytes (rounded up to
 * whole granules) from the first chunk, newest first, where `algo` finds room.
 * Returns the address and the serving chunk (its `owner` is the kernel's
 * *owner), or addr 0 and no chunk. size 0 returns 0. Context: atomic-safe.
 */
export function gen_pool_alloc_algo_owner(
  pool: GenPool,
  size: number,
  algo: GenPoolAlgo,
  data: GenPoolData | undefined,
): { addr: number; chunk: GenPoolChunk | null } {
  if (size === 0) return { addr: 0, chunk: null };
  const g = pow2(pool.min_alloc_order);
  const nbits = Math.ceil(size / g);
  for (const chunk of pool.chunks) {
    // a shortcut only: such a chunk never has nbits clear bits (genalloc.md section 3)
    // Stryker disable next-line ConditionalExpression: the shortcut cannot change the result, as above
    if (size > chunk.avail) continue;
    const start_bit = algo(chunk.bits, chunk.end_bit, 0, nbits, data, pool, chunk.start_addr);
    if (start_bit >= chunk.end_bit) continue;
    bitmap_set(chunk.bits, start_bit, nbits);
    chunk.avail -= nbits * g;
    return { addr: chunk.start_addr + start_bit * g, chunk };
  }
  return { addr: 0, chunk: null };
}

/** lib/genalloc.c gen_pool_alloc_algo(), 6.1 (genalloc.h): the address, or 0. Context: atomic-safe. */
export function gen_pool_alloc_algo(
  pool: GenPool,
  size: number,
  algo: GenPoolAlgo,
  data: GenPoolData | undefined,
): number {
  return gen_pool_alloc_algo_owner(pool, size, algo, data).addr;
}

/** lib/genalloc.c gen_pool_alloc(), 6.1 (genalloc.h): with the pool's own algo and data. Context: atomic-safe. */
export function gen_pool_alloc(pool: GenPool, size: number): number {
  return gen_pool_alloc_algo_owner(pool, size, pool.algo, pool.data).addr;
}

/**
 * The first chunk in list order (newest first) with start <= addr <= end, as
 * gen_pool_free and gen_pool_virt_to_phys walk the list. A model helper, not
 * a kernel export.
 */
export function gen_pool_find_chunk(pool: GenPool, addr: number): GenPoolChunk | null {
  for (const chunk of pool.chunks)
    if (addr >= chunk.start_addr && addr <= chunk.end_addr) return chunk;
  return null;
}

/**
 * lib/genalloc.c gen_pool_free_owner(), 6.1 (gen_pool_free): clears the
 * granules of [addr, addr + size) in the first chunk containing `addr`
 * (an unaligned addr rounds down to its granule) and credits them to avail.
 * Returns null, or the BUG the kernel would hit: no chunk contains addr, the
 * range runs past the chunk end, or a granule in it is not allocated (a double
 * free). On a BUG nothing changes. Context: atomic-safe.
 */
export function gen_pool_free(pool: GenPool, addr: number, size: number): GenPoolBug | null {
  const g = pow2(pool.min_alloc_order);
  const nbits = Math.ceil(size / g);
  const chunk = gen_pool_find_chunk(pool, addr);
  if (chunk === null) return { bug: `gen_pool_free(${hex(addr)}, ${size}): no chunk contains it` };
  const last = addr + size - 1;
  if ((last < 0 ? ALL_ONES : last) > chunk.end_addr)
    return {
      bug: `gen_pool_free(${hex(addr)}, ${size}): runs past chunk end ${hex(chunk.end_addr)}`,
    };
  const bit = Math.floor((addr - chunk.start_addr) / g);
  // bits past end_bit are never set, and find_next_zero_bit finds a word past
  // the bitmap clear too: a range into the tail fails there
  const clear = find_next_zero_bit(chunk.bits, bit + nbits, bit);
  if (clear < bit + nbits)
    return {
      bug: `gen_pool_free(${hex(addr)}, ${size}): bit ${clear} of chunk ${hex(chunk.start_addr)} is not allocated`,
    };
  bitmap_clear(chunk.bits, bit, nbits);
  chunk.avail += nbits * g;
  return null;
}

/** lib/genalloc.c gen_pool_avail(), 6.1: the sum of every chunk's avail. Context: atomic-safe. */
export function gen_pool_avail(pool: GenPool): number {
  let avail = 0;
  for (const chunk of pool.chunks) avail += chunk.avail;
  return avail;
}

/** lib/genalloc.c gen_pool_size(), 6.1: the sum of the chunk sizes, tails included. Context: atomic-safe. */
export function gen_pool_size(pool: GenPool): number {
  let size = 0;
  for (const chunk of pool.chunks) size += chunk_size(chunk);
  return size;
}

/**
 * lib/genalloc.c gen_pool_has_addr(), 6.1 (addr_in_gen_pool before 5.5):
 * whether [start, start + size - 1] lies inside one chunk. Never looks at the
 * bitmap. Context: atomic-safe.
 */
export function gen_pool_has_addr(pool: GenPool, start: number, size: number): boolean {
  const e = start + size - 1;
  const end = e < 0 ? ALL_ONES : e;
  for (const chunk of pool.chunks)
    if (start >= chunk.start_addr && start <= chunk.end_addr && end <= chunk.end_addr) return true;
  return false;
}

/**
 * lib/genalloc.c gen_pool_virt_to_phys(), 6.1: phys + (addr - start) in the
 * first chunk containing addr, or -1 (all ones) when none does. For a chunk
 * from gen_pool_add (phys -1) the value is meaningless, as in the kernel.
 * Context: atomic-safe.
 */
export function gen_pool_virt_to_phys(pool: GenPool, addr: number): number {
  const chunk = gen_pool_find_chunk(pool, addr);
  return chunk === null ? -1 : chunk.phys_addr + (addr - chunk.start_addr);
}

/**
 * lib/genalloc.c gen_pool_set_algo(), 6.1: the algorithm gen_pool_alloc uses;
 * null means first_fit. `data` is stored as given. Context: atomic-safe.
 */
export function gen_pool_set_algo(
  pool: GenPool,
  algo: GenPoolAlgo | null,
  data: GenPoolData | undefined,
): void {
  pool.algo = algo ?? gen_pool_first_fit;
  pool.data = data;
}
