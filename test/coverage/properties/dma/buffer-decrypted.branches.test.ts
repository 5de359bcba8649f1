/**
 * dma/buffer-decrypted, branch by branch (I3): for a device with
 * force_dma_unencrypted(), every page [phys/4096, +ceil(size/4096)) of a
 * buffer is decrypted: the new buffer after an allocation, every live buffer
 * after any other step that converted pages.
 */
import { describe, expect, it } from 'vitest';
import { ENC_DECRYPTED, ENC_ENCRYPTED, ENC_UNKNOWN } from '../../../../models/page_alloc/pages.ts';
import type { World } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/buffer-decrypted.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, dev, freeCoherent, pagesOp, run, runMutant } from './world.ts';

const check = (w: World, op: DmaOp) => prop.check?.(ctx(w, op)) ?? null;
const task = coherent(8192, false);
const firstPfn = (w: World) => {
  const b = w.stepBuffer;
  if (!b) throw new Error('no buffer');
  return b.phys / 4096;
};

describe('buffer-decrypted after an allocation', () => {
  it('the last page of a fresh buffer left private is reported, with the page', () => {
    const w = run([task]);
    expect(check(w, task)).toBeNull();
    const p = firstPfn(w);
    w.pa.pages.enc[p + 2] = ENC_ENCRYPTED; // the page after the buffer
    expect(check(w, task)).toBeNull();
    w.pa.pages.enc[p + 1] = ENC_UNKNOWN;
    const v = check(w, task);
    expect(v?.subject).toMatch(/^buffer #\d+ \(nvme0, 8192 bytes at /);
    expect(v?.message).toBe('a page the device will DMA to is not shared with the host');
    expect(v?.details).toEqual([`pfn 0x${(p + 1).toString(16)}: allocated, unknown`]);
  });

  it('a size one byte over a page spans two pages; a page exactly, one', () => {
    const w = run([task]);
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    w.pa.pages.enc[b.phys / 4096 + 1] = ENC_ENCRYPTED;
    w.stepBuffer = { ...b, size: 4096 };
    expect(check(w, task)).toBeNull();
    w.stepBuffer = { ...b, size: 4097 };
    expect(check(w, task)).not.toBeNull();
  });

  it('the first page counts', () => {
    const w = run([task]);
    w.pa.pages.enc[firstPfn(w)] = ENC_ENCRYPTED;
    expect(check(w, task)).not.toBeNull();
  });

  it('dma_alloc_pages and pool buffers are judged too', () => {
    const op = pagesOp(8192, false);
    const w = run([op]);
    w.pa.pages.enc[firstPfn(w)] = ENC_ENCRYPTED;
    expect(check(w, op)).not.toBeNull();
    const a = coherent(8192, true);
    const x = run([a]);
    expect(x.stepBuffer?.source).toBe('pool');
    expect(check(x, a)).toBeNull();
    x.pa.pages.enc[firstPfn(x)] = ENC_ENCRYPTED;
    expect(check(x, a)).not.toBeNull();
  });

  it('dma_alloc_pages reads only its new buffer, with or without conversions in the step', () => {
    const op = pagesOp(8192, false);
    const w = run([task, op]);
    const [old, fresh] = w.buffers;
    if (!old || !fresh || w.stepBuffer !== fresh) throw new Error('expected two buffers');
    w.pa.pages.enc[old.phys / 4096] = ENC_ENCRYPTED;
    expect(w.events.some((e) => e.kind === 'convert')).toBe(true);
    expect(check(w, op)).toBeNull();
    w.pa.pages.enc[fresh.phys / 4096] = ENC_ENCRYPTED;
    w.events = [];
    expect(check(w, op)?.subject).toMatch(new RegExp(`^buffer #${fresh.id} `));
  });

  it('a buffer returned although its decryption was refused (decrypt-failure-ignored)', () => {
    const ops: DmaOp[] = [{ op: 'fault', at: 'set_memory_decrypted', order: -1 }, task];
    expect(check(run(ops), task)).toBeNull();
    const w = runMutant('decrypt-failure-ignored', ops);
    expect(w.stepBuffer).not.toBeNull();
    expect(check(w, task)?.details?.[0]).toMatch(/, unknown$/);
  });

  it('only the new buffer: an older bad one, or no new one, is not judged on an allocation', () => {
    const w = run([task, task]);
    const old = w.buffers[0];
    if (!old) throw new Error('no buffer');
    w.pa.pages.enc[old.phys / 4096] = ENC_ENCRYPTED;
    expect(check(w, task)).toBeNull();
    w.stepBuffer = null;
    expect(check(w, task)).toBeNull();
  });

  it('a bad page at pfn 0 is reported', () => {
    const w = run([task]);
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    w.stepBuffer = { ...b, phys: 0 };
    w.pa.pages.enc[0] = ENC_ENCRYPTED;
    w.pa.pages.enc[1] = ENC_DECRYPTED;
    expect(check(w, task)?.details?.[0]).toMatch(/^pfn 0x0: \S+, encrypted$/);
  });

  it('a failed allocation on an SME host is not judged (there is no buffer, nor device, to read)', () => {
    const w = run([task], { config: { cc: 'sme-host' } });
    w.stepBuffer = null;
    expect(check(w, task)).toBeNull();
  });

  it('no encryption (or an SME host device above the C-bit): private pages are right', () => {
    const w = run([task], { config: { cc: 'none' } });
    expect(check(w, task)).toBeNull();
    const sme = run([task], { config: { cc: 'sme-host' } });
    expect(check(sme, task)).toBeNull();
  });

  it('an SME host device below the C-bit needs decrypted pages', () => {
    const w = run([task], { config: { cc: 'sme-host', devices: [dev('d', 32)] } });
    expect(check(w, task)).toBeNull();
    w.pa.pages.enc[firstPfn(w)] = ENC_ENCRYPTED;
    expect(check(w, task)).not.toBeNull();
  });
});

describe('buffer-decrypted after another step', () => {
  const twoThenFree = () => run([task, task, freeCoherent]);

  it('a step that converted pages: every live buffer is read', () => {
    const w = twoThenFree();
    expect(w.events.some((e) => e.kind === 'convert')).toBe(true);
    expect(w.buffers.length).toBe(1);
    expect(check(w, freeCoherent)).toBeNull();
    const live = w.buffers[0];
    if (!live) throw new Error('no buffer');
    w.pa.pages.enc[live.phys / 4096 + 1] = ENC_ENCRYPTED;
    expect(check(w, freeCoherent)?.subject).toMatch(new RegExp(`^buffer #${live.id} `));
  });

  it('a step that converted nothing is not judged', () => {
    const w = twoThenFree();
    const live = w.buffers[0];
    if (!live) throw new Error('no buffer');
    w.pa.pages.enc[live.phys / 4096] = ENC_ENCRYPTED;
    w.events = w.events.filter((e) => e.kind !== 'convert');
    expect(check(w, freeCoherent)).toBeNull();
  });
});

describe('buffer-decrypted witness', () => {
  const wit = (w: World, op: DmaOp) => prop.witness?.(ctx(w, op));

  it('a coherent buffer handed out under memory encryption', () => {
    expect(wit(run([task]), task)).toBe(true);
  });

  it('not without encryption, not a failed request, not the page API', () => {
    expect(wit(run([task], { config: { cc: 'none' } }), task)).toBe(false);
    const w = run([task]);
    w.stepBuffer = null;
    expect(wit(w, task)).toBe(false);
    const op = pagesOp(8192, false);
    expect(wit(run([op]), op)).toBe(false);
  });
});
