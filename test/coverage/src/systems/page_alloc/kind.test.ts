/**
 * src/systems/page_alloc/kind.ts: the page-allocator kind as the CLI reads
 * it from files: a config names a shipped machine, and a trace op has its
 * kernel entry point's fields, including the two whose type depends on the
 * value (lowmem_reserve_ratio takes a list; a fault's order may be 'any').
 */
import { describe, expect, it } from 'vitest';
import { builtinPolicy } from '../../../../../models/policies/index.ts';
import { kindOf } from '../../../../../src/registry/kinds.ts';
import { pageAllocKind } from '../../../../../src/systems/page_alloc/kind.ts';
import type { PageAllocOp } from '../../../../../src/systems/page_alloc/ops.ts';

describe('page-alloc kind', () => {
  it('is registered under its name', () => {
    expect(kindOf('page-alloc')).toBe(pageAllocKind);
    expect(kindOf('slab')).toBeUndefined();
  });

  it('a config names a shipped machine', () => {
    expect(() => pageAllocKind.validateConfig({ machine: '256M' })).not.toThrow();
    expect(() => pageAllocKind.validateConfig({ machine: '1G' })).toThrow(
      "config.machine must be one of '256M', '4G'",
    );
    expect(() => pageAllocKind.validateConfig({ machine: '4G', zones: 3 })).toThrow(
      'config.zones is not a known field',
    );
  });

  it('accepts the ops of the page-allocator system', () => {
    const ops = [
      { op: 'alloc_pages', gfp: 'GFP_ATOMIC|__GFP_DMA32', order: 0, count: 4, reclaim: 0 },
      { op: '__free_pages', pick: 3 },
      { op: 'kswapd', steps: 16, reclaim: 32 },
      { op: 'filemap_add_folio', order: 2, count: 1, dirty: true },
      { op: 'sysctl', name: 'min_free_kbytes', value: 4096 },
      { op: 'sysctl', name: 'lowmem_reserve_ratio', value: [256, 256, 32, 0, 0] },
      { op: 'should_fail_alloc_page', order: 'any', times: 2 },
      { op: 'should_fail_alloc_page', order: 3, times: 1 },
    ];
    for (const op of ops) expect(pageAllocKind.parseOp(op)).toBe(op);
  });

  it('lowmem_reserve_ratio takes a list of whole numbers', () => {
    for (const value of [256, [256, 1.5], ['256']])
      expect(() =>
        pageAllocKind.parseOp({ op: 'sysctl', name: 'lowmem_reserve_ratio', value }),
      ).toThrow('sysctl.value must be a list of whole numbers for lowmem_reserve_ratio');
    expect(() =>
      pageAllocKind.parseOp({ op: 'sysctl', name: 'min_free_kbytes', value: [1] }),
    ).toThrow('sysctl.value must be a whole number');
  });

  it("a fault's order is a whole number or 'any', its other fields checked as usual", () => {
    expect(() =>
      pageAllocKind.parseOp({ op: 'should_fail_alloc_page', order: 'all', times: 1 }),
    ).toThrow("should_fail_alloc_page.order must be a whole number or 'any'");
    expect(() => pageAllocKind.parseOp({ op: 'should_fail_alloc_page', order: 0 })).toThrow(
      'should_fail_alloc_page.times must be a whole number',
    );
  });

  it('rejects an unknown gfp', () => {
    expect(() =>
      pageAllocKind.parseOp({ op: 'alloc_pages', gfp: 'GFP_DMA', order: 0, count: 1, reclaim: 0 }),
    ).toThrow(/alloc_pages.gfp must be one of 'GFP_KERNEL'/);
  });

  it('instantiates the page allocator of the machine under the policy', () => {
    const policy = builtinPolicy('6.1');
    if (!policy) throw new Error('no 6.1 policy');
    const inst = pageAllocKind.instantiate({ machine: '256M' }, policy);
    expect(inst.setup).toBe('page-alloc: 256M, one node, page allocator 6.1');
    const kswapd: PageAllocOp = { op: 'kswapd', steps: 1, reclaim: 0 };
    const rows = inst.snapshotAfter([kswapd]);
    expect(rows[0]?.title).toBe('zones (256M)');
  });
});
