/** The page-allocator system as a kind the CLI can run: config and op validation. */
import { pageAllocProperties } from '../../../properties/page_alloc/index.ts';
import { defineKind } from '../../registry/kind.ts';
import { expectShape, parseOpWith, type Shape } from '../../registry/validate.ts';
import { pageAllocMachines } from './machines.ts';
import { GFP_CHOICES, type PageAllocOp } from './ops.ts';
import { makePageAllocSystem } from './system.ts';

const OP_SHAPES: Readonly<Record<string, Readonly<Record<string, Shape>>>> = {
  alloc_pages: { gfp: GFP_CHOICES, order: 'integer', count: 'integer', reclaim: 'integer' },
  __free_pages: { pick: 'integer' },
  kswapd: { steps: 'integer', reclaim: 'integer' },
  filemap_add_folio: { order: 'integer', count: 'integer', dirty: 'boolean' },
  sysctl: {
    name: ['min_free_kbytes', 'watermark_scale_factor', 'lowmem_reserve_ratio'],
    value: { optional: 'integer' },
  },
  should_fail_alloc_page: { times: 'integer' },
};

/** A scenario config names a machine: `{ "machine": "256M" }`. */
function parseConfig(raw: unknown): { machine: string } {
  expectShape(raw, { object: { machine: Object.keys(pageAllocMachines) } }, 'config');
  return raw as { machine: string };
}

export const pageAllocKind = defineKind({
  name: 'page-alloc',
  properties: pageAllocProperties,
  parseConfig,
  parseOp: (raw) => {
    const r = raw as Record<string, unknown>;
    // two fields whose type depends on the value: checked by hand
    if (r.op === 'sysctl' && r.name === 'lowmem_reserve_ratio') {
      if (!Array.isArray(r.value) || !r.value.every(Number.isSafeInteger))
        throw new Error('sysctl.value must be a list of whole numbers for lowmem_reserve_ratio');
      return raw as PageAllocOp;
    }
    if (r.op === 'should_fail_alloc_page') {
      if (r.order !== 'any' && !Number.isSafeInteger(r.order))
        throw new Error("should_fail_alloc_page.order must be a whole number or 'any'");
      const { order: _o, ...rest } = r;
      parseOpWith<PageAllocOp>(rest, OP_SHAPES);
      return raw as PageAllocOp;
    }
    return parseOpWith<PageAllocOp>(raw, OP_SHAPES);
  },
  make: (config, policy) =>
    makePageAllocSystem(
      pageAllocMachines[config.machine] as NonNullable<(typeof pageAllocMachines)[string]>,
      policy.pageAlloc,
    ),
});
