/** genpool/has-addr-exact (I6) judges gen_pool_has_addr() answers only. */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/has-addr-exact.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';
import { handPool } from './hand.ts';

describe('has-addr-exact', () => {
  it('holds on a gen_pool_has_addr() of a chunk end, and ignores other steps', () => {
    const has = { op: 'gen_pool_has_addr', pick: 0, at: 'end', delta: 0, size: 8 } as const;
    const s = poolAfter(GENPOOL_CONFIGS.bytes, [has]);
    expect(s.last).toMatchObject({ kind: 'has_addr', result: true });
    expect(prop.check?.(ctx(s, has))).toBeNull();
    const alloc = { op: 'gen_pool_alloc', size: 8 } as const;
    const t = poolAfter(GENPOOL_CONFIGS.bytes, [alloc]);
    expect(t.last?.kind).toBe('alloc');
    expect(prop.check?.(ctx(t, alloc))).toBeNull();
  });

  it('a wrong answer is reported with the chunks as added', () => {
    const has = { op: 'gen_pool_has_addr', pick: 0, at: 'end', delta: 1, size: 8 } as const;
    const s = poolAfter(GENPOOL_CONFIGS.bytes, [has]);
    // one byte past the end of chunk 0 (512 bytes at 0x100000040): not in the pool
    expect(s.last).toEqual({ kind: 'has_addr', start: 0x100000239, size: 8, result: false });
    s.last = { kind: 'has_addr', start: 0x100000239, size: 8, result: true };
    expect(prop.check?.(ctx(s, has))).toEqual({
      subject: 'pool',
      message: 'gen_pool_has_addr(0x100000239, 8) = true, want false',
      details: ['chunk 0 0x100000040-0x10000023f', 'chunk 1 0x100000500-0x100000822'],
    });
  });
});

/**
 * Hand-built answers on g = 8 chunks: chunk 0 of 64 bytes at virt 0 (the
 * wrap case of genalloc.md) and chunk 1 of 100 bytes at 0x1000 (last byte
 * 0x1063). Each row gives the true answer per the statement, then checks
 * that the property accepts it and reports its negation.
 */
describe('has-addr-exact, both sides of each bound', () => {
  const s = handPool(3, [
    { virt: 0, size: 64 },
    { virt: 0x1000, size: 100 },
  ]);
  const op = { op: 'gen_pool_has_addr', pick: 0, at: 'start', delta: 0, size: 1 } as const;
  const judge = (start: number, size: number, result: boolean) => {
    s.last = { kind: 'has_addr', start, size, result };
    return prop.check?.(ctx(s, op)) ?? null;
  };

  const rows: [string, number, number, boolean][] = [
    // [what, start, size, the true answer]
    ['size 0 at 0: start + size - 1 wraps, false', 0, 0, false],
    ['1 byte at 0: last byte 0 is in chunk 0', 0, 1, true],
    ['size 0 at 5: 5 lies in chunk 0', 5, 0, true],
    ['the whole of chunk 1', 0x1000, 100, true],
    ['chunk 1 and one byte more', 0x1000, 101, false],
    ['the last byte of chunk 1', 0x1063, 1, true],
    ['one byte past chunk 1', 0x1064, 1, false],
    ['one byte before chunk 1', 0xfff, 1, false],
    ['from one byte before chunk 1 into it', 0xfff, 2, false],
    ['between the chunks', 0x800, 8, false],
  ];

  it.each(rows)('%s', (_, start, size, want) => {
    expect(judge(start, size, want)).toBeNull();
    expect(judge(start, size, !want)).toMatchObject({
      subject: 'pool',
      message: `gen_pool_has_addr(0x${start.toString(16)}, ${size}) = ${!want}, want ${want}`,
    });
  });
});

describe('has-addr-exact witness: a false answer for a start inside a chunk', () => {
  const has = (at: 'start' | 'end', delta: number, size: number) =>
    ({ op: 'gen_pool_has_addr', pick: 0, at, delta, size }) as const;
  // chunk 0: 512 bytes at 0x100000040 (last byte 0x10000023f); chunk 1 at 0x100000500
  const rows: [string, ReturnType<typeof has>, boolean, boolean][] = [
    // [what, op, answer, witness]
    ['8 bytes from the last byte of chunk 0: runs past it', has('end', 7, 8), false, true],
    ['600 bytes from the first byte of chunk 0', has('start', 0, 600), false, true],
    ['8 bytes ending at the last byte of chunk 0', has('end', 0, 8), true, false],
    ['8 bytes from one byte past chunk 0', has('end', 8, 8), false, false],
    ['8 bytes from one byte before chunk 0', has('start', -1, 8), false, false],
  ];

  it.each(rows)('%s', (_, op, result, want) => {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, [op]);
    expect(s.last).toMatchObject({ kind: 'has_addr', result });
    expect(prop.witness?.(ctx(s, op))).toBe(want);
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('is false after a step that is not gen_pool_has_addr', () => {
    const alloc = { op: 'gen_pool_alloc', size: 8 } as const;
    expect(prop.witness?.(ctx(poolAfter(GENPOOL_CONFIGS.bytes, [alloc]), alloc))).toBe(false);
  });
});
