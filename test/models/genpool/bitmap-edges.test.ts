/**
 * The bitmap helpers at their edges: word boundaries, limits inside and at
 * the end of words, bits beyond the limit, nr = 0, offsets at or above the
 * alignment step, bigint masks and offsets, and masks and offsets whose sums
 * leave 32 or 53 bits. Every expectation comes from a bit-by-bit reading of
 * genalloc.md section 2 (next_set / next_clear / zero_area) in bigint
 * arithmetic modulo 2^64, written here and sharing no code with the model.
 * Deterministic: exhaustive over small bitmaps, or fast-check with a fixed seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitmap_clear,
  bitmap_find_next_zero_area_off,
  bitmap_set,
  bitmap_weight_range,
  find_next_bit,
  find_next_zero_bit,
} from '../../../models/genpool/bitmap.ts';
import { bit, next, W64, zeroArea } from './spec-bitmap.ts';

/** All bitmaps of `size` bits (one word), as numbers 0 .. 2^size - 1. */
function* maps(size: number): Generator<Uint32Array> {
  for (let v = 0; v < 2 ** size; v++) yield Uint32Array.of(v);
}

/**
 * The model's answer against the spec's: a success (< limit) must be the same
 * index; first fit's failure (mask 0) is the same value too, since callers of
 * bitmap_find_next_zero_area read it; other failures only need to be >= limit.
 */
function agree(got: number, want: bigint, limit: number, mask: number | bigint): void {
  if (want < BigInt(limit) || mask === 0) expect(got).toBe(Number(want));
  else expect(got).toBeGreaterThanOrEqual(limit);
}

/** The same check without expect(), for the exhaustive loops: whether they agree. */
function agrees(got: number, want: bigint, limit: number, mask: number | bigint): boolean {
  return want < BigInt(limit) || mask === 0 ? got === Number(want) : got >= limit;
}

/** Three words with runs that cross both word boundaries, and junk above bit 70. */
const WORDS = [
  Uint32Array.of(0x0000000f, 0x00000000, 0xffffff80),
  Uint32Array.of(0xffff0000, 0x0000ffff, 0xffffffff),
  Uint32Array.of(0x80000000, 0x00000001, 0xfffffff0),
  Uint32Array.of(0xaaaaaaaa, 0x55555555, 0xffffffc0),
  Uint32Array.of(0xffffffff, 0xffffffff, 0xffffffff),
  Uint32Array.of(0, 0, 0),
];

describe('find_next_bit / find_next_zero_bit at word edges', () => {
  it('agree with a bit-by-bit scan for every limit and offset, bits beyond the limit included', () => {
    const wrong: string[] = [];
    for (const [k, m] of WORDS.entries())
      for (let size = 0; size <= 96; size++)
        for (let from = 0; from <= size + 40; from += from < size + 2 ? 1 : 13) {
          if (find_next_bit(m, size, from) !== next(m, size, from, true))
            wrong.push(`set map ${k} size ${size} from ${from}`);
          if (find_next_zero_bit(m, size, from) !== next(m, size, from, false))
            wrong.push(`clear map ${k} size ${size} from ${from}`);
        }
    expect(wrong).toEqual([]);
  });

  it('ignore set or clear bits at and above the limit in the last word', () => {
    // bit 32 set, the rest of word 1 clear: nothing clear below 32 in word 0
    const m = Uint32Array.of(0xffffffff, 0x00000001);
    expect(find_next_zero_bit(m, 32, 0)).toBe(32);
    expect(find_next_zero_bit(m, 31, 5)).toBe(31);
    expect(find_next_bit(Uint32Array.of(0x80000000), 31, 0)).toBe(31);
    expect(find_next_bit(Uint32Array.of(0, 0x2), 33, 1)).toBe(33);
  });
});

describe('bitmap_set / bitmap_clear / bitmap_weight_range across words', () => {
  it('touch exactly [start, start + len) for every start and length in three words', () => {
    const wrong: string[] = [];
    for (const k of [0, 3]) {
      const base = WORDS[k] as Uint32Array;
      const before = Array.from({ length: 96 }, (_, i) => bit(base, i));
      for (let start = 0; start <= 96; start++)
        for (let len = 0; start + len <= 96; len++) {
          let weight = 0;
          for (let i = start; i < start + len; i++) if (before[i]) weight++;
          if (bitmap_weight_range(base, start, len) !== weight)
            wrong.push(`weight map ${k} [${start}, +${len})`);
          for (const set of [true, false]) {
            const m = base.slice();
            if (set) bitmap_set(m, start, len);
            else bitmap_clear(m, start, len);
            for (let i = 0; i < 96; i++)
              if (bit(m, i) !== (i >= start && i < start + len ? set : before[i])) {
                wrong.push(`${set ? 'set' : 'clear'} map ${k} [${start}, +${len}) bit ${i}`);
                break;
              }
          }
        }
    }
    expect(wrong).toEqual([]);
  });
});

describe('bitmap_find_next_zero_area_off, exhaustive on one word', () => {
  /** Every (map, start, nr, mask, off) of the grid where the model and the spec disagree. */
  function disagreements(
    size: number,
    starts: number,
    nrs: number,
    masks: readonly number[],
    offs: number,
  ): string[] {
    const wrong: string[] = [];
    for (const m of maps(size))
      for (const mask of masks)
        for (let off = 0; off <= offs; off++)
          for (let start = 0; start <= starts; start++)
            for (let nr = 0; nr <= nrs; nr++) {
              const got = bitmap_find_next_zero_area_off(m, size, start, nr, mask, off);
              const want = zeroArea(m, size, start, nr, BigInt(mask), BigInt(off));
              if (!agrees(got, want, size, mask))
                wrong.push(
                  `map ${m[0]} size ${size} start ${start} nr ${nr} mask ${mask} off ${off}: ${got}, spec ${want}`,
                );
            }
    return wrong;
  }

  it('first fit (mask 0): every map up to 8 bits, every start and nr, nr = 0 included', () => {
    for (let size = 0; size <= 8; size++)
      expect(disagreements(size, size + 2, size + 2, [0], 0)).toEqual([]);
  });

  it('power-of-two masks with offsets below, at and above the step: every 6-bit map', () => {
    expect(disagreements(6, 3, 4, [1, 3, 7], 9)).toEqual([]);
  });

  it('nr = 0 returns the aligned index even when that bit is set', () => {
    // bits 1..3 clear, bit 4 set: the first clear bit from 1 is 1, aligned to 4
    const m = Uint32Array.of(0b10001);
    expect(bitmap_find_next_zero_area_off(m, 8, 1, 0, 3, 0)).toBe(4);
    expect(Number(zeroArea(m, 8, 1, 0, 3n, 0n))).toBe(4);
  });

  it('masks whose step is not a power of two (step 3, 5, 6) follow the AND', () => {
    expect(disagreements(7, 0, 3, [2, 4, 5], 3)).toEqual([]);
  });
});

describe('bitmap_find_next_zero_area_off, runs that start at a word edge', () => {
  it('a clear word after a set bit 31 starts a run that can carry into the next words', () => {
    const wrong: string[] = [];
    const MAPS = [
      Uint32Array.of(0x80000000, 0, 0, 0),
      Uint32Array.of(0xffffffff, 0, 0x1, 0),
      Uint32Array.of(0xfffffff0, 0, 0, 0x80000000),
    ];
    for (const [k, m] of MAPS.entries())
      for (const start of [0, 1, 31, 32, 33, 64])
        for (let nr = 28; nr <= 70; nr++)
          for (const mask of [0, 1, 3, 7, 31])
            for (const off of [0, 1, 3]) {
              const got = bitmap_find_next_zero_area_off(m, 128, start, nr, mask, off);
              const want = zeroArea(m, 128, start, nr, BigInt(mask), BigInt(off));
              if (!agrees(got, want, 128, mask))
                wrong.push(
                  `map ${k} start ${start} nr ${nr} mask ${mask} off ${off}: ${got}, spec ${want}`,
                );
            }
    expect(wrong).toEqual([]);
  });
});

describe('bitmap_find_next_zero_area_off across words (seed 20240607)', () => {
  /** 2-4 words built from clear and set runs, so clear runs cross word edges. */
  const runsMap = fc
    .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 8 })
    .map((runs) => {
      const m = new Uint32Array(4);
      let i = 0;
      for (const [set, len] of runs)
        for (let k = 0; k < len && i < 128; k++, i++)
          if (set)
            m[Math.floor(i / 32)] = ((m[Math.floor(i / 32)] as number) | (1 << (i % 32))) >>> 0;
      return m;
    });

  it('matches the literal loop for masks up to 31 and offsets up to 40', () => {
    fc.assert(
      fc.property(
        runsMap,
        fc.integer({ min: 33, max: 128 }),
        fc.nat(100),
        fc.integer({ min: 0, max: 70 }),
        fc.constantFrom(0, 1, 3, 7, 15, 31, 63),
        fc.nat(40),
        (m, size, start, nr, mask, off) => {
          agree(
            bitmap_find_next_zero_area_off(m, size, start, nr, mask, off),
            zeroArea(m, size, start, nr, BigInt(mask), BigInt(off)),
            size,
            mask,
          );
        },
      ),
      { seed: 20240607, numRuns: 400 },
    );
  });
});

describe('bitmap_find_next_zero_area_off with large and bigint masks and offsets', () => {
  const busy5 = Uint32Array.of(0b11111, 0);

  it('takes small bigint masks and offsets as their values', () => {
    const m = Uint32Array.of(0b100101, 0);
    for (const [mask, off] of [
      [3n, 0],
      [3, 1n],
      [3n, 2n],
      [0n, 0],
      [7, 3n],
    ] as const) {
      const want = zeroArea(m, 64, 0, 2, BigInt(mask), BigInt(off));
      expect(want).toBeLessThan(64n);
      expect(bitmap_find_next_zero_area_off(m, 64, 0, 2, mask, off)).toBe(Number(want));
    }
  });

  it('a number mask above 2^53 is the literal 64-bit mask: 2^60 only constrains bit 60', () => {
    expect(zeroArea(busy5, 64, 0, 1, 2n ** 60n, 0n)).toBe(5n);
    expect(bitmap_find_next_zero_area_off(busy5, 64, 0, 1, 2 ** 60, 0)).toBe(5);
  });

  it('an offset of 2^53 - 1 with mask 3 aligns exactly (no rounding of index + offset)', () => {
    const m = Uint32Array.of(1, 0);
    const off = 2 ** 53 - 1;
    expect(zeroArea(m, 64, 0, 1, 3n, BigInt(off))).toBe(1n);
    expect(bitmap_find_next_zero_area_off(m, 64, 0, 1, 3, off)).toBe(1);
  });

  it('an offset of 2^53 - 1 with mask 63 (the loop path) clears the mask bits of the exact sum', () => {
    // (1 + (2^53 - 1) + 63) & ~63 = 2^53, minus the offset: 1
    const m = Uint32Array.of(1, 0, 0, 0);
    const off = 2 ** 53 - 1;
    expect(zeroArea(m, 128, 0, 1, 63n, BigInt(off))).toBe(1n);
    expect(bitmap_find_next_zero_area_off(m, 128, 0, 1, 63, off)).toBe(1);
  });

  it('an offset of 2^40 (far above the step) aligns as its remainder does', () => {
    const off = 2 ** 40 + 2;
    expect(bitmap_find_next_zero_area_off(busy5, 64, 0, 2, 3, off)).toBe(
      Number(zeroArea(busy5, 64, 0, 2, 3n, BigInt(off))),
    );
    expect(bitmap_find_next_zero_area_off(busy5, 64, 0, 2, 3, 2 ** 40)).toBe(8);
  });

  it('a non-power-of-two mask with index + offset + mask at 2^32 keeps bit 32', () => {
    // (0 + (2^32 - 5) + 5) & ~5 = 2^32, minus the offset: 5
    const z = Uint32Array.of(0, 0);
    const off = 2 ** 32 - 5;
    expect(zeroArea(z, 64, 0, 1, 5n, BigInt(off))).toBe(5n);
    expect(bitmap_find_next_zero_area_off(z, 64, 0, 1, 5, off)).toBe(5);
  });

  it('masks above 2^32 (given as numbers) clear their high bits exactly', () => {
    const m = Uint32Array.of(0b1011, 0);
    for (const mask of [2 ** 33 + 1, 2 ** 34 + 2 ** 32 + 1, 2 ** 40 - 1])
      for (const off of [0, 3, 2 ** 35 + 3])
        agree(
          bitmap_find_next_zero_area_off(m, 64, 0, 1, mask, off),
          zeroArea(m, 64, 0, 1, BigInt(mask), BigInt(off)),
          64,
          mask,
        );
  });

  it('a run that ends exactly at the limit fits, on the 64-bit path too', () => {
    const z = Uint32Array.of(0);
    expect(zeroArea(z, 32, 0, 32, W64 - 1n, 0n)).toBe(0n);
    expect(bitmap_find_next_zero_area_off(z, 32, 0, 32, W64 - 1n, 0)).toBe(0);
    expect(bitmap_find_next_zero_area_off(z, 8, 0, 8, 3n, 0)).toBe(0);
    expect(bitmap_find_next_zero_area_off(Uint32Array.of(1), 8, 0, 7, 3n, 3n)).toBe(1);
  });

  it('a failure where the kernel spins is a value above the limit, also for nr = 0', () => {
    expect(bitmap_find_next_zero_area_off(Uint32Array.of(1), 32, 0, 0, W64 - 1n, 0)).toBe(0);
    expect(
      bitmap_find_next_zero_area_off(Uint32Array.of(1), 32, 0, 1, W64 - 1n, 0),
    ).toBeGreaterThanOrEqual(32);
  });
});
