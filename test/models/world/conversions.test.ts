/**
 * The world's set_memory_{de,en}crypted() (models/world/world.ts convert()),
 * as dma.md §2.10 describes it: without memory encryption the call returns 0
 * at once and no page changes; with it, a host refusal (-EIO) leaves the
 * range unknown, prints "CPA VMM failure to convert memory", and counts as a
 * refused conversion. What happens next is the caller's: v5.8 frees the
 * unknown pages to the buddy allocator (T10, the free event names the first
 * page that is not private), 6.1.86+ and mainline leak them for good.
 */
import { describe, expect, it } from 'vitest';
import { ENC_ENCRYPTED, ENC_UNKNOWN, PG_LEAKED } from '../../../models/page_alloc/pages.ts';
import type { World } from '../../../models/world/world.ts';
import type { DmaOp } from '../../../src/systems/dma/ops.ts';
import { coherent, freeEvent, run } from '../../coverage/properties/dma/world.ts';

const refuseDecrypt: DmaOp = { op: 'fault', at: 'set_memory_decrypted', order: -1 };
const hex = (n: number) => `0x${n.toString(16)}`;

/** The pfn of the step's only `alloc` event. */
function allocPfn(w: World): number {
  const allocs = w.events.filter((e) => e.kind === 'alloc');
  if (allocs.length !== 1 || allocs[0]?.kind !== 'alloc') throw new Error('not one allocation');
  return allocs[0].pfn;
}

describe('a conversion the host refuses', () => {
  it('v5.8, dma_alloc_coherent(8K) from a task: the refusal is counted, warned, and the unknown pages go back to buddy', () => {
    const w = run([refuseDecrypt, coherent(8192, false)], { policy: 'v5.8' });
    const pfn = allocPfn(w);
    expect(w.events.slice(3)).toEqual([
      { kind: 'fault', at: 'set_memory_decrypted' },
      { kind: 'may_sleep', what: `set_memory_decrypted(pfn ${hex(pfn)}, 2)` },
      { kind: 'convert', op: 'set_memory_decrypted', pfn, npages: 2, ok: false },
      {
        kind: 'warn',
        text: `CPA VMM failure to convert memory (pfn ${hex(pfn)}, numpages=2) to shared`,
      },
      // both pages unknown; the first of them is the block's first page
      freeEvent(pfn, 2, 'direct', { notEncrypted: 2, firstNotEncrypted: pfn }),
    ]);
    expect(w.buffers).toEqual([]);
    expect(w.conversionFailures).toBe(1);
    expect(w.leakedPages).toBe(0);
    expect([...w.pa.pages.enc.slice(pfn, pfn + 2)]).toEqual([ENC_UNKNOWN, ENC_UNKNOWN]);
  });

  it('mainline: the refused block is leaked, its pages owned by nobody, and counted once', () => {
    const w = run([refuseDecrypt, coherent(8192, false)], { policy: 'mainline' });
    const pfn = allocPfn(w);
    expect(w.events.at(-1)).toEqual({
      kind: 'leak',
      pfn,
      npages: 2,
      cause: 'set_memory_decrypted failed',
    });
    expect(w.events.some((e) => e.kind === 'bug')).toBe(false);
    expect(w.leakedPages).toBe(2);
    expect(w.conversionFailures).toBe(1);
    expect([...w.pa.pages.owner.slice(pfn, pfn + 2)]).toEqual([PG_LEAKED, PG_LEAKED]);
  });

  it('6.1.86+: re-encryption refused at dma_free_coherent(): two warnings, the block leaked', () => {
    const refuseEncrypt: DmaOp = { op: 'fault', at: 'set_memory_encrypted', order: -1 };
    const w = run([coherent(8192, false), refuseEncrypt, { op: 'dma_free_coherent', pick: 0 }]);
    const warns = w.events.filter((e) => e.kind === 'warn').map((e) => e.kind === 'warn' && e.text);
    expect(warns).toEqual([
      expect.stringMatching(
        /^CPA VMM failure to convert memory \(pfn 0x[0-9a-f]+, numpages=2\) to private$/,
      ),
      "leaking DMA memory that can't be re-encrypted",
    ]);
    expect(w.conversionFailures).toBe(1);
    expect(w.leakedPages).toBe(2);
  });
});

describe('conversions that succeed', () => {
  it('6.1, dma_alloc_coherent(8K) from a task: decrypted, no failure counted, no warning', () => {
    const w = run([coherent(8192, false)]);
    const pfn = allocPfn(w);
    expect(w.events.filter((e) => e.kind === 'convert')).toEqual([
      { kind: 'convert', op: 'set_memory_decrypted', pfn, npages: 2, ok: true },
    ]);
    expect(w.events.some((e) => e.kind === 'warn')).toBe(false);
    expect(w.conversionFailures).toBe(0);
    expect(w.converted.slice(-2)).toEqual([pfn, 2]);
  });

  it('without memory encryption, the pools call set_memory_decrypted() at boot and nothing changes', () => {
    const w = run([], { config: { cc: 'none' } });
    const decrypts = w.bootCalls.filter((c) => c.fn === 'set_memory_decrypted');
    expect(decrypts.length).toBe(3);
    // returns 0 at once: no convert event, no sleep, no range touched, the chunks stay private
    expect(w.events.filter((e) => e.kind !== 'alloc' && e.kind !== 'may_sleep')).toEqual([]);
    expect(w.events.some((e) => e.kind === 'may_sleep' && e.what.startsWith('set_memory'))).toBe(
      false,
    );
    expect(w.converted).toEqual([]);
    for (const e of w.events)
      if (e.kind === 'alloc')
        expect(
          w.pa.pages.enc.slice(e.pfn, e.pfn + e.npages).every((x) => x === ENC_ENCRYPTED),
        ).toBe(true);
    expect(w.conversionFailures).toBe(0);
  });
});
