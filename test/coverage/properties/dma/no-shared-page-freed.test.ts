/**
 * dma/no-shared-page-freed (I4) at the end of a run: a free page of a range
 * that was once converted must be private again.
 */
import { describe, expect, it } from 'vitest';
import { ENC_DECRYPTED } from '../../../../models/page_alloc/pages.ts';
import prop from '../../../../properties/dma/no-shared-page-freed.ts';
import { coherent, worldAfter } from '../../fixtures/dma.ts';

describe('no-shared-page-freed at the end of a run', () => {
  it('holds after a fresh SEV buffer is freed, and reports a free page left shared', () => {
    const w = worldAfter([coherent(8192, false), { op: 'dma_free_coherent', pick: 0 }]);
    const freed = w.events.find((e) => e.kind === 'free');
    if (freed?.kind !== 'free') throw new Error('nothing freed');
    expect(prop.atEnd?.(w)).toBeNull();
    w.pa.pages.enc[freed.pfn] = ENC_DECRYPTED;
    const v = prop.atEnd?.(w);
    expect(v?.message).toBe('1 free pages are not private');
    expect(v?.details).toEqual([`pfn 0x${freed.pfn.toString(16)}: buddy-free, decrypted`]);
  });
});
