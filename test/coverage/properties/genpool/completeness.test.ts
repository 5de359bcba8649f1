/**
 * genpool/completeness (I10): its witness marks a failed allocation of
 * size > 0 while the pool still holds at least `size` bytes in total, the
 * case where "returns 0 only if no chunk has room" has something to say.
 * Pool: 8-byte granules, chunk 0 of 512 bytes (64 granules) and the newer
 * chunk 1 of 803 bytes (100 granules and a 3-byte tail): avail 1315.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/completeness.ts';
import type { GenpoolOp } from '../../../../src/systems/genpool/ops.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

const cfg = GENPOOL_CONFIGS.bytes;

describe('completeness witness', () => {
  const cases: [string, number, boolean, boolean][] = [
    // [what, size, allocation succeeds, witness]
    ['1000 bytes: no chunk has 125 granules, avail 1315', 1000, false, true],
    ['1315 bytes: fails, avail exactly 1315', 1315, false, true],
    ['1316 bytes: fails, avail one byte short', 1316, false, false],
    ['8 bytes: succeeds', 8, true, false],
    ['0 bytes: returns 0, nothing asked', 0, false, false],
  ];

  it.each(cases)('%s', (_, size, served, want) => {
    const op: GenpoolOp = { op: 'gen_pool_alloc', size };
    const s = poolAfter(cfg, [op]);
    const ev = s.last;
    if (ev?.kind !== 'alloc') throw new Error('not an allocation');
    expect(ev.chunk !== null).toBe(served);
    expect(prop.witness?.(ctx(s, op))).toBe(want);
    // the model is right in each case: the property holds
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });

  it('is false before any step', () => {
    const op: GenpoolOp = { op: 'gen_pool_alloc', size: 1000 };
    expect(prop.witness?.(ctx(poolAfter(cfg, []), op))).toBe(false);
  });
});
