/**
 * genpool/no-overlap (I10) at the end of a run: every live block lies on
 * whole granules inside its chunk's usable granules, and no two overlap.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/no-overlap.ts';
import { GENPOOL_CONFIGS, type LiveBlock } from '../../../../src/systems/genpool/system.ts';
import { poolAfter } from '../../fixtures/genpool.ts';

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
