/**
 * The gen_pool algorithms and entry points at the edges the kernel data does
 * not reach (genalloc.md section 4, "Not exercised"): first_fit_align's C int
 * and unsigned long arithmetic for align <= 0 and INT_MIN, chunk starts above
 * 2^32, data of the wrong kind, an unaligned fixed_alloc offset, best fit with
 * nr = 0, and chunks, frees and ranges that end at address 0 or wrap past it.
 * Expectations follow the formulas of genalloc.md section 3, computed here in
 * bigint (mod 2^64) by a literal reading that shares no code with the model.
 */
import { describe, expect, it } from 'vitest';
import {
  type GenPool,
  gen_pool_add,
  gen_pool_alloc,
  gen_pool_alloc_algo,
  gen_pool_avail,
  gen_pool_best_fit,
  gen_pool_create,
  gen_pool_first_fit_align,
  gen_pool_fixed_alloc,
  gen_pool_free,
  gen_pool_has_addr,
  gen_pool_size,
  gen_pool_virt_to_phys,
} from '../../../models/genpool/index.ts';
import { bit, mod64, zeroArea } from './spec-bitmap.ts';

/** A C int: the value modulo 2^32, signed. */
const cInt = (x: bigint) => BigInt.asIntN(32, x);

/**
 * genalloc.md section 3, gen_pool_first_fit_align: mask = ((align + g - 1) >>
 * order) - 1 in unsigned long; off = (start_addr & (align - 1)) >> order, with
 * align - 1 a C int sign-extended to 64 bits.
 */
function firstFitAlignSpec(
  m: Uint32Array,
  size: number,
  nr: number,
  align: number,
  order: number,
  startAddr: number,
): bigint {
  const g = 1n << BigInt(order);
  const mask = mod64((mod64(BigInt(align) + g - 1n) >> BigInt(order)) - 1n);
  const off = (BigInt(startAddr) & mod64(cInt(BigInt(align) - 1n))) >> BigInt(order);
  return zeroArea(m, size, 0, nr, mask, off);
}

function pool(order: number): GenPool {
  return gen_pool_create(order);
}

describe('gen_pool_first_fit_align: the C arithmetic of align', () => {
  const MAPS = [Uint32Array.of(0, 0), Uint32Array.of(0b1011, 0), Uint32Array.of(0xffff0001, 0x0)];
  const ALIGNS = [-2147483648, -(2 ** 30), -4096, -24, -8, -3, -1, 0, 1, 3, 8, 24, 4096, 2 ** 30];
  const STARTS = [0, 1, 8, 0x1000, 0x17ffffffc, 0x100008200, 2 ** 40 + 0x18];

  it('matches the spec formulas for every align, order and chunk start (successes exactly)', () => {
    const wrong: string[] = [];
    for (const order of [0, 3, 12])
      for (const align of ALIGNS)
        for (const startAddr of STARTS)
          for (const [k, m] of MAPS.entries())
            for (const nr of [1, 2, 5]) {
              const p = pool(order);
              const got = gen_pool_first_fit_align(m, 64, 0, nr, { align }, p, startAddr);
              const want = firstFitAlignSpec(m, 64, nr, align, order, startAddr);
              const ok = want < 64n ? got === Number(want) : got >= 64;
              if (!ok)
                wrong.push(
                  `order ${order} align ${align} start ${startAddr} map ${k} nr ${nr}: ${got}, spec ${want}`,
                );
            }
    expect(wrong).toEqual([]);
  });

  it('INT_MIN: align - 1 wraps to INT_MAX, so only the low 31 bits of the start count', () => {
    // off = 0x17ffffffc & 0x7fffffff = 0x7ffffffc; mask = 2^64 - 2^31 - 1, ~mask = 2^31:
    // bit 0 gives ((0x7ffffffc + mask) & 2^31) - 0x7ffffffc = 4, the address 0x180000000
    const m = Uint32Array.of(0, 0);
    expect(firstFitAlignSpec(m, 64, 1, -2147483648, 0, 0x17ffffffc)).toBe(4n);
    expect(
      gen_pool_first_fit_align(m, 64, 0, 1, { align: -2147483648 }, pool(0), 0x17ffffffc),
    ).toBe(4);
  });

  it('a negative align sign-extends: the bits of the start above 31 stay in off', () => {
    // align -8 at order 3: mask = 2^61 - 2, off = (start & ~8) >> 3
    const m = Uint32Array.of(0, 0);
    for (const startAddr of [0x100000000, 0x1_0000_0040, 2 ** 40 + 0x18]) {
      const want = firstFitAlignSpec(m, 64, 1, -8, 3, startAddr);
      const got = gen_pool_first_fit_align(m, 64, 0, 1, { align: -8 }, pool(3), startAddr);
      if (want < 64n) expect(got).toBe(Number(want));
      else expect(got).toBeGreaterThanOrEqual(64);
    }
  });

  it('needs { align }: no data, or { offset }, is the NULL or wrong dereference the kernel oopses on', () => {
    const m = Uint32Array.of(0);
    expect(() => gen_pool_first_fit_align(m, 32, 0, 1, undefined, pool(0), 0)).toThrow(
      /gen_pool_first_fit_align: data must be \{ align \}/,
    );
    expect(() => gen_pool_first_fit_align(m, 32, 0, 1, { offset: 8 }, pool(0), 0)).toThrow(
      /gen_pool_first_fit_align: data must be \{ align \}/,
    );
  });
});

describe('gen_pool_fixed_alloc edges', () => {
  it('needs { offset }: no data, or { align }, is refused', () => {
    const m = Uint32Array.of(0);
    expect(() => gen_pool_fixed_alloc(m, 32, 0, 1, undefined, pool(0), 0)).toThrow(
      /gen_pool_fixed_alloc: data must be \{ offset \}/,
    );
    expect(() => gen_pool_fixed_alloc(m, 32, 0, 1, { align: 8 }, pool(0), 0)).toThrow(
      /gen_pool_fixed_alloc: data must be \{ offset \}/,
    );
  });

  it('an offset off the granule grid fails the chunk even where offset >> order is free', () => {
    // g = 8: offset 12 >> 3 = bit 1, free, but the WARN_ON makes the chunk fail
    const m = Uint32Array.of(0);
    expect(
      gen_pool_fixed_alloc(m, 16, 0, 1, { offset: 12 }, pool(3), 0x1000),
    ).toBeGreaterThanOrEqual(16);
    expect(gen_pool_fixed_alloc(m, 16, 0, 1, { offset: 8 }, pool(3), 0x1000)).toBe(1);
    const p = pool(3);
    gen_pool_add(p, 0x1000, 128);
    expect(gen_pool_alloc_algo(p, 8, gen_pool_fixed_alloc, { offset: 12 })).toBe(0);
    expect(gen_pool_avail(p)).toBe(128);
  });
});

describe('gen_pool_best_fit with nr = 0', () => {
  /** genalloc.md section 3: the shortest maximal clear run of length >= nr, the lowest on a tie. */
  function bestFitSpec(m: Uint32Array, size: number, nr: number): number {
    let best = size;
    let bestLen = size + 1;
    for (let i = 0; i < size; ) {
      if (bit(m, i)) {
        i++;
        continue;
      }
      let j = i;
      while (j < size && !bit(m, j)) j++;
      if (j - i >= nr && j - i < bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j;
    }
    return best;
  }

  it('every run is long enough: the shortest, lowest clear run wins', () => {
    // bits 3 and 5 set: runs [0, 3), [4, 5), [6, 32)
    const m = Uint32Array.of(0b101000);
    expect(bestFitSpec(m, 32, 0)).toBe(4);
    expect(gen_pool_best_fit(m, 32, 0, 0, undefined, pool(0), 0)).toBe(4);
    for (const v of [0, 0b1, 0b101000, 0x80000001, 0x0f0f00f0, 0xfffffffe])
      for (const nr of [0, 1, 2, 3]) {
        const map = Uint32Array.of(v);
        expect(gen_pool_best_fit(map, 32, 0, nr, undefined, pool(0), 0)).toBe(
          bestFitSpec(map, 32, nr),
        );
      }
  });
});

describe('addresses at 0 and ranges that wrap (genalloc.md section 3)', () => {
  it('a one-byte chunk at 0 ends at 0: its size is 1 and address 1 is outside it', () => {
    const p = pool(0);
    gen_pool_add(p, 0, 1);
    expect(gen_pool_size(p)).toBe(1);
    expect(gen_pool_has_addr(p, 0, 1)).toBe(true);
    expect(gen_pool_has_addr(p, 1, 1)).toBe(false);
    expect(gen_pool_virt_to_phys(p, 1)).toBe(-1);
  });

  it('has_addr with size 1 at 0 is inside; size 0 at 0 wraps last to 2^64 - 1 and is outside', () => {
    const p = pool(0);
    gen_pool_add(p, 0, 64);
    expect(gen_pool_has_addr(p, 0, 1)).toBe(true);
    expect(gen_pool_has_addr(p, 0, 0)).toBe(false);
    expect(gen_pool_has_addr(p, 5, 0)).toBe(true);
  });

  it('freeing one byte at address 0 clears bit 0 (addr + size - 1 = 0 is inside the chunk)', () => {
    const p = pool(0);
    gen_pool_add(p, 0, 64);
    expect(gen_pool_alloc(p, 1)).toBe(0); // the block at 0, which reads as a failure
    expect(gen_pool_avail(p)).toBe(63);
    expect(gen_pool_free(p, 0, 1)).toBeNull();
    expect(gen_pool_avail(p)).toBe(64);
  });

  it('a free into the chunk tail or past the bitmap words is a BUG; a free of size 0 is not', () => {
    // 100 bytes at g = 8: 12 bits and a 4-byte tail
    const p = pool(3);
    gen_pool_add(p, 0x1000, 100);
    expect(gen_pool_alloc(p, 96)).toBe(0x1000);
    expect(gen_pool_free(p, 0x1000 + 88, 12)).not.toBeNull();
    expect(gen_pool_free(p, 0x1000 + 96, 4)).not.toBeNull();
    expect(gen_pool_free(p, 0x1000 + 96, 0)).toBeNull();
    expect(gen_pool_avail(p)).toBe(4);
    // 260 bytes: exactly one bitmap word of 32 bits, and a tail
    const q = pool(3);
    gen_pool_add(q, 0x2000, 260);
    expect(gen_pool_alloc(q, 256)).toBe(0x2000);
    expect(gen_pool_free(q, 0x2000 + 248, 12)).not.toBeNull();
    expect(gen_pool_free(q, 0x2000 + 248, 8)).toBeNull();
    expect(gen_pool_avail(q)).toBe(12);
  });
});
