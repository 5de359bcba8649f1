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
 * 2^n for an integer n >= 0, the kernel's `1UL << n`: a shift below 2^31,
 * since `2 ** n` is a slow library call in V8 (a granule, an alignment step).
 */
export function pow2(n: number): number {
  // Stryker disable next-line ConditionalExpression: a fast path; 2 ** n is the same number (true is pinned by gen_pool.test.ts: orders 31, 32)
  return n >>> 0 < 31 ? 1 << n : 2 ** n;
}

/**
 * The first bit in `[offset, size)` whose value XOR `invert` is 1, or `size`:
 * the kernel's _find_next_bit(). The kernel clamps its result with min(..,
 * size); here the words are masked to `[offset, size)` instead, so bits at or
 * above `size` are never looked at.
 */
function findNext(addr: Uint32Array, size: number, offset: number, invert: number): number {
  const firstWord = Math.floor(offset / 32);
  const lastWord = Math.floor((size - 1) / 32);
  for (let w = firstWord; w <= lastWord; w++) {
    let word = (addr[w] as number) ^ invert;
    if (w === firstWord) word &= fromBit(offset % 32);
    // the low size % 32 bits of the last word (a JS shift of 32 is 0: all of them)
    if (w === lastWord) word &= 0xffffffff >>> (32 - (size % 32));
    if (word !== 0) return w * 32 + ctz32(word);
  }
  return size;
}

/**
 * include/linux/find.h find_next_bit(), 6.1: the first set bit in
 * `[offset, size)`, or `size` when there is none (also when offset >= size).
 */
export function find_next_bit(addr: Uint32Array, size: number, offset: number): number {
  return findNext(addr, size, offset, 0);
}

/**
 * include/linux/find.h find_next_zero_bit(), 6.1: the first clear bit in
 * `[offset, size)`, or `size` when there is none (also when offset >= size).
 */
export function find_next_zero_bit(addr: Uint32Array, size: number, offset: number): number {
  return findNext(addr, size, offset, 0xffffffff);
}

/** lib/bitmap.c __bitmap_set() (bitmap_set), 6.1: sets bits `[start, start + len)`. */
export function bitmap_set(map: Uint32Array, start: number, len: number): void {
  const end = start + len;
  let i = start;
  while (i < end) {
    const w = Math.floor(i / 32);
    const b = i % 32;
    const n = Math.min(32 - b, end - i);
    map[w] = (map[w] as number) | bitsAt(b, n);
    i += n;
  }
}

/** lib/bitmap.c __bitmap_clear() (bitmap_clear), 6.1: clears bits `[start, start + len)`. */
export function bitmap_clear(map: Uint32Array, start: number, len: number): void {
  const end = start + len;
  let i = start;
  while (i < end) {
    const w = Math.floor(i / 32);
    const b = i % 32;
    const n = Math.min(32 - b, end - i);
    map[w] = (map[w] as number) & ~bitsAt(b, n);
    i += n;
  }
}

/** Number of set bits in `[start, start + len)`: a model helper, not a kernel function. */
export function bitmap_weight_range(map: Uint32Array, start: number, len: number): number {
  const end = start + len;
  let count = 0;
  let i = start;
  while (i < end) {
    const w = Math.floor(i / 32);
    const b = i % 32;
    const n = Math.min(32 - b, end - i);
    count += hweight32((map[w] as number) & bitsAt(b, n));
    i += n;
  }
  return count;
}

/**
 * `x & ~m` for non-negative integers below 2^53, split into 32-bit halves
 * so no bit above 31 is lost (the `>>> 0` only reinterprets a 32-bit result).
 */
function andNot53(x: number, m: number): number {
  const xh = Math.floor(x / TWO32);
  const mh = Math.floor(m / TWO32);
  return ((xh & ~mh) >>> 0) * TWO32 + (((x % TWO32) & ~(m % TWO32)) >>> 0);
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
 * Masks whose step (align_mask + 1) divides 32 take a word-at-a-time fast
 * path with the same result on success; on failure it returns first fit's
 * failure value, which is the loop's own value for mask 0 and some value
 * > size otherwise (genalloc.md section 2: callers compare with size).
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
    // Stryker disable next-line ConditionalExpression: true sends every call down the exact 64-bit path, which returns the same (false and the dropped operands are pinned by bitmap-edges.test.ts)
    typeof align_mask === 'bigint' ||
    typeof align_offset === 'bigint' ||
    // Stryker disable next-line EqualityOperator: a mask or offset of exactly 2^40 is exact on both paths (<= is pinned by bitmap-edges.test.ts)
    align_mask > FAST_LIMIT ||
    // Stryker disable next-line EqualityOperator: as above, for the offset
    align_offset > FAST_LIMIT
  )
    return zeroAreaMod64(map, size, start, nr, BigInt(align_mask), BigInt(align_offset));
  const step = align_mask + 1;
  // Stryker disable next-line ConditionalExpression,ArithmeticOperator,BlockStatement: false, 32 * step and an empty block only turn the fast path off, and the loop below returns the same (true is pinned by bitmap-edges.test.ts: nr = 0, step 3)
  if (nr !== 0 && 32 % step === 0) {
    const p = firstZeroRun(map, size, start, nr, step, align_offset);
    return p >= 0 ? p : firstFitFailure(map, size, start, nr);
  }
  for (;;) {
    const index =
      andNot53(find_next_zero_bit(map, size, start) + align_offset + align_mask, align_mask) -
      align_offset;
    const end = index + nr;
    if (end > size) return end;
    const i = find_next_bit(map, end, index);
    if (i >= end) return index;
    start = i + 1;
  }
}

/**
 * The fast path of bitmap_find_next_zero_area_off for a step (align_mask + 1)
 * that divides 32: the lowest p >= start with (p + off) % step == 0 and bits
 * [p, p + nr) clear below size, or -1. This is the spec's closed form of the
 * loop (section 2), found a word at a time: runs inside a word by shift-and,
 * runs across words by a carry.
 */
function firstZeroRun(
  map: Uint32Array,
  size: number,
  start: number,
  nr: number,
  step: number,
  off: number,
): number {
  // bit positions q of a word where (q + off) % step == 0: every step-th bit
  // (0xffffffff / (2^step - 1) has bits 0, step, 2 * step, ...) from the first such q
  const allowed = (0xffffffff / (pow2(step) - 1)) << ((step - (off % step)) % step);
  // the shifts of the shift-and below: runs of 1, 2, 4, 8, 16 clear bits grow up to nr
  const s1 = grow(1, nr);
  const s2 = grow(2, nr);
  const s4 = grow(4, nr);
  const s8 = grow(8, nr);
  const s16 = grow(16, nr);
  const firstWord = Math.floor(start / 32);
  const lastWord = Math.floor((size - 1) / 32);
  /** Start of the clear run reaching the top of the previous word, or -1. */
  let runStart = -1;
  for (let w = firstWord; w <= lastWord; w++) {
    // as an int32: a full word is -1
    let word = (map[w] as number) | 0;
    // bits below start and at or above size count as set
    if (w === firstWord) word |= ~fromBit(start % 32);
    if (w === lastWord && size % 32 !== 0) word |= fromBit(size % 32);
    // Stryker disable next-line ConditionalExpression,BlockStatement: a fast path; a carried run that fits ends in the previous word, where it was found, so the code below finds nothing here and sets the same runStart
    if (word === -1) {
      runStart = w * 32 + 32;
      continue;
    }
    if (runStart >= 0) {
      // the carried run ends at this word's first set bit (or runs through it);
      // its lowest aligned position is the lowest candidate from runStart on
      const end = word === 0 ? w * 32 + 32 : w * 32 + ctz32(word);
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: a fast path; p >= runStart, so p + nr <= end below decides alone (and runStart - nr <= end always holds)
      if (runStart + nr <= end) {
        const p = runStart + ((step - ((runStart + off) % step)) % step);
        if (p + nr <= end) return p;
      }
    }
    if (nr <= 32) {
      // y has bit q set iff bits q .. q+nr-1 of the word are all clear
      let y = ~word;
      y &= y >>> s1;
      y &= y >>> s2;
      y &= y >>> s4;
      y &= y >>> s8;
      y &= y >>> s16;
      y &= allowed;
      if (y !== 0) return w * 32 + ctz32(y);
    }
    if (word === 0) {
      if (runStart < 0) runStart = w * 32;
    } else {
      // a set top bit gives the next word's start: a run from there is found there too
      runStart = w * 32 + 32 - Math.clz32(word);
    }
  }
  return -1;
}

/** How far a run of `len` clear bits grows in one shift-and step towards `nr`: 0 .. len. */
function grow(len: number, nr: number): number {
  return Math.max(0, Math.min(len, nr - len));
}

/**
 * The value the literal loop returns when first fit (mask 0) fails: p + nr
 * for the first index p it examines with p + nr > size. The loop examines
 * its first clear bit z, then the start of every later clear run; p is the
 * first of these at or above t = max(start, size - nr + 1), or size.
 */
function firstFitFailure(map: Uint32Array, size: number, start: number, nr: number): number {
  const t = Math.max(start, size - nr + 1);
  // t is z itself, or a run starts at t: the first clear bit from t (a run start if t is set)
  if (t === start || find_next_bit(map, t, t - 1) === t - 1)
    return find_next_zero_bit(map, size, t) + nr;
  // t lies past the start of a run or in a set stretch: the next run start
  return find_next_zero_bit(map, size, find_next_bit(map, size, t)) + nr;
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
    if (seen.has(start)) return size + 1; // the kernel spins here forever: any value > size
    seen.add(start);
    const zero = BigInt(find_next_zero_bit(map, size, start));
    const index = (((((zero + o + m) & M64 & ~m) - o) % TWO64) + TWO64) % TWO64;
    const end = (index + BigInt(nr)) & M64;
    if (end > BigInt(size)) return Number(end);
    // with `end` wrapped to or below `index`, find_next_bit returns end: success at index
    const i = find_next_bit(map, Number(end), Number(index));
    if (i >= Number(end)) return Number(index);
    start = i + 1;
  }
}
