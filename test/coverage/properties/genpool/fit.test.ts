/**
 * properties/genpool/fit.ts, the naive placement reader shared by
 * completeness, first-fitting-chunk and placement: the rule each algorithm
 * follows (genalloc.md section 3) and where that rule puts a block in a
 * hand-made bitmap, read as the granules the caller added.
 */
import { describe, expect, it } from 'vitest';
import {
  chunkViolation,
  expectedBit,
  type FitRule,
  lastAlloc,
  requestText,
  ruleFor,
} from '../../../../properties/genpool/fit.ts';
import { allocEvent, chunkOf, handPool, setBits } from './hand.ts';

const firstFit = (nbits: number): FitRule => ({ nbits, step: 1, off: 0 });

describe('ruleFor', () => {
  // g = 8; chunk 0 at 0x1018 (0x1018 % 64 = 24: 3 granules off 64)
  const s = handPool(3, [{ virt: 0x1018, size: 512 }]);
  const c = chunkOf(s, 0);
  const ev = (
    algo: Parameters<typeof allocEvent>[1]['algo'],
    size: number,
    data?: { align: number } | { offset: number },
  ) => allocEvent(s, { algo, size, addr: 0, chunk: null, ...(data === undefined ? {} : { data }) });

  const rows: [string, ReturnType<typeof ev>, FitRule | null][] = [
    ['first_fit', ev('first_fit', 24), { nbits: 3, step: 1, off: 0 }],
    ['best_fit', ev('best_fit', 24), { nbits: 3, step: 1, off: 0, best: true }],
    [
      'order_align of 3 granules: step 4',
      ev('first_fit_order_align', 24),
      { nbits: 3, step: 4, off: 0 },
    ],
    [
      'order_align of 4 granules: step 4',
      ev('first_fit_order_align', 32),
      { nbits: 4, step: 4, off: 0 },
    ],
    [
      'order_align of 5 granules: step 8',
      ev('first_fit_order_align', 40),
      { nbits: 5, step: 8, off: 0 },
    ],
    [
      'align 64: 8 granules, offset 3',
      ev('first_fit_align', 8, { align: 64 }),
      { nbits: 1, step: 8, off: 3 },
    ],
    [
      'align 16: 2 granules, offset 1',
      ev('first_fit_align', 8, { align: 16 }),
      { nbits: 1, step: 2, off: 1 },
    ],
    [
      'align 8 (= g): anywhere',
      ev('first_fit_align', 8, { align: 8 }),
      { nbits: 1, step: 1, off: 0 },
    ],
    ['align 1: anywhere', ev('first_fit_align', 8, { align: 1 }), { nbits: 1, step: 1, off: 0 }],
    [
      'align 48 (not a power of two): no simple rule',
      ev('first_fit_align', 8, { align: 48 }),
      null,
    ],
    ['align 0: no simple rule', ev('first_fit_align', 8, { align: 0 }), null],
    [
      'fixed_alloc offset 16: bit 2 only',
      ev('fixed_alloc', 8, { offset: 16 }),
      { nbits: 1, step: 1, off: 0, at: 2 },
    ],
    [
      'fixed_alloc offset 4: no bit',
      ev('fixed_alloc', 8, { offset: 4 }),
      { nbits: 1, step: 1, off: 0, at: -1 },
    ],
  ];

  it.each(rows)('%s', (_, e, want) => {
    expect(ruleFor(e, c, 8)).toEqual(want);
  });
});

describe('expectedBit', () => {
  /** A g = 8 chunk of `granules` granules with `held` allocated. */
  function chunk(granules: number, held: [number, number][] = []) {
    const s = handPool(3, [{ virt: 0x1000, size: granules * 8 }]);
    const c = chunkOf(s, 0);
    for (const [from, to] of held) setBits(c, from, to);
    return c;
  }

  it('fixed: exactly its bit, when every granule there is free', () => {
    expect(expectedBit(chunk(8), 8, { ...firstFit(1), at: 1 })).toBe(1);
    expect(expectedBit(chunk(8, [[1, 2]]), 8, { ...firstFit(1), at: 1 })).toBeNull();
    expect(expectedBit(chunk(8, [[2, 3]]), 8, { ...firstFit(2), at: 1 })).toBeNull();
    expect(expectedBit(chunk(8), 8, { ...firstFit(2), at: 6 })).toBe(6);
    expect(expectedBit(chunk(8), 8, { ...firstFit(2), at: 7 })).toBeNull();
    expect(expectedBit(chunk(8), 8, { ...firstFit(1), at: -1 })).toBeNull();
  });

  it('fixed: only the granules of [clearFrom, clearTo) read as free', () => {
    const c = chunk(8, [[0, 3]]);
    expect(expectedBit(c, 8, { ...firstFit(1), at: 0 }, 0, 1)).toBe(0);
    expect(expectedBit(c, 8, { ...firstFit(1), at: 0 }, 2, 3)).toBeNull();
    expect(expectedBit(c, 8, { ...firstFit(1), at: 2 }, 2, 3)).toBe(2);
    expect(expectedBit(c, 8, { ...firstFit(1), at: 2 }, 0, 2)).toBeNull();
  });

  it('first fit: a full word ends the run before it, also a run from bit 0', () => {
    // 64 granules: word 0 free, word 1 held
    const c = chunk(64, [[32, 64]]);
    expect(expectedBit(c, 8, firstFit(32))).toBe(0);
    expect(expectedBit(c, 8, firstFit(33))).toBeNull();
    // a run from bit 1 ended the same way
    const d = chunk(64, [
      [0, 1],
      [32, 64],
    ]);
    expect(expectedBit(d, 8, firstFit(31))).toBe(1);
    expect(expectedBit(d, 8, firstFit(32))).toBeNull();
  });

  it('first fit: a run ends at the usable granules, whatever bits lie past them', () => {
    // 40 usable granules, word 0 held, a stray bit 50 set past the end
    const c = chunk(40, [[0, 32]]);
    setBits(c, 50, 51);
    expect(expectedBit(c, 8, firstFit(8))).toBe(32);
    expect(expectedBit(c, 8, firstFit(9))).toBeNull();
    expect(expectedBit(c, 8, firstFit(10))).toBeNull();
  });

  it('first fit over whole free and held words, and a block read as free', () => {
    // 96 granules: word 0 held, word 1 free, word 2 held but for its last 4
    const c = chunk(96, [
      [0, 32],
      [64, 92],
    ]);
    expect(expectedBit(c, 8, firstFit(32))).toBe(32);
    expect(expectedBit(c, 8, firstFit(33))).toBeNull();
    expect(expectedBit(c, 8, firstFit(4), 0, 0)).toBe(32);
    // granules 28-31 read as free join the run of word 1
    expect(expectedBit(c, 8, firstFit(36), 28, 32)).toBe(28);
    expect(expectedBit(c, 8, firstFit(36), 29, 32)).toBeNull();
    // granules 64-67 read as free extend word 1's run by 4
    expect(expectedBit(c, 8, firstFit(36), 64, 68)).toBe(32);
  });

  it('aligned: the lowest p with (p + off) a multiple of step', () => {
    const c = chunk(32, [[0, 1]]);
    expect(expectedBit(c, 8, { nbits: 2, step: 4, off: 0 })).toBe(4);
    expect(expectedBit(c, 8, { nbits: 2, step: 4, off: 3 })).toBe(1);
    expect(expectedBit(c, 8, { nbits: 2, step: 4, off: 1 })).toBe(3);
    expect(expectedBit(c, 8, { nbits: 4, step: 4, off: 0 })).toBe(4);
    expect(expectedBit(chunk(6, [[0, 1]]), 8, { nbits: 2, step: 4, off: 0 })).toBe(4);
    expect(expectedBit(chunk(5, [[0, 1]]), 8, { nbits: 2, step: 4, off: 0 })).toBeNull();
  });

  it('best fit: the shortest run, the lowest on a tie', () => {
    const bf = (nbits: number): FitRule => ({ nbits, step: 1, off: 0, best: true });
    // runs [0,4) [5,7) [8,10) [11,16)
    const c = chunk(16, [
      [4, 5],
      [7, 8],
      [10, 11],
    ]);
    expect(expectedBit(c, 8, bf(2))).toBe(5);
    expect(expectedBit(c, 8, bf(3))).toBe(0);
    expect(expectedBit(c, 8, bf(5))).toBe(11);
    expect(expectedBit(c, 8, bf(6))).toBeNull();
    expect(expectedBit(c, 8, bf(1))).toBe(5);
  });
});

describe('reports', () => {
  const s = handPool(3, [{ virt: 0x1018, size: 515 }]);
  const c = chunkOf(s, 0);

  it('chunkViolation names the chunk as added and gives its model state', () => {
    c.chunk.avail = 499;
    expect(chunkViolation(c, 'why')).toEqual({
      subject: 'chunk 0 0x1018+515',
      message: 'why',
      details: ['start 0x1018 end 0x121a end_bit 64', 'avail 499'],
    });
  });

  it('requestText spells out the request and its data', () => {
    const e = (data?: { align: number } | { offset: number }) =>
      allocEvent(s, {
        algo: 'first_fit_align',
        size: 20,
        addr: 0,
        chunk: null,
        ...(data === undefined ? {} : { data }),
      });
    expect(requestText(e({ align: 64 }))).toBe('20 bytes = 3 granules (first_fit_align, align 64)');
    expect(requestText(e({ offset: 32 }))).toBe(
      '20 bytes = 3 granules (first_fit_align, offset 0x20)',
    );
    expect(requestText(e())).toBe('20 bytes = 3 granules (first_fit_align)');
  });

  it('lastAlloc is the last step only when it allocated', () => {
    const e = allocEvent(s, { algo: 'first_fit', size: 8, addr: 0x1018, chunk: c });
    s.last = e;
    expect(lastAlloc(s)).toBe(e);
    s.last = { kind: 'set_algo' };
    expect(lastAlloc(s)).toBeNull();
    s.last = null;
    expect(lastAlloc(s)).toBeNull();
  });
});
