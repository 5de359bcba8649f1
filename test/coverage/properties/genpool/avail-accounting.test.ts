/**
 * genpool/avail-accounting (I10, genalloc.md): each chunk's avail is its
 * size less its allocated granules, and gen_pool_avail() / gen_pool_size()
 * are the sums over the chunks the caller added. Each sum is bent on its
 * own.
 */
import { describe, expect, it } from 'vitest';
import { gen_pool_add_virt } from '../../../../models/genpool/index.ts';
import prop from '../../../../properties/genpool/avail-accounting.ts';
import type { GenpoolOp } from '../../../../src/systems/genpool/ops.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

const alloc = { op: 'gen_pool_alloc', size: 20 } as const;
const cfg = GENPOOL_CONFIGS.bytes;

describe('avail-accounting', () => {
  it('holds after an allocation, and on a pool with no step yet', () => {
    const s = poolAfter(cfg, [alloc]);
    expect(prop.check?.(ctx(s, alloc))).toBeNull();
    expect(prop.atEnd?.(s)).toBeNull();
    const fresh = poolAfter(cfg, []);
    expect(fresh.last).toBeNull();
    expect(prop.check?.(ctx(fresh, alloc))).toBeNull();
  });

  it('a chunk in the pool that the caller never added makes gen_pool_avail differ', () => {
    const s = poolAfter(cfg, [alloc]);
    // 803 bytes added, 20 taken as 3 granules of 8; 512 in the other chunk
    const sum = 512 + 803 - 24;
    gen_pool_add_virt(s.pool, 0x200000000, 0x200000000, 64);
    expect(prop.check?.(ctx(s, alloc))).toEqual({
      subject: 'pool',
      message: `gen_pool_avail ${sum + 64} != sum of chunk avail ${sum}`,
    });
  });

  it('a chunk whose end moved makes gen_pool_size differ from the sizes added', () => {
    const s = poolAfter(cfg, [alloc]);
    const c = s.added[0]?.chunk;
    if (!c) throw new Error('no chunk');
    c.end_addr += 8;
    expect(prop.atEnd?.(s)).toEqual({
      subject: 'pool',
      message: `gen_pool_size ${512 + 803 + 8} != sizes added ${512 + 803}`,
    });
  });

  it('a chunk whose avail lost a granule is reported at the end of the run', () => {
    const s = poolAfter(cfg, []);
    const c = s.added[0]?.chunk;
    if (!c) throw new Error('no chunk');
    c.avail -= 8;
    expect(prop.atEnd?.(s)?.message).toBe('avail 504 != size 512 - 0 granules * 8 = 512');
  });
});

describe('avail-accounting after each kind of step', () => {
  it('runs after every step that changes an avail or a size', () => {
    expect([...prop.after].sort()).toEqual(
      ['gen_pool_add_virt', 'gen_pool_alloc', 'gen_pool_alloc_algo', 'gen_pool_free'].sort(),
    );
  });

  // the chunk the step touched loses one granule of avail; the pool sums still agree with it
  const cases: [string, GenpoolOp[], number, string][] = [
    [
      'an allocation (20 bytes from chunk 1: 3 granules)',
      [{ op: 'gen_pool_alloc', size: 20 }],
      1,
      'avail 771 != size 803 - 3 granules * 8 = 779',
    ],
    [
      'an allocation by algorithm (best_fit 8 bytes)',
      [{ op: 'gen_pool_alloc_algo', algo: 'best_fit', size: 8 }],
      1,
      'avail 787 != size 803 - 1 granules * 8 = 795',
    ],
    [
      'a free (the whole block back)',
      [
        { op: 'gen_pool_alloc', size: 20 },
        { op: 'gen_pool_free', pick: 0 },
      ],
      1,
      'avail 795 != size 803 - 0 granules * 8 = 803',
    ],
    [
      'an add (a 256-byte chunk 2)',
      [{ op: 'gen_pool_add_virt', size: 256, gap: 0, below: false }],
      2,
      'avail 248 != size 256 - 0 granules * 8 = 256',
    ],
  ];

  it.each(cases)(
    'a step that is %s: exact avail holds, one granule off is reported',
    (_, ops, id, message) => {
      const s = poolAfter(cfg, ops);
      const op = ops[ops.length - 1] as GenpoolOp;
      const c = s.added[id];
      if (!c) throw new Error('no chunk');
      expect(prop.check?.(ctx(s, op))).toBeNull();
      c.chunk.avail -= 8;
      expect(prop.check?.(ctx(s, op))).toMatchObject({
        subject: `chunk ${id} 0x${c.virt.toString(16)}+${c.size}`,
        message,
      });
    },
  );

  const witnesses: [string, GenpoolOp[], boolean][] = [
    // chunk 1: 803 bytes, a 3-byte tail
    ['an allocation from the chunk with a tail', [{ op: 'gen_pool_alloc', size: 8 }], true],
    [
      'an allocation from the 512-byte chunk (no tail), chunk 1 full',
      [
        { op: 'gen_pool_alloc', size: 800 },
        { op: 'gen_pool_alloc', size: 8 },
      ],
      false,
    ],
    [
      'a free leaving the tailed chunk empty',
      [
        { op: 'gen_pool_alloc', size: 8 },
        { op: 'gen_pool_free', pick: 0 },
      ],
      false,
    ],
    [
      'a free leaving one granule of the tailed chunk allocated',
      [
        { op: 'gen_pool_alloc', size: 16 },
        { op: 'gen_pool_free', pick: 0, part: { first: 0, count: 0 } },
      ],
      true,
    ],
    [
      'an add of a chunk with a tail, nothing allocated',
      [{ op: 'gen_pool_add_virt', size: 803, gap: 0, below: false }],
      false,
    ],
    [
      'a gen_pool_set_algo after an allocation from the tailed chunk',
      [
        { op: 'gen_pool_alloc', size: 8 },
        { op: 'gen_pool_set_algo', algo: 'best_fit' },
      ],
      false,
    ],
  ];

  it.each(witnesses)('witness after %s', (_, ops, want) => {
    const s = poolAfter(cfg, ops);
    expect(prop.witness?.(ctx(s, ops[ops.length - 1] as GenpoolOp))).toBe(want);
  });
});
