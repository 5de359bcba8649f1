/** properties/dma/helpers.ts and pools.ts: the world views the DMA properties share. */
import { describe, expect, it } from 'vitest';
import { ENC_DECRYPTED, ENC_ENCRYPTED } from '../../../../models/page_alloc/pages.ts';
import {
  bufferName,
  bufferPages,
  deviceOf,
  firstNotDecrypted,
  needsUnencrypted,
  newBuffer,
  pageLine,
} from '../../../../properties/dma/helpers.ts';
import { debugfsOf, poolsOf, zoneLimitOf } from '../../../../properties/dma/pools.ts';
import { coherent, dev, run } from './world.ts';

const task = coherent(8192, false);

describe('dma property helpers', () => {
  it('bufferPages of a page-aligned buffer: ceil(size / 4096) pages from phys / 4096', () => {
    const w = run([task]);
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    expect(bufferPages({ ...b, phys: 0x5000, size: 4096 })).toEqual({ first: 5, n: 1 });
    expect(bufferPages({ ...b, phys: 0x5000, size: 4097 })).toEqual({ first: 5, n: 2 });
  });

  it('firstNotDecrypted looks at [first, first + n) only', () => {
    const w = run([]);
    const enc = w.pa.pages.enc;
    enc.fill(ENC_DECRYPTED, 100, 104);
    enc[99] = ENC_ENCRYPTED;
    enc[104] = ENC_ENCRYPTED;
    expect(firstNotDecrypted(w, 100, 4)).toBe(-1);
    expect(firstNotDecrypted(w, 100, 5)).toBe(104);
    expect(firstNotDecrypted(w, 99, 2)).toBe(99);
    enc[102] = ENC_ENCRYPTED;
    expect(firstNotDecrypted(w, 100, 4)).toBe(102);
  });

  it('deviceOf, needsUnencrypted, bufferName, newBuffer', () => {
    const w = run([task], { config: { cc: 'sme-host', devices: [dev('a', 32), dev('b', 64)] } });
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    expect(deviceOf(w, b).name).toBe('a');
    // SME host: a device below the C-bit (47) needs unencrypted DMA, a 64-bit one does not
    expect(needsUnencrypted(w, b)).toBe(true);
    expect(needsUnencrypted(w, { ...b, dev: 1 })).toBe(false);
    expect(bufferName(w, { ...b, id: 7, phys: 0x10000, size: 8192 })).toBe(
      'buffer #7 (a, 8192 bytes at 0x10000)',
    );
    expect(newBuffer(w, task)).toBe(b);
    w.stepBuffer = null;
    expect(newBuffer(w, task)).toBeUndefined();
  });

  it('pageLine names owner and encryption', () => {
    const w = run([task]);
    const b = w.stepBuffer;
    if (!b) throw new Error('no buffer');
    expect(pageLine(w, b.phys / 4096)).toBe(
      `pfn 0x${(b.phys / 4096).toString(16)}: allocated, decrypted`,
    );
  });

  it('pools: order, debugfs counters and zone limits by name', () => {
    const w = run([]);
    const s = w.pools;
    if (!s) throw new Error('no pools');
    expect(poolsOf(s).map((p) => p.name)).toEqual(['dma', 'dma32', 'kernel']);
    s.pool_size_dma = 1;
    s.pool_size_dma32 = 2;
    s.pool_size_kernel = 3;
    expect(poolsOf(s).map((p) => debugfsOf(s, p))).toEqual([1, 2, 3]);
    expect(poolsOf(s).map(zoneLimitOf)).toEqual([2 ** 24, 2 ** 32, Number.POSITIVE_INFINITY]);
    s.atomic_pool_dma32 = null;
    expect(poolsOf(s).map((p) => p.name)).toEqual(['dma', 'kernel']);
  });
});
