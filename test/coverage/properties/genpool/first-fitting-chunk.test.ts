/**
 * genpool/first-fitting-chunk (I10): its witness marks an allocation served
 * by a chunk older than the newest, where newest-first order has something
 * to say. Pool: chunk 0 (512 bytes, older) and chunk 1 (803 bytes, newest,
 * 100 usable granules), 8-byte granules.
 */
import { describe, expect, it } from 'vitest';
import prop from '../../../../properties/genpool/first-fitting-chunk.ts';
import type { GenpoolOp } from '../../../../src/systems/genpool/ops.ts';
import { GENPOOL_CONFIGS } from '../../../../src/systems/genpool/system.ts';
import { ctx, poolAfter } from '../../fixtures/genpool.ts';

const cfg = GENPOOL_CONFIGS.bytes;
const fill: GenpoolOp = { op: 'gen_pool_alloc', size: 800 };
const small: GenpoolOp = { op: 'gen_pool_alloc', size: 8 };
const addChunk: GenpoolOp = { op: 'gen_pool_add_virt', size: 64, gap: 0, below: false };

describe('first-fitting-chunk witness', () => {
  const cases: [string, GenpoolOp[], number | null, boolean][] = [
    // [what, ops, serving chunk id, witness]
    ['served by the newest chunk', [small], 1, false],
    ['the newest chunk full: served by chunk 0', [fill, small], 0, true],
    ['three chunks, the newest (2) serves', [addChunk, small], 2, false],
    [
      'three chunks, the newest full: served by chunk 1',
      [addChunk, { op: 'gen_pool_alloc', size: 64 }, small],
      1,
      true,
    ],
    ['nothing fits', [{ op: 'gen_pool_alloc', size: 2000 }], null, false],
  ];

  it.each(cases)('%s', (_, ops, served, want) => {
    const s = poolAfter(cfg, ops);
    const op = ops[ops.length - 1] as GenpoolOp;
    const ev = s.last;
    if (ev?.kind !== 'alloc') throw new Error('not an allocation');
    expect(ev.chunk?.id ?? null).toBe(served);
    expect(prop.witness?.(ctx(s, op))).toBe(want);
    expect(prop.check?.(ctx(s, op))).toBeNull();
  });
});

describe('first-fitting-chunk violation', () => {
  it('names the older chunk and the address it handed out, in hex', () => {
    const s = poolAfter(cfg, [small]);
    const ev = s.last;
    const older = s.added[0];
    if (ev?.kind !== 'alloc' || older === undefined) throw new Error('no allocation');
    // as if chunk 0 had served it while the newest chunk had room
    s.last = { ...ev, chunk: older };
    expect(prop.check?.(ctx(s, small))?.message).toMatch(
      new RegExp(
        `went to older chunk 0 \\(0x${ev.addr.toString(16)}\\), but fits here at bit \\d+$`,
      ),
    );
  });
});
