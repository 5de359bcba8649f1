/**
 * src/systems/dma/kind.ts: the DMA world's trace ops as the CLI reads them
 * from files. `count` and `steps` came later: ops without them still load
 * (once, one sub-step); with them, they are whole numbers in range.
 */
import { describe, expect, it } from 'vitest';
import { dmaKind } from '../../../../../src/systems/dma/kind.ts';

const alloc = { op: 'dma_alloc_coherent', cpu: 0, atomic: true, dev: 0, size: 4096, nowarn: false };

describe('dma kind: trace ops', () => {
  it('accepts the ops of older traces, without count or steps', () => {
    const ops = [
      alloc,
      { op: 'dma_alloc_pages', cpu: 1, atomic: false, dev: 0, size: 8192 },
      { op: 'atomic_pool_work_fn' },
      { op: 'kswapd' },
    ];
    for (const op of ops) expect(dmaKind.parseOp(op)).toBe(op);
  });

  it('accepts bursts, runs of sub-steps and the lowmem_reserve_ratio write', () => {
    const ops = [
      { ...alloc, count: 32 },
      { op: 'dma_alloc_pages', cpu: 1, atomic: false, dev: 0, size: 8192, count: 1 },
      { op: 'atomic_pool_work_fn', steps: 16 },
      { op: 'kswapd', steps: 64 },
      { op: 'sysctl', name: 'lowmem_reserve_ratio', value: [0, 256, 32, 0, 0] },
      // the handler itself refuses more ratios than zones (-EINVAL): a trace may say so
      { op: 'sysctl', name: 'lowmem_reserve_ratio', value: [1, 1, 1, 1, 1, 1] },
    ];
    for (const op of ops) expect(dmaKind.parseOp(op)).toBe(op);
  });

  it('a count or steps is a whole number from 1 to 4096', () => {
    for (const count of [0, -1, 4097])
      expect(() => dmaKind.parseOp({ ...alloc, count })).toThrow(
        'dma_alloc_coherent.count must be 1 to 4096',
      );
    expect(() => dmaKind.parseOp({ ...alloc, count: 1.5 })).toThrow(
      'dma_alloc_coherent.count must be a whole number',
    );
    expect(() => dmaKind.parseOp({ op: 'kswapd', steps: 0 })).toThrow(
      'kswapd.steps must be 1 to 4096',
    );
    expect(() => dmaKind.parseOp({ op: 'atomic_pool_work_fn', steps: '4' })).toThrow(
      'atomic_pool_work_fn.steps must be a whole number',
    );
    expect(() => dmaKind.parseOp({ op: 'dma_free_coherent', pick: 0, count: 2 })).toThrow(
      'dma_free_coherent.count is not a known field',
    );
  });

  it('the sysctl write names lowmem_reserve_ratio and gives a list of whole numbers', () => {
    expect(() => dmaKind.parseOp({ op: 'sysctl', name: 'min_free_kbytes', value: [1024] })).toThrow(
      "sysctl.name must be one of 'lowmem_reserve_ratio'",
    );
    for (const value of [256, [256, 1.5], []])
      expect(() => dmaKind.parseOp({ op: 'sysctl', name: 'lowmem_reserve_ratio', value })).toThrow(
        /sysctl\.value/,
      );
  });
});
