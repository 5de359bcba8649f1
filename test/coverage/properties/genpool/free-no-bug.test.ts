/** genpool/free-no-bug (I6): its witness marks a partial free, the case where whole granules inside a block are freed. */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/free-no-bug.ts';
import type { GenpoolOp } from '../../../../src/systems/genpool/ops.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

const alloc: GenpoolOp = { op: 'gen_pool_alloc', size: 24 };

describe('free-no-bug', () => {
  const cases: [string, GenpoolOp[], boolean][] = [
    [
      'a partial free of one granule',
      [alloc, { op: 'gen_pool_free', pick: 0, part: { first: 1, count: 0 } }],
      true,
    ],
    ['a free of the whole block', [alloc, { op: 'gen_pool_free', pick: 0 }], false],
    ['an allocation', [alloc], false],
  ];

  it.each(cases)('witness after %s', (_, ops, want) => {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, ops);
    const op = ops[ops.length - 1] as GenpoolOp;
    expect(prop.witness?.(ctx(s, op))).toBe(want);
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('a free that hit a BUG is reported against its chunk', () => {
    const ops: GenpoolOp[] = [alloc, { op: 'gen_pool_free', pick: 0 }];
    const s = poolAfter(GENPOOL_CONFIGS.bytes, ops);
    const ev = s.last;
    if (ev?.kind !== 'free') throw new Error('not a free');
    s.last = { ...ev, bug: { bug: 'bitmap_clear_ll: bit already clear' } };
    expect(prop.check?.(ctx(s, ops[1] as GenpoolOp))).toMatchObject({
      subject: 'chunk 1 0x100000500+803',
      message: 'legal free hit a BUG: bitmap_clear_ll: bit already clear',
    });
  });
});
