/**
 * Every genpool property on a pool where no step has run yet (state.last is
 * null) and on events without the data an algorithm may carry: nothing to
 * judge, so no violation and no witness, and no crash.
 */
import { describe, expect, it } from 'vitest';
import alignedAddress from '../../../../properties/genpool/aligned-address.ts';
import { ruleFor } from '../../../../properties/genpool/fit.ts';
import { genpoolProperties } from '../../../../properties/genpool/index.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';
import { allocEvent, chunkOf, handPool } from './hand.ts';

describe('before any step', () => {
  const op = { op: 'gen_pool_alloc', size: 8 } as const;
  it.each(genpoolProperties.map((p) => [p.id, p] as const))('%s', (_, p) => {
    const s = poolAfter(GENPOOL_CONFIGS.bytes, []);
    expect(s.last).toBeNull();
    expect(p.check?.(ctx(s, op)) ?? null).toBeNull();
    expect(p.witness?.(ctx(s, op)) ?? false).toBe(false);
  });
});

describe('allocations without data', () => {
  const s = handPool(3, [{ virt: 0x1000, size: 512 }]);
  const c = chunkOf(s, 0);

  it('first_fit_align without an align has no simple rule; fixed_alloc without an offset means offset 0', () => {
    const ffa = allocEvent(s, { algo: 'first_fit_align', size: 8, addr: 0x1008, chunk: c });
    expect(ruleFor(ffa, c, 8)).toBeNull();
    const fixed = allocEvent(s, { algo: 'fixed_alloc', size: 8, addr: 0x1000, chunk: c });
    expect(ruleFor(fixed, c, 8)).toEqual({ nbits: 1, step: 1, off: 0, at: 0 });
  });

  it('aligned-address claims nothing for a fixed_alloc without an offset', () => {
    s.last = allocEvent(s, { algo: 'fixed_alloc', size: 8, addr: 0x1008, chunk: c });
    expect(alignedAddress.check?.(ctx(s, { op: 'gen_pool_alloc', size: 8 }))).toBeNull();
  });
});
