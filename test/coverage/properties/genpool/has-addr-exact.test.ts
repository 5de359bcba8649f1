/** genpool/has-addr-exact (I6) judges gen_pool_has_addr() answers only. */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/has-addr-exact.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

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
