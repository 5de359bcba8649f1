/**
 * Workload families for `poolcheck compare`: op arbitraries that stress one
 * side of the design each. Ops are the DMA world's (ops.ts), so every
 * family runs against either design unchanged.
 */
import fc from 'fast-check';
import type { DmaOp } from './ops.ts';

export interface Workload {
  readonly id: string;
  readonly description: string;
  readonly ops: fc.Arbitrary<DmaOp>;
}

const atomicAlloc = (size: fc.Arbitrary<number>, nowarn = true) =>
  fc.record({
    op: fc.constant('dma_alloc_coherent' as const),
    cpu: fc.nat(1),
    atomic: fc.constant(true),
    dev: fc.constant(0),
    size,
    nowarn: fc.constant(nowarn),
  });
const free = fc.record({ op: fc.constant('dma_free_coherent' as const), pick: fc.nat(63) });
const worker = fc.constant({ op: 'atomic_pool_work_fn' as const });
const kswapd = fc.constant({ op: 'kswapd' as const });

export const workloads: readonly Workload[] = [
  {
    id: 'nvme-burst',
    description: 'bursty NVMe-like atomic 4-64 KiB requests, frees, the worker and kswapd',
    ops: fc.oneof(
      { weight: 6, arbitrary: atomicAlloc(fc.integer({ min: 1, max: 16 }).map((p) => p * 4096)) },
      { weight: 4, arbitrary: free },
      { weight: 2, arbitrary: worker },
      { weight: 2, arbitrary: kswapd },
    ),
  },
  {
    id: 'high-order',
    description: 'high-order atomic requests (64 KiB to 4 MiB), frees, the worker and kswapd',
    ops: fc.oneof(
      {
        weight: 5,
        arbitrary: atomicAlloc(fc.integer({ min: 4, max: 10 }).map((o) => 4096 * 2 ** o)),
      },
      { weight: 3, arbitrary: free },
      { weight: 2, arbitrary: worker },
      { weight: 2, arbitrary: kswapd },
    ),
  },
  {
    id: 'pressure',
    description: 'heavy blockable memory pressure with reclaim, amid NVMe-like atomic requests',
    ops: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant('alloc_pages' as const),
          atomic: fc.constant(false),
          zone: fc.constantFrom('normal' as const, 'dma32' as const),
          order: fc.integer({ min: 0, max: 10 }),
          count: fc.integer({ min: 1, max: 32 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('page_cache' as const),
          order: fc.integer({ min: 0, max: 9 }),
          dirty: fc.boolean(),
        }),
      },
      { weight: 3, arbitrary: atomicAlloc(fc.integer({ min: 1, max: 16 }).map((p) => p * 4096)) },
      { weight: 2, arbitrary: free },
      { weight: 2, arbitrary: worker },
      { weight: 3, arbitrary: kswapd },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('__free_pages' as const),
          pick: fc.nat(63),
          count: fc.integer({ min: 1, max: 32 }),
        }),
      },
    ),
  },
  {
    id: 'decrypt-failures',
    description: 'a hostile host refusing conversions, amid NVMe-like atomic requests',
    ops: fc.oneof(
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('fault' as const),
          at: fc.constantFrom('set_memory_decrypted' as const, 'set_memory_encrypted' as const),
          order: fc.constant(-1),
        }),
      },
      { weight: 5, arbitrary: atomicAlloc(fc.integer({ min: 1, max: 16 }).map((p) => p * 4096)) },
      { weight: 3, arbitrary: free },
      { weight: 3, arbitrary: worker },
      { weight: 2, arbitrary: kswapd },
    ),
  },
];
