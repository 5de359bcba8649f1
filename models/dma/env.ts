/**
 * The environment dma-direct runs in (x86_64, 4 KiB pages), for v5.4, v5.8,
 * 6.1 (Debian 6.1.192) and mainline: the page allocator, CMA, the x86
 * set_memory_{de,en}crypted() and the atomic pools, reached only through
 * `DirectEnv`, plus the zone bits, DMA attributes, errno values and page
 * arithmetic that kernel/dma/direct.c uses.
 *
 * A "world" that composes every model implements `DirectEnv`: it owns the
 * pages (owner and encryption state), decides injected faults (no page at an
 * order, decrypt or encrypt failure), and applies each call to its state at
 * once. The dma-direct model never touches page state itself; it records
 * what it did as effects (direct.ts), which the world and the properties read.
 *
 * Left out: NUMA nodes (one node; alloc_pages_node's node argument is
 * dropped), highmem (none on x86_64), kernel virtual addresses: x86 has no
 * DMA_DIRECT_REMAP, so every CPU address dma-direct hands out is the linear
 * map of a page and is named by that page's physical address.
 */
import { __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM } from '../page_alloc/gfp.ts';
import type { Device, Platform } from './device.ts';

// ---------------------------------------------------------------------------
// Page arithmetic (x86_64: PAGE_SHIFT 12).

/** include/asm-generic/page.h PAGE_SIZE on x86_64. */
export const PAGE_SIZE = 4096;

/** include/linux/mm.h PAGE_ALIGN(): round a byte count up to whole pages. */
export function PAGE_ALIGN(size: number): number {
  return Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
}

/** include/linux/pfn.h PFN_UP(): pages covering `size` bytes. */
export function PFN_UP(size: number): number {
  return Math.ceil(size / PAGE_SIZE);
}

/**
 * include/asm-generic/getorder.h get_order(): least k with PAGE_SIZE * 2^k >= size.
 * get_order(0) is BITS_PER_LONG - PAGE_SHIFT = 52 on x86_64 (the kernel's
 * "undefined" result, which pool expansion relies on: dma.md T4).
 */
export function get_order(size: number): number {
  if (size <= 0) return 52;
  let order = 0;
  while (PAGE_SIZE * 2 ** order < size) order++;
  return order;
}

// ---------------------------------------------------------------------------
// gfp: the bits are the page allocator's (models/page_alloc/gfp.ts; the
// same positions in 5.4, 6.1 and mainline). Bitwise operators are safe:
// every flag is below 2^31.

export const GFP_DMA = __GFP_DMA;
export const GFP_DMA32 = __GFP_DMA32;
/** The zone modifiers dma_alloc_attrs() strips: __GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM. */
export const GFP_ZONE_BITS = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32;

// ---------------------------------------------------------------------------
// DMA attributes (include/linux/dma-mapping.h) and errno values.

/** The buffer needs no kernel mapping: dma-direct may return the page as a cookie. */
export const DMA_ATTR_NO_KERNEL_MAPPING = 1 << 4;
/** Suppress allocation-failure warnings: dma-direct adds __GFP_NOWARN. */
export const DMA_ATTR_NO_WARN = 1 << 8;

export const EIO = 5;
export const ENOMEM = 12;
export const EBUSY = 16;

// ---------------------------------------------------------------------------
// The environment.

/**
 * kernel/dma/direct.c dma_coherent_ok() as a callback (the `phys_addr_ok`
 * argument of dma_alloc_from_pool(), 5.9+): may `size` bytes at physical
 * address `phys` be used by `dev`? The pool model's PhysAddrOk<Device>.
 */
export type PhysAddrOk = (dev: Device, phys: number, size: number) => boolean;

/**
 * Where dma_free_contiguous() put a block back, and how many pages it
 * returned: the world knows whether the address lies in a CMA area.
 */
export interface ContiguousFree {
  readonly to: 'cma' | 'buddy';
  readonly npages: number;
}

/**
 * Everything dma-direct reaches outside kernel/dma/direct.c. Each call acts
 * on the world's state at once. Addresses are physical addresses in bytes,
 * page-aligned, as in the pool model's PoolEnv (so one adapter serves both);
 * sizes are bytes exactly as the kernel passes them (unaligned on some
 * v5.4/v5.8 free paths).
 */
export interface DirectEnv {
  /** The machine: memory encryption and configured zones. */
  readonly platform: Platform;
  /** mm/page_alloc.c alloc_pages_node(): a naturally aligned block of 2^order pages, its physical address, or null (gfp decides zone and blocking). */
  alloc_pages_node(gfp: number, order: number): number | null;
  /** mm/page_alloc.c __free_pages(): give a block of 2^order pages back to the buddy allocator. */
  __free_pages(phys: number, order: number): void;
  /**
   * kernel/dma/contiguous.c dma_alloc_contiguous() past its blocking check
   * (which the model makes, so this is only called with a blocking gfp):
   * size >> PAGE_SHIFT pages (the caller page-aligns size first, except
   * under BZ-19's `caller-size` rule) from the device's or the default CMA
   * area, or null (no area, a single page without a per-device area, area full).
   */
  dma_alloc_contiguous(dev: Device, size: number, gfp: number): number | null;
  /** kernel/dma/contiguous.c dma_free_contiguous(): back to the CMA area holding phys, else __free_pages(get_order(size)). */
  dma_free_contiguous(dev: Device, phys: number, size: number): ContiguousFree;
  /**
   * arch/x86/mm/pat/set_memory.c set_memory_decrypted() on the linear map of
   * `numpages` pages from phys: 0 or -errno. The world applies
   * set_memory.ts's set_memory_outcome() to its page states with the errno it injects.
   */
  set_memory_decrypted(phys: number, numpages: number): number;
  /** arch/x86/mm/pat/set_memory.c set_memory_encrypted(): as set_memory_decrypted, towards private. */
  set_memory_encrypted(phys: number, numpages: number): number;
  /**
   * kernel/dma/pool.c dma_alloc_from_pool() as the pool model provides it:
   * the physical address of a zeroed block of PAGE_ALIGN(size) bytes from an
   * atomic pool, or null. Never sleeps. `phys_ok` is dma-direct's address check.
   */
  dma_alloc_from_pool(
    dev: Device,
    size: number,
    gfp: number,
    phys_ok: PhysAddrOk | null,
  ): number | null;
  /** kernel/dma/pool.c dma_free_from_pool(): true when [phys, phys + size) lay in a pool chunk and went back to it. */
  dma_free_from_pool(dev: Device, phys: number, size: number): boolean;
  /** memset(linear address of phys, 0, bytes): the world may track contents. */
  memset(phys: number, bytes: number): void;
}
