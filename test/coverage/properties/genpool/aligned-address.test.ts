/**
 * genpool/aligned-address (I11) on a chunk that does not start on a
 * granule: first_fit_align then aligns the granule index plus the chunk
 * start's offset (genalloc.md), and an address off that rule is reported.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/aligned-address.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

// bytes: chunks at 0x100000040+512 and 0x100000500+803; the next one starts at 0x100000823
const addOdd = { op: 'gen_pool_add_virt', size: 256, gap: 0, below: false } as const;
const alloc = { op: 'gen_pool_alloc_algo', algo: 'first_fit_align', size: 8, align: 64 } as const;

describe('aligned-address on a chunk off the granule grid', () => {
  it('accepts the model and reports an address one granule off', () => {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, [addOdd, alloc]);
    const ev = s.last;
    if (ev?.kind !== 'alloc' || ev.chunk === null) throw new Error('allocation failed');
    expect(ev.chunk.virt).toBe(0x100000823);
    expect(ev.chunk.virt % 8).toBe(3);
    expect(prop.check?.(ctx(s, alloc))).toBeNull();
    expect(prop.witness?.(ctx(s, alloc))).toBe(true);
    // offset floor((0x823 % 64) / 8) = 4 granules: the allowed bits are 4, 12, 20, ...
    const bit = (ev.addr - ev.chunk.virt) / 8;
    expect((bit + 4) % 8).toBe(0);
    s.last = { ...ev, addr: ev.addr + 8 };
    expect(prop.check?.(ctx(s, alloc))?.message).toBe(
      `0x${(ev.addr + 8).toString(16)} for 8 bytes = 1 granules (first_fit_align, align 64): bit ${bit + 1} + offset 4 not aligned`,
    );
  });
});
