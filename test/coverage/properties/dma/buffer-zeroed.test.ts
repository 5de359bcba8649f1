/**
 * dma/buffer-zeroed (T8): a fresh buffer on an SEV guest is decrypted, then
 * zeroed (zeroing before the conversion would leave the host-visible view
 * unzeroed); the order of the two is checked.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/dma/buffer-zeroed.ts';
import { coherent, ctx, worldAfter } from '../../fixtures/dma.ts';

describe('buffer-zeroed', () => {
  it('holds on a fresh SEV buffer, and reports one zeroed before its conversion', () => {
    const op = coherent(8192, false);
    const w = worldAfter([op]);
    expect(w.stepBuffer?.source).toBe('buddy');
    const kinds = w.events.map((e) => e.kind).filter((k) => k === 'convert' || k === 'zero');
    expect(kinds).toEqual(['convert', 'zero']);
    expect(prop.check?.(ctx(w, op))).toBeNull();
    w.events = [...w.events].sort((x, y) => Number(y.kind === 'zero') - Number(x.kind === 'zero'));
    expect(prop.check?.(ctx(w, op))?.message).toBe('zeroed before its pages were converted');
  });
});
