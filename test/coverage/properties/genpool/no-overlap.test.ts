/**
 * genpool/no-overlap (I10) at the end of a run: every live block lies on
 * whole granules inside its chunk's usable granules, and no two overlap.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/no-overlap.ts';
import { GENPOOL_CONFIGS, type LiveBlock } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

const allocs = [
  { op: 'gen_pool_alloc', size: 16 },
  { op: 'gen_pool_alloc', size: 24 },
] as const;

function live(): { s: ReturnType<typeof poolAfter>; first: LiveBlock } {
  const s = poolAfter(GENPOOL_CONFIGS.bytes, allocs);
  const first = s.live[0];
  if (!first) throw new Error('nothing allocated');
  return { s, first };
}

describe('no-overlap at the end of a run', () => {
  it('holds for blocks the pool handed out', () => {
    const { s } = live();
    expect(s.live).toHaveLength(2);
    expect(prop.atEnd?.(s)).toBeNull();
  });

  it('a block past the usable granules of its chunk is reported', () => {
    const { s, first } = live();
    const c = first.chunk;
    // 803 bytes: 100 usable granules of 8, the 3-byte tail never allocatable
    expect(c.size).toBe(803);
    s.live.push({ ...first, addr: c.virt + 800, size: 8 });
    expect(prop.atEnd?.(s)?.message).toBe(
      `block 0x${(c.virt + 800).toString(16)}-0x${(c.virt + 807).toString(16)} is not on whole granules inside 0x${c.virt.toString(16)}-0x${(c.virt + 799).toString(16)}`,
    );
  });

  it('two live blocks sharing a granule are reported', () => {
    const { s, first } = live();
    // a 1-byte block in the last granule of the 16-byte block
    s.live.push({ ...first, addr: first.addr + 8, size: 1 });
    expect(prop.atEnd?.(s)?.message).toMatch(
      /block 0x[0-9a-f]+\+16 overlaps live block 0x[0-9a-f]+\+8/,
    );
  });
});

describe('no-overlap after an allocation', () => {
  const op = { op: 'gen_pool_alloc', size: 8 } as const;
  const three = [op, op, op] as const;
  // chunk 1: 803 bytes at 0x100000500, 100 usable granules (0x100000500-0x10000081f)
  const c1 = 0x100000500;
  const hex = (n: number) => `0x${n.toString(16)}`;
  /** The pool after three 8-byte allocations (bits 0, 1, 2 of chunk 1), the newest block moved to `addr` (size `size`). */
  function moved(addr: number, size = 8): ReturnType<typeof poolAfter> {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, three);
    const nb = s.live[2];
    if (!nb) throw new Error('nothing allocated');
    expect(nb.addr).toBe(c1 + 16);
    s.live[2] = { ...nb, addr, size };
    return s;
  }

  it('runs after the allocating steps', () => {
    expect([...prop.after].sort()).toEqual(['gen_pool_alloc', 'gen_pool_alloc_algo']);
  });

  const rows: [string, number, number, string | null][] = [
    // [what, addr, size, message]
    ['as allocated, at bit 2 beside bit 1', c1 + 16, 8, null],
    ['on bit 0, held by block 0', c1, 8, `block ${hex(c1)}+8 overlaps live block ${hex(c1)}+8`],
    [
      'on bit 1, held by block 1 only',
      c1 + 8,
      8,
      `block ${hex(c1 + 8)}+8 overlaps live block ${hex(c1 + 8)}+8`,
    ],
    [
      'of 1 byte at the last byte of bit 1 (off the granule grid)',
      c1 + 15,
      1,
      `block ${hex(c1 + 15)}-${hex(c1 + 22)} is not on whole granules inside ${hex(c1)}-${hex(c1 + 799)}`,
    ],
    ['on the last usable granule', c1 + 792, 8, null],
    [
      'one granule below the chunk start (granule-aligned)',
      c1 - 8,
      8,
      `block ${hex(c1 - 8)}-${hex(c1 - 1)} is not on whole granules inside ${hex(c1)}-${hex(c1 + 799)}`,
    ],
    [
      'half a granule into bit 3',
      c1 + 28,
      8,
      `block ${hex(c1 + 28)}-${hex(c1 + 35)} is not on whole granules inside ${hex(c1)}-${hex(c1 + 799)}`,
    ],
    [
      'on the 3-byte tail past the usable granules',
      c1 + 800,
      3,
      `block ${hex(c1 + 800)}-${hex(c1 + 807)} is not on whole granules inside ${hex(c1)}-${hex(c1 + 799)}`,
    ],
  ];

  it.each(rows)('the new block %s', (_, addr, size, message) => {
    const s = moved(addr, size);
    const v = prop.check?.(ctx(s, op)) ?? null;
    if (message === null) expect(v).toBeNull();
    else expect(v).toMatchObject({ subject: 'chunk 1 0x100000500+803', message });
  });

  it('is not run on a failed allocation', () => {
    const big = { op: 'gen_pool_alloc', size: 4000 } as const;
    const s = poolAfter(GENPOOL_CONFIGS.bytes, [big]);
    expect(s.last).toMatchObject({ kind: 'alloc', chunk: null });
    expect(prop.check?.(ctx(s, big))).toBeNull();
  });

  it('at the end: a block one granule below its chunk start is reported', () => {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, [op]);
    const b = s.live[0];
    if (!b) throw new Error('nothing allocated');
    s.live[0] = { ...b, addr: c1 - 8 };
    expect(prop.atEnd?.(s)?.message).toBe(
      `block ${hex(c1 - 8)}-${hex(c1 - 1)} is not on whole granules inside ${hex(c1)}-${hex(c1 + 799)}`,
    );
    s.live[0] = { ...b, addr: c1 };
    expect(prop.atEnd?.(s)).toBeNull();
  });

  const witnesses: [string, (typeof op | { op: 'gen_pool_alloc'; size: number })[], boolean][] = [
    ['two blocks in chunk 1', [op, op], true],
    ['one block in chunk 1', [op], false],
    ['chunk 1 filled, then one block in chunk 0', [{ op: 'gen_pool_alloc', size: 800 }, op], false],
    [
      'chunk 1 filled, then two blocks in chunk 0',
      [{ op: 'gen_pool_alloc', size: 800 }, op, op],
      true,
    ],
    ['a failed allocation after two blocks', [op, op, { op: 'gen_pool_alloc', size: 4000 }], false],
  ];

  it.each(witnesses)('witness after %s', (_, ops, want) => {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, ops);
    expect(prop.witness?.(ctx(s, op))).toBe(want);
  });
});
