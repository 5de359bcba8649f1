/** The DMA world as a kind the CLI can run: scenario config and op validation. */

import { CC_KINDS } from '../../../models/dma/device.ts';
import { MAX_DMA_PFN, MAX_DMA32_PFN } from '../../../models/page_alloc/zone.ts';
import { dmaProperties } from '../../../properties/dma/index.ts';
import { defineKind } from '../../registry/kind.ts';
import { expectShape, parseOpWith, type Shape } from '../../registry/validate.ts';
import { pageAllocMachines } from '../page_alloc/machines.ts';
import type { DmaOp } from './ops.ts';
import { type DmaScenarioConfig, makeDmaSystem } from './system.ts';

/** Most repetitions (a burst's `count`, a worker's or kswapd's `steps`) one trace op may ask for. */
const MAX_REPEAT = 4096;

// `count` and `steps` came later: traces without them replay as before (once, one sub-step)
const OP_SHAPES: Readonly<Record<string, Readonly<Record<string, Shape>>>> = {
  dma_alloc_coherent: {
    cpu: 'integer',
    atomic: 'boolean',
    dev: 'integer',
    size: 'integer',
    nowarn: 'boolean',
    count: { optional: 'integer' },
  },
  dma_free_coherent: { pick: 'integer' },
  dma_alloc_pages: {
    cpu: 'integer',
    atomic: 'boolean',
    dev: 'integer',
    size: 'integer',
    count: { optional: 'integer' },
  },
  dma_free_pages: { pick: 'integer' },
  atomic_pool_work_fn: { steps: { optional: 'integer' } },
  kswapd: { steps: { optional: 'integer' } },
  alloc_pages: {
    atomic: 'boolean',
    zone: ['normal', 'dma32', 'dma'],
    order: 'integer',
    count: 'integer',
  },
  __free_pages: { pick: 'integer', count: 'integer' },
  page_cache: { order: 'integer', dirty: 'boolean' },
  fault: {
    at: ['alloc_pages', 'set_memory_decrypted', 'set_memory_encrypted', 'gen_pool_add'],
    order: 'integer',
  },
  sysctl: { name: ['lowmem_reserve_ratio'], value: { array: 'integer', min: 1 } },
};

export function parseDmaConfig(raw: unknown): DmaScenarioConfig {
  expectShape(
    raw,
    {
      object: {
        machine: Object.keys(pageAllocMachines),
        cc: CC_KINDS,
        devices: {
          array: {
            object: { name: 'string', mask_bits: 'integer', bus_bits: { optional: 'integer' } },
          },
          min: 1,
        },
        coherent_pool: { optional: 'string' },
        cma: { optional: { object: { base_mib: 'integer', size_mib: 'integer' } } },
        reserve: {
          optional: { array: { object: { start_mib: 'integer', end_mib: 'integer' } } },
        },
      },
    },
    'config',
  );
  const c = raw as DmaScenarioConfig;
  const top = (pageAllocMachines[c.machine]?.memory.at(-1)?.end ?? 0) / 256;
  for (const r of [
    ...(c.reserve ?? []).map((x) => ({ what: 'reserve', from: x.start_mib, to: x.end_mib })),
    ...(c.cma ? [{ what: 'cma', from: c.cma.base_mib, to: c.cma.base_mib + c.cma.size_mib }] : []),
  ])
    if (r.from < 0 || r.to <= r.from || r.to > top)
      throw new Error(`config.${r.what}: ${r.from}-${r.to} MiB is not a range inside the machine`);
  const cma = c.cma;
  if (cma) {
    // cma_declare_contiguous(): base and size aligned to the largest buddy block (4 MiB)
    if (cma.base_mib % 4 !== 0 || cma.size_mib % 4 !== 0)
      throw new Error('config.cma: base_mib and size_mib must be multiples of 4 MiB');
    // the area in pfns
    const from = cma.base_mib * 256;
    const to = (cma.base_mib + cma.size_mib) * 256;
    const inside = pageAllocMachines[c.machine]?.memory.some((m) => from >= m.start && to <= m.end);
    if (!inside) throw new Error('config.cma: the area must lie inside one memory range');
    // cma_activate_area() leaves an area that spans two zones inactive (its count set to 0)
    for (const limit of [MAX_DMA_PFN, MAX_DMA32_PFN])
      if (from < limit && to > limit)
        throw new Error(
          `config.cma: the area crosses the zone limit at ${limit / 256} MiB; the kernel leaves such an area inactive (cma_activate_area)`,
        );
  }
  return c;
}

export const dmaKind = defineKind({
  name: 'dma',
  properties: dmaProperties,
  parseConfig: parseDmaConfig,
  parseOp: (raw) => {
    const op = parseOpWith<DmaOp>(raw, OP_SHAPES);
    if ('size' in op && (op.size < 1 || op.size > 2 ** 32))
      throw new Error(`${op.op}.size must be between 1 and 4 GiB`);
    if ('order' in op && (op.order < -1 || op.order > 10))
      throw new Error(`${op.op}.order must be -1 to 10`);
    const repeat =
      op.op === 'dma_alloc_coherent' || op.op === 'dma_alloc_pages'
        ? { field: 'count', n: op.count }
        : op.op === 'atomic_pool_work_fn' || op.op === 'kswapd'
          ? { field: 'steps', n: op.steps }
          : null;
    if (repeat?.n !== undefined && (repeat.n < 1 || repeat.n > MAX_REPEAT))
      throw new Error(`${op.op}.${repeat.field} must be 1 to ${MAX_REPEAT}`);
    return op;
  },
  make: (config, policy) => makeDmaSystem(config, policy),
  unsupported: (config, policy) =>
    policy.dmaDirect.force_dma_unencrypted_platforms.includes(config.cc)
      ? null
      : `dma-direct of ${policy.dmaDirect.version} does not know ${config.cc} (TDX guests: v5.19+)`,
});
