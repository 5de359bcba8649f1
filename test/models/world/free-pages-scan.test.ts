/**
 * freePagesNotEncrypted() (models/world/world.ts), the whole-state check of
 * I4: every buddy-free page must be private. Only pages a conversion
 * touched can be other than private, so it scans the union of the
 * converted ranges, each page once however the ranges overlap or in
 * whatever order they were converted, and reports how many free pages are
 * not private and the lowest of them. The states here are built by hand:
 * free pages marked decrypted, as a free that skipped set_memory_encrypted()
 * would leave them, their range recorded as converted.
 */
import { describe, expect, it } from 'vitest';
import { set_page_enc } from '../../../models/page_alloc/page_alloc.ts';
import { PG_FREE } from '../../../models/page_alloc/pages.ts';
import { freePagesNotEncrypted, type World } from '../../../models/world/world.ts';
import { run } from '../../coverage/properties/dma/world.ts';

/** A run of `n` buddy-free pages of the booted 256M guest, at least `from`. */
function freeRun(w: World, from: number, n: number): number {
  const owner = w.pa.pages.owner;
  for (let p = from; p + n <= w.pa.pages.npfn; p++) {
    let ok = true;
    for (let q = p; q < p + n && ok; q++) ok = owner[q] === PG_FREE;
    if (ok) return p;
  }
  throw new Error(`no ${n} free pages from ${from}`);
}

/** Records a conversion of [pfn, pfn + n) that left `decrypted` of its pages, from `at`, decrypted. */
function converted(w: World, pfn: number, n: number, at?: number, decrypted = 0): void {
  w.converted.push(pfn, n);
  if (at !== undefined) set_page_enc(w.pa, at, decrypted, 'decrypted');
}

describe('freePagesNotEncrypted', () => {
  it('after boot: the pool chunks are decrypted but none is free', () => {
    const w = run([]);
    expect(w.converted.length).toBeGreaterThan(0);
    expect(freePagesNotEncrypted(w)).toEqual({ count: 0, first: -1 });
  });

  it('ranges converted high first, then low: both counted, the lowest page first', () => {
    const w = run([]);
    const low = freeRun(w, 0, 8);
    const high = freeRun(w, low + 64, 8);
    converted(w, high, 8, high + 2, 3);
    converted(w, low, 8, low + 1, 2);
    expect(freePagesNotEncrypted(w)).toEqual({ count: 5, first: low + 1 });
  });

  it('three ranges out of order, one inside another: each page once', () => {
    const w = run([]);
    const a = freeRun(w, 0, 32);
    // [a, a + 32) holds [a + 4, a + 8); [a + 24, a + 40) overlaps its end
    converted(w, a + 24, 16);
    converted(w, a + 4, 4);
    converted(w, a, 32, a + 26, 4);
    expect(freePagesNotEncrypted(w)).toEqual({ count: 4, first: a + 26 });
  });

  it('one range converted twice: its pages once', () => {
    const w = run([]);
    const a = freeRun(w, 0, 4);
    converted(w, a, 4, a, 4);
    converted(w, a, 4);
    expect(freePagesNotEncrypted(w)).toEqual({ count: 4, first: a });
  });

  it('a decrypted page that is not free does not count', () => {
    const w = run([{ op: 'alloc_pages', atomic: false, zone: 'normal', order: 0, count: 1 }]);
    const b = w.kernelPages[0];
    if (!b) throw new Error('no block');
    converted(w, b.pfn, 1, b.pfn, 1);
    expect(freePagesNotEncrypted(w)).toEqual({ count: 0, first: -1 });
  });
});
