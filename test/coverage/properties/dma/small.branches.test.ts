/**
 * Branch tests of the smaller DMA properties: cma-to-cma (I6, BZ-11),
 * leak-only-if-refused (I5), no-sleep-in-atomic (I1), pool-only-when-
 * unencrypted (§2.8, BZ-15), each clause and its boundary.
 */
import { describe, expect, it } from 'vitest';
import type { World, WorldEvent } from '../../../../models/world/world.ts';
import cmaToCma from '../../../../properties/dma/cma-to-cma.ts';
import leakOnly from '../../../../properties/dma/leak-only-if-refused.ts';
import noSleep from '../../../../properties/dma/no-sleep-in-atomic.ts';
import poolUse from '../../../../properties/dma/pool-use.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, freeCoherent, freeEvent, pagesOp, run, runMutant } from './world.ts';

const task = coherent(8192, false);
const atomic = coherent(8192, true);

const free = (cma: boolean, into: 'buddy' | 'cma'): WorldEvent =>
  freeEvent(0x40000, 32, 'pool', { cma, into });

describe('cma-to-cma', () => {
  const check = (w: World) => cmaToCma.check?.(ctx(w, freeCoherent)) ?? null;
  it('CMA pages given to the buddy allocator are reported', () => {
    const w = run([task, freeCoherent]);
    expect(check(w)).toBeNull();
    w.events = [free(false, 'buddy'), free(true, 'buddy')];
    expect(check(w)).toEqual({
      subject: 'pfn 0x40000',
      message: '32 CMA pages given to the buddy allocator by pool: the area loses them',
    });
  });
  it('CMA pages released to the area, and buddy pages to the buddy allocator, hold', () => {
    const w = run([task, freeCoherent]);
    w.events = [
      free(true, 'cma'),
      free(false, 'buddy'),
      { kind: 'alloc', by: 'pool', pfn: 1, npages: 1, cma: true },
    ];
    expect(check(w)).toBeNull();
  });
});

describe('leak-only-if-refused', () => {
  const check = (w: World) => leakOnly.check?.(ctx(w, task)) ?? null;
  const leak: WorldEvent = { kind: 'leak', pfn: 0x200, npages: 4, cause: 'add-failed' };
  const conv = (ok: boolean): WorldEvent => ({
    kind: 'convert',
    op: 'set_memory_encrypted',
    pfn: 0x200,
    npages: 4,
    ok,
  });

  it('a leak with no refused conversion is reported', () => {
    const w = run([task]);
    w.events = [leak];
    expect(check(w)).toEqual({
      subject: 'pfn 0x200',
      message: '4 pages leaked (add-failed) with no refused conversion',
    });
    w.events = [conv(true), leak];
    expect(check(w)).not.toBeNull();
  });
  it('a leak in a step with a refused conversion holds; no leak holds', () => {
    const w = run([task]);
    w.events = [leak, conv(false)];
    expect(check(w)).toBeNull();
    w.events = [conv(false)];
    expect(check(w)).toBeNull();
    expect(check(run([task]))).toBeNull();
  });
  it('a refused decryption leaks the pages (real ops): allowed', () => {
    const w = run([{ op: 'fault', at: 'set_memory_decrypted', order: -1 }, task], {
      policy: 'mainline',
    });
    expect(w.events.some((e) => e.kind === 'leak')).toBe(true);
    expect(check(w)).toBeNull();
    expect(leakOnly.witness?.(ctx(w, task))).toBe(true);
    expect(leakOnly.witness?.(ctx(run([task]), task))).toBe(false);
  });
});

describe('no-sleep-in-atomic', () => {
  const check = (w: World, op: DmaOp = atomic) => noSleep.check?.(ctx(w, op)) ?? null;
  it('something that may sleep in atomic context is reported; in task context it is allowed', () => {
    const w = run([task]);
    expect(w.events.some((e) => e.kind === 'may_sleep')).toBe(true);
    expect(check(w, task)).toBeNull();
    w.context = 'atomic';
    expect(check(w, task)).toEqual({
      subject: 'atomic context',
      message: `${(w.events.find((e) => e.kind === 'may_sleep') as { what: string }).what} may sleep`,
      details: ['might_sleep() on an atomic path'],
    });
  });
  it('an atomic step with nothing that may sleep holds', () => {
    expect(check(run([atomic]))).toBeNull();
  });
  it('decrypting fresh pages in atomic context (atomic-decrypts-in-place) is reported', () => {
    const w = runMutant('atomic-decrypts-in-place', [atomic]);
    expect(check(w)?.subject).toBe('atomic context');
  });
  it('witness: an atomic coherent buffer under encryption; not without encryption, task, failure or page API', () => {
    const wit = (w: World, op: DmaOp) => noSleep.witness?.(ctx(w, op));
    expect(wit(run([atomic]), atomic)).toBe(true);
    expect(wit(run([atomic], { config: { cc: 'none' } }), atomic)).toBe(false);
    expect(wit(run([task]), task)).toBe(false);
    const failed = run([coherent(1 << 20, true)]);
    expect(wit(failed, coherent(1 << 20, true))).toBe(false);
    const p = pagesOp(8192, true);
    expect(wit(run([p]), p)).toBe(false);
  });
});

describe('pool-only-when-unencrypted', () => {
  const host = { machine: '4G', cc: 'none' as const, devices: [{ name: 'nic', mask_bits: 64 }] };
  it('a pool buffer for a device that may use encrypted memory (pool-for-every-atomic) is reported', () => {
    const w = runMutant('pool-for-every-atomic', [atomic], host);
    expect(w.stepBuffer?.source).toBe('pool');
    const v = poolUse.check?.(ctx(w, atomic));
    expect(v?.message).toBe('a device that may use encrypted memory took pool memory');
    expect(v?.subject).toMatch(/^buffer #\d+ \(nic, 8192 bytes at /);
  });
  it('without encryption the correct kernel hands out fresh pages: holds', () => {
    const w = run([atomic], { config: host, policy: 'mainline' });
    expect(w.stepBuffer?.source).not.toBe('pool');
    expect(poolUse.check?.(ctx(w, atomic))).toBeNull();
    expect(poolUse.witness?.(ctx(w, atomic))).toBe(false);
  });
  it('a pool buffer of an SEV guest device holds, and is the witness', () => {
    const w = run([atomic]);
    expect(poolUse.check?.(ctx(w, atomic))).toBeNull();
    expect(poolUse.witness?.(ctx(w, atomic))).toBe(true);
  });
  it('no new buffer: not judged', () => {
    const w = runMutant('pool-for-every-atomic', [atomic], host);
    w.stepBuffer = null;
    expect(poolUse.check?.(ctx(w, atomic))).toBeNull();
  });
});
