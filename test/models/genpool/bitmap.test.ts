/** The word-at-a-time bitmap helpers against bit-by-bit readings of their definitions. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bitmap_clear,
  bitmap_find_next_zero_area_off,
  bitmap_set,
  bitmap_weight_range,
  find_next_bit,
  find_next_zero_bit,
  hweight32,
} from '../../../models/genpool/bitmap.ts';
import { scaledRuns } from '../../setup/budget.ts';
import { bit, next, zeroArea } from './spec-bitmap.ts';

const mapArb = fc
  .array(
    fc.oneof(fc.constantFrom(0, 0xffffffff, 0x80000001, 0x7ffffffe), fc.nat({ max: 0xffffffff })),
    {
      minLength: 1,
      maxLength: 6,
    },
  )
  .map((w) => Uint32Array.from(w));

describe('find_next_bit / find_next_zero_bit (seed 11)', () => {
  it('agree with a bit-by-bit scan, limits inside words included', () => {
    fc.assert(
      fc.property(mapArb, fc.nat(200), fc.nat(200), (m, a, b) => {
        const size = Math.min(a, m.length * 32);
        expect(find_next_bit(m, size, b)).toBe(next(m, size, b, true));
        expect(find_next_zero_bit(m, size, b)).toBe(next(m, size, b, false));
      }),
      { seed: 11, numRuns: scaledRuns(2000) },
    );
  });
});

describe('bitmap_set / bitmap_clear / bitmap_weight_range (seed 12)', () => {
  it('change exactly the bits of the range', () => {
    fc.assert(
      fc.property(mapArb, fc.nat(191), fc.nat(191), fc.boolean(), (m, a, b, set) => {
        const n = m.length * 32;
        const start = a % n;
        const len = b % (n - start + 1);
        const before = Array.from({ length: n }, (_, i) => bit(m, i));
        const weight = before.slice(start, start + len).filter(Boolean).length;
        expect(bitmap_weight_range(m, start, len)).toBe(weight);
        if (set) bitmap_set(m, start, len);
        else bitmap_clear(m, start, len);
        const after = Array.from({ length: n }, (_, i) => bit(m, i));
        expect(after).toEqual(before.map((b, i) => (i >= start && i < start + len ? set : b)));
      }),
      { seed: 12, numRuns: scaledRuns(1500) },
    );
  });

  it('ignore a zero or negative length', () => {
    const m = Uint32Array.from([5]);
    bitmap_set(m, 3, 0);
    bitmap_clear(m, 0, -1);
    expect(m[0]).toBe(5);
  });

  it('hweight32 counts bits', () => {
    expect([0, 1, 0xffffffff, 0x80000000, 0x55555555].map(hweight32)).toEqual([0, 1, 32, 1, 16]);
  });
});

describe('bitmap_find_next_zero_area_off (seed 13)', () => {
  const maskArb = fc.oneof(
    fc.constantFrom(0, 1, 3, 7, 15, 63),
    fc.nat(40),
    fc.constantFrom(2 ** 33 - 1, 2 ** 33 + 5, 2 ** 34 + 2 ** 32 + 1),
    fc.constantFrom(2n ** 64n - 1n, 2n ** 61n - 3n, 2n ** 63n),
    fc.constant(2 ** 45),
  );
  it('follows the literal loop for every mask and offset', () => {
    fc.assert(
      fc.property(
        mapArb,
        fc.nat(100),
        fc.nat(100),
        fc.integer({ min: 1, max: 40 }),
        maskArb,
        fc.oneof(fc.nat(9), fc.constant(2 ** 35 + 3), fc.constant(2n ** 64n - 2n)),
        (m, a, start, nr, mask, off) => {
          const size = Math.min(a, m.length * 32);
          const want = zeroArea(m, size, start, nr, BigInt(mask), BigInt(off));
          const got = bitmap_find_next_zero_area_off(m, size, start, nr, mask, off);
          // success is exact; so is first fit's failure value (mask 0), the others only exceed size
          if (want < BigInt(size) || mask === 0) expect(got).toBe(Number(want));
          else expect(got).toBeGreaterThanOrEqual(size);
        },
      ),
      { seed: 13, numRuns: scaledRuns(6000) },
    );
  });

  it('gives the lowest fitting aligned index (closed form, power-of-two masks)', () => {
    fc.assert(
      fc.property(
        mapArb,
        fc.integer({ min: 1, max: 12 }),
        fc.nat(4),
        fc.nat(7),
        (m, nr, k, off) => {
          const size = m.length * 32;
          const step = 2 ** k;
          let want = size + 1;
          for (let p = 0; p + nr <= size; p++)
            if ((p + off) % step === 0 && next(m, p + nr, p, true) === p + nr) {
              want = p;
              break;
            }
          const got = bitmap_find_next_zero_area_off(m, size, 0, nr, step - 1, off);
          if (want < size) expect(got).toBe(want);
          else expect(got).toBeGreaterThanOrEqual(size);
        },
      ),
      { seed: 14, numRuns: scaledRuns(2000) },
    );
  });

  it('returns a failure where the kernel would loop forever (all-ones mask, busy bit 0)', () => {
    const m = Uint32Array.from([1]);
    expect(bitmap_find_next_zero_area_off(m, 32, 0, 1, 2n ** 64n - 1n, 0)).toBeGreaterThanOrEqual(
      32,
    );
    // with bit 0 free the same mask finds bit 0
    expect(bitmap_find_next_zero_area_off(Uint32Array.from([0]), 32, 0, 1, 2n ** 64n - 1n, 0)).toBe(
      0,
    );
  });
});
