/** dma/no-overlap (I6): a new buffer that overlaps a live one is reported. */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/dma/no-overlap.ts';
import { coherent, ctx, worldAfter } from '../../fixtures/dma.ts';

describe('no-overlap', () => {
  it('holds for two fresh buffers, and reports one placed on top of the other', () => {
    const op = coherent(8192, false);
    const w = worldAfter([op, op]);
    const [a, b] = w.buffers;
    if (!a || !b || w.stepBuffer !== b) throw new Error('expected two buffers, the second new');
    expect(prop.check?.(ctx(w, op))).toBeNull();
    // the second buffer as if handed out 4 KiB into the first
    const onTop = { ...b, phys: a.phys + 4096 };
    w.buffers[1] = onTop;
    w.stepBuffer = onTop;
    expect(prop.check?.(ctx(w, op))?.message).toMatch(
      /^overlaps buffer #\d+ \(nvme0, 8192 bytes at /,
    );
  });
});
