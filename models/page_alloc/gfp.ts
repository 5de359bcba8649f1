/**
 * include/linux/gfp_types.h and include/linux/gfp.h (x86_64): gfp bit
 * values, the composite masks per version, gfp_zone() and the few gfp
 * predicates the allocator uses. Bit positions are the same in 5.4, 6.1
 * and 6.18; __GFP_ATOMIC (0x200) exists until 6.2 and is kept in late 6.1.y.
 *
 * Left out: __GFP_ACCOUNT's memcg charge, __GFP_WRITE's dirty spreading,
 * __GFP_THISNODE's node list (one node only), __GFP_ZERO's clearing.
 */
import type { PageAllocRules } from './rules.ts';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from './zone.ts';

export const __GFP_DMA = 0x1;
export const __GFP_HIGHMEM = 0x2;
export const __GFP_DMA32 = 0x4;
export const __GFP_MOVABLE = 0x8;
export const __GFP_RECLAIMABLE = 0x10;
export const __GFP_HIGH = 0x20;
export const __GFP_IO = 0x40;
export const __GFP_FS = 0x80;
export const __GFP_ZERO = 0x100;
/** Until 6.2 (and in every 6.1.y): "harder" reserves, asserted non-blocking. */
export const __GFP_ATOMIC = 0x200;
export const __GFP_DIRECT_RECLAIM = 0x400;
export const __GFP_KSWAPD_RECLAIM = 0x800;
export const __GFP_WRITE = 0x1000;
export const __GFP_NOWARN = 0x2000;
export const __GFP_RETRY_MAYFAIL = 0x4000;
export const __GFP_NOFAIL = 0x8000;
export const __GFP_NORETRY = 0x10000;
export const __GFP_MEMALLOC = 0x20000;
export const __GFP_COMP = 0x40000;
export const __GFP_NOMEMALLOC = 0x80000;
export const __GFP_HARDWALL = 0x100000;
export const __GFP_THISNODE = 0x200000;
export const __GFP_ACCOUNT = 0x400000;

export const __GFP_RECLAIM = __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM;
const GFP_ZONEMASK = __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE;
const GFP_MOVABLE_MASK = __GFP_RECLAIMABLE | __GFP_MOVABLE;

/** The composite masks of one version (include/linux/gfp_types.h). */
export interface GfpComposites {
  readonly GFP_ATOMIC: number;
  readonly GFP_NOWAIT: number;
  readonly GFP_NOIO: number;
  readonly GFP_NOFS: number;
  readonly GFP_KERNEL: number;
  readonly GFP_USER: number;
  readonly GFP_HIGHUSER_MOVABLE: number;
  readonly GFP_DMA: number;
  readonly GFP_DMA32: number;
}

/** The composite masks under `rules` (GFP_ATOMIC loses __GFP_ATOMIC in 6.3; GFP_NOWAIT gains NOWARN ~6.10). */
export function gfpComposites(rules: PageAllocRules): GfpComposites {
  const GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS;
  const GFP_USER = GFP_KERNEL | __GFP_HARDWALL;
  return {
    GFP_ATOMIC:
      __GFP_HIGH | __GFP_KSWAPD_RECLAIM | (rules.gfp_atomic_has_atomic_bit ? __GFP_ATOMIC : 0),
    GFP_NOWAIT: __GFP_KSWAPD_RECLAIM | (rules.gfp_nowait_has_nowarn ? __GFP_NOWARN : 0),
    GFP_NOIO: __GFP_RECLAIM,
    GFP_NOFS: __GFP_RECLAIM | __GFP_IO,
    GFP_KERNEL,
    GFP_USER,
    GFP_HIGHUSER_MOVABLE: GFP_USER | __GFP_HIGHMEM | __GFP_MOVABLE,
    GFP_DMA: __GFP_DMA,
    GFP_DMA32: __GFP_DMA32,
  };
}

/** include/linux/gfp.h gfp_zone() (GFP_ZONE_TABLE on x86_64), 6.1; -1 for an invalid combination. */
export function gfp_zone(gfp: number): number {
  switch (gfp & GFP_ZONEMASK) {
    case 0:
    case __GFP_HIGHMEM:
    case __GFP_MOVABLE:
      return ZONE_NORMAL;
    case __GFP_DMA:
    case __GFP_DMA | __GFP_MOVABLE:
      return ZONE_DMA;
    case __GFP_DMA32:
    case __GFP_DMA32 | __GFP_MOVABLE:
      return ZONE_DMA32;
    case __GFP_MOVABLE | __GFP_HIGHMEM:
      return ZONE_MOVABLE;
    default:
      // two zone modifiers at once: GFP_ZONE_BAD, a VM_BUG_ON in the kernel
      return -1;
  }
}

/** include/linux/gfp.h gfpflags_allow_blocking(), 6.1: the allocator's only notion of "may sleep". */
export function gfpflags_allow_blocking(gfp: number): boolean {
  return (gfp & __GFP_DIRECT_RECLAIM) !== 0;
}

/** include/linux/gfp.h gfp_migratetype(), 6.1 (mobility grouping on). */
export function gfp_migratetype(gfp: number): number {
  // __GFP_MOVABLE -> MIGRATE_MOVABLE (1), __GFP_RECLAIMABLE -> MIGRATE_RECLAIMABLE (2)
  return (gfp & GFP_MOVABLE_MASK) >> 3;
}

const FLAG_NAMES: readonly [number, string][] = [
  // %pGg names the zone bits by their GFP_ aliases (lib/test_printf.c: GFP_ATOMIC|GFP_DMA)
  [__GFP_DMA, 'GFP_DMA'],
  [__GFP_HIGHMEM, '__GFP_HIGHMEM'],
  [__GFP_DMA32, 'GFP_DMA32'],
  [__GFP_MOVABLE, '__GFP_MOVABLE'],
  [__GFP_RECLAIMABLE, '__GFP_RECLAIMABLE'],
  [__GFP_HIGH, '__GFP_HIGH'],
  [__GFP_IO, '__GFP_IO'],
  [__GFP_FS, '__GFP_FS'],
  [__GFP_ZERO, '__GFP_ZERO'],
  [__GFP_ATOMIC, '__GFP_ATOMIC'],
  [__GFP_DIRECT_RECLAIM, '__GFP_DIRECT_RECLAIM'],
  [__GFP_KSWAPD_RECLAIM, '__GFP_KSWAPD_RECLAIM'],
  [__GFP_WRITE, '__GFP_WRITE'],
  [__GFP_NOWARN, '__GFP_NOWARN'],
  [__GFP_RETRY_MAYFAIL, '__GFP_RETRY_MAYFAIL'],
  [__GFP_NOFAIL, '__GFP_NOFAIL'],
  [__GFP_NORETRY, '__GFP_NORETRY'],
  [__GFP_MEMALLOC, '__GFP_MEMALLOC'],
  [__GFP_COMP, '__GFP_COMP'],
  [__GFP_NOMEMALLOC, '__GFP_NOMEMALLOC'],
  [__GFP_HARDWALL, '__GFP_HARDWALL'],
  [__GFP_THISNODE, '__GFP_THISNODE'],
  [__GFP_ACCOUNT, '__GFP_ACCOUNT'],
];

/**
 * A gfp mask as the kernel's %pGg prints it: the largest composite it
 * contains, then the remaining bits (`GFP_ATOMIC|__GFP_DMA32`).
 */
export function gfpName(gfp: number, rules: PageAllocRules): string {
  const c = gfpComposites(rules);
  const composites: readonly [number, string][] = [
    [c.GFP_HIGHUSER_MOVABLE, 'GFP_HIGHUSER_MOVABLE'],
    [c.GFP_USER, 'GFP_USER'],
    [c.GFP_KERNEL, 'GFP_KERNEL'],
    [c.GFP_NOFS, 'GFP_NOFS'],
    [c.GFP_ATOMIC, 'GFP_ATOMIC'],
    [c.GFP_NOIO, 'GFP_NOIO'],
    [c.GFP_NOWAIT, 'GFP_NOWAIT'],
  ];
  const parts: string[] = [];
  let rest = gfp;
  for (const [mask, name] of composites)
    if ((rest & mask) === mask) {
      parts.push(name);
      rest &= ~mask;
      break;
    }
  for (const [bit, name] of FLAG_NAMES)
    if (rest & bit) {
      parts.push(name);
      rest &= ~bit;
    }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length > 0 ? parts.join('|') : '0';
}
