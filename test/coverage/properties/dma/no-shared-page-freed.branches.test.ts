/**
 * dma/no-shared-page-freed, branch by branch (I4): no free event gives back
 * a page that is not private; at the end, no free page is decrypted or
 * unknown.
 */
import { describe, expect, it } from 'vitest';
import { ENC_UNKNOWN } from '../../../../models/page_alloc/pages.ts';
import type { World, WorldEvent } from '../../../../models/world/world.ts';
import prop from '../../../../properties/dma/no-shared-page-freed.ts';
import type { DmaOp } from '../../../../src/systems/dma/ops.ts';
import { coherent, ctx, freeCoherent, freeEvent, run, runMutant } from './world.ts';

const task = coherent(8192, false);
const check = (w: World, op: DmaOp) => prop.check?.(ctx(w, op)) ?? null;
const refused: DmaOp[] = [{ op: 'fault', at: 'set_memory_decrypted', order: -1 }, task];

const freeEv = (pfn: number, notEncrypted: number, first: number): WorldEvent =>
  freeEvent(pfn, 2, 'direct', { notEncrypted, firstNotEncrypted: first });

describe('no-shared-page-freed check', () => {
  it('a free of private pages holds; one page not private is reported, naming it', () => {
    const w = run([task, freeCoherent]);
    expect(check(w, freeCoherent)).toBeNull();
    w.events = [freeEv(0x100, 0, -1)];
    expect(check(w, freeCoherent)).toBeNull();
    w.pa.pages.enc[0x101] = ENC_UNKNOWN;
    w.events = [freeEv(0x100, 1, 0x101)];
    const v = check(w, freeCoherent);
    expect(v?.subject).toBe('pfn 0x101');
    expect(v?.message).toBe('__free_pages() of 2 pages at pfn 0x100 (by direct): 1 not private');
    expect(v?.details?.[0]).toMatch(/^pfn 0x101: .*, unknown$/);
  });

  it('other events with pages (alloc, leak) are not frees', () => {
    const w = run([task]);
    w.events = [
      { kind: 'alloc', by: 'direct', pfn: 1, npages: 2 },
      { kind: 'leak', pfn: 1, npages: 2, cause: 'x' },
    ];
    expect(check(w, task)).toBeNull();
  });

  it('dma-direct freeing pages whose decryption was refused (decrypt-failure-frees)', () => {
    expect(check(run(refused, { policy: 'mainline' }), task)).toBeNull();
    const w = runMutant('decrypt-failure-frees', refused);
    expect(check(w, task)?.message).toMatch(
      /^__free_pages\(\) of \d+ pages .* \(by direct\): \d+ not private$/,
    );
  });
});

describe('no-shared-page-freed at the end', () => {
  it('pages leaked after a refused conversion are not free: holds', () => {
    const w = run(refused, { policy: 'mainline' });
    expect(w.events.some((e) => e.kind === 'leak')).toBe(true);
    expect(prop.atEnd?.(w)).toBeNull();
  });

  it('the pages freed unknown stay reported at the end', () => {
    const w = runMutant('decrypt-failure-frees', refused);
    expect(prop.atEnd?.(w)?.message).toMatch(/^\d+ free pages are not private$/);
  });
});

describe('no-shared-page-freed witness', () => {
  it('a refused conversion; not an accepted one', () => {
    const w = run(refused, { policy: 'mainline' });
    expect(prop.witness?.(ctx(w, task))).toBe(true);
    expect(prop.witness?.(ctx(run([task]), task))).toBe(false);
  });
});
