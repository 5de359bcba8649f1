/**
 * The page-allocator system's operations (plain JSON data, named after the
 * kernel entry point each drives) and the fast-check arbitrary that
 * generates them. Generation only: `system.ts` executes.
 */
import fc from 'fast-check';

/** The gfp masks requests use, by name (resolved per version by system.ts). */
export const GFP_CHOICES = [
  'GFP_KERNEL',
  'GFP_KERNEL|__GFP_DMA32',
  'GFP_KERNEL|__GFP_DMA',
  'GFP_KERNEL|__GFP_NORETRY',
  'GFP_KERNEL|__GFP_RETRY_MAYFAIL',
  'GFP_KERNEL|__GFP_HIGH',
  'GFP_HIGHUSER_MOVABLE',
  'GFP_ATOMIC',
  'GFP_ATOMIC|__GFP_DMA32',
  'GFP_ATOMIC|__GFP_DMA',
  'GFP_ATOMIC|__GFP_NOWARN',
  'GFP_ATOMIC|__GFP_NOMEMALLOC',
  'GFP_NOWAIT',
  'GFP_NOWAIT|__GFP_DMA32',
] as const;
export type GfpChoice = (typeof GFP_CHOICES)[number];

export type PageAllocOp =
  /**
   * alloc_pages(gfp, order), `count` times or until one fails (a burst); a
   * non-blocking gfp runs in atomic context. `reclaim`: pages one direct
   * reclaim round may free.
   */
  | {
      readonly op: 'alloc_pages';
      readonly gfp: GfpChoice;
      readonly order: number;
      readonly count: number;
      readonly reclaim: number;
    }
  /** __free_pages() of the live allocation `pick` (modulo the number live). */
  | { readonly op: '__free_pages'; readonly pick: number }
  /** kswapd runs up to `steps` sub-steps, each balance round reclaiming at most `reclaim` pages. */
  | { readonly op: 'kswapd'; readonly steps: number; readonly reclaim: number }
  /** `count` page-cache folios of `order` (readahead gfp), clean or dirty. */
  | {
      readonly op: 'filemap_add_folio';
      readonly order: number;
      readonly count: number;
      readonly dirty: boolean;
    }
  /** A write to /proc/sys/vm/<name>. */
  | { readonly op: 'sysctl'; readonly name: 'min_free_kbytes'; readonly value: number }
  | { readonly op: 'sysctl'; readonly name: 'watermark_scale_factor'; readonly value: number }
  | {
      readonly op: 'sysctl';
      readonly name: 'lowmem_reserve_ratio';
      readonly value: readonly number[];
    }
  /** Fault injection: the next `times` requests of `order` (or any) fail. */
  | {
      readonly op: 'should_fail_alloc_page';
      readonly order: number | 'any';
      readonly times: number;
    };

export const OP_KINDS = [
  'alloc_pages',
  '__free_pages',
  'kswapd',
  'filemap_add_folio',
  'sysctl',
  'should_fail_alloc_page',
] as const;

const order = fc.oneof(
  { weight: 5, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 2, arbitrary: fc.integer({ min: 4, max: 10 }) },
);

/** The arbitrary of one operation. */
export const pageAllocOps: fc.Arbitrary<PageAllocOp> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      op: fc.constant('alloc_pages' as const),
      gfp: fc.constantFrom(...GFP_CHOICES),
      order,
      count: fc.oneof(
        { weight: 3, arbitrary: fc.constant(1) },
        { weight: 1, arbitrary: fc.integer({ min: 2, max: 64 }) },
      ),
      reclaim: fc.constantFrom(32, 0, 8),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('__free_pages' as const), pick: fc.nat(1023) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('kswapd' as const),
      steps: fc.constantFrom(1, 4, 16, 64, 1024),
      reclaim: fc.constantFrom(32, 0, 128),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('filemap_add_folio' as const),
      order: fc.integer({ min: 0, max: 3 }),
      count: fc.integer({ min: 1, max: 8 }),
      dirty: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({
        op: fc.constant('sysctl' as const),
        name: fc.constant('min_free_kbytes' as const),
        value: fc.constantFrom(0, 128, 1024, 4096, 8192, -1),
      }),
      fc.record({
        op: fc.constant('sysctl' as const),
        name: fc.constant('watermark_scale_factor' as const),
        value: fc.constantFrom(1, 10, 100, 1000, 3000, 0, 3001),
      }),
      fc.record({
        op: fc.constant('sysctl' as const),
        name: fc.constant('lowmem_reserve_ratio' as const),
        value: fc.tuple(
          fc.constantFrom(0, 1, 32, 256, 4096),
          fc.constantFrom(0, 1, 32, 256, 4096),
          fc.constantFrom(0, 32, 256),
          fc.constant(0),
          fc.constant(0),
        ),
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('should_fail_alloc_page' as const),
      order: fc.oneof(fc.constant('any' as const), fc.integer({ min: 0, max: 10 })),
      times: fc.integer({ min: 1, max: 3 }),
    }),
  },
);
