/**
 * genpool/avail-accounting (I10, genalloc.md): each chunk's avail is its
 * size less its allocated granules, and gen_pool_avail() / gen_pool_size()
 * are the sums over the chunks the caller added. Each sum is bent on its
 * own.
 */
import { describe, expect, it } from 'vitest';
import { gen_pool_add_virt } from '../../../../models/genpool/index.ts';
import prop from '../../../../properties/genpool/avail-accounting.ts';
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
