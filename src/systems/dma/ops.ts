/**
 * Operations of the DMA world, as plain data: what CPUs, drivers, the pool
 * worker, kswapd and a hostile host do. Each names the kernel entry point it
 * drives. Picks (`pick`, `dev`, `cpu`) are resolved against the state when
 * the op executes (modulo the number of candidates), so any op is valid data
 * and a trace replays without our generator.
 */
import fc from 'fast-check';

/**
 * A driver's coherent allocation, from an atomic (GFP_ATOMIC) or a task
 * (GFP_KERNEL) context: `count` times the same request, or until one fails
 * (a burst, like a driver filling a ring; absent in older traces: once).
 */
export interface DmaAllocOp {
  readonly op: 'dma_alloc_coherent';
  readonly cpu: number;
  readonly atomic: boolean;
  readonly dev: number;
  readonly size: number;
  readonly nowarn: boolean;
  readonly count?: number;
}

/** dma_free_coherent() of a live buffer (task context, as the API requires). */
export interface DmaFreeOp {
  readonly op: 'dma_free_coherent';
  readonly pick: number;
}

/** The page API (dma_alloc_pages): the T15 path in 6.1; `count` as for dma_alloc_coherent. */
export interface DmaAllocPagesOp {
  readonly op: 'dma_alloc_pages';
  readonly cpu: number;
  readonly atomic: boolean;
  readonly dev: number;
  readonly size: number;
  readonly count?: number;
}

export interface DmaFreePagesOp {
  readonly op: 'dma_free_pages';
  readonly pick: number;
}

/**
 * Up to `steps` sub-steps of the pool expansion worker, fewer when it
 * finishes (not enabled unless queued or running; absent `steps`: one).
 */
export interface WorkerOp {
  readonly op: 'atomic_pool_work_fn';
  readonly steps?: number;
}

/**
 * Up to `steps` sub-steps of kswapd's main loop (with the reserve-pool
 * design, of its pool work first), fewer when it goes to sleep; absent: one.
 */
export interface KswapdOp {
  readonly op: 'kswapd';
  readonly steps?: number;
}

/**
 * A write to /proc/sys/vm/lowmem_reserve_ratio, one ratio per zone (DMA,
 * DMA32, Normal, Movable, Device; each < 1 becomes 0): the reserves are
 * recomputed, and with them the 2019 design's pool targets.
 */
export interface SysctlOp {
  readonly op: 'sysctl';
  readonly name: 'lowmem_reserve_ratio';
  readonly value: readonly number[];
}

/** Another kernel user allocating `count` blocks of 2^order pages: memory pressure. */
export interface AllocPagesOp {
  readonly op: 'alloc_pages';
  readonly atomic: boolean;
  readonly zone: 'normal' | 'dma32' | 'dma';
  readonly order: number;
  readonly count: number;
}

/** That user freeing `count` of its blocks, from block `pick` on. */
export interface FreePagesOp {
  readonly op: '__free_pages';
  readonly pick: number;
  readonly count: number;
}

/** A file folio of 2^order pages read into the page cache: memory reclaim can free again. */
export interface PageCacheOp {
  readonly op: 'page_cache';
  readonly order: number;
  readonly dirty: boolean;
}

/**
 * A fault armed for the next matching call: no page at that order (or any
 * order with `order: -1`), a set_memory_{de,en}crypted() failure (a TDX host
 * refusing the conversion), gen_pool_add() failing.
 */
export interface FaultOp {
  readonly op: 'fault';
  readonly at: 'alloc_pages' | 'set_memory_decrypted' | 'set_memory_encrypted' | 'gen_pool_add';
  readonly order: number;
}

export type DmaOp =
  | DmaAllocOp
  | DmaFreeOp
  | DmaAllocPagesOp
  | DmaFreePagesOp
  | WorkerOp
  | KswapdOp
  | AllocPagesOp
  | FreePagesOp
  | PageCacheOp
  | FaultOp
  | SysctlOp;

export const DMA_OP_KINDS = [
  'dma_alloc_coherent',
  'dma_free_coherent',
  'dma_alloc_pages',
  'dma_free_pages',
  'atomic_pool_work_fn',
  'kswapd',
  'alloc_pages',
  '__free_pages',
  'page_cache',
  'fault',
  'sysctl',
] as const;

/**
 * Sizes drivers ask for: mostly NVMe-like 4-64 KiB, page multiples and
 * odd byte counts, sometimes large (up to 4 MiB) to exhaust a pool.
 */
const sizeArb = fc.oneof(
  // cross-shrinking takes an odd size back to whole pages, then to 4 KiB
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 16 }).map((p) => p * 4096) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 65536 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 * 1048576 }) },
);

/**
 * How many times an allocation op makes its request: once, or (a third of
 * the ops) a burst of up to 128: enough to take a pool past its second
 * chunk, or to empty one order's reserve list (on sev-4g-nvme the 2019
 * design's DMA32 pool holds 59 order-2 blocks, the fewest of any order that
 * can be split from above). Shrinks towards 1.
 */
const countArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(1) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 128 }) },
);

/** Sub-steps a worker or kswapd op runs: one, or a run of up to 64. Shrinks towards 1. */
const stepsArb = fc.oneof(
  { withCrossShrink: true },
  { weight: 1, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: fc.constantFrom(2, 4, 8, 16, 64) },
);

/** A ratio of vm.lowmem_reserve_ratio: the default first (shrinks to it), 0 (no reserve), extremes. */
const ratioArb = (dflt: number) => fc.constantFrom(...new Set([dflt, 0, 1, 32, 256, 4096]));

export const dmaOpArbitrary: fc.Arbitrary<DmaOp> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('dma_alloc_coherent' as const),
      cpu: fc.nat(1),
      atomic: fc.boolean(),
      dev: fc.nat(3),
      size: sizeArb,
      nowarn: fc.boolean(),
      count: countArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('dma_free_coherent' as const), pick: fc.nat(63) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('dma_alloc_pages' as const),
      cpu: fc.nat(1),
      atomic: fc.boolean(),
      dev: fc.nat(3),
      size: sizeArb,
      count: countArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('dma_free_pages' as const), pick: fc.nat(63) }),
  },
  // an expansion takes several worker sub-steps (check, alloc, decrypt, add,
  // and on error re-encrypt and free): weighted, and given runs of
  // sub-steps, so its error paths and third chunks occur within 40 ops
  {
    weight: 10,
    arbitrary: fc.record({ op: fc.constant('atomic_pool_work_fn' as const), steps: stepsArb }),
  },
  // a reserve-pool refill takes four kswapd sub-steps (scan, alloc, decrypt, add)
  { weight: 6, arbitrary: fc.record({ op: fc.constant('kswapd' as const), steps: stepsArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('alloc_pages' as const),
      atomic: fc.boolean(),
      zone: fc.constantFrom('normal' as const, 'dma32' as const, 'dma' as const),
      order: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 })),
      count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 32 })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('__free_pages' as const),
      pick: fc.nat(63),
      count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('page_cache' as const),
      order: fc.integer({ min: 0, max: 9 }),
      dirty: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('fault' as const),
      at: fc.constantFrom(
        'set_memory_decrypted' as const,
        'alloc_pages' as const,
        'set_memory_encrypted' as const,
        'gen_pool_add' as const,
      ),
      // a third aimed at the orders the atomic pools' second and third
      // chunks ask (512 KiB, 1 MiB), a third at the reserve pool's (0-3)
      order: fc.oneof(
        fc.integer({ min: -1, max: 10 }),
        fc.integer({ min: 7, max: 8 }),
        fc.integer({ min: -1, max: 3 }),
      ),
    }),
  },
  // ratios of DMA, DMA32 and Normal (the kernel's defaults 256 256 32 first)
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('sysctl' as const),
      name: fc.constant('lowmem_reserve_ratio' as const),
      value: fc.tuple(ratioArb(256), ratioArb(256), ratioArb(32), fc.constant(0), fc.constant(0)),
    }),
  },
);
