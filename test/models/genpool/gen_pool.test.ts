/**
 * gen_pool model: the spec's worked examples (genalloc.md section 5), its
 * traps (section 7) and the edge cases the kernel data does not reach.
 */
import { describe, expect, it } from 'vitest';
import {
  bitmap_set,
  chunk_size,
  type GenPool,
  gen_pool_add,
  gen_pool_add_virt,
  gen_pool_alloc,
  gen_pool_alloc_algo,
  gen_pool_alloc_algo_owner,
  gen_pool_avail,
  gen_pool_best_fit,
  gen_pool_create,
  gen_pool_find_chunk,
  gen_pool_first_fit,
  gen_pool_first_fit_align,
  gen_pool_first_fit_order_align,
  gen_pool_fixed_alloc,
  gen_pool_free,
  gen_pool_has_addr,
  gen_pool_set_algo,
  gen_pool_size,
  gen_pool_virt_to_phys,
  roundup_pow_of_two,
} from '../../../models/genpool/index.ts';

function pool(order: number, ...chunks: [number, number][]): GenPool {
  const p = gen_pool_create(order);
  for (const [addr, size] of chunks) gen_pool_add(p, addr, size);
  return p;
}

describe('worked examples (genalloc.md section 5)', () => {
  it('searches the newest chunk first (train-01 lines 1-3)', () => {
    const p = pool(13, [0x100080000, 262144], [0x1000c6000, 65536]);
    expect(gen_pool_alloc(p, 65536)).toBe(0x1000c6000);
  });

  it('best fit stays in the first chunk that fits; fixed_alloc tries older chunks (train-03 lines 3-4)', () => {
    const p = pool(3, [0x100000200, 256], [0x100000500, 800]);
    expect(gen_pool_alloc_algo(p, 32, gen_pool_best_fit, undefined)).toBe(0x100000500);
    expect(gen_pool_alloc_algo(p, 64, gen_pool_fixed_alloc, { offset: 24 })).toBe(0x100000218);
  });

  it('order_align rounds nbits up to a power of two, inside the chunk (train-03 line 7, train-00 line 64)', () => {
    const p = pool(3, [0x100000500, 800]);
    // bits 0-20 busy: nbits 7 aligns to 8 granules, so bit 24
    expect(gen_pool_alloc(p, 21 * 8)).toBe(0x100000500);
    expect(gen_pool_alloc_algo(p, 49, gen_pool_first_fit_order_align, undefined)).toBe(0x1000005c0);
    expect(gen_pool_avail(p)).toBe(800 - 21 * 8 - 56);
    const q = pool(0, [0x100000040, 512]);
    bitmap_set(q.chunks[0]?.bits as Uint32Array, 0, 130);
    expect(gen_pool_alloc_algo(q, 100, gen_pool_first_fit_order_align, undefined)).toBe(
      0x100000140,
    );
  });

  it('first_fit_align aligns the absolute address (train-02 line 8)', () => {
    const p = pool(8, [0x100008200, 65536]);
    bitmap_set(p.chunks[0]?.bits as Uint32Array, 0, 5);
    expect(gen_pool_alloc_algo(p, 1634, gen_pool_first_fit_align, { align: 1024 })).toBe(
      0x100008800,
    );
  });

  it('best fit takes the lowest of equal runs (train-00 line 122 shape)', () => {
    const p = pool(0, [0x100000040, 64]);
    const bits = p.chunks[0]?.bits as Uint32Array;
    bitmap_set(bits, 0, 64);
    for (const b of [13, 36, 50]) {
      bits[Math.floor(b / 32)] = (bits[Math.floor(b / 32)] as number) & ~(3 << (b % 32));
    }
    expect(gen_pool_alloc_algo(p, 2, gen_pool_best_fit, undefined)).toBe(0x100000040 + 13);
  });
});

describe('allocation edge cases', () => {
  it('size 0 allocates nothing; a request larger than every chunk returns 0', () => {
    const p = pool(3, [0x1000, 64]);
    expect(gen_pool_alloc_algo_owner(p, 0, gen_pool_first_fit, undefined)).toEqual({
      addr: 0,
      chunk: null,
    });
    expect(gen_pool_alloc(p, 65)).toBe(0);
    expect(gen_pool_avail(p)).toBe(64);
  });

  it('never spans two touching chunks', () => {
    const p = pool(3, [0x1000, 32], [0x1020, 32]);
    expect(gen_pool_alloc(p, 48)).toBe(0);
  });

  it('keeps a chunk tail in avail and size but never allocates it', () => {
    const p = pool(3, [0x1000, 21]);
    expect(p.chunks[0]?.end_bit).toBe(2);
    expect(gen_pool_alloc(p, 17)).toBe(0);
    expect(gen_pool_alloc(p, 9)).toBe(0x1000);
    expect(gen_pool_avail(p)).toBe(5);
    expect(gen_pool_size(p)).toBe(21);
  });

  it('an allocation at address 0 looks like a failure, but _owner names the chunk', () => {
    const p = gen_pool_create(0);
    gen_pool_add_virt(p, 0, 0x5000, 16, 'owner-a');
    const r = gen_pool_alloc_algo_owner(p, 4, gen_pool_first_fit, undefined);
    expect(r.addr).toBe(0);
    expect(r.chunk?.owner).toBe('owner-a');
  });

  it('granules of 2^30, 2^31 and 2^32 bytes: sizes round up to whole granules, avail counts them', () => {
    for (const order of [30, 31, 32]) {
      const g = 2 ** order;
      const p = pool(order, [4 * g, 4 * g + 100]);
      expect(p.chunks[0]?.end_bit).toBe(4);
      expect(gen_pool_alloc(p, 1)).toBe(4 * g);
      expect(gen_pool_alloc(p, g + 1)).toBe(5 * g);
      expect(gen_pool_avail(p)).toBe(g + 100);
      expect(gen_pool_free(p, 5 * g, 2 * g)).toBeNull();
      expect(gen_pool_avail(p)).toBe(3 * g + 100);
    }
  });

  it('order_align ignores an unaligned chunk start', () => {
    const p = pool(0, [0x1003, 64]);
    expect(gen_pool_alloc(p, 1)).toBe(0x1003);
    expect(gen_pool_alloc_algo(p, 4, gen_pool_first_fit_order_align, undefined)).toBe(0x1007);
  });

  it('first_fit_align: align below a granule is no constraint; a non-granule-aligned chunk truncates off', () => {
    const p = pool(4, [0x1008, 256]);
    // off = (0x1008 & 63) >> 4 = 0: the address is granule-relative, not 64-aligned
    expect(gen_pool_alloc_algo(p, 16, gen_pool_first_fit_align, { align: 64 })).toBe(0x1008);
    expect(gen_pool_alloc_algo(p, 16, gen_pool_first_fit_align, { align: 4 })).toBe(0x1018);
  });

  it('first_fit_align with align 0: fails above one granule, takes bit 0 below it, and gives up where the kernel spins', () => {
    const high = pool(3, [0x1000, 64]);
    expect(gen_pool_alloc_algo(high, 8, gen_pool_first_fit_align, { align: 0 })).toBe(0);
    const low = gen_pool_create(3);
    gen_pool_add_virt(low, 4, 0, 64);
    expect(gen_pool_alloc_algo_owner(low, 8, gen_pool_first_fit_align, { align: 0 }).addr).toBe(4);
    // bit 0 now busy: the kernel would loop forever; the model fails
    expect(
      gen_pool_alloc_algo_owner(low, 8, gen_pool_first_fit_align, { align: 0 }).chunk,
    ).toBeNull();
  });

  it('first_fit_align with a negative or INT_MIN align follows the unsigned arithmetic', () => {
    const p = pool(3, [0x1000, 64]);
    expect(gen_pool_alloc_algo(p, 8, gen_pool_first_fit_align, { align: -1 })).toBe(0);
    expect(gen_pool_alloc_algo(p, 8, gen_pool_first_fit_align, { align: -(2 ** 31) })).toBe(0);
    // INT_MAX: mask 2^28 - 1 granules, off 0x200 granules: no bit of a 64-byte chunk fits
    expect(gen_pool_alloc_algo(p, 8, gen_pool_first_fit_align, { align: 2 ** 31 - 1 })).toBe(0);
    const z = pool(3, [0, 64]);
    expect(
      gen_pool_alloc_algo_owner(z, 8, gen_pool_first_fit_align, { align: 2 ** 31 - 1 }).chunk,
    ).not.toBeNull();
  });

  it('first_fit_align with a non-power-of-two align ANDs the mask literally', () => {
    // g = 1, align 24: mask 23 (0b10111); bit 0 busy, so the loop retries at bit 1 -> (1+23) & ~23 = 8
    const p = pool(0, [0x2000, 64]);
    bitmap_set(p.chunks[0]?.bits as Uint32Array, 0, 1);
    expect(gen_pool_alloc_algo(p, 2, gen_pool_first_fit_align, { align: 24 })).toBe(0x2008);
  });

  it('fixed_alloc: exact offset or nothing, never sliding, unaligned offsets fail every chunk', () => {
    const p = pool(3, [0x1000, 128]);
    expect(gen_pool_alloc_algo(p, 8, gen_pool_fixed_alloc, { offset: 12 })).toBe(0);
    expect(gen_pool_alloc_algo(p, 8, gen_pool_fixed_alloc, { offset: 16 })).toBe(0x1010);
    expect(gen_pool_alloc_algo(p, 8, gen_pool_fixed_alloc, { offset: 16 })).toBe(0);
    expect(gen_pool_alloc_algo(p, 16, gen_pool_fixed_alloc, { offset: 120 })).toBe(0);
    expect(gen_pool_alloc_algo(p, 8, gen_pool_fixed_alloc, { offset: 4096 })).toBe(0);
  });

  it('rejects missing algorithm data as a TypeError (the kernel dereferences it)', () => {
    const p = pool(3, [0x1000, 128]);
    expect(() => gen_pool_alloc_algo(p, 8, gen_pool_first_fit_align, undefined)).toThrow(TypeError);
    expect(() => gen_pool_alloc_algo(p, 8, gen_pool_fixed_alloc, { align: 8 })).toThrow(TypeError);
  });

  it('gen_pool_set_algo: null means first_fit, data is stored as given', () => {
    const p = pool(3, [0x1000, 128]);
    gen_pool_set_algo(p, gen_pool_fixed_alloc, { offset: 64 });
    expect(gen_pool_alloc(p, 8)).toBe(0x1040);
    gen_pool_set_algo(p, null, { offset: 8 });
    expect(p.algo).toBe(gen_pool_first_fit);
    expect(p.data).toEqual({ offset: 8 });
    expect(gen_pool_alloc(p, 8)).toBe(0x1000);
  });

  it('roundup_pow_of_two', () => {
    expect([1, 2, 3, 5, 64, 65].map(roundup_pow_of_two)).toEqual([1, 2, 4, 8, 64, 128]);
  });
});

describe('gen_pool_free', () => {
  it('frees by the caller size, rounded up; sub-range frees are legal', () => {
    const p = pool(3, [0x1000, 128]);
    const a = gen_pool_alloc(p, 30);
    expect(gen_pool_avail(p)).toBe(96);
    expect(gen_pool_free(p, a + 8, 8)).toBeNull();
    expect(gen_pool_free(p, a + 3, 1)).toBeNull(); // unaligned addr rounds down to its granule
    expect(gen_pool_free(p, a + 16, 9)).toBeNull();
    expect(gen_pool_avail(p)).toBe(128);
  });

  it('reports each BUG and leaves the pool untouched', () => {
    const p = pool(3, [0x1000, 64]);
    const a = gen_pool_alloc(p, 16);
    expect(gen_pool_free(p, 0x5000, 8)?.bug).toMatch(/no chunk contains it/);
    expect(gen_pool_free(p, a, 65)?.bug).toMatch(/runs past chunk end 0x103f/);
    expect(gen_pool_free(p, a, 24)?.bug).toMatch(/bit 2 of chunk 0x1000 is not allocated/);
    expect(gen_pool_avail(p)).toBe(48);
    expect(gen_pool_free(p, a, 16)).toBeNull();
    expect(gen_pool_free(p, a, 16)?.bug).toMatch(/bit 0 .* not allocated/);
  });

  it('a free reaching into the tail or past the bitmap is a BUG', () => {
    const p = pool(3, [0x1000, 20]);
    expect(gen_pool_free(p, 0x1010, 4)?.bug).toMatch(/bit 2 .* not allocated/);
  });

  it('size 0 clears nothing, except at address 0 where last wraps', () => {
    const p = pool(3, [0x1000, 64]);
    expect(gen_pool_free(p, 0x1008, 0)).toBeNull();
    const z = gen_pool_create(3);
    gen_pool_add(z, 0, 64);
    expect(gen_pool_free(z, 0, 0)?.bug).toMatch(/runs past chunk end/);
  });

  it('a chunk at virt 0 with size 0 ends at 2^64 - 1: it contains every address', () => {
    const p = gen_pool_create(3);
    gen_pool_add(p, 0, 0);
    const c = p.chunks[0];
    expect(c && chunk_size(c)).toBe(0);
    expect(gen_pool_size(p)).toBe(0);
    expect(gen_pool_has_addr(p, 2 ** 40, 4096)).toBe(true);
    expect(gen_pool_find_chunk(p, 12345)).toBe(c);
    expect(gen_pool_free(p, 0, 0)).toBeNull();
    expect(gen_pool_free(p, 4096, 0)).toBeNull();
    expect(gen_pool_free(p, 4096, 8)?.bug).toMatch(/not allocated/);
  });
});

describe('gen_pool_has_addr and gen_pool_virt_to_phys', () => {
  const p = gen_pool_create(3);
  gen_pool_add_virt(p, 0x1000, 0x9000, 64);
  gen_pool_add(p, 0x1040, 64);

  it('is true exactly for ranges inside one chunk, whatever the bitmap says', () => {
    expect(gen_pool_has_addr(p, 0x1000, 64)).toBe(true);
    expect(gen_pool_has_addr(p, 0x103f, 1)).toBe(true);
    expect(gen_pool_has_addr(p, 0x103f, 2)).toBe(false); // spans two touching chunks
    expect(gen_pool_has_addr(p, 0x1080, 1)).toBe(false);
    expect(gen_pool_has_addr(p, 0x1050, 0)).toBe(true);
    expect(gen_pool_has_addr(p, 0, 0)).toBe(false); // last wraps to 2^64 - 1
  });

  it('translates through the first chunk containing the address; -1 when none', () => {
    expect(gen_pool_virt_to_phys(p, 0x1010)).toBe(0x9010);
    expect(gen_pool_virt_to_phys(p, 0x1040)).toBe(-1); // gen_pool_add: phys -1, offset 0
    expect(gen_pool_virt_to_phys(p, 0x1048)).toBe(7);
    expect(gen_pool_virt_to_phys(p, 0x2000)).toBe(-1);
  });
});
