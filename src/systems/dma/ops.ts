/**
 * Operations of the DMA world, as plain data: what CPUs, drivers, the pool
 * worker, kswapd and a hostile host do. Each names the kernel entry point it
 * drives. Picks (`pick`, `dev`, `cpu`) are resolved against the state when
 * the op executes (modulo the number of candidates), so any op is valid data
 * and a trace replays without our generator.
 */
import fc from 'fast-check';

/** A driver's coherent allocation, from an atomic (GFP_ATOMIC) or a task (GFP_KERNEL) context. */
export interface DmaAllocOp {
  readonly op: 'dma_alloc_coherent';
  readonly cpu: number;
  readonly atomic: boolean;
  readonly dev: number;
  readonly size: number;
  readonly nowarn: boolean;
}

/** dma_free_coherent() of a live buffer (task context, as the API requires). */
export interface DmaFreeOp {
  readonly op: 'dma_free_coherent';
  readonly pick: number;
}

/** The page API (dma_alloc_pages): the T15 path in 6.1. */
export interface DmaAllocPagesOp {
  readonly op: 'dma_alloc_pages';
  readonly cpu: number;
  readonly atomic: boolean;
  readonly dev: number;
  readonly size: number;
}

export interface DmaFreePagesOp {
  readonly op: 'dma_free_pages';
  readonly pick: number;
}

/** One sub-step of the pool expansion worker (a no-op unless queued or running). */
export interface WorkerOp {
  readonly op: 'atomic_pool_work_fn';
}

/** One step of kswapd's main loop. */
export interface KswapdOp {
  readonly op: 'kswapd';
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
  | FaultOp;

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

export const dmaOpArbitrary: fc.Arbitrary<DmaOp> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('dma_alloc_coherent' as const),
      cpu: fc.nat(1),
      atomic: fc.boolean(),
      dev: fc.nat(3),
      size: sizeArb,
      nowarn: fc.boolean(),
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
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('dma_free_pages' as const), pick: fc.nat(63) }),
  },
  // an expansion takes several worker sub-steps (check, alloc, decrypt, add,
  // and on error re-encrypt and free): weighted so its error paths and
  // second and third chunks occur within a 40-step run
  { weight: 10, arbitrary: fc.constant({ op: 'atomic_pool_work_fn' as const }) },
  { weight: 2, arbitrary: fc.constant({ op: 'kswapd' as const }) },
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
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('fault' as const),
      at: fc.constantFrom(
        'set_memory_decrypted' as const,
        'alloc_pages' as const,
        'set_memory_encrypted' as const,
        'gen_pool_add' as const,
      ),
      // half aimed at the orders pool expansion asks (512 KiB to 4 MiB chunks)
      order: fc.oneof(fc.integer({ min: -1, max: 10 }), fc.integer({ min: 7, max: 10 })),
    }),
  },
);
