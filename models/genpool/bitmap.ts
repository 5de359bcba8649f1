/**
 * Bitmap helpers of Linux 6.1 as lib/genalloc.c uses them: lib/bitmap.c
 * (bitmap_set, bitmap_clear, bitmap_find_next_zero_area_off) and
 * include/linux/find.h / lib/find_bit.c (find_next_bit, find_next_zero_bit).
 *
 * Representation: a `Uint32Array`; bit `i` is bit `i % 32` of word
 * `floor(i / 32)`. The kernel uses 64-bit longs; bit-index semantics are the
 * same. Scans run a word at a time.
 *
 * Left out: the lockless `bitmap_set_ll` / `bitmap_clear_ll` of genalloc.c
 * (a single-threaded model never collides, so they reduce to the plain
 * set/clear here); every other bitmap function.
 *
 * Numbers: bit indices are JS numbers. Word and bit positions are computed
 * with division, never with shifts, so indices past 2^31 stay exact. Masks
 * that need full 64-bit wrap-around (first_fit_align with align <= 0) are
 * bigints and take the literal slow path.
 *
 * Context: pure functions; any context.
 */

const TWO32 = 4294967296;
const TWO64 = 18446744073709551616n;
const M64 = TWO64 - 1n;

/** Index of the lowest set bit of a non-zero 32-bit word. */
function ctz32(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** Number of set bits in a 32-bit word. */
export function hweight32(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Word mask of bits `b .. 31` (b in 0..31). */
function fromBit(b: number): number {
  return (0xffffffff << b) >>> 0;
}

/** Word mask of `n` bits starting at bit `b` (1 <= n, b + n <= 32). */
function bitsAt(b: number, n: number): number {
  return ((0xffffffff >>> (32 - n)) << b) >>> 0;
}

/**
 * include/linux/find.h find_next_bit(), 6.1: the first set bit in
 * `[offset, size)`, or `size` when there is none (also when offset >= size).
 */
export function find_next_bit(addr: Uint32Array, size: number, offset: number): number {
  if (offset >= size) return size;
  let w = Math.floor(offset / 32);
  let word = (addr[w] as number) & fromBit(offset % 32);
  const lastWord = Math.floor((size - 1) / 32);
  while (word === 0) {
    if (w >= lastWord) return size;
    w += 1;
    word = addr[w] as number;
  }
  const bit = w * 32 + ctz32(word);
  return Math.min(bit, size);
}

/**
 * include/linux/find.h find_next_zero_bit(), 6.1: the first clear bit in
 * `[offset, size)`, or `size` when there is none (also when offset >= size).
 */
export function find_next_zero_bit(addr: Uint32Array, size: number, offset: number): number {
  if (offset >= size) return size;
  let w = Math.floor(offset / 32);
  let word = ~(addr[w] as number) & fromBit(offset % 32);
  const lastWord = Math.floor((size - 1) / 32);
  while (word === 0) {
    if (w >= lastWord) return size;
    w += 1;
    word = ~(addr[w] as number);
  }
  const bit = w * 32 + ctz32(word);
  return Math.min(bit, size);
}

/** lib/bitmap.c __bitmap_set() (bitmap_set), 6.1: sets bits `[start, start + len)`. */
export function bitmap_set(map: Uint32Array, start: number, len: number): void {
  if (len <= 0) return;
  let w = Math.floor(start / 32);
  const b = start % 32;
  let rem = len;
  if (b + rem <= 32) {
    map[w] = (map[w] as number) | bitsAt(b, rem);
    return;
  }
  if (b !== 0) {
    map[w] = (map[w] as number) | fromBit(b);
    rem -= 32 - b;
    w += 1;
  }
  while (rem >= 32) {
    map[w] = 0xffffffff;
    rem -= 32;
    w += 1;
  }
  if (rem > 0) map[w] = (map[w] as number) | bitsAt(0, rem);
}

/** lib/bitmap.c __bitmap_clear() (bitmap_clear), 6.1: clears bits `[start, start + len)`. */
export function bitmap_clear(map: Uint32Array, start: number, len: number): void {
  if (len <= 0) return;
  let w = Math.floor(start / 32);
  const b = start % 32;
  let rem = len;
  if (b + rem <= 32) {
    map[w] = (map[w] as number) & ~bitsAt(b, rem);
    return;
  }
  if (b !== 0) {
    map[w] = (map[w] as number) & ~fromBit(b);
    rem -= 32 - b;
    w += 1;
  }
  while (rem >= 32) {
    map[w] = 0;
    rem -= 32;
    w += 1;
  }
  if (rem > 0) map[w] = (map[w] as number) & ~bitsAt(0, rem);
}

/** Number of set bits in `[start, start + len)`: a model helper, not a kernel function. */
export function bitmap_weight_range(map: Uint32Array, start: number, len: number): number {
  let n = 0;
  const end = start + len;
  let i = start;
  while (i < end && i % 32 !== 0) {
    if (((map[Math.floor(i / 32)] as number) & (1 << (i % 32))) !== 0) n += 1;
    i += 1;
  }
  while (i + 32 <= end) {
    n += hweight32(map[i / 32] as number);
    i += 32;
  }
  while (i < end) {
    if (((map[Math.floor(i / 32)] as number) & (1 << (i % 32))) !== 0) n += 1;
    i += 1;
  }
  return n;
}

/**
 * `x & ~m` for non-negative integers below 2^53, split into 32-bit halves
 * so no bit above 31 is lost (the `>>> 0` only reinterprets a 32-bit result).
 */
function andNot53(x: number, m: number): number {
  if (x < TWO32 && m < TWO32) return (x & ~m) >>> 0;
  const xh = Math.floor(x / TWO32);
  const mh = Math.floor(m / TWO32);
  return ((xh & ~mh) >>> 0) * TWO32 + (((x % TWO32) & ~(m % TWO32)) >>> 0);
}

/** Whether a positive integer below 2^53 is a power of two. */
function isPow2(n: number): boolean {
  if (n < TWO32) return (n & (n - 1)) === 0;
  return n % TWO32 === 0 && isPow2(n / TWO32);
}

/** Largest mask/offset the number path accepts; beyond it the 64-bit slow path runs. */
const FAST_LIMIT = 2 ** 40;

/**
 * lib/bitmap.c bitmap_find_next_zero_area_off(), 6.1: from `start`, the first
 * clear bit, aligned so that `(index + align_offset)` has no bit of
 * `align_mask` set, whose `nr` bits up to `size` are all clear. Returns that
 * index (< size), or a failure value (>= size).
 *
 * The literal loop: find a clear bit, align it, fail if the run would pass
 * `size`, otherwise restart one past the first set bit inside the run.
 * Masks and offsets given as bigints (or above 2^40) are computed modulo
 * 2^64; failure values above 2^53 come back rounded, still >= size.
 * Small power-of-two masks take a word-at-a-time fast path with the same
 * result; on failure it returns the loop's own value for mask 0 and some
 * value > size otherwise (genalloc.md section 2: callers compare with size).
 */
export function bitmap_find_next_zero_area_off(
  map: Uint32Array,
  size: number,
  start: number,
  nr: number,
  align_mask: number | bigint,
  align_offset: number | bigint,
): number {
  if (
    typeof align_mask === 'bigint' ||
    typeof align_offset === 'bigint' ||
    align_mask > FAST_LIMIT ||
    align_offset > FAST_LIMIT
  )
    return zeroAreaMod64(map, size, start, nr, BigInt(align_mask), BigInt(align_offset));
  const step = align_mask + 1;
  if (nr >= 1 && align_offset < step && step <= 32 && isPow2(step)) {
    const p = firstZeroRun(map, size, start, nr, step, align_offset);
    if (p >= 0) return p;
    return align_mask === 0 ? firstFitFailure(map, size, start, nr) : size + nr;
  }
  // a mask of the form 2^k - 1 aligns by rounding up; any other mask is ANDed literally
  const pow2 = align_mask === 0 || isPow2(step);
  for (;;) {
    let index = find_next_zero_bit(map, size, start);
    if (align_mask !== 0) {
      const x = index + align_offset + align_mask;
      index = (pow2 ? x - (x % step) : andNot53(x, align_mask)) - align_offset;
    }
    const end = index + nr;
    if (end > size) return end;
    const i = find_next_bit(map, end, index);
    if (i >= end) return index;
    start = i + 1;
  }
}

/**
 * The fast path of bitmap_find_next_zero_area_off for a power-of-two step
 * (align_mask + 1 <= 32, offset below it): the lowest p >= start with
 * (p + off) % step == 0 and bits [p, p + nr) clear below size, or -1. This is
 * the spec's closed form of the loop (section 2), found a word at a time:
 * runs inside a word by shift-and doubling, runs across words by a carry.
 */
function firstZeroRun(
  map: Uint32Array,
  size: number,
  start: number,
  nr: number,
  step: number,
  off: number,
): number {
  if (start >= size) return -1;
  // bit positions q of a word where (q + off) % step == 0 (32 is a multiple of step)
  let allowed = 0;
  for (let q = (step - off) % step; q < 32; q += step) allowed |= 1 << q;
  const firstWord = Math.floor(start / 32);
  const lastWord = Math.floor((size - 1) / 32);
  /** Start of the clear run reaching the top of the previous word, or -1. */
  let runStart = -1;
  for (let w = firstWord; w <= lastWord; w++) {
    let word = map[w] as number;
    // bits below start and at or above size count as set
    if (w === firstWord && start % 32 !== 0) word |= ~fromBit(start % 32);
    if (w === lastWord && size % 32 !== 0) word |= fromBit(size % 32);
    word >>>= 0;
    if (runStart >= 0) {
      // the carried run ends at this word's first set bit (or runs through it)
      const end = word === 0 ? w * 32 + 32 : w * 32 + ctz32(word);
      const p = runStart + ((step - ((runStart + off) % step)) % step);
      if (p < w * 32 && p + nr <= end) return p;
    }
    if (nr <= 32 && word !== 0xffffffff) {
      // y has bit q set iff bits q .. q+nr-1 of the word are all clear
      let y = ~word;
      let len = 1;
      while (len * 2 <= nr) {
        y &= y >>> len;
        len *= 2;
      }
      if (len < nr) y &= y >>> (nr - len);
      y &= allowed;
      if (y !== 0) return w * 32 + ctz32(y);
    }
    if (word === 0) {
      if (runStart < 0) runStart = w * 32;
    } else {
      const top = Math.clz32(word);
      runStart = top === 0 ? -1 : w * 32 + 32 - top;
    }
  }
  return -1;
}

/**
 * The value the literal loop returns when first fit (mask 0) fails: p + nr
 * for the first clear-run start p it examines with p + nr > size (or size).
 */
function firstFitFailure(map: Uint32Array, size: number, start: number, nr: number): number {
  const t = Math.max(start, size - nr + 1);
  if (t >= size) return Math.max(size, find_next_zero_bit(map, size, start)) + nr;
  let p: number;
  if (find_next_bit(map, t + 1, t) === t) p = find_next_zero_bit(map, size, t);
  else if (t === start || find_next_bit(map, t, t - 1) === t - 1) p = t;
  else p = find_next_zero_bit(map, size, find_next_bit(map, size, t));
  return p + nr;
}

/**
 * The same loop in 64-bit modular arithmetic, for masks that wrap (align 0
 * or negative in first_fit_align). Where the kernel would loop forever (the
 * aligned index never moves past a set bit), the model returns a failure
 * value instead: the same `start` coming round again proves the loop cannot end.
 */
function zeroAreaMod64(
  map: Uint32Array,
  size: number,
  start: number,
  nr: number,
  mask: bigint,
  off: bigint,
): number {
  const m = mask & M64;
  const o = off & M64;
  const seen = new Set<number>();
  for (;;) {
    if (seen.has(start)) return size + Math.max(nr, 1); // the kernel spins here forever
    seen.add(start);
    const zero = BigInt(find_next_zero_bit(map, size, start));
    const index = (((((zero + o + m) & M64 & ~m) - o) % TWO64) + TWO64) % TWO64;
    const end = (index + BigInt(nr)) & M64;
    if (end > BigInt(size)) return Number(end);
    // with `end` wrapped below `index`, find_next_bit(map, end, index) returns end: success at index
    if (index >= end) return Number(index);
    const i = find_next_bit(map, Number(end), Number(index));
    if (i >= Number(end)) return Number(index);
    start = i + 1;
  }
}
