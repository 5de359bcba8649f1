/**
 * genpool/placement (I10/I11) on chunk 1 of the bytes configuration
 * (0x100000500, 100 usable granules of 8 bytes, searched first): what the
 * rule gives when a block is placed elsewhere, and the witness, which marks
 * a best_fit placement that first fit would not have chosen.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/placement.ts';
import type { GenpoolOp } from '../../../../src/systems/genpool/ops.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

const cfg = GENPOOL_CONFIGS.bytes;
const c1 = 0x100000500;
const a = (size: number): GenpoolOp => ({ op: 'gen_pool_alloc', size });
const best = (size: number): GenpoolOp => ({ op: 'gen_pool_alloc_algo', algo: 'best_fit', size });

describe('placement check', () => {
  it('holds where first fit put the block, and names the lowest free bit when it moved', () => {
    const s = poolAfter(cfg, [a(8), a(8)]);
    const ev = s.last;
    if (ev?.kind !== 'alloc') throw new Error('not an allocation');
    expect(ev.addr).toBe(c1 + 8);
    expect(prop.check?.(ctx(s, a(8)))).toBeNull();
    // bits 0 and 1 held; a block at bit 5 skipped the free bits 2-4
    s.last = { ...ev, addr: c1 + 40 };
    expect(prop.check?.(ctx(s, a(8)))).toMatchObject({
      subject: 'chunk 1 0x100000500+803',
      message: '8 bytes = 1 granules (first_fit) placed at bit 5, the rule gives 2',
    });
  });

  it('a fixed_alloc offset off the granule grid allows no bit at all', () => {
    const s = poolAfter(cfg, [a(8)]);
    const ev = s.last;
    if (ev?.kind !== 'alloc') throw new Error('not an allocation');
    s.last = { ...ev, algo: 'fixed_alloc', data: { offset: 4 } };
    expect(prop.check?.(ctx(s, a(8)))?.message).toBe(
      '8 bytes = 1 granules (fixed_alloc, offset 0x4) placed at bit 0, the rule gives none',
    );
    // at offset 0 the same block is where it must be
    s.last = { ...ev, algo: 'fixed_alloc', data: { offset: 0 } };
    expect(prop.check?.(ctx(s, a(8)))).toBeNull();
  });
});

describe('placement witness', () => {
  const cases: [string, GenpoolOp[], number | null, boolean][] = [
    // [what, ops, bit of the last block, witness]
    [
      // runs [0,4) [5,7) [8,100): best fit takes the 2-run at 5, first fit would take 0
      'best_fit of 2 granules into the shorter later run',
      [
        a(32),
        a(8),
        a(16),
        a(8),
        { op: 'gen_pool_free', pick: 0 },
        { op: 'gen_pool_free', pick: 1 },
        best(16),
      ],
      5,
      true,
    ],
    ['best_fit where first fit goes too (bit 3, after 3 granules)', [a(24), best(16)], 3, false],
    ['best_fit at bit 0 of an empty chunk', [best(16)], 0, false],
    [
      'order_align of 2 granules at bit 2, while first fit would take bit 1',
      [a(8), { op: 'gen_pool_alloc_algo', algo: 'first_fit_order_align', size: 16 }],
      2,
      false,
    ],
    ['a failed best_fit', [best(4000)], null, false],
  ];

  it.each(cases)('%s', (_, ops, bit, want) => {
    const s = poolAfter(cfg, ops);
    const op = ops[ops.length - 1] as GenpoolOp;
    const ev = s.last;
    if (ev?.kind !== 'alloc') throw new Error('not an allocation');
    expect(ev.chunk === null ? null : (ev.addr - c1) / 8).toBe(bit);
    expect(prop.witness?.(ctx(s, op))).toBe(want);
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('is false after a step that is not an allocation', () => {
    const op: GenpoolOp = { op: 'gen_pool_set_algo', algo: 'best_fit' };
    expect(prop.witness?.(ctx(poolAfter(cfg, [best(16), op]), op))).toBe(false);
  });
});
