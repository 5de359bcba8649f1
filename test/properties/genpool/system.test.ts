/** The gen_pool harness system: steps, outcome lines, skipping, variants and snapshots. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gen_pool_avail } from '../../../models/genpool/index.ts';
import { GENPOOL_OP_KINDS, type GenpoolOp } from '../../../src/systems/genpool/ops.ts';
import {
  fmtBytes,
  GENPOOL_CONFIGS,
  type GenpoolConfig,
  type GenpoolState,
  makeGenpoolSystem,
} from '../../../src/systems/genpool/system.ts';

function run(ops: GenpoolOp[], config: GenpoolConfig = GENPOOL_CONFIGS.pages) {
  const sys = makeGenpoolSystem(config);
  const state = sys.init();
  const lines = ops.map((op) => {
    const o = sys.step(state, op);
    return o === null ? null : `${o.context} ${o.call} -> ${o.result}`;
  });
  return { sys, state, lines };
}

describe('makeGenpoolSystem (config pages)', () => {
  it('reports allocations and frees in kernel terms', () => {
    const { lines, state } = run([
      { op: 'gen_pool_alloc_algo', algo: 'first_fit_order_align', size: 12288 },
      { op: 'gen_pool_alloc_algo', algo: 'first_fit_align', size: 4100, align: 16384 },
      { op: 'gen_pool_alloc_algo', algo: 'fixed_alloc', size: 4096, offset: 0x3000 },
      { op: 'gen_pool_alloc_algo', algo: 'best_fit', size: 2 ** 20 },
      { op: 'gen_pool_free', pick: 0 },
    ]);
    expect(lines).toEqual([
      'test gen_pool_alloc_algo(pool, 12 KiB, first_fit_order_align) -> 0x100003000 (chunk 0 +0x0), avail 53248',
      'test gen_pool_alloc_algo(pool, 4100, first_fit_align, align 16 KiB) -> 0x100008000 (chunk 0 +0x5000), avail 45056',
      'test gen_pool_alloc_algo(pool, 4 KiB, fixed_alloc, offset 0x3000) -> 0x100006000 (chunk 0 +0x3000), avail 40960',
      'test gen_pool_alloc_algo(pool, 1 MiB, best_fit) -> 0 (no chunk fits), avail 40960',
      'test gen_pool_free(pool, 0x100003000, 12 KiB) -> avail 53248',
    ]);
    expect(state.live.map((b) => b.algo)).toEqual(['first_fit_align', 'fixed_alloc']);
  });

  it('skips a free with nothing live, a query or add with no chunk, and adds past maxChunks', () => {
    const sys = makeGenpoolSystem({ ...GENPOOL_CONFIGS.pages, chunks: [], maxChunks: 1 });
    const s = sys.init();
    expect(sys.step(s, { op: 'gen_pool_free', pick: 3 })).toBeNull();
    expect(
      sys.step(s, { op: 'gen_pool_has_addr', pick: 0, at: 'start', delta: 0, size: 1 }),
    ).toBeNull();
    expect(sys.step(s, { op: 'gen_pool_add_virt', size: 4096, gap: 0, below: false })).toBeNull();
    const full = run([{ op: 'gen_pool_add_virt', size: 4096, gap: 0, below: false }], {
      ...GENPOOL_CONFIGS.pages,
      maxChunks: 1,
    });
    expect(full.lines).toEqual([null]);
  });

  it('places new chunks above or below, and gen_pool_alloc follows gen_pool_set_algo', () => {
    const { lines, state } = run([
      { op: 'gen_pool_add_virt', size: 8192 + 100, gap: 4096, below: false },
      { op: 'gen_pool_add_virt', size: 4096, gap: 0, below: true },
      { op: 'gen_pool_set_algo', algo: 'fixed_alloc', offset: 4096 },
      { op: 'gen_pool_alloc', size: 4096 },
      { op: 'gen_pool_has_addr', pick: 1, at: 'end', delta: 0, size: 8292 },
      { op: 'gen_pool_has_addr', pick: 1, at: 'end', delta: 1, size: 1 },
      { op: 'gen_pool_has_addr', pick: 0, at: 'inside', delta: 500, size: 1 },
    ]);
    expect(lines).toEqual([
      'test gen_pool_add_virt(pool, 0x100014000, 0x100014000, 8292) -> chunk 1, avail 73828 size 73828',
      'test gen_pool_add_virt(pool, 0x100002000, 0x100002000, 4 KiB) -> chunk 2, avail 77924 size 77924',
      'test gen_pool_set_algo(pool, fixed_alloc, offset 0x1000) -> ok',
      // chunk 2 (newest) is one granule long, so the offset fails there and chunk 1 serves it
      'test gen_pool_alloc(pool, 4 KiB) -> 0x100015000 (chunk 1 +0x1000), avail 73828',
      'test gen_pool_has_addr(pool, 0x100014000, 8292) -> true',
      'test gen_pool_has_addr(pool, 0x100016064, 1) -> false',
      'test gen_pool_has_addr(pool, 0x10000b000, 1) -> true',
    ]);
    expect(state.algo).toBe('fixed_alloc');
  });

  it('frees a sub-range and keeps the rest live', () => {
    const { lines, state } = run([
      { op: 'gen_pool_alloc_algo', algo: 'first_fit', size: 5 * 4096 },
      { op: 'gen_pool_free', pick: 0, part: { first: 1, count: 1 } },
    ]);
    expect(lines[1]).toBe('test gen_pool_free(pool, 0x100004000, 8 KiB) -> avail 53248');
    expect(state.live.map((b) => [b.addr, b.size])).toEqual([
      [0x100003000, 4096],
      [0x100006000, 8192],
    ]);
    expect(gen_pool_avail(state.pool)).toBe(65536 - 3 * 4096);
  });

  it('prints a BUG from a broken free as the step result', () => {
    const sys = makeGenpoolSystem(GENPOOL_CONFIGS.pages, {
      id: 'always-bug',
      gen_pool_free: () => ({ bug: 'boom' }),
    });
    const s = sys.init();
    sys.step(s, { op: 'gen_pool_alloc', size: 1 });
    expect(sys.step(s, { op: 'gen_pool_free', pick: 0 })?.result).toBe('BUG: boom');
    expect(sys.setup).toBe(
      'gen_pool order 12 (4 KiB granule), chunks 0x100003000+64 KiB, variant always-bug',
    );
  });

  it('snapshots chunks with their bitmaps (runs of # and .)', () => {
    const { sys, state } = run(
      [{ op: 'gen_pool_alloc_algo', algo: 'first_fit', size: 20 }],
      GENPOOL_CONFIGS.bytes,
    );
    const [table] = sys.snapshot(state as GenpoolState);
    expect(table?.title).toBe('gen_pool: avail 1291 size 1315, algo first_fit');
    expect(table?.rows[0]).toBe('chunk 0 0x100000040+512 avail 512 (64 bits)');
    expect(table?.rows[1]).toMatch(/^chunk 1 0x100000500\+803 avail 779 \(100 bits\)$/);
    const small = run([{ op: 'gen_pool_alloc', size: 3 }], {
      ...GENPOOL_CONFIGS.order0,
      chunks: [{ virt: 0x10, size: 6 }],
    });
    expect(small.sys.snapshot(small.state)[0]?.rows).toEqual(['chunk 0 0x10+6 avail 3 ###...']);
  });

  it('generates every op kind and every algorithm, with sizes past every chunk', () => {
    const sys = makeGenpoolSystem(GENPOOL_CONFIGS.pages);
    const ops = fc.sample(sys.ops, { seed: 3, numRuns: 3000 });
    expect(new Set(ops.map((o) => o.op))).toEqual(new Set(GENPOOL_OP_KINDS));
    const algos = new Set(ops.flatMap((o) => (o.op === 'gen_pool_alloc_algo' ? [o.algo] : [])));
    expect(algos.size).toBe(5);
    const sizes = ops.flatMap((o) => ('size' in o && o.op !== 'gen_pool_add_virt' ? [o.size] : []));
    expect(sizes.some((s) => s > 65536)).toBe(true);
    expect(sizes.some((s) => s % 4096 !== 0)).toBe(true);
    const adds = ops.flatMap((o) => (o.op === 'gen_pool_add_virt' ? [o] : []));
    expect(adds.some((a) => a.size % 4096 !== 0)).toBe(true);
    expect(adds.some((a) => a.gap % 4096 !== 0)).toBe(true);
    expect(adds.some((a) => a.gap === 0)).toBe(true);
  });

  it('formats byte counts', () => {
    expect([0, 100, 1024, 4100, 12288, 2 ** 20, 3 * 2 ** 20].map(fmtBytes)).toEqual([
      '0',
      '100',
      '1 KiB',
      '4100',
      '12 KiB',
      '1 MiB',
      '3 MiB',
    ]);
  });
});
